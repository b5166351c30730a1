/**
 * Resident ID numbers (公民身份号码, GB 11643-1999) and the other identity documents. Pure, so the
 * web form checks exactly what the server checks.
 */
export interface Reason {
  zh: string;
  en: string;
}

export type IdCheck =
  | { ok: true; value: string; birthDate: string; sex: 'male' | 'female' }
  | { ok: false; reason: Reason };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** The check character of the first 17 characters. */
export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

function realPastDate(yyyymmdd: string, today: Date): string | null {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1880 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return null;
  const todayUtc = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  if (date.getTime() > todayUtc) return null;
  return `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;
}

/**
 * Validates and normalises an ID number: 18 characters with a correct check character (lower-case
 * x accepted, stored upper-case), or a 15-digit legacy number (19 inserted after the address code,
 * check character computed). The address code is not checked: codes change, an ID keeps its own.
 */
export function parseIdNumber(input: string, today: Date = new Date()): IdCheck {
  const raw = input.trim().replace(/\s+/g, '');
  if (/^\d(\.\d+)?E\+?\d+$/i.test(raw)) {
    return {
      ok: false,
      reason: {
        zh: `身份证号显示为科学计数法（${raw}），号码已被 Excel 损坏：请把该列设为“文本”格式后重新填写`,
        en: `The ID shows as ${raw}: Excel damaged it; format the column as text and enter it again`,
      },
    };
  }
  let id = raw.toUpperCase();
  if (/^\d{15}$/.test(id)) {
    const first17 = `${id.slice(0, 6)}19${id.slice(6)}`;
    id = first17 + idCheckChar(first17);
  } else if (!/^\d{17}[\dX]$/.test(id)) {
    return {
      ok: false,
      reason: {
        zh: '身份证号应为18位（末位可为X）或15位数字',
        en: 'An ID number has 18 characters (last may be X) or 15 digits',
      },
    };
  }
  const birthDate = realPastDate(id.slice(6, 14), today);
  if (!birthDate) {
    return {
      ok: false,
      reason: {
        zh: '身份证号中的出生日期不是真实的过去日期',
        en: 'The birth date in the ID number is not a real past date',
      },
    };
  }
  if (idCheckChar(id.slice(0, 17)) !== id[17]) {
    return {
      ok: false,
      reason: { zh: '身份证号校验位不正确，请核对', en: 'The check character of the ID number is wrong' },
    };
  }
  return { ok: true, value: id, birthDate, sex: Number(id[16]) % 2 === 1 ? 'male' : 'female' };
}

/**
 * The birth date inside a resident ID card's number as stored (18 characters, a 15-digit one
 * upgraded): it is kept nowhere else, since beside a masked number (region and last four, in every
 * list, export and audit entry) it would be the whole number in clear.
 */
export function birthDateInId(documentType: string, id: string): string | null {
  if (documentType !== 'id_card' || !/^\d{17}[\dX]$/.test(id)) return null;
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

export const DOCUMENT_TYPES = [
  'id_card',
  'passport',
  'hk_macau_permit',
  'taiwan_permit',
  'foreign_permanent',
] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export const DOCUMENT_TYPE_NAMES: Record<DocumentType, Reason> = {
  id_card: { zh: '居民身份证', en: 'Resident ID card' },
  passport: { zh: '护照', en: 'Passport' },
  hk_macau_permit: { zh: '港澳居民来往内地通行证', en: 'Hong Kong/Macau permit' },
  taiwan_permit: { zh: '台湾居民来往大陆通行证', en: 'Taiwan permit' },
  foreign_permanent: { zh: '外国人永久居留身份证', en: 'Foreign permanent residence ID' },
};

const OTHER_FORMATS: Record<Exclude<DocumentType, 'id_card'>, { pattern: RegExp; reason: Reason }> = {
  passport: {
    pattern: /^[A-Z0-9]{5,17}$/,
    reason: { zh: '护照号应为5至17位字母或数字', en: 'A passport number has 5–17 letters or digits' },
  },
  hk_macau_permit: {
    pattern: /^[HM]\d{8}(\d{2})?$/,
    reason: { zh: '港澳通行证号应为H或M开头加8位或10位数字', en: 'H or M followed by 8 or 10 digits' },
  },
  taiwan_permit: { pattern: /^\d{8}$/, reason: { zh: '台湾居民通行证号应为8位数字', en: 'Eight digits' } },
  foreign_permanent: {
    pattern: /^([A-Z]{3}\d{12}|9\d{16}[\dX])$/,
    reason: { zh: '外国人永久居留证号格式不正确', en: 'Not a permanent residence ID' },
  },
};

/** Any identity document, normalised; only ID cards carry a birth date and sex. */
export function parseDocument(
  type: DocumentType,
  input: string,
  today?: Date,
): IdCheck | { ok: true; value: string } {
  if (type === 'id_card') return parseIdNumber(input, today);
  const value = input.trim().replace(/\s+/g, '').toUpperCase();
  const format = OTHER_FORMATS[type];
  return format.pattern.test(value) ? { ok: true, value } : { ok: false, reason: format.reason };
}
