import { isEnglish } from './language.ts';
/**
 * Permission codes. Which role holds which permission is data (role_permissions), seeded from
 * DEFAULT_ROLES and editable by an administrator; the codes themselves are the contract between
 * the server's checks and the web's menus.
 */
export const PERMISSIONS = {
  'org.read': { zh: '查看组织与网格', en: 'View org units and grids' },
  'org.write': { zh: '管理组织与网格', en: 'Manage org units and grids' },
  'user.read': { zh: '查看用户', en: 'View users' },
  'user.write': { zh: '管理用户与授权', en: 'Manage users and grants' },
  'role.write': { zh: '编辑角色权限', en: 'Edit role permissions' },
  'audit.read': { zh: '查看审计日志', en: 'View the audit log' },
  'personal.unmask': { zh: '查看完整身份证号和手机号', en: 'Unmask ID and phone numbers' },
  'personal.export': { zh: '导出未脱敏数据', en: 'Export unmasked data' },
  'work-item.read': { zh: '查看待办', en: 'View work items' },
  'work-item.assign': { zh: '派发待办', en: 'Assign work items' },
  'resident.read': { zh: '查看居民', en: 'View residents' },
  'resident.write': { zh: '登记和修改居民', en: 'Register and edit residents' },
  'resident.import': { zh: '批量导入居民', en: 'Import residents' },
  'key-group.write': { zh: '维护重点人群分类', en: 'Edit key-group classes' },
  'testing.read': { zh: '查看核酸检测轮次与覆盖', en: 'View testing rounds and coverage' },
  'testing.manage': { zh: '组织核酸检测轮次与采样点', en: 'Organise testing rounds and points' },
  'testing.exempt': { zh: '登记免检与入户采样结果', en: 'Record exemptions and door-to-door outcomes' },
  'sampling.scan': { zh: '扫码采样、封管、送检', en: 'Scan, seal and send tubes' },
  'lab.results': { zh: '接收样本、录入检测结果', en: 'Receive tubes and enter results' },
} as const;

export type Permission = keyof typeof PERMISSIONS;
export const PERMISSION_CODES = Object.keys(PERMISSIONS) as Permission[];

export interface RoleDefinition {
  code: string;
  zh: string;
  en: string;
  permissions: Permission[];
}

const FIELD: Permission[] = ['org.read', 'work-item.read'];
const REGISTRY: Permission[] = ['resident.read', 'resident.write'];

/**
 * What the administrator role always keeps: editing roles and managing users and their grants.
 * Taken from it, nobody could give them back (no other role holds them by default, and no command
 * line restores them): the whole district would be locked out of its own administration.
 */
export const ADMIN_ROLE = 'admin';
export const ADMIN_KEEPS: readonly Permission[] = ['role.write', 'user.read', 'user.write'];

/** Seeded defaults only: the live mapping is in the database. */
export const DEFAULT_ROLES: RoleDefinition[] = [
  { code: ADMIN_ROLE, zh: '系统管理员', en: 'Administrator', permissions: [...PERMISSION_CODES] },
  {
    code: 'command',
    zh: '指挥部',
    en: 'Command centre',
    permissions: [
      ...FIELD,
      'user.read',
      'personal.unmask',
      'personal.export',
      'work-item.assign',
      'resident.read',
      'testing.read',
      'testing.manage',
    ],
  },
  {
    code: 'unit_staff',
    zh: '街道/社区工作人员',
    en: 'Street / community staff',
    permissions: [
      ...FIELD,
      ...REGISTRY,
      'resident.import',
      'org.write',
      'user.read',
      'work-item.assign',
      'testing.read',
      'testing.manage',
      'testing.exempt',
    ],
  },
  {
    code: 'grid_worker',
    zh: '网格员',
    en: 'Grid worker',
    permissions: [...FIELD, ...REGISTRY, 'resident.import', 'testing.read', 'testing.exempt'],
  },
  {
    code: 'sampler',
    zh: '采样人员',
    en: 'Sampler',
    permissions: [...FIELD, 'sampling.scan', 'testing.read'],
  },
  { code: 'lab', zh: '实验室', en: 'Laboratory', permissions: ['work-item.read', 'lab.results'] },
  { code: 'pharmacy', zh: '药店', en: 'Pharmacy', permissions: [...FIELD] },
  { code: 'market_officer', zh: '市场监管', en: 'Market officer', permissions: [...FIELD] },
  { code: 'gate_guard', zh: '门岗', en: 'Gate guard', permissions: [...FIELD] },
  { code: 'party_secretary', zh: '党支部', en: 'Party secretary', permissions: [...FIELD] },
  { code: 'supplies_clerk', zh: '物资管理', en: 'Supplies clerk', permissions: [...FIELD] },
  { code: 'auditor', zh: '审计员', en: 'Auditor', permissions: ['org.read', 'user.read', 'audit.read'] },
];

/** How long an org unit's name and code may be: one limit for the form and the API. */
export const ORG_UNIT_NAME_MAX = 60;
export const ORG_UNIT_CODE_MAX = 30;

