export type Locale = 'zh' | 'en';
export interface Text {
  zh: string;
  en: string;
}

/** `Accept-Language: en…` picks English; everything else gets Chinese, the product's first language. */
export function pickLocale(acceptLanguage: string | undefined): Locale {
  if (!acceptLanguage) return 'zh';
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh';
}

export function text(zh: string, en: string): Text {
  return { zh, en };
}

/** Whether a value is a Text: one thing said in both languages, and nothing else. */
export function isText(value: unknown): value is Text {
  if (typeof value !== 'object' || value === null) return false;
  const keys = Object.keys(value);
  return (
    keys.length === 2 && typeof (value as Text).zh === 'string' && typeof (value as Text).en === 'string'
  );
}

export type SaidIn<T> = { [K in keyof T]: T[K] extends Text ? string : T[K] };

/**
 * A report's rows said in one language: each Text of a row (a file's row problems, kept in both
 * languages so a replay keeps them) in the caller's. One rule for a report answered and for one
 * carried by a refusal.
 */
export function rowsIn<T extends object>(locale: Locale, rows: readonly T[]): SaidIn<T>[] {
  return rows.map(
    (row) =>
      Object.fromEntries(
        Object.entries(row).map(([key, value]) => [key, isText(value) ? value[locale] : value]),
      ) as SaidIn<T>,
  );
}
