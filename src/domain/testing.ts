import { isEnglish, nameIn } from './language.ts';
/**
 * Words and rules of mass nucleic-acid testing (DOMAIN.md, Mass testing). Pure: the server decides
 * with them and the web shows the same names.
 */

export const SAMPLING_MODES = ['single', 'household', 'mix5', 'mix10', 'mix20'] as const;
export type SamplingMode = (typeof SAMPLING_MODES)[number];

export const SAMPLING_MODE_NAMES: Record<SamplingMode, { zh: string; en: string }> = {
  single: { zh: '单采单检', en: 'Single tube' },
  household: { zh: '一户一管', en: 'One tube per household' },
  mix5: { zh: '5混1', en: '5-in-1 pool' },
  mix10: { zh: '10混1', en: '10-in-1 pool' },
  mix20: { zh: '20混1', en: '20-in-1 pool' },
};

/** How many people a tube of a mode takes. A household tube takes one household, at most 20 people. */
export const TUBE_CAPACITY: Record<SamplingMode, number> = {
  single: 1,
  household: 20,
  mix5: 5,
  mix10: 10,
  mix20: 20,
};

export const TUBE_STATES = ['opened', 'sealed', 'sent', 'received', 'tested'] as const;
export type TubeState = (typeof TUBE_STATES)[number];

export const TUBE_STATE_NAMES: Record<TubeState, { zh: string; en: string }> = {
  opened: { zh: '采样中', en: 'Open' },
  sealed: { zh: '已封管', en: 'Sealed' },
  sent: { zh: '已送检', en: 'Sent' },
  received: { zh: '实验室已接收', en: 'Received' },
  tested: { zh: '已出结果', en: 'Tested' },
};

export const TEST_RESULTS = ['negative', 'positive', 'invalid'] as const;
export type TestResult = (typeof TEST_RESULTS)[number];

export const TEST_RESULT_NAMES: Record<TestResult, { zh: string; en: string }> = {
  negative: { zh: '阴性', en: 'Negative' },
  positive: { zh: '阳性', en: 'Positive' },
  invalid: { zh: '无效', en: 'Invalid' },
};

/** What labs write in a result column, in either language, to the result it means. */
export function parseTestResult(raw: string): TestResult | null {
  const v = raw.trim().toLowerCase();
  if (['阴性', 'negative', 'neg', '-', '阴'].includes(v)) return 'negative';
  if (['阳性', 'positive', 'pos', '+', '阳'].includes(v)) return 'positive';
  if (['无效', 'invalid', '无效样本', '不合格'].includes(v)) return 'invalid';
  return null;
}

/** The highest cycle threshold a PCR run reports (runs stop at 40–45 cycles; some report to 50). */
export const CT_MAX = 50;

/**
 * A Ct value as labs write it: a number of cycles (a decimal comma read as a point), or one of
 * the marks for "no amplification" (null). Undefined when it is neither: the row is refused
 * rather than a note or a typo stored as a Ct.
 */
export function parseCtValue(raw: string): string | null | undefined {
  const v = raw.normalize('NFKC').trim().toLowerCase();
  if (['', '-', '/', 'na', 'n/a', 'nd', 'undetermined', 'noct', 'no ct', '未检出', '无'].includes(v))
    return null;
  if (!/^\d{1,2}(?:[.,]\d+)?$/.test(v)) return undefined;
  const ct = Number(v.replace(',', '.'));
  // 0 (0.00) is how many lab systems write "no amplification"; instruments give many decimals.
  if (ct === 0) return null;
  return ct <= CT_MAX ? String(Math.round(ct * 100) / 100) : undefined;
}

/** Crockford's base32: digits and capitals without I, L, O and U, which are read or typed as others. */
export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A person code as minted (after cleanPersonCode): `GW2` and 39 Crockford base32 characters (a
 * record id and its MAC), or 42 once renewed (with its version); or as printed before GW2, `GW1`
 * and 38 or 40 base64url characters (case-sensitive).
 */
export const PERSON_CODE_PATTERN =
  /^(?:GW1(?:[A-Za-z0-9_-]{38}|[A-Za-z0-9_-]{40})|GW2(?:[0-9A-HJKMNP-TV-Z]{39}|[0-9A-HJKMNP-TV-Z]{42}))$/;

/**
 * What a phone takes for a person code and sends, leaving the exact check (PERSON_CODE_PATTERN,
 * then the MAC) to the server: `GW`, a format's digit, and its characters. An app kept open on a
 * phone since an earlier release still sends the codes of a format minted after it (a GW1-only
 * page refused every GW2 code as no person code until it was reloaded).
 */
export const PERSON_CODE_LIKE = /^GW[1-9][A-Za-z0-9_-]{30,60}$/;

