/**
 * The two languages of the system, as the web's i18n names them: `en`, and Chinese (`zh-CN`, the
 * first language, and anything else). One test of which, for every name and every punctuation.
 */
export const isEnglish = (language: string) => language.startsWith('en');

/** A name the domain or the server gives in both languages, in one. */
export const nameIn = (language: string, name: { zh: string; en: string }) =>
  isEnglish(language) ? name.en : name.zh;

// Punctuation of the page's language: full-width in Chinese, ASCII in English (a Chinese comma or
// bracket inside an English page reads as a typo).
/** Items in a list: 甲、乙 / A, B. */
export const listed = (items: readonly string[], language: string) =>
  items.join(isEnglish(language) ? ', ' : '、');
/** Phrases in a run: 甲，乙 / A, B. */
export const phrased = (items: readonly string[], language: string) =>
  items.join(isEnglish(language) ? ', ' : '，');
/** Clauses in a run: 甲；乙 / A; B. */
export const clauses = (items: readonly string[], language: string) =>
  items.join(isEnglish(language) ? '; ' : '；');
/** A name with its note: 甲（乙） / A (B). */
export const noted = (main: string, note: string, language: string) =>
  isEnglish(language) ? `${main} (${note})` : `${main}（${note}）`;
/** A label and what it says: 甲：乙 / A: B. */
export const labelled = (label: string, text: string, language: string) =>
  isEnglish(language) ? `${label}: ${text}` : `${label}：${text}`;
