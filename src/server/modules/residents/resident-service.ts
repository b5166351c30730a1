import { ageOn, inEffect, localDay } from '../../../domain/dates.ts';
import { birthDateInId, type DocumentType, parseIdNumber } from '../../../domain/id-number.ts';
import { maskIdNumber, maskPhone } from '../../../domain/masking.ts';
import { normalizeMobile } from '../../../domain/phone.ts';
import type { ResidenceStatus, StatusKind } from '../../../domain/residents.ts';
import type { Executor } from '../../db/database.ts';
import { type Actor, isWithin, pathInScope, scopePaths } from '../../platform/access/actor.ts';
import { throttleExactLookup, throttleIdGuess } from '../../platform/access/lookup-throttle.ts';
import { requireScope, requireWholeTree } from '../../platform/access/require.ts';
import { runWrite } from '../../platform/audit/run-write.ts';
import type { AppDeps } from '../../platform/deps.ts';
import { type AppError, conflict, invalidField, notFound } from '../../platform/errors/app-error.ts';
import { text } from '../../platform/errors/i18n.ts';
import { newId } from '../../platform/ids.ts';
import { toLimitOffset } from '../../platform/pagination.ts';
import { findOrgUnitInScope } from '../org/org-repository.ts';
import {
  followHouseholdInSweeps,
  followPersons,
  moveTestingRecordsOfMerged,
} from '../testing/testing-repository.ts';
import * as repo from './resident-repository.ts';
import { buildPersonRow, documentHash, type ResidentInput } from './resident-rules.ts';

type Listed = NonNullable<Awaited<ReturnType<typeof repo.findResidentInScope>>>;
type KeyGroupRow = Awaited<ReturnType<typeof repo.findKeyGroupsOf>>[number];

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function statusView(s: repo.StatusRow) {
  return {
    kind: s.kind,
    value: s.value,
    observedAt: iso(s.observedAt) as string,
    validUntil: iso(s.validUntil),
    source: s.source,
    recordedByName: s.recordedByName,
  };
}

/** The resident as every response shows it: ID and phone masked, what the actor may do attached. */
/** Where the actor may act on residents, computed once per answer rather than once per row. */
interface ActionScopes {
  write: string[];
  unmask: string[];
}

function toView(
  deps: AppDeps,
  can: ActionScopes,
  row: Listed,
  groups: KeyGroupRow[],
  statuses: repo.StatusRow[],
) {
  const p = row.person;
  const idNumber = deps.cipher.open(p.idEnc);
  const writable = pathInScope(p.orgPath, can.write);
  return {
    id: p.id,
    name: p.name,
    documentType: p.documentType,
    idNumber: maskIdNumber(idNumber),
    phone: p.phoneEnc ? maskPhone(deps.cipher.open(p.phoneEnc)) : null,
    // The birth date is the masked middle of the ID number: only the unmask answer gives it.
    birthDate: null,
    age: ageOn(birthDateInId(p.documentType, idNumber), localDay()),
    sex: p.sex,
    gridId: p.orgUnitId,
    gridName: row.gridName,
    householdId: p.householdId,
    address: p.address,
    residenceStatus: p.residenceStatus,
    keyGroups: groups
      .filter((g) => g.personId === p.id)
      .map((g) => ({ code: g.code, name: g.name, source: g.source, since: g.since })),
    statuses: Object.fromEntries(
      statuses.filter((s) => s.personId === p.id).map((s) => [s.kind, statusView(s)]),
    ),
    synthetic: p.synthetic,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    actions: {
      update: writable,
      unmask: pathInScope(p.orgPath, can.unmask),
      merge: writable,
    },
  };
}

/** Where the actor may see residents' records: read or write grants. */
const recordScope = (actor: Actor) => [
  ...new Set([...scopePaths(actor, 'resident.read'), ...scopePaths(actor, 'resident.write')]),
];

