import { timingSafeEqual } from 'node:crypto';
import { cleanScannedCode, PERSON_CODE_PATTERN } from '../../../domain/testing.ts';
import type { PersonalDataCipher } from '../../platform/crypto/personal-data-cipher.ts';

/**
 * The personal code (核酸码): `GW1` + base64url of the person's record id (16 bytes), from the
 * first renewal on its version (2 bytes), and a truncated MAC over both (12 bytes). Opaque and
 * signed: it carries no name, ID or phone, and a mistyped or forged code fails the MAC before any
 * lookup. A code is renewed (a photo of it passed around) by raising the person's version: the
 * scans refuse codes of an earlier one. Version 0 has no version bytes (the codes printed first).
 */
const PREFIX = 'GW1';
const MAC_BYTES = 12;
const VERSION_BYTES = 2;
const PURPOSE = 'person-code';

/** Versions fit in two bytes: a person's code can be renewed this many times. */
export const MAX_CODE_VERSION = 0xffff;

export interface PersonCode {
  personId: string;
  version: number;
}

export function mintPersonCode(cipher: PersonalDataCipher, personId: string, version = 0): string {
  const id = Buffer.from(personId.replace(/-/g, ''), 'hex');
  const body = version === 0 ? id : Buffer.concat([id, versionBytes(version)]);
  const mac = cipher.sign(PURPOSE, body).subarray(0, MAC_BYTES);
  return PREFIX + Buffer.concat([body, mac]).toString('base64url');
}

function versionBytes(version: number): Buffer {
  const bytes = Buffer.alloc(VERSION_BYTES);
  bytes.writeUInt16BE(version);
  return bytes;
}

/** The person and version a code stands for, or null when it is malformed or its MAC does not match. */
export function readPersonCode(cipher: PersonalDataCipher, code: string): PersonCode | null {
  const cleaned = cleanScannedCode(code);
  if (!PERSON_CODE_PATTERN.test(cleaned)) return null;
  const encoded = cleaned.slice(PREFIX.length);
  const raw = Buffer.from(encoded, 'base64url');
  // One text per code: the last character's unused bits could spell the same bytes 16 ways.
  if (raw.toString('base64url') !== encoded) return null;
  const bodyLength = raw.length - MAC_BYTES;
  if (bodyLength !== 16 && bodyLength !== 16 + VERSION_BYTES) return null;
  const body = raw.subarray(0, bodyLength);
  const expected = cipher.sign(PURPOSE, body).subarray(0, MAC_BYTES);
  if (!timingSafeEqual(expected, raw.subarray(bodyLength))) return null;
  const version = bodyLength === 16 ? 0 : body.readUInt16BE(16);
  // A version written out in full must be one (0 has the short form): one code per version.
  if (bodyLength !== 16 && version === 0) return null;
  const hex = body.subarray(0, 16).toString('hex');
  return {
    personId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`,
    version,
  };
}