/**
 * A person code as scanned or typed, cleaned (cleanScannedCode); a GW2 code also read as its typist
 * meant it: small letters as capitals, O as 0, I and L as 1, and its dashes dropped (Crockford's
 * rules). A GW1 code is case-sensitive, so it is left as typed.
 */
export function cleanPersonCode(raw: string): string {
  const cleaned = cleanScannedCode(raw);
  if (!/^gw2/i.test(cleaned)) return cleaned;
  const typed = cleaned.slice(3).toUpperCase().replace(/-/g, '');
  return `GW2${typed.replace(/O/g, '0').replace(/[IL]/g, '1')}`;
}

/**
 * A code as scanned or typed, cleaned of what keyboards and scanners add: full-width characters
 * (a Chinese input method left on) and spaces. Tube codes and person codes both go through it.
 */
export function cleanScannedCode(raw: string): string {
  return raw.normalize('NFKC').replace(/\s+/g, '');
}

/**
 * A tube code as scanned, typed or listed by a lab: cleaned, and in capitals, since the printed
 * barcode is one code however it is typed (caps lock off must not open a second tube).
 */
export function cleanTubeCode(raw: string): string {
  return cleanScannedCode(raw).toUpperCase();
}

/** Hours a negative result counts as valid for (the 48-hour certificate of 2022). */
export const RESULT_VALID_HOURS = 48;

/** A tube code is the printed barcode: letters, digits and dashes. */
export const TUBE_CODE_PATTERN = /^[A-Za-z0-9-]{4,40}$/;

/** Modes whose tube holds more than one person: a result of such a tube is the pool's. */
export const POOLED_MODES: readonly SamplingMode[] = ['mix5', 'mix10', 'mix20', 'household'];

export function isPooled(mode: SamplingMode): boolean {
  return POOLED_MODES.includes(mode);
}

/**
 * Control states: those testing puts a person in (临时管控, 待转运), and those the community
 * records (居家隔离, 集中隔离, 居家健康监测); the arrivals module will set them too.
 */
export const CONTROL_STATES = [
  'temporary_control',
  'handed_over',
  'quarantined',
  'central_quarantine',
  'home_quarantine',
  'health_monitoring',
  'released',
] as const;
export type ControlState = (typeof CONTROL_STATES)[number];

export const CONTROL_STATE_NAMES: Record<ControlState, { zh: string; en: string }> = {
  temporary_control: { zh: '临时管控', en: 'Temporary control' },
  // Handed to the command centre to arrange the transfer: nobody has moved them yet.
  handed_over: { zh: '待转运', en: 'Awaiting transfer' },
  quarantined: { zh: '隔离中', en: 'Quarantined' },
  central_quarantine: { zh: '集中隔离', en: 'Central quarantine' },
  home_quarantine: { zh: '居家隔离', en: 'Home quarantine' },
  health_monitoring: { zh: '居家健康监测', en: 'Home health monitoring' },
  released: { zh: '解除管控', en: 'Released' },
};

export const HEALTH_CODES = ['green', 'yellow', 'red'] as const;
const HEALTH_CODE_NAMES: Record<(typeof HEALTH_CODES)[number], { zh: string; en: string }> = {
  green: { zh: '绿码', en: 'Green' },
  yellow: { zh: '黄码', en: 'Yellow' },
  red: { zh: '红码', en: 'Red' },
};

export const TRIP_STARS = ['star', 'no_star'] as const;
const TRIP_STAR_NAMES: Record<(typeof TRIP_STARS)[number], { zh: string; en: string }> = {
  star: { zh: '带星', en: 'Starred' },
  no_star: { zh: '不带星', en: 'Not starred' },
};

/**
 * A person's test result as their status shows it: a pooled tube's positive is not the person's
 * own (混管阳性, one of ten is), so it reads as the pool's until the single tube's result.
 */
export const POOL_POSITIVE = 'pool_positive';

const SYSTEM_STATUS_VALUES: Record<string, Record<string, { zh: string; en: string }>> = {
  health_code: HEALTH_CODE_NAMES,
  test_result: {
    ...TEST_RESULT_NAMES,
    [POOL_POSITIVE]: { zh: '混管阳性（待单管复核）', en: 'Pool positive (recheck due)' },
  },
  control_state: CONTROL_STATE_NAMES,
  trip_star: TRIP_STAR_NAMES,
};

/**
 * What a person may record for each kind of status: one of these codes, chosen from a list.
 * Typed by hand, "集中隔离" was no control state the sampling rule knew (the person went into a
 * pooled tube) and "紫码" no health code. A pool's positive is the system's to record.
 */
