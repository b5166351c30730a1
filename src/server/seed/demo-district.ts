/**
 * The demo district, after the seed's 周口港区 (DOMAIN.md): one township, the three communities
 * and the villages named in local reports of April 2022, about 60 grids. Residents come with the
 * registry.
 */
export interface OrgSeedNode {
  name: string;
  level: 'district' | 'street' | 'community' | 'village' | 'grid';
  code?: string;
  children?: OrgSeedNode[];
}

const CHINESE_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const grids = (count: number): OrgSeedNode[] =>
  Array.from({ length: count }, (_, i) => ({ name: `第${CHINESE_NUMERALS[i]}网格`, level: 'grid' as const }));

const COMMUNITIES: [string, number][] = [
  ['未来家园社区', 6],
  ['港城小区社区', 7],
  ['幸福家园社区', 7],
];
const VILLAGES = [
  '苑寨村',
  '苑老村',
  '郭河村',
  '赵堤口村',
  '姜庄村',
  '王保初楼村',
  '范营村',
  '王楼村',
  '后杨村',
  '赵庄村',
];

export const DEMO_DISTRICT: OrgSeedNode = {
  name: '周口港区',
  level: 'district',
  code: '411600',
  children: [
    {
      name: '李埠口乡',
      level: 'street',
      code: '411602',
      children: [
        ...COMMUNITIES.map(([name, n]) => ({ name, level: 'community' as const, children: grids(n) })),
        ...VILLAGES.map((name) => ({ name, level: 'village' as const, children: grids(4) })),
      ],
    },
  ],
};
