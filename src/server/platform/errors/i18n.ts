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
