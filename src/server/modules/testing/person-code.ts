import { timingSafeEqual } from 'node:crypto';
import { CROCKFORD_ALPHABET, cleanPersonCode, PERSON_CODE_PATTERN } from '../../../domain/testing.ts';
import type { PersonalDataCipher } from '../../platform/crypto/personal-data-cipher.ts';

/**
 * The personal code (核酸码): the person's record id (16 bytes), from the first renewal on its
 * version (2 bytes), and a truncated MAC over both. Opaque and signed: it carries no name, ID or
 * phone, and a mistyped or forged code fails the MAC before any lookup. A code is renewed (a photo
 * of it passed around) by raising the person's version: the scans refuse codes of an earlier one.
 * Version 0 has no version bytes (the codes printed first).
 *
 * Minted as `GW2` + Crockford base32 (digits and capitals without I, L, O, U): a sampler whose
 * camera fails types it, and the typed form may be in small letters and may confuse O with 0 or
 * I/l with 1 (cleanPersonCode reads them as meant); the QR of it is in the QR's alphanumeric mode,
 * a less dense symbol for a cracked screen or a poor camera to read. Its MAC is 8 bytes: a forged
 * code is only ever checked online, by a signed-in sampler's audited scan, where 2^64 guesses are
 * out of reach; every byte less is 1.6 characters less to type.
 *
 * Codes minted before, `GW1` + base64url with a 12-byte MAC (case-sensitive, 41 characters), are
 * on printed sheets and phones' screenshots: they are read as before until the person's code is
 * renewed (which mints a GW2 code of the next version).
 */
const MAC_BYTES = 8;
const LEGACY_MAC_BYTES = 12;
const VERSION_BYTES = 2;
const PURPOSE = 'person-code';

/** Versions fit in two bytes: a person's code can be renewed this many times. */
export const MAX_CODE_VERSION = 0xffff;

export interface PersonCode {
  personId: string;
  version: number;
}

function bodyOf(personId: string, version: number): Buffer {
  const id = Buffer.from(personId.replace(/-/g, ''), 'hex');
  return version === 0 ? id : Buffer.concat([id, versionBytes(version)]);
}

export function mintPersonCode(cipher: PersonalDataCipher, personId: string, version = 0): string {
  const body = bodyOf(personId, version);
  const mac = cipher.sign(PURPOSE, body).subarray(0, MAC_BYTES);
  return `GW2${toCrockford(Buffer.concat([body, mac]))}`;
}

/**
 * A code as minted before GW2. Nothing mints these any more; kept so that reading the codes
 * already printed stays tested.
 */
export function mintLegacyPersonCode(cipher: PersonalDataCipher, personId: string, version = 0): string {
  const body = bodyOf(personId, version);
  const mac = cipher.sign(PURPOSE, body).subarray(0, LEGACY_MAC_BYTES);
  return `GW1${Buffer.concat([body, mac]).toString('base64url')}`;
}

function versionBytes(version: number): Buffer {
  const bytes = Buffer.alloc(VERSION_BYTES);
  bytes.writeUInt16BE(version);
  return bytes;
}

/** Bytes as Crockford base32, 5 bits a character, the last one padded with zero bits. */
function toCrockford(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += CROCKFORD_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** The bytes of a cleaned Crockford text, or null when its padding bits are not zero (one text per code). */
function fromCrockford(text: string): Buffer | null {
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const digit = CROCKFORD_ALPHABET.indexOf(char);
    if (digit < 0) return null;
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return value === 0 ? Buffer.from(bytes) : null;
}

/** The person and version a code stands for, or null when it is malformed or its MAC does not match. */
export function readPersonCode(cipher: PersonalDataCipher, code: string): PersonCode | null {
  const cleaned = cleanPersonCode(code);
  if (!PERSON_CODE_PATTERN.test(cleaned)) return null;
  const encoded = cleaned.slice(3);
  const legacy = cleaned.startsWith('GW1');
  const raw = legacy ? Buffer.from(encoded, 'base64url') : fromCrockford(encoded);
  // One text per code: the last character's unused bits could spell the same bytes several ways.
  if (!raw || (legacy && raw.toString('base64url') !== encoded)) return null;
  const macBytes = legacy ? LEGACY_MAC_BYTES : MAC_BYTES;
  const bodyLength = raw.length - macBytes;
  if (bodyLength !== 16 && bodyLength !== 16 + VERSION_BYTES) return null;
  const body = raw.subarray(0, bodyLength);
  const expected = cipher.sign(PURPOSE, body).subarray(0, macBytes);
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
