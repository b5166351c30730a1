/**
 * Masking formats of personal data (DOMAIN.md): ID `411602**********123X` (first 6, last 4),
 * phone `138****1234`, name `张*明`. Pure, shared by the server's responses and the web's forms.
 */
export function maskIdNumber(id: string): string {
  // A resident ID card (18 or 15 digits): the region and the last four, as DOMAIN.md writes it.
  if (/^\d{17}[\dXx]$|^\d{15}$/.test(id)) return id.slice(0, 6) + '*'.repeat(id.length - 10) + id.slice(-4);
  // Other documents (passport E12345678, HK/Macau permit H1234567890, foreign permanent ID) are
  // short: first 6 + last 4 would show nearly all of one. The document letter and the last three.
  if (id.length <= 6) return '*'.repeat(id.length);
  return id.slice(0, 1) + '*'.repeat(id.length - 4) + id.slice(-3);
}

export function maskPhone(phone: string): string {
  const digits = phone.replace(/^\+86/, '');
  if (digits.length < 7) return '*'.repeat(digits.length);
  return digits.slice(0, 3) + '*'.repeat(digits.length - 7) + digits.slice(-4);
}

export function maskName(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}