export const ORG_LEVELS = ['district', 'street', 'community', 'village', 'grid', 'building'] as const;
export type OrgLevel = (typeof ORG_LEVELS)[number];

export const ORG_LEVEL_NAMES: Record<OrgLevel, { zh: string; en: string }> = {
  district: { zh: '区', en: 'District' },
  street: { zh: '街道/乡镇', en: 'Street / township' },
  community: { zh: '社区', en: 'Community' },
  village: { zh: '村', en: 'Village' },
  grid: { zh: '网格', en: 'Grid' },
  building: { zh: '楼栋/院落', en: 'Building' },
};

/** Which level may sit under which: the three-level grid (street → community/village → grid). */
export const ORG_CHILD_LEVELS: Record<OrgLevel, OrgLevel[]> = {
  district: ['street'],
  street: ['community', 'village'],
  community: ['grid'],
  village: ['grid'],
  grid: ['building'],
  building: [],
};

export const WORK_ITEM_STATES = ['open', 'done', 'cancelled', 'overdue'] as const;

/** The kinds of work item the modules create, by name (a kind not listed shows as itself). */
export const WORK_ITEM_TYPE_NAMES: Record<string, { zh: string; en: string }> = {
  recheck: { zh: '单管复核', en: 'Single-tube recheck' },
  positive_case: { zh: '阳性处置', en: 'Positive case' },
  resample: { zh: '重新采样', en: 'Sample again' },
  verify_moved: { zh: '核实搬离', en: 'Verify moved away' },
};
export type WorkItemState = (typeof WORK_ITEM_STATES)[number];

/**
 * What a work item the system creates is about (a person's name and address, a tube, a sweep):
 * kept beside its title, so the title is said in the reader's language, not only in Chinese.
 */
export interface WorkItemDetails {
  name?: string;
  address?: string;
  tubeCode?: string;
  sweepName?: string;
  note?: string;
  /** A recheck whose person was sampled alone already: the single tube its result is awaited in. */
  resampledTube?: string;
}

type Titles = { zh: (d: WorkItemDetails) => string; en: (d: WorkItemDetails) => string };
const WORK_ITEM_TITLES: Record<string, Titles> = {
  recheck: {
    zh: (d) => `单管复核：${d.name}（${d.address}），混管 ${d.tubeCode} 阳性，立即临时管控并单采单检`,
    en: (d) =>
      `Single-tube recheck: ${d.name} (${d.address}), pool ${d.tubeCode} positive: temporary control now, sample alone`,
  },
  positive_case: {
    zh: (d) => `【紧急】单管阳性：${d.name}（${d.address}），管号 ${d.tubeCode}，立即转运并流调`,
    en: (d) =>
      `[URGENT] Single-tube positive: ${d.name} (${d.address}), tube ${d.tubeCode}: transfer now and trace contacts`,
  },
  resample: {
    zh: (d) => `重新采样：${d.name}（${d.address}），管 ${d.tubeCode} 结果无效，本轮需重新采样`,
    en: (d) =>
      `Sample again: ${d.name} (${d.address}), tube ${d.tubeCode} invalid: sample again in this round`,
  },
  verify_moved: {
    zh: (d) =>
      `核实搬离：${d.address}（入户采样「${d.sweepName}」记为已搬离${d.note ? `：${d.note}` : ''}），核实后为未采样的人登记免检或更新居民信息`,
    en: (d) =>
      `Verify moved away: ${d.address} (door-to-door "${d.sweepName}" found it moved${d.note ? `: ${d.note}` : ''}); then exempt those not sampled or update their records`,
  },
};

/**
 * A system work item's title in a language, from its kind and details; null for a kind without
 * one (a task assigned by hand keeps the words it was given).
 */
export function workItemTitle(type: string, details: WorkItemDetails, language: string): string | null {
  const titles = WORK_ITEM_TITLES[type];
  if (!titles) return null;
  return isEnglish(language) ? titles.en(details) : titles.zh(details);
}

/**
 * What the system writes as a work item's feedback when it closes one itself (a recheck's result,
 * a corrected door outcome): stored in Chinese, said in the reader's language.
 */
export const SYSTEM_FEEDBACK = {
  recheckNegative: { zh: '单管复核阴性，已解除临时管控', en: 'Recheck negative: temporary control lifted' },
  recheckPositive: {
    zh: '单管复核阳性：已转指挥部处置（转运）',
    en: 'Recheck positive: handed to the command centre (transfer)',
  },
  resampled: { zh: '已重新采样，结果已出', en: 'Sampled again; the result is in' },
  outcomeCorrected: {
    zh: '入户结果已更正，不再是已搬离',
    en: 'The door-to-door outcome was corrected: not moved away',
  },
} as const;

/**
 * A work item's feedback in a language: the system's own words translated, a person's as written.
 * An item the system closed has its words on the first line and the person's earlier feedback under
 * them.
 */
export function feedbackIn(feedback: string, language: string): string {
  if (!isEnglish(language)) return feedback;
  const [first = '', ...rest] = feedback.split('\n');
  const said = Object.values(SYSTEM_FEEDBACK).find((f) => f.zh === first);
  return said ? [said.en, ...rest].join('\n') : feedback;
}