async function viewsOf(deps: AppDeps, db: Executor, actor: Actor, rows: Listed[]) {
  const ids = rows.map((r) => r.person.id);
  const scope = recordScope(actor);
  const [groups, statuses] = await Promise.all([
    repo.findKeyGroupsOf(db, scope, ids),
    repo.findCurrentStatuses(db, scope, ids),
  ]);
  const can = { write: scopePaths(actor, 'resident.write'), unmask: scopePaths(actor, 'personal.unmask') };
  return rows.map((r) => toView(deps, can, r, groups, statuses));
}

/** The audit view: masked by the audit mechanism itself (idNumber, phone). */
const snapshot = (
  p: repo.PersonInsert,
  idNumber: string,
  phone: string | null | undefined,
  keyGroups?: readonly string[],
) => ({
  name: p.name,
  documentType: p.documentType,
  idNumber,
  phone: phone ?? null,
  orgUnitId: p.orgUnitId,
  householdId: p.householdId,
  address: p.address,
  residenceStatus: p.residenceStatus,
  ...(keyGroups ? { keyGroups: [...keyGroups].sort() } : {}),
});

/**
 * How the search box is read: a full ID number → its hash; 4 digits → ID or phone tail; a mobile
 * number → its hash; latin letters → pinyin or initials; text with address words → address;
 * anything else → the name's beginning.
 */
export function interpretQuery(deps: AppDeps, q: string): repo.ResidentFilter {
  const query = q.trim();
  if (!query) return {};
  const id = parseIdNumber(query);
  if (id.ok) return { idHash: documentHash(deps.cipher, 'id_card', id.value) };
  // The last four of an ID may end in its check character X (about one ID in eleven).
  if (/^\d{4}$|^\d{3}[Xx]$/.test(query)) return { last4: query.toUpperCase() };
  const phone = normalizeMobile(query);
  if (phone) return { phoneHash: deps.cipher.lookupHash(phone) };
  if (/^[a-z]+$/i.test(query)) return { pinyinPrefix: query.toLowerCase() };
  if (/[0-9号栋楼室单元路街巷组排院]/.test(query)) return { address: query };
  return { namePrefix: query };
}

/** A node the actor can read, as a subtree filter; out of scope → 404 like any id. */
async function subtreeOf(deps: AppDeps, scope: string[], orgUnitId: string | undefined) {
  if (!orgUnitId) return undefined;
  const unit = await findOrgUnitInScope(deps.database.db, scope, orgUnitId);
  if (!unit) throw notFound();
  return unit.path;
}

export interface ResidentQuery {
  q?: string;
  orgUnitId?: string;
  gridId?: string;
  residenceStatus?: string;
  keyGroup?: string;
  householdId?: string;
}

export async function residentFilter(
  deps: AppDeps,
  actor: Actor,
  scope: string[],
  query: ResidentQuery,
): Promise<repo.ResidentFilter> {
  const read = interpretQuery(deps, query.q ?? '');
  const exact = read.idHash ?? read.phoneHash;
  const db = deps.database.db;
  if (exact) await throttleExactLookup(db, deps.cipher, actor, exact);
  if (read.idHash) await throttleIdGuess(db, deps.cipher, actor, query.q ?? '', 'q');
  return {
    ...read,
    subtreePath: await subtreeOf(deps, scope, query.gridId ?? query.orgUnitId),
    residenceStatus: query.residenceStatus,
    keyGroup: query.keyGroup,
    householdId: query.householdId,
  };
}

export async function listResidents(
  deps: AppDeps,
  actor: Actor,
  query: ResidentQuery & { page: number; pageSize: number },
) {
  const scope = requireScope(actor, 'resident.read');
  const db = deps.database.db;
  const { items, total } = await repo.findResidents(
    db,
    scope,
    await residentFilter(deps, actor, scope, query),
    toLimitOffset(query),
  );
  return { items: await viewsOf(deps, db, actor, items), total };
}

export async function getResident(deps: AppDeps, actor: Actor, id: string) {
  const scope = requireScope(actor, 'resident.read');
  const db = deps.database.db;
  const row = await repo.findResidentInScope(db, scope, id);
  if (!row) throw notFound();
  const [view] = await viewsOf(deps, db, actor, [row]);
  const household = row.person.householdId
    ? await repo.findHouseholdInScope(db, scope, row.person.householdId)
    : undefined;
  return {
    ...view,
    household: household
      ? {
          id: household.household.id,
          address: household.household.address,
          members: await repo.findHouseholdMembers(db, scope, household.household.id),
        }
      : null,
    statusHistory: (await repo.findStatusHistory(db, scope, id)).map(statusView),
  };
}

