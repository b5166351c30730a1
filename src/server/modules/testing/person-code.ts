import { timingSafeEqual } from 'node:crypto';
import { cleanScannedCode, PERSON_CODE_PATTERN } from '../../../domain/testing.ts';
import type { PersonalDataCipher } from '../../platform/crypto/personal-data-cipher.ts';

/**
 * The personal code (核酸码): `GW1` + base64url of the person's record id (16 bytes) and a
 * truncated MAC (12 bytes). Opaque and signed: it carries no name, ID or phone, and a mistyped or
 * forged code fails the MAC before any lookup.
 */
const PREFIX = 'GW1';
const MAC_BYTES = 12;
const PURPOSE = 'person-code';

export function mintPersonCode(cipher: PersonalDataCipher, personId: string): string {
  const id = Buffer.from(personId.replace(/-/g, ''), 'hex');
  const mac = cipher.sign(PURPOSE, id).subarray(0, MAC_BYTES);
  return PREFIX + Buffer.concat([id, mac]).toString('base64url');
}

/** The person id a code stands for, or null when the code is malformed or its MAC does not match. */
export function readPersonCode(cipher: PersonalDataCipher, code: string): string | null {
  const cleaned = cleanScannedCode(code);
  if (!PERSON_CODE_PATTERN.test(cleaned)) return null;
  const body = cleaned.slice(PREFIX.length);
  const raw = Buffer.from(body, 'base64url');
  if (raw.length !== 16 + MAC_BYTES) return null;
  const id = raw.subarray(0, 16);
  const expected = cipher.sign(PURPOSE, id).subarray(0, MAC_BYTES);
  if (!timingSafeEqual(expected, raw.subarray(16))) return null;
  const hex = id.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
