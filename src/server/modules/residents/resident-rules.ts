import { type DocumentType, parseDocument } from '../../../domain/id-number.ts';
import { RESIDENT_ADDRESS_MAX, RESIDENT_NAME_MAX, type ResidenceStatus } from '../../../domain/residents.ts';
import type { PersonalDataCipher } from '../../platform/crypto/personal-data-cipher.ts';
import type { Text } from '../../platform/errors/i18n.ts';
import { newId } from '../../platform/ids.ts';
import { namePinyin } from './name-pinyin.ts';
import type { PersonInsert } from './resident-repository.ts';

export interface ResidentInput {
  name: string;
  documentType?: DocumentType;
  idNumber: string;
  phone?: string | null;
  address: string;
  residenceStatus: ResidenceStatus;
}

export interface PlacedIn {
  orgUnitId: string;
  orgPath: string;
  districtCode: string;
  householdId: string | null;
}

/**
 * Turns what a person typed (a form or an import row) into the row the registry stores: the
 * document checked and normalised, birth date and sex derived from an ID number, ID and phone
 * sealed with their lookup hashes, pinyin computed. One rule for the API and the importer.
 */
export function buildPersonRow(
  cipher: PersonalDataCipher,
  input: ResidentInput,
  placed: PlacedIn,
  /** `sealed: false` for a dry run that only checks: no ciphertext is made or kept. */
  options: { synthetic?: boolean; sealed?: boolean } = {},
): { ok: true; row: PersonInsert } | { ok: false; field: string; reason: Text } {
  // The API's schema says so too; an imported row reaches here with whatever its cell held.
  for (const [field, zh, max] of [
    ['name', '姓名', RESIDENT_NAME_MAX],
    ['address', '地址', RESIDENT_ADDRESS_MAX],
  ] as const)
    if (input[field].length > max)
      return {
        ok: false,
        field,
        reason: { zh: `${zh}不能超过 ${max} 个字`, en: `The ${field} is over ${max} characters` },
      };
  const documentType = input.documentType ?? 'id_card';
  const doc = parseDocument(documentType, input.idNumber);
  if (!doc.ok) return { ok: false, field: 'idNumber', reason: doc.reason };
  const { full, initials } = namePinyin(input.name);
  const idKey = `${documentType}:${doc.value}`;
  const sealed = options.sealed !== false;
  const row: PersonInsert = {
    id: newId(),
    orgUnitId: placed.orgUnitId,
    orgPath: placed.orgPath,
    householdId: placed.householdId,
    name: input.name,
    namePinyin: full,
    nameInitials: initials,
    documentType,
    idEnc: sealed ? cipher.seal(doc.value) : '',
    idHash: cipher.lookupHash(idKey),
    idLast4: doc.value.slice(-4),
    birthYear: 'birthDate' in doc ? Number(doc.birthDate.slice(0, 4)) : null,
    sex: 'sex' in doc ? doc.sex : null,
    phoneEnc: input.phone && sealed ? cipher.seal(input.phone) : null,
    phoneHash: input.phone ? cipher.lookupHash(input.phone) : null,
    phoneLast4: input.phone ? input.phone.slice(-4) : null,
    address: input.address,
    residenceStatus: input.residenceStatus,
    synthetic: options.synthetic ?? false,
    districtCode: placed.districtCode,
  };
  return { ok: true, row };
}

/** The lookup key of a document: its type and normalised number, so a passport never collides with an ID. */
export function documentHash(cipher: PersonalDataCipher, documentType: DocumentType, normalized: string) {
  return cipher.lookupHash(`${documentType}:${normalized}`);
}