export async function countResidentsIn(deps: AppDeps, actor: Actor, orgUnitId?: string) {
  const scope = requireScope(actor, 'resident.read');
  const { byStatus, byGroup } = await repo.countResidents(
    deps.database.db,
    scope,
    await subtreeOf(deps, scope, orgUnitId),
  );
  return {
    total: byStatus.reduce((s, r) => s + r.n, 0),
    byResidenceStatus: Object.fromEntries(byStatus.map((r) => [r.status, r.n])),
    byKeyGroup: Object.fromEntries(byGroup.map((r) => [r.code, r.n])),
  };
}

/** Where a new or moved resident goes: a household in scope, or a grid (or building) in scope. */
async function placeOf(
  tx: Executor,
  scope: string[],
  input: { gridId?: string; householdId?: string; address?: string },
) {
  if (input.householdId) {
    const h = await repo.findHouseholdInScope(tx, scope, input.householdId, true);
    if (!h)
      throw invalidField(
        'householdId',
        text('住户不存在或不在您的管辖范围内', 'Household not in your scope'),
      );
    // Both given, they must agree: the household decides the place, and a grid chosen beside it
    // that it is not in would be silently ignored.
    if (input.gridId && input.gridId !== h.household.orgUnitId) {
      const grid = await findOrgUnitInScope(tx, scope, input.gridId);
      if (!grid || !isWithin(h.household.orgPath, grid.path))
        throw invalidField(
          'householdId',
          text('所选住户不在所选网格内', 'The household is not in the chosen grid'),
        );
    }
    return {
      orgUnitId: h.household.orgUnitId,
      orgPath: h.household.orgPath,
      districtCode: h.household.districtCode,
      householdId: h.household.id,
    };
  }
  if (!input.gridId) throw invalidField('gridId', text('请选择网格', 'Choose a grid'));
  const unit = await findOrgUnitInScope(tx, scope, input.gridId);
  if (!unit || !['grid', 'building'].includes(unit.level)) {
    throw invalidField('gridId', text('网格不存在或不在您的管辖范围内', 'Grid not in your scope'));
  }
  return { orgUnitId: unit.id, orgPath: unit.path, districtCode: unit.districtCode, householdId: null };
}

async function checkKeyGroups(tx: Executor, codes: string[]) {
  const known = new Map((await repo.findKeyGroupClasses(tx)).map((c) => [c.code, c]));
  const today = localDay();
  for (const [i, code] of codes.entries()) {
    const c = known.get(code);
    if (!c || !inEffect(c, today)) {
      throw invalidField(
        `keyGroups.${i}`,
        text(`重点人群分类「${code}」不存在或未生效`, `Key group ${code} is unknown or not in effect`),
      );
    }
  }
}

/** Thrown inside a registration's write: its number is registered outside the actor's reach. */
class RegisteredElsewhere extends Error {
  constructor(
    readonly idHash: string,
    readonly refusal: AppError,
  ) {
    super('registered elsewhere');
  }
}

/**
 * A write that checks an ID number against the registry. "Registered in another grid" says a
 * number is someone's: it is counted as a lookup by that number (limited like a search by it)
 * once the write has rolled back, so the count stands, and only then answered (or refused 429).
 */
async function withLookups<T>(deps: AppDeps, actor: Actor, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof RegisteredElsewhere)) throw error;
    await throttleExactLookup(deps.database.db, deps.cipher, actor, error.idHash);
    throw error.refusal;
  }
}

/** 409 for an ID already registered, with the record's id when the actor may open it. */
async function refuseDuplicate(tx: Executor, actor: Actor, idHash: string, exceptId?: string) {
  const existing = await repo.findByIdHash(tx, idHash);
  if (!existing || existing.id === exceptId) return;
  if (pathInScope(existing.orgPath, scopePaths(actor, 'resident.read')))
    throw conflict(
      text('该证件号码已登记，请打开已有记录', 'This document number is already registered'),
      { existingId: existing.id },
      'idNumber',
    );
  // Counted as a lookup once this write has rolled back (withLookups).
  throw new RegisteredElsewhere(
    idHash,
    conflict(
      text('该证件号码已在其他网格登记，请联系上级核实', 'Already registered in another grid'),
      undefined,
      'idNumber',
    ),
  );
}

