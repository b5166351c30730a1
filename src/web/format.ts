import dayjs from 'dayjs';

/** Times are shown to the minute in the browser's zone, the same way in both languages. */
export const formatTime = (iso: string | null | undefined) =>
  iso ? dayjs(iso).format('YYYY-MM-DD HH:mm') : '—';

export const formatTimeSeconds = (iso: string) => dayjs(iso).format('YYYY-MM-DD HH:mm:ss');

/** Days (`YYYY-MM-DD`) as the API sends and takes them. */
export const DATE_FORMAT = 'YYYY-MM-DD';

/** A round's days: one day, or from one to the other. */
export const roundDays = (round: { startsOn: string; endsOn: string }) =>
  round.startsOn === round.endsOn ? round.startsOn : `${round.startsOn} ~ ${round.endsOn}`;
