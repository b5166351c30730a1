/**
 * Words of the registry (DOMAIN.md, Residents). Residence status is what "clarifying the base
 * numbers" keeps right per grid; person statuses are dated facts with a source.
 */
export const RESIDENCE_STATUSES = [
  'at_home',
  'commuting',
  'away',
  'visiting',
  'moved_out',
  'deceased',
] as const;
export type ResidenceStatus = (typeof RESIDENCE_STATUSES)[number];

export const RESIDENCE_STATUS_NAMES: Record<ResidenceStatus, { zh: string; en: string }> = {
  at_home: { zh: '在家', en: 'At home' },
  commuting: { zh: '每日外出务工', en: 'Commutes out daily' },
  away: { zh: '长期在外', en: 'Away long-term' },
  visiting: { zh: '临时来访', en: 'Visiting' },
  moved_out: { zh: '迁出', en: 'Moved out' },
  deceased: { zh: '死亡', en: 'Deceased' },
};

export const STATUS_KINDS = ['health_code', 'test_result', 'control_state', 'trip_star'] as const;
export type StatusKind = (typeof STATUS_KINDS)[number];

export const STATUS_KIND_NAMES: Record<StatusKind, { zh: string; en: string }> = {
  health_code: { zh: '健康码', en: 'Health code' },
  test_result: { zh: '核酸结果', en: 'Test result' },
  control_state: { zh: '管控状态', en: 'Control state' },
  trip_star: { zh: '行程卡星号', en: 'Trip-code star' },
};

/** How long a resident's name and address may be: one limit for the forms, the API and imports. */
export const RESIDENT_NAME_MAX = 50;
export const RESIDENT_ADDRESS_MAX = 200;

/** Digit runs are padded to this width in an address's sort key (a house number never has more). */
const ADDRESS_NUMBER_WIDTH = 10;

/**
 * The key that orders addresses as a door-knocker walks them: 第一组9号, 10号, 109号, 110号
 * (numbers as numbers), where plain text order puts 109号 between 10号 and 110号. Each run of
 * digits (full-width ones read as ASCII) is padded to one width, so the database orders by it in
 * any collation and pages a grid's missing list in walking order. Stored beside the address
 * (`address_key`), written with it.
 */
export function addressSortKey(address: string): string {
  return address
    .replace(/[０-９]/g, (digit) => String.fromCharCode(digit.charCodeAt(0) - 0xfee0))
    .replace(/[0-9]+/g, (run) => run.padStart(ADDRESS_NUMBER_WIDTH, '0'));
}
