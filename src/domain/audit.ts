/**
 * What the audit log's action and record codes mean, for the people who read it (an auditor, a
 * supervisor): the codes stay the log's own (filters, exports), the page shows these names.
 */
export const AUDIT_ACTION_NAMES: Record<string, { zh: string; en: string }> = {
  'session.create': { zh: '登录', en: 'Signed in' },
  'session.delete': { zh: '退出登录', en: 'Signed out' },
  'session.login-failed': { zh: '登录失败', en: 'Sign-in failed' },
  'user.create': { zh: '新建用户', en: 'User created' },
  'user.update': { zh: '修改用户', en: 'User changed' },
  'user.change-password': { zh: '修改密码', en: 'Password changed' },
  'user.unmask': { zh: '查看用户完整手机号', en: 'User phone unmasked' },
  'role.update': { zh: '修改角色权限', en: 'Role changed' },
  'role.seed': { zh: '初始化角色', en: 'Roles seeded' },
  'org-unit.create': { zh: '新建组织/网格', en: 'Unit created' },
  'org-unit.update': { zh: '修改组织/网格', en: 'Unit changed' },
  'org-unit.seed': { zh: '初始化组织', en: 'Units seeded' },
  'resident.create': { zh: '登记居民', en: 'Resident registered' },
  'resident.update': { zh: '修改居民信息', en: 'Resident changed' },
  'resident.merge': { zh: '合并重复居民', en: 'Duplicate merged' },
  'resident.status': { zh: '记录居民状态', en: 'Status recorded' },
  'resident.unmask': { zh: '查看居民完整证件号/手机号', en: 'Resident unmasked' },
  'resident.export': { zh: '导出居民名单', en: 'Residents exported' },
  'resident.import': { zh: '导入居民', en: 'Residents imported' },
  'resident.seed': { zh: '生成示例居民', en: 'Demo residents' },
  'resident.person-code.show': { zh: '查看核酸码', en: 'Person code shown' },
  'resident.person-code.renew': { zh: '重新生成核酸码', en: 'Person code renewed' },
  'household.create': { zh: '新建住户', en: 'Household created' },
  'household.move': { zh: '住户迁移', en: 'Household moved' },
  'key-group.create': { zh: '新建重点人群分类', en: 'Key group created' },
  'key-group.update': { zh: '修改重点人群分类', en: 'Key group changed' },
  'key-group.seed': { zh: '初始化重点人群分类', en: 'Key groups seeded' },
  'test-round.create': { zh: '新建检测轮次', en: 'Round created' },
  'test-round.update': { zh: '修改检测轮次', en: 'Round changed' },
  'test-round.cancel': { zh: '取消检测轮次', en: 'Round cancelled' },
  'test-round.seed': { zh: '生成示例轮次', en: 'Demo round' },
  'test-round.missing.export': { zh: '导出未检名单', en: 'Missing list exported' },
  'collection-point.create': { zh: '新建采样点', en: 'Point created' },
  'collection-point.update': { zh: '修改采样点/撤点', en: 'Point changed' },
  'sampling.scan': { zh: '扫码采样', en: 'Scanned' },
  'tube.seal': { zh: '封管', en: 'Tube sealed' },
  'tube.member-remove': { zh: '移出扫错的人', en: 'Removed from tube' },
  'tube.receive': { zh: '实验室接收', en: 'Tubes received' },
  'tube.recheck-release': { zh: '复核单采前解除混管', en: 'Released for recheck' },
  'tube.recheck-release-undo': { zh: '撤回复核解除', en: 'Recheck release undone' },
  'lab-handover.create': { zh: '送检', en: 'Handed over' },
  'lab-results.import': { zh: '导入/录入/更正检测结果', en: 'Lab results' },
  'lab.create': { zh: '新建检测机构', en: 'Lab created' },
  'lab.update': { zh: '修改检测机构', en: 'Lab changed' },
  'test-exemption.record': { zh: '登记免检', en: 'Exemption recorded' },
  'test-exemption.withdraw': { zh: '撤销免检', en: 'Exemption withdrawn' },
  'sweep.create': { zh: '新建入户队', en: 'Sweep created' },
  'sweep.outcome': { zh: '入户结果', en: 'Sweep outcome' },
  'work-item.create': { zh: '派发待办', en: 'Work item assigned' },
  'work-item.feedback': { zh: '待办反馈', en: 'Work item answered' },
  'work-item.overdue': { zh: '待办逾期', en: 'Work items overdue' },
  'work-item.cancel': { zh: '撤销待办', en: 'Work item called off' },
};

export const AUDIT_ENTITY_NAMES: Record<string, { zh: string; en: string }> = {
  session: { zh: '登录', en: 'Session' },
  user: { zh: '用户', en: 'User' },
  role: { zh: '角色', en: 'Role' },
  'org-unit': { zh: '组织/网格', en: 'Unit' },
  resident: { zh: '居民', en: 'Resident' },
  person: { zh: '居民', en: 'Resident' },
  household: { zh: '住户', en: 'Household' },
  'key-group': { zh: '重点人群分类', en: 'Key group' },
  test_round: { zh: '检测轮次', en: 'Round' },
  collection_point: { zh: '采样点', en: 'Point' },
  tube: { zh: '采样管', en: 'Tube' },
  lab: { zh: '检测机构', en: 'Lab' },
  lab_handover: { zh: '送检批次', en: 'Hand-over' },
  lab_result_import: { zh: '检测结果', en: 'Lab results' },
  test_exemption: { zh: '免检', en: 'Exemption' },
  sweep: { zh: '入户队', en: 'Sweep' },
  sweep_household: { zh: '入户住户', en: 'Sweep household' },
  'work-item': { zh: '待办', en: 'Work item' },
};

/**
 * Records about people, by the entity names the audit, the live events and the work items use:
 * a resident (or `person`, as testing names them), a household, an exemption (its id is the
 * person's) and a door-to-door visit (its id names the household). Whoever may not read residents
 * there hears nothing of them, not even ids: one list for every place that asks.
 */
export const ENTITIES_ABOUT_PEOPLE: readonly string[] = [
  'resident',
  'person',
  'household',
  'test_exemption',
  'sweep_household',
];
