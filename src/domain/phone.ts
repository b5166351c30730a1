/** Mainland mobile numbers: 11 digits `1[3-9]\d{9}`, optional +86 (DOMAIN.md). */
const MOBILE = /^1[3-9]\d{9}$/;

/** Returns the 11-digit number, or null when the input is not a mainland mobile number. */
export function normalizeMobile(input: string): string | null {
  const compact = input.replace(/[\s-]/g, '').replace(/^(\+86|0086)/, '');
  return MOBILE.test(compact) ? compact : null;
}

/** Why a typed phone is refused: one wording for the forms, the API and the import. */
export const NOT_A_MOBILE = {
  zh: '手机号格式不正确（11位，1开头）',
  en: 'Not a mobile number (11 digits, starting with 1)',
} as const;

/** Why a typed phone cannot be kept, or null: empty clears it; otherwise a mainland mobile number. */
export function mobileProblem(typed: string): typeof NOT_A_MOBILE | null {
  return typed.trim() === '' || normalizeMobile(typed) !== null ? null : NOT_A_MOBILE;
}