export interface CreateResidentInput extends ResidentInput {
  gridId?: string;
  householdId?: string;
  keyGroups?: string[];
}

export async function createResident(deps: AppDeps, actor: Actor, input: CreateResidentInput) {
  const scope = requireScope(actor, 'resident.write');
  // A guess at a masked number (only its birth day unknown) is counted before the registry is asked.
  await throttleIdGuess(deps.database.db, deps.cipher, actor, input.idNumber, 'idNumber');
  return withLookups(deps, actor, () =>
    runWrite(deps, actor, 'resident.create', async (tx) => {
      const placed = await placeOf(tx, scope, input);
      await checkKeyGroups(tx, input.keyGroups ?? []);
      const built = buildPersonRow(deps.cipher, input, placed);
      if (!built.ok) throw invalidField(built.field, built.reason);
      const row = built.row;
      await refuseDuplicate(tx, actor, row.idHash);
      if (!row.householdId) {
        // A resident registered on a grid gets a household of their own at their address.
        row.householdId = newId();
        await repo.insertHouseholds(tx, [
          {
            id: row.householdId,
            orgUnitId: placed.orgUnitId,
            orgPath: placed.orgPath,
            address: input.address,
            districtCode: placed.districtCode,
          },
        ]);
      }
      await repo.insertPersons(tx, [row]);
      const since = localDay();
      await repo.insertKeyGroupMemberships(
        tx,
        (input.keyGroups ?? []).map((classCode) => ({
          personId: row.id as string,
          classCode,
          source: 'registry',
          since,
        })),
      );
      const created = await repo.findResidentInScope(tx, scope, row.id as string);
      if (!created) throw notFound();
      const [view] = await viewsOf(deps, tx, actor, [created]);
      return {
        result: view,
        touched: {
          entity: 'resident',
          entityId: row.id as string,
          orgPath: placed.orgPath,
          after: {
            ...snapshot(row, deps.cipher.open(row.idEnc), input.phone),
            keyGroups: input.keyGroups ?? [],
          },
        },
      };
    }),
  );
}