export const RECORDABLE_STATUS_VALUES: Record<string, readonly string[]> = {
  health_code: HEALTH_CODES,
  test_result: TEST_RESULTS,
  control_state: CONTROL_STATES,
  trip_star: TRIP_STARS,
};

/** A status value's name: the system's codes by name, what was typed before the lists as it was typed. */
export function statusValueName(kind: string, value: string, language: string): string {
  const named = SYSTEM_STATUS_VALUES[kind]?.[value];
  if (!named) return value;
  return nameIn(language, named);
}

/** Under these control states a person is sampled alone, never pooled: every one but released. */
export const SINGLE_TUBE_CONTROL_STATES: readonly string[] = CONTROL_STATES.filter((s) => s !== 'released');

/**
 * The mode a person must be sampled in: quarantined or controlled people and members of the
 * round's listed key groups single-tube; everyone else the round's default.
 */
export function requiredMode(
  round: { defaultMode: SamplingMode; singleTubeKeyGroups: readonly string[] },
  person: { controlState: string | null; keyGroups: readonly string[] },
): SamplingMode {
  if (person.controlState && SINGLE_TUBE_CONTROL_STATES.includes(person.controlState)) return 'single';
  if (person.keyGroups.some((g) => round.singleTubeKeyGroups.includes(g))) return 'single';
  return round.defaultMode;
}

export const EXEMPTION_REASONS = [
  'away',
  'bedridden',
  'infant',
  'hospitalised',
  'tested_elsewhere',
  'other',
] as const;
export type ExemptionReason = (typeof EXEMPTION_REASONS)[number];

/** Exemptions that mean "sample at home": such people are the door-to-door sweeps' to visit. */
export const DOOR_TO_DOOR_EXEMPTIONS: readonly ExemptionReason[] = ['bedridden'];

export const EXEMPTION_REASON_NAMES: Record<ExemptionReason, { zh: string; en: string }> = {
  away: { zh: '长期在外', en: 'Away long-term' },
  bedridden: { zh: '卧床（需入户采样）', en: 'Bedridden (door-to-door)' },
  infant: { zh: '婴幼儿', en: 'Infant' },
  hospitalised: { zh: '住院', en: 'In hospital' },
  tested_elsewhere: { zh: '已在外地检测', en: 'Tested elsewhere' },
  other: { zh: '其他', en: 'Other' },
};

/**
 * 婴幼儿 exempts the youngest only (three and under, as districts exempted them in 2022). Ages are
 * counted from the birth year alone (no birth date is kept), so a year's doubt goes the child's way.
 */
export const INFANT_MAX_AGE = 3;

/**
 * Someone born in `birthYear` is at least this old on `day` (their birthday may be yet to come);
 * null when unknown or possibly young enough for 婴幼儿 — the doubt of a year goes the child's way.
 */
export function tooOldForInfant(birthYear: number | null, day: string): number | null {
  if (birthYear === null) return null;
  const atLeast = Number(day.slice(0, 4)) - birthYear - 1;
  return atLeast > INFANT_MAX_AGE ? atLeast : null;
}

/** Residence statuses of people the round is due for; away long-term counts as exempt by itself. */
export const DUE_RESIDENCE_STATUSES: readonly string[] = ['at_home', 'commuting', 'visiting'];
export const EXEMPT_RESIDENCE_STATUSES: readonly string[] = ['away'];

/** Coverage of one node: missing is what is left of due once sampled and exempt are taken out. */
export function missingOf(c: { due: number; sampled: number; exempt: number }): number {
  return Math.max(0, c.due - c.sampled - c.exempt);
}

export const SWEEP_OUTCOMES = ['sampled', 'nobody_home', 'refused', 'moved', 'other'] as const;
export type SweepOutcome = (typeof SWEEP_OUTCOMES)[number];

export const SWEEP_OUTCOME_NAMES: Record<SweepOutcome, { zh: string; en: string }> = {
  sampled: { zh: '已采样', en: 'Sampled' },
  nobody_home: { zh: '无人在家', en: 'Nobody home' },
  refused: { zh: '拒绝采样', en: 'Refused' },
  moved: { zh: '已搬离', en: 'Moved away' },
  other: { zh: '其他', en: 'Other' },
};

/**
 * A key-group class's testing frequency as written by the command centre (每2天1次, 每周2次,
 * 每周二、周五, 三天两检, 每天): either an interval in days or fixed weekdays (1 = Monday).
 */
export type TestingFrequency =
  | { kind: 'interval'; days: number }
  | { kind: 'weekdays'; weekdays: readonly number[] };

const WEEKDAY_CHARS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };
const NUMERALS: Record<string, number> = {
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
  十: 10,
};
/** `3` or `三` (one to ten) as a number. */
const countOf = (s: string) => NUMERALS[s] ?? Number(s);

