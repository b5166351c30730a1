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

// Punctuation of the page's language: full-width in Chinese, ASCII in English (a Chinese comma or
// bracket inside an English page reads as a typo).
const english = (language: string) => language === 'en';
/** Items in a list: 甲、乙 / A, B. */
export const listed = (items: readonly string[], language: string) =>
  items.join(english(language) ? ', ' : '、');
/** Phrases in a run: 甲，乙 / A, B. */
export const phrased = (items: readonly string[], language: string) =>
  items.join(english(language) ? ', ' : '，');
/** A name with its note: 甲（乙） / A (B). */
export const noted = (main: string, note: string, language: string) =>
  english(language) ? `${main} (${note})` : `${main}（${note}）`;
/** A label and what it says: 甲：乙 / A: B. */
export const labelled = (label: string, text: string, language: string) =>
  english(language) ? `${label}: ${text}` : `${label}：${text}`;