export async function updateResident(
  deps: AppDeps,
  actor: Actor,
  id: string,
  patch: Partial<CreateResidentInput>,
) {
  const scope = requireScope(actor, 'resident.write');
  if (patch.idNumber !== undefined)
    await throttleIdGuess(deps.database.db, deps.cipher, actor, patch.idNumber, 'idNumber');
  return withLookups(deps, actor, () =>
    runWrite(deps, actor, 'resident.update', async (tx) => {
      const current = await repo.findResidentInScope(tx, scope, id);
      if (!current) throw notFound();
      const p = current.person;
      const idNumber = deps.cipher.open(p.idEnc);
      const phone = p.phoneEnc ? deps.cipher.open(p.phoneEnc) : null;
      const moving = patch.gridId !== undefined || patch.householdId !== undefined;
      const placedAt = moving
        ? await placeOf(tx, scope, { gridId: patch.gridId, householdId: patch.householdId })
        : null;
      // The grid they are in already, with no household named: they stay in their household (a
      // form sends the grid back whenever its household field is cleared).
      const staying = placedAt && patch.householdId === undefined && placedAt.orgUnitId === p.orgUnitId;
      const placed = placedAt
        ? { ...placedAt, householdId: staying ? p.householdId : placedAt.householdId }
        : {
            orgUnitId: p.orgUnitId,
            orgPath: p.orgPath,
            districtCode: p.districtCode,
            householdId: p.householdId,
          };
      const merged: ResidentInput = {
        name: patch.name ?? p.name,
        documentType: (patch.documentType ?? p.documentType) as DocumentType,
        idNumber: patch.idNumber ?? idNumber,
        phone: patch.phone === undefined ? phone : patch.phone,
        address: patch.address ?? p.address,
        residenceStatus: (patch.residenceStatus ?? p.residenceStatus) as ResidenceStatus,
      };
      const built = buildPersonRow(deps.cipher, merged, placed);
      if (!built.ok) throw invalidField(built.field, built.reason);
      if (patch.gridId !== undefined && patch.householdId === undefined && placed.orgUnitId !== p.orgUnitId) {
        // One person moving to another grid leaves the old household for one of their own there.
        const householdId = newId();
        await repo.insertHouseholds(tx, [
          {
            id: householdId,
            orgUnitId: placed.orgUnitId,
            orgPath: placed.orgPath,
            address: merged.address,
            districtCode: placed.districtCode,
          },
        ]);
        built.row.householdId = householdId;
      }
      if (built.row.idHash !== p.idHash) await refuseDuplicate(tx, actor, built.row.idHash, id);
      const { id: _newId, createdAt: _c, synthetic: _s, ...changes } = built.row;
      // Unchanged sealed values keep their ciphertext: no churn, and the audit sees no change.
      if (merged.idNumber === idNumber && merged.documentType === p.documentType) changes.idEnc = p.idEnc;
      if (merged.phone === phone) changes.phoneEnc = p.phoneEnc;
      await repo.updatePersonRow(tx, id, changes);
      await followPersons(tx, [{ id, orgPath: p.orgPath, residenceStatus: p.residenceStatus }]);
      const have = (await repo.findKeyGroupsOf(tx, scope, [id])).map((g) => g.code);
      if (patch.keyGroups) {
        // A class that has since ended stays on the people who have it; only new ones must be in effect.
        await checkKeyGroups(
          tx,
          patch.keyGroups.filter((c) => !have.includes(c)),
        );
        await repo.deleteKeyGroupMemberships(
          tx,
          id,
          have.filter((c) => !patch.keyGroups?.includes(c)),
        );
        const since = localDay();
        await repo.insertKeyGroupMemberships(
          tx,
          patch.keyGroups
            .filter((c) => !have.includes(c))
            .map((classCode) => ({ personId: id, classCode, source: 'registry', since })),
        );
      }
      const after = await repo.findResidentInScope(tx, [placed.orgPath], id);
      if (!after) throw notFound();
      const [view] = await viewsOf(deps, tx, actor, [after]);
      return {
        result: view,
        touched: {
          entity: 'resident',
          entityId: id,
          orgPath: placed.orgPath,
          // Key groups only when asked to change: the audit then shows the classes before and after.
          before: snapshot(p, idNumber, phone, patch.keyGroups ? have : undefined),
          after: snapshot({ ...p, ...changes }, merged.idNumber, merged.phone, patch.keyGroups),
        },
      };
    }),
  );
}

/** The full ID and phone to a holder of personal.unmask: audited, never broadcast. */
export async function unmaskResident(deps: AppDeps, actor: Actor, id: string) {
  const scope = requireScope(actor, 'personal.unmask');
  return runWrite(deps, actor, 'resident.unmask', async (tx) => {
    const row = await repo.findResidentInScope(tx, scope, id);
    if (!row) throw notFound();
    return {
      result: {
        idNumber: deps.cipher.open(row.person.idEnc),
        phone: row.person.phoneEnc ? deps.cipher.open(row.person.phoneEnc) : null,
        birthDate: birthDateInId(row.person.documentType, deps.cipher.open(row.person.idEnc)),
      },
      touched: {
        entity: 'resident',
        entityId: id,
        orgPath: row.person.orgPath,
        after: { fields: ['idNumber', 'phone', 'birthDate'] },
        publish: false,
      },
    };
  });
}