export function parseTestingFrequency(raw: string | null | undefined): TestingFrequency | null {
  if (!raw) return null;
  const text = raw.replace(/\s/g, '');
  if (/^(每天|每日)(1次|一次|1检|一检)?$/.test(text)) return { kind: 'interval', days: 1 };
  if (/^(隔天|隔日|每隔一天)(1次|一次|1检|一检)?$/.test(text)) return { kind: 'interval', days: 2 };
  // 每N天1次: every N days; 每隔N天1次: N days between, i.e. every N+1 days.
  const everyN = /^每(隔)?(\d+|[一二两三四五六七八九十])天(1|一)(次|检)$/.exec(text);
  if (everyN) {
    const days = countOf(everyN[2] as string) + (everyN[1] ? 1 : 0);
    return days > 0 && (!everyN[1] || days > 1) ? { kind: 'interval', days } : null;
  }
  const perWeek = /^每周(\d+|一|两|二|三)次$/.exec(text);
  if (perWeek) {
    const n = { 一: 1, 两: 2, 二: 2, 三: 3 }[perWeek[1] as string] ?? Number(perWeek[1]);
    return n > 0 ? { kind: 'interval', days: Math.max(1, Math.floor(7 / n)) } : null;
  }
  // 三天两检: two tests within every three days, i.e. never more than two days apart.
  if (text === '三天两检') return { kind: 'interval', days: 2 };
  // 每周二、周五, 每周星期一和星期四, or without 每 when the days say 周 (周二、周五).
  const weekdays =
    /^每周((?:周|星期)?[一二三四五六日天](?:[、,，和及]?(?:周|星期)?[一二三四五六日天])*)$/.exec(text) ??
    /^((?:周|星期)[一二三四五六日天](?:[、,，和及]?(?:周|星期)?[一二三四五六日天])*)$/.exec(text);
  if (weekdays) {
    const days = [...(weekdays[1] as string).replace(/周|星期/g, '')]
      .map((c) => WEEKDAY_CHARS[c])
      .filter((d): d is number => d !== undefined);
    return days.length ? { kind: 'weekdays', weekdays: [...new Set(days)].sort() } : null;
  }
  return null;
}

/** `YYYY-MM-DD` plus n days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function isoWeekday(day: string): number {
  const wd = new Date(`${day}T00:00:00Z`).getUTCDay();
  return wd === 0 ? 7 : wd;
}

/**
 * When a person of a class is next due for a test, given the day of their last sampling (null:
 * never), and whether they are overdue on `today`. Interval classes are due `days` after the last
 * test; weekday classes on each listed weekday (a test that day or later covers it). Someone never
 * tested is due from the day they joined the class (`since`; today when unknown), so a member who
 * was never tested becomes overdue like anyone else.
 */
export function nextTestDue(
  frequency: TestingFrequency,
  lastSampledDay: string | null,
  today: string,
  since: string | null = null,
): { dueOn: string; overdue: boolean } {
  const start = since && since < today ? since : today;
  // Never due before joining the class: a test from before it counts, but cannot make one overdue
  // for days they were not a member.
  const notBeforeJoining = (day: string) => (since && day < start ? start : day);
  if (frequency.kind === 'interval') {
    const dueOn = lastSampledDay ? notBeforeJoining(addDays(lastSampledDay, frequency.days)) : start;
    return { dueOn, overdue: dueOn < today };
  }
  // First listed weekday strictly after the last test (or from joining when never tested).
  let day = lastSampledDay ? notBeforeJoining(addDays(lastSampledDay, 1)) : start;
  for (let i = 0; i < 7 && !frequency.weekdays.includes(isoWeekday(day)); i++) day = addDays(day, 1);
  return { dueOn: day, overdue: day < today };
}

/**
 * Where the system's own status entries come from, by the words that start them (a tube's code or
 * nothing follows): written in Chinese, said in the reader's language.
 */
export const STATUS_SOURCES = {
  tube: { zh: '检测管', en: 'Tube' },
  poolPositive: { zh: '混管阳性', en: 'Positive pool' },
  singlePositive: { zh: '单管阳性', en: 'Positive single tube' },
  recheckNegative: { zh: '复核阴性', en: 'Recheck negative' },
} as const;

/** A status entry's source in a language: the system's words translated, a person's as typed. */
export function statusSourceName(source: string, language: string): string {
  if (!isEnglish(language)) return source;
  for (const { zh, en } of Object.values(STATUS_SOURCES))
    if (source === zh || source.startsWith(`${zh} `)) return en + source.slice(zh.length);
  return source;
}
