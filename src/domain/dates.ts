/**
 * Days that matter to people (report day, round day, effective dates) are calendar dates in the
 * district's time zone, not UTC: at 07:00 in 周口 it is already tomorrow's work.
 */
export const DISTRICT_TIME_ZONE = 'Asia/Shanghai';

const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: DISTRICT_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

// Formatting through Intl costs ~10 µs and every scan asks for its day. Time-zone offsets are whole
// quarter hours, so all instants of one UTC minute fall on the same local day: remember the last one.
let lastMinute = Number.NaN;
let lastDay = '';

/** `YYYY-MM-DD` of an instant in the district's time zone. */
export function localDay(at: Date = new Date()): string {
  const minute = Math.floor(at.getTime() / 60_000);
  if (minute !== lastMinute) {
    lastDay = dayFormat.format(at);
    lastMinute = minute;
  }
  return lastDay;
}

/** Whether an effective-dated entry (a key-group class, a policy) is in force on a day. */
export function inEffect(entry: { effectiveFrom: string; effectiveTo: string | null }, day: string): boolean {
  return entry.effectiveFrom <= day && (!entry.effectiveTo || entry.effectiveTo >= day);
}

/**
 * An instant written by a lab or a phone: ISO with an offset as is; a wall-clock time without one
 * (`2022-04-10 08:30`, `2022/4/10 8:30:00`) is read in the district's time zone. Null when unreadable.
 */
export function parseDistrictDateTime(raw: string): Date | null {
  const v = raw.trim();
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(v) && /^\d{4}-\d{2}-\d{2}T/.test(v)) {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(v);
  if (!m) return null;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1);
  const pad = (x: string) => x.padStart(2, '0');
  const iso = `${y}-${pad(mo as string)}-${pad(d as string)}T${pad(h)}:${pad(mi)}:${pad(s)}+08:00`;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return null;
  // Reject 2022-02-30 and the like, which Date would roll over.
  if (localDay(at) !== `${y}-${pad(mo as string)}-${pad(d as string)}`) return null;
  return at;
}

/** The instant a district day ends (the next day's midnight in the district): a round closes then. */
export function endOfLocalDay(day: string): Date {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  // The district's offset is +08:00 all year (no daylight saving in China).
  return new Date(`${next.toISOString().slice(0, 10)}T00:00:00+08:00`);
}

const wallClockFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: DISTRICT_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** `YYYY-MM-DD HH:mm` of an instant on the district's clocks, as labs write their result times. */
export function districtWallClock(at: Date): string {
  const part = (type: string) => wallClockFormat.formatToParts(at).find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/**
 * Whole years from a birth date (`YYYY-MM-DD`) to a day. What views show instead of the date: the
 * date is the middle of an ID number, and beside its masked form would give the number away.
 */
export function ageOn(birthDate: string | null, today: string): number | null {
  if (!birthDate) return null;
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) < birthDate.slice(5) ? years - 1 : years;
}