export async function recordStatus(
  deps: AppDeps,
  actor: Actor,
  id: string,
  input: {
    kind: StatusKind;
    value: string;
    observedAt?: Date;
    validUntil?: Date | null;
    source: string;
    clientId?: string;
  },
) {
  const scope = requireScope(actor, 'resident.write');
  return runWrite(
    deps,
    actor,
    'resident.status',
    async (tx) => {
      const row = await repo.findResidentInScope(tx, scope, id);
      if (!row) throw notFound();
      const observedAt = input.observedAt ?? new Date();
      // A status from the future would stand as the current one until then, hiding every real update.
      if (observedAt.getTime() > Date.now() + 5 * 60_000)
        throw invalidField('observedAt', text('记录时间不能晚于现在', 'The observation is in the future'));
      if (input.validUntil && input.validUntil < observedAt) {
        throw invalidField(
          'validUntil',
          text('有效期不能早于记录时间', 'Valid-until is before the observation'),
        );
      }
      await repo.insertStatus(tx, {
        id: newId(),
        personId: id,
        kind: input.kind,
        value: input.value,
        observedAt,
        validUntil: input.validUntil ?? null,
        source: input.source,
        recordedBy: actor.userId,
        districtCode: row.person.districtCode,
      });
      const [view] = await viewsOf(deps, tx, actor, [row]);
      return {
        result: view,
        touched: {
          entity: 'resident',
          entityId: id,
          orgPath: row.person.orgPath,
          after: { kind: input.kind, value: input.value, source: input.source },
        },
      };
    },
    { clientId: input.clientId },
  );
}

/** Joins a duplicate record into the survivor: statuses, memberships and history move; audited on both. */
/**
 * What tells two records apart as two people: another name, another birth date (from the ID
 * number, read here and said to nobody) or another sex. A duplicate typed twice usually differs
 * in none, or in a typo; two children of one name in one household differ in their birth dates.
 */
function differencesBetween(
  deps: AppDeps,
  a: { name: string; documentType: string; idEnc: string; sex: string | null },
  b: { name: string; documentType: string; idEnc: string; sex: string | null },
) {
  const differences: { zh: string; en: string }[] = [];
  if (a.name.trim() !== b.name.trim()) differences.push({ zh: '姓名', en: 'name' });
  const born = (p: typeof a) => birthDateInId(p.documentType, deps.cipher.open(p.idEnc));
  const [bornA, bornB] = [born(a), born(b)];
  if (bornA && bornB && bornA !== bornB) differences.push({ zh: '出生日期', en: 'birth date' });
  if (a.sex && b.sex && a.sex !== b.sex) differences.push({ zh: '性别', en: 'sex' });
  return differences;
}

export async function mergeResidents(
  deps: AppDeps,
  actor: Actor,
  survivorId: string,
  duplicateId: string,
  options: { confirmDifferences?: boolean } = {},
) {
  const scope = requireScope(actor, 'resident.write');
  if (survivorId === duplicateId)
    throw invalidField('duplicateId', text('不能与自身合并', 'Cannot merge a record into itself'));
  return runWrite(deps, actor, 'resident.merge', async (tx) => {
    await repo.lockPersons(tx, [survivorId, duplicateId]);
    const survivor = await repo.findResidentInScope(tx, scope, survivorId);
    const duplicate = await repo.findResidentInScope(tx, scope, duplicateId);
    if (!survivor) throw notFound();
    if (!duplicate)
      throw invalidField(
        'duplicateId',
        text('重复记录不存在或不在您的管辖范围内', 'Duplicate not in your scope'),
      );
    // Merging cannot be undone: two people taken for one would lose one of them from the
    // registry, their household and their round's counts. Said first, merged only when confirmed.
    const differences = differencesBetween(deps, survivor.person, duplicate.person);
    if (differences.length > 0 && !options.confirmDifferences)
      throw conflict(
        text(
          `两条记录的${differences.map((d) => d.zh).join('、')}不同，可能不是同一人：请核实后再确认合并`,
          `The records differ in ${differences.map((d) => d.en).join(', ')}: perhaps two people. Check before merging`,
        ),
        { code: 'RECORDS_DIFFER', differences: differences.map((d) => d.en) },
      );
    await repo.mergePersonInto(tx, duplicateId, survivorId);
    const before = {
      id: duplicateId,
      orgPath: duplicate.person.orgPath,
      residenceStatus: duplicate.person.residenceStatus,
    };
    // The duplicate's samples become the survivor's first; what stays with it leaves the counts.
    await moveTestingRecordsOfMerged(tx, before, survivorId);
    await followPersons(tx, [before]);
    const [view] = await viewsOf(deps, tx, actor, [survivor]);
    return {
      result: view,
      // One event for the one write; the duplicate's id is in it, so its trail leads to the survivor.
      touched: {
        entity: 'resident',
        entityId: survivorId,
        orgPath: survivor.person.orgPath,
        after: {
          mergedFrom: duplicateId,
          duplicateGridId: duplicate.person.orgUnitId,
          // Merged although they differ: the auditor sees the user's word was given, and on what.
          ...(differences.length > 0 ? { confirmedDifferences: differences.map((d) => d.en) } : {}),
        },
      },
    };
  });
}

