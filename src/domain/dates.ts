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

/** `YYYY-MM-DD` of an instant in the district's time zone. */
export function localDay(at: Date = new Date()): string {
  return dayFormat.format(at);
}

/** Whether an effective-dated entry (a key-group class, a policy) is in force on a day. */
export function inEffect(entry: { effectiveFrom: string; effectiveTo: string | null }, day: string): boolean {
  return entry.effectiveFrom <= day && (!entry.effectiveTo || entry.effectiveTo >= day);
}
