/**
 * An example list of key-group classes (重点人群), after Henan's 2022 list of 27 classes, with
 * testing frequencies of the time. Clearly an example: the administrator adjusts it to local policy.
 */
export const EXAMPLE_KEY_GROUPS: { code: string; name: string; testingFrequency: string | null }[] = [
  { code: 'medical', name: '医疗机构工作人员（示例）', testingFrequency: '每2天1次' },
  { code: 'fever_clinic', name: '发热门诊就诊人员（示例）', testingFrequency: null },
  { code: 'cold_chain', name: '冷链从业人员（示例）', testingFrequency: '每2天1次' },
  { code: 'logistics', name: '物流快递从业人员（示例）', testingFrequency: '每周2次' },
  { code: 'ride_hailing', name: '网约车司机（示例）', testingFrequency: '每周2次' },
  { code: 'teacher', name: '教师及学校工作人员（示例）', testingFrequency: '每周1次' },
  { code: 'supermarket', name: '商超从业人员（示例）', testingFrequency: '每周二、周五' },
  { code: 'construction', name: '建筑工地务工人员（示例）', testingFrequency: '每周1次' },
  { code: 'returnee', name: '外地返乡人员（示例）', testingFrequency: '三天两检' },
  { code: 'enterprise_migrant', name: '企业外来务工人员（示例）', testingFrequency: '每周1次' },
  { code: 'elderly_alone', name: '独居老人（示例）', testingFrequency: null },
  { code: 'bedridden', name: '行动不便需入户采样人员（示例）', testingFrequency: null },
];