// Households

function householdView(r: {
  household: { id: string; orgUnitId: string; address: string };
  gridName: string;
  memberCount: number;
}) {
  return {
    id: r.household.id,
    gridId: r.household.orgUnitId,
    gridName: r.gridName,
    address: r.household.address,
    memberCount: r.memberCount,
  };
}

export async function listHouseholds(
  deps: AppDeps,
  actor: Actor,
  query: { gridId?: string; q?: string; page: number; pageSize: number },
) {
  const scope = requireScope(actor, 'resident.read');
  const { items, total } = await repo.findHouseholds(
    deps.database.db,
    scope,
    { gridPath: await subtreeOf(deps, scope, query.gridId), q: query.q },
    toLimitOffset(query),
  );
  return { items: items.map(householdView), total };
}

export async function createHousehold(
  deps: AppDeps,
  actor: Actor,
  input: { gridId: string; address: string },
) {
  const scope = requireScope(actor, 'resident.write');
  return runWrite(deps, actor, 'household.create', async (tx) => {
    const placed = await placeOf(tx, scope, { gridId: input.gridId });
    const id = newId();
    await repo.insertHouseholds(tx, [
      {
        id,
        orgUnitId: placed.orgUnitId,
        orgPath: placed.orgPath,
        address: input.address,
        districtCode: placed.districtCode,
      },
    ]);
    const row = await repo.findHouseholdInScope(tx, scope, id);
    if (!row) throw notFound();
    return {
      result: householdView({ ...row, memberCount: 0 }),
      touched: {
        entity: 'household',
        entityId: id,
        orgPath: placed.orgPath,
        after: { address: input.address, gridId: input.gridId },
      },
    };
  });
}

/** A whole household moves to another grid, members included. */
export async function moveHouseholdTo(
  deps: AppDeps,
  actor: Actor,
  id: string,
  move: { gridId: string; address?: string },
) {
  const scope = requireScope(actor, 'resident.write');
  return runWrite(deps, actor, 'household.move', async (tx) => {
    const before = await repo.findHouseholdInScope(tx, scope, id, true);
    if (!before) throw notFound();
    const placed = await placeOf(tx, scope, { gridId: move.gridId });
    // "已整户迁移" to where they are already would be a move in the audit and in nobody's life
    // (a second try after a lost answer reads this too, which tells that the first went in).
    // Within the grid to a new address is a move (a family moving house in one grid).
    const newAddress = move.address !== undefined && move.address !== before.household.address;
    if (placed.orgUnitId === before.household.orgUnitId && !newAddress)
      throw invalidField(
        'gridId',
        text(
          '该户已在此网格此地址：如在本网格内搬家，请填写新地址',
          'The household is at this grid and address already: give the new address of a move within the grid',
        ),
      );
    const membersBefore = await repo.findHouseholdMembers(tx, scope, id);
    await repo.moveHousehold(
      tx,
      id,
      { id: placed.orgUnitId, path: placed.orgPath },
      { from: before.household.address, to: move.address },
    );
    await followHouseholdInSweeps(tx, id);
    await followPersons(
      tx,
      membersBefore.map((m) => ({
        id: m.id,
        orgPath: before.household.orgPath,
        residenceStatus: m.residenceStatus,
      })),
    );
    const after = await repo.findHouseholdInScope(tx, scope, id);
    if (!after) throw notFound();
    const members = await repo.findHouseholdMembers(tx, scope, id);
    const addressBefore = new Map(membersBefore.map((m) => [m.id, m.address]));
    return {
      result: householdView({ ...after, memberCount: members.length }),
      touched: [
        {
          entity: 'household',
          entityId: id,
          orgPath: placed.orgPath,
          before: { gridId: before.household.orgUnitId, address: before.household.address },
          after: { gridId: placed.orgUnitId, address: after.household.address, members: members.length },
        },
        // Each member's own record says they moved, and from where: a person's history is read
        // by the person (a grid worker asking when 张三 came), not by their household.
        ...members.map((m) => ({
          entity: 'resident',
          entityId: m.id,
          orgPath: placed.orgPath,
          before: { gridId: before.household.orgUnitId, address: addressBefore.get(m.id) ?? null },
          after: { gridId: placed.orgUnitId, address: m.address },
        })),
      ],
    };
  });
}

