import { isEnglish, nameIn } from './language.ts';

/**
 * Fields by their names for a person: the fields an audit event's changes name, for the page that
 * reads them (a field not listed shows as its key, so nothing recorded is hidden), and the fields
 * of requests, for a refusal about a field no form shows. One list, so a field reads the same in
 * the audit and in a refusal.
 */
export const FIELD_NAMES: Record<string, { zh: string; en: string }> = {
  name: { zh: '名称/姓名', en: 'Name' },
  displayName: { zh: '显示名', en: 'Display name' },
  username: { zh: '用户名', en: 'Username' },
  active: { zh: '启用', en: 'Active' },
  grants: { zh: '授权', en: 'Grants' },
  permissions: { zh: '权限', en: 'Permissions' },
  phone: { zh: '手机号', en: 'Phone' },
  idNumber: { zh: '证件号', en: 'ID number' },
  birthDate: { zh: '出生日期', en: 'Birth date' },
  address: { zh: '地址', en: 'Address' },
  residenceStatus: { zh: '居住状态', en: 'Residence' },
  synthetic: { zh: '合成数据', en: 'Synthetic' },
  fields: { zh: '查看的字段', en: 'Fields shown' },
  orgUnitId: { zh: '单位', en: 'Unit' },
  gridId: { zh: '网格', en: 'Grid' },
  personId: { zh: '人员', en: 'Person' },
  householdId: { zh: '住户', en: 'Household' },
  reason: { zh: '原因', en: 'Reason' },
  note: { zh: '备注', en: 'Note' },
  outcome: { zh: '入户结果', en: 'Outcome' },
  state: { zh: '状态', en: 'State' },
  feedback: { zh: '反馈', en: 'Feedback' },
  title: { zh: '标题', en: 'Title' },
  type: { zh: '类型', en: 'Type' },
  dueAt: { zh: '截止时间', en: 'Due' },
  workItemId: { zh: '待办', en: 'Work item' },
  tubeCode: { zh: '管号', en: 'Tube' },
  tubeCodes: { zh: '管号', en: 'Tubes' },
  tubeCount: { zh: '管数', en: 'Tubes' },
  memberCount: { zh: '管内人数', en: 'In tube' },
  sealed: { zh: '已封管', en: 'Sealed' },
  mode: { zh: '采样方式', en: 'Mode' },
  result: { zh: '结果', en: 'Result' },
  results: { zh: '各管结果', en: 'Results' },
  testedAt: { zh: '检测时间', en: 'Tested at' },
  ct: { zh: 'Ct 值', en: 'Ct' },
  fileName: { zh: '文件', en: 'File' },
  rows: { zh: '行数', en: 'Rows' },
  applied: { zh: '写入', en: 'Applied' },
  positives: { zh: '阳性', en: 'Positives' },
  rechecksCreated: { zh: '生成复核', en: 'Rechecks' },
  corrected: { zh: '更正', en: 'Corrected' },
  was: { zh: '原为', en: 'Was' },
  importId: { zh: '导入批次', en: 'Import' },
  received: { zh: '接收', en: 'Received' },
  skipped: { zh: '跳过', en: 'Skipped' },
  skippedTubes: { zh: '跳过的管', en: 'Skipped tubes' },
  unknownTubes: { zh: '未知管号', en: 'Unknown tubes' },
  labId: { zh: '检测机构', en: 'Lab' },
  labName: { zh: '检测机构', en: 'Lab' },
  releasedForRecheck: { zh: '解除混管以单管复核', en: 'Released for recheck' },
  restored: { zh: '恢复', en: 'Restored' },
  exempted: { zh: '登记免检', en: 'Exempted' },
  sweepId: { zh: '入户队', en: 'Sweep' },
  sweepName: { zh: '入户队', en: 'Sweep' },
  details: { zh: '详情', en: 'Details' },
  households: { zh: '住户数', en: 'Households' },
  members: { zh: '人数', en: 'Members' },
  samplers: { zh: '采样人员', en: 'Samplers' },
  sampled: { zh: '已采样', en: 'Sampled' },
  total: { zh: '合计', en: 'Total' },
  units: { zh: '单位', en: 'Units' },
  seeded: { zh: '演示数据', en: 'Demo data' },
  extended: { zh: '延长', en: 'Extended' },
  startsOn: { zh: '开始日期', en: 'Starts' },
  endsOn: { zh: '结束日期', en: 'Ends' },
  defaultMode: { zh: '默认采样方式', en: 'Default mode' },
  place: { zh: '地点', en: 'Place' },
  hours: { zh: '时间', en: 'Hours' },
  code: { zh: '编码', en: 'Code' },
  level: { zh: '层级', en: 'Level' },
  // Fields of requests, named when a refusal is about one no form field shows.
  action: { zh: '操作', en: 'Action' },
  actor: { zh: '操作人', en: 'Actor' },
  assigneeOrgUnitId: { zh: '承办单位', en: 'Assigned unit' },
  assigneeUserId: { zh: '承办人', en: 'Assignee' },
  clientId: { zh: '请求编号', en: 'Request id' },
  currentPassword: { zh: '当前密码', en: 'Current password' },
  newPassword: { zh: '新密码', en: 'New password' },
  password: { zh: '密码', en: 'Password' },
  documentType: { zh: '证件类型', en: 'Document type' },
  duplicateId: { zh: '重复记录', en: 'Duplicate' },
  confirmDifferences: { zh: '确认为同一人', en: 'Confirmed as one person' },
  effectiveFrom: { zh: '生效日期', en: 'Effective from' },
  effectiveTo: { zh: '失效日期', en: 'Effective to' },
  entity: { zh: '对象类型', en: 'Record type' },
  entityId: { zh: '对象', en: 'Record' },
  file: { zh: '文件', en: 'File' },
  from: { zh: '起始', en: 'From' },
  to: { zh: '截至', en: 'To' },
  keyGroup: { zh: '重点人群', en: 'Key group' },
  keyGroups: { zh: '重点人群', en: 'Key groups' },
  singleTubeKeyGroups: { zh: '单采单检的重点人群', en: 'Single-tube key groups' },
  kind: { zh: '类别', en: 'Kind' },
  memberUserIds: { zh: '队员', en: 'Team members' },
  samplerUserIds: { zh: '采样人员', en: 'Samplers' },
  observedAt: { zh: '观察时间', en: 'Observed at' },
  recordedAt: { zh: '登记时间', en: 'Recorded at' },
  scannedAt: { zh: '扫码时间', en: 'Scanned at' },
  sentAt: { zh: '发送时间', en: 'Sent at' },
  validUntil: { zh: '有效期至', en: 'Valid until' },
  page: { zh: '页码', en: 'Page' },
  pageSize: { zh: '每页条数', en: 'Page size' },
  parentId: { zh: '上级单位', en: 'Parent unit' },
  personCode: { zh: '核酸码', en: 'Person code' },
  pointId: { zh: '采样点', en: 'Collection point' },
  roundId: { zh: '轮次', en: 'Round' },
  q: { zh: '搜索内容', en: 'Search' },
  role: { zh: '角色', en: 'Role' },
  source: { zh: '来源', en: 'Source' },
  testingFrequency: { zh: '检测频次', en: 'Testing frequency' },
  value: { zh: '取值', en: 'Value' },
  body: { zh: '请求内容', en: 'Request body' },
  roots: { zh: '仅顶层单位', en: 'Top units only' },
  within: { zh: '范围', en: 'Within' },
  samplersFor: { zh: '可采样的采样点', en: 'Samplers for' },
  labStaffFor: { zh: '检测机构的服务范围', en: 'Lab staff for' },
  mine: { zh: '仅我的', en: 'Mine only' },
  done: { zh: '办结', en: 'Done' },
  cancel: { zh: '取消', en: 'Cancel' },
  closed: { zh: '撤点', en: 'Closed' },
  dryRun: { zh: '仅检查', en: 'Dry run' },
  unmasked: { zh: '显示完整号码', en: 'Unmasked' },
};

/**
 * What a refusal of input says when it has nothing to add to its fields' own messages (the API
 * then names the first field after it; the web says the fields instead).
 */
export const INPUT_REFUSED = {
  zh: '输入有误，请检查标出的字段',
  en: 'Invalid input: check the marked fields',
};

/**
 * A field's name for a person, nested fields included (`grants.0.orgUnitId` → 授权（第1条）单位);
 * null when a part is not named.
 */
export function fieldLabel(field: string, language: string): string | null {
  const parts: string[] = [];
  for (const part of field.split('.')) {
    if (/^\d+$/.test(part)) {
      const n = Number(part) + 1;
      parts.push(isEnglish(language) ? ` #${n} ` : `（第${n}条）`);
      continue;
    }
    const name = FIELD_NAMES[part];
    if (!name) return null;
    parts.push(nameIn(language, name));
  }
  return parts.join('').replace(/ {2,}/g, ' ').trim();
}