// Key-group classes: a district-wide taxonomy

export const listKeyGroups = (deps: AppDeps) => keyGroupViews(deps.database.db);

async function keyGroupViews(db: Executor) {
  const today = localDay();
  const items = (await repo.findKeyGroupClasses(db)).map((c) => ({
    code: c.code,
    name: c.name,
    testingFrequency: c.testingFrequency,
    effectiveFrom: c.effectiveFrom,
    effectiveTo: c.effectiveTo,
    active: inEffect(c, today),
  }));
  return { items, total: items.length };
}

/** A class ends on or after the day it starts. */
function checkEffectiveDates(from: string, to: string | null) {
  if (to !== null && to < from)
    throw invalidField(
      'effectiveTo',
      text(`结束日期 ${to} 早于开始日期 ${from}`, `The end ${to} is before the start ${from}`),
    );
}

export async function createKeyGroup(
  deps: AppDeps,
  actor: Actor,
  input: {
    code: string;
    name: string;
    testingFrequency?: string | null;
    effectiveFrom: string;
    effectiveTo?: string | null;
  },
) {
  requireWholeTree(actor, 'key-group.write');
  checkEffectiveDates(input.effectiveFrom, input.effectiveTo ?? null);
  return runWrite(deps, actor, 'key-group.create', async (tx) => {
    if ((await repo.findKeyGroupClasses(tx)).some((c) => c.code === input.code)) {
      throw conflict(text('分类编码已存在', 'Code already exists'), undefined, 'code');
    }
    await repo.insertKeyGroupClass(tx, {
      ...input,
      testingFrequency: input.testingFrequency ?? null,
      effectiveTo: input.effectiveTo ?? null,
    });
    const { items } = await keyGroupViews(tx);
    return {
      result: items.find((c) => c.code === input.code) as (typeof items)[number],
      touched: { entity: 'key-group', entityId: input.code, orgPath: null, after: input },
    };
  });
}

export async function updateKeyGroup(
  deps: AppDeps,
  actor: Actor,
  code: string,
  patch: {
    name?: string;
    testingFrequency?: string | null;
    effectiveFrom?: string;
    effectiveTo?: string | null;
  },
) {
  requireWholeTree(actor, 'key-group.write');
  return runWrite(deps, actor, 'key-group.update', async (tx) => {
    const before = (await repo.findKeyGroupClasses(tx)).find((c) => c.code === code);
    if (!before) throw notFound();
    checkEffectiveDates(
      patch.effectiveFrom ?? before.effectiveFrom,
      patch.effectiveTo === undefined ? before.effectiveTo : patch.effectiveTo,
    );
    await repo.updateKeyGroupClass(tx, code, patch);
    const { items } = await keyGroupViews(tx);
    return {
      result: items.find((c) => c.code === code) as (typeof items)[number],
      touched: {
        entity: 'key-group',
        entityId: code,
        orgPath: null,
        before: {
          name: before.name,
          testingFrequency: before.testingFrequency,
          effectiveFrom: before.effectiveFrom,
          effectiveTo: before.effectiveTo,
        },
        after: {
          name: before.name,
          testingFrequency: before.testingFrequency,
          effectiveFrom: before.effectiveFrom,
          effectiveTo: before.effectiveTo,
          ...patch,
        },
      },
    };
  });
}
