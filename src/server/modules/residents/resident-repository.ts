import { and, asc, eq, exists, inArray, isNull, like, or, type SQL, sql } from 'drizzle-orm';
import { addressSortKey } from '../../../domain/residents.ts';
import { POOL_POSITIVE, POOLED_MODES, RESULT_VALID_HOURS, STATUS_SOURCES } from '../../../domain/testing.ts';
import type { Executor } from '../../db/database.ts';
import { arrayParam, queryRows } from '../../db/rows.ts';
import {
  households,
  keyGroupClasses,
  orgUnits,
  personKeyGroups,
  personStatuses,
  persons,
  releasedTubeMembers,
  tubeMembers,
  tubes,
  users,
  workItems,
} from '../../db/schema.ts';
import { unitLabel } from '../../db/unit-label.ts';
import { inScope } from '../../platform/access/scope-sql.ts';

export type PersonRow = typeof persons.$inferSelect;
/** A person to insert: the address's sort key is not the caller's, it is written with the address. */
export type PersonInsert = Omit<typeof persons.$inferInsert, 'addressKey'>;
export type HouseholdInsert = Omit<typeof households.$inferInsert, 'addressKey'>;

/** What a search asks for; the service has already decided how to read the user's text. */
export interface ResidentFilter {
  subtreePath?: string;
  residenceStatus?: string;
  keyGroup?: string;
  householdId?: string;
  idHash?: string;
  phoneHash?: string;
  last4?: string;
  namePrefix?: string;
  pinyinPrefix?: string;
  address?: string;
}

const live = isNull(persons.mergedInto);

function whereOf(scope: string[], f: ResidentFilter): SQL | undefined {
  return and(
    inScope(persons.orgPath, scope),
    live,
    f.subtreePath ? inScope(persons.orgPath, [f.subtreePath]) : undefined,
    f.residenceStatus ? eq(persons.residenceStatus, f.residenceStatus) : undefined,
    f.householdId ? eq(persons.householdId, f.householdId) : undefined,
    f.keyGroup
      ? exists(
          sql`(select 1 from ${personKeyGroups} k where k.person_id = ${persons.id} and k.class_code = ${f.keyGroup})`,
        )
      : undefined,
    f.idHash ? eq(persons.idHash, f.idHash) : undefined,
    f.phoneHash ? eq(persons.phoneHash, f.phoneHash) : undefined,
    f.last4 ? or(eq(persons.idLast4, f.last4), eq(persons.phoneLast4, f.last4)) : undefined,
    f.namePrefix ? like(persons.name, `${escapeLike(f.namePrefix)}%`) : undefined,
    f.pinyinPrefix
      ? or(like(persons.nameInitials, `${f.pinyinPrefix}%`), like(persons.namePinyin, `${f.pinyinPrefix}%`))
      : undefined,
    f.address ? sql`${persons.address} ilike ${`%${escapeLike(f.address)}%`}` : undefined,
  );
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A person with their grid as people tell grids apart (港城小区社区/第二网格: ten units have a
 * 第二网格), the label the import's template takes, so an export reads back in.
 */
const listColumns = { person: persons, gridName: unitLabel('org_units') };

export async function findResidents(
  db: Executor,
  scope: string[],
  filter: ResidentFilter,
  page: { limit: number; offset: number },
) {
  const where = whereOf(scope, filter);
  const [items, [{ total }]] = await Promise.all([
    db
      .select(listColumns)
      .from(persons)
      .innerJoin(orgUnits, eq(orgUnits.id, persons.orgUnitId))
      .where(where)
      .orderBy(asc(persons.namePinyin), asc(persons.id))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ total: sql<number>`count(*)::int` }).from(persons).where(where),
  ]);
  return { items, total };
}

/** All matching residents in pages of `batch`, for exports that must not hold everything in memory. */
export async function* streamResidents(db: Executor, scope: string[], filter: ResidentFilter, batch = 2000) {
  for (let offset = 0; ; offset += batch) {
    const rows = await db
      .select(listColumns)
      .from(persons)
      .innerJoin(orgUnits, eq(orgUnits.id, persons.orgUnitId))
      .where(whereOf(scope, filter))
      .orderBy(asc(persons.orgPath), asc(persons.namePinyin), asc(persons.id))
      .limit(batch)
      .offset(offset);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batch) return;
  }
}

export async function findResidentInScope(db: Executor, scope: string[], id: string) {
  const [row] = await db
    .select(listColumns)
    .from(persons)
    .innerJoin(orgUnits, eq(orgUnits.id, persons.orgUnitId))
    .where(and(eq(persons.id, id), live, inScope(persons.orgPath, scope)));
  return row;
}

/** The live record holding an ID number, wherever it is (dedup must see the whole registry). */
export async function findByIdHash(db: Executor, idHash: string) {
  const [row] = await db
    .select({ id: persons.id, orgPath: persons.orgPath })
    .from(persons)
    .where(and(eq(persons.idHash, idHash), live));
  return row;
}

/**
 * The registry's people among these ID hashes, wherever they live (a duplicate is a duplicate in
 * any grid): each hash with the person's org path, for the caller to tell who may know of them.
 */
export async function findExistingIdHashes(db: Executor, hashes: string[]) {
  if (hashes.length === 0) return new Map<string, string>();
  const rows = await db
    .select({ h: persons.idHash, orgPath: persons.orgPath })
    .from(persons)
    .where(and(inArray(persons.idHash, hashes), live));
  return new Map(rows.map((r) => [r.h, r.orgPath]));
}

/** Columns of a bulk insert, with their SQL types: one array parameter per column. */
const PERSON_COLUMNS = [
  ['id', 'uuid'],
  ['org_unit_id', 'uuid'],
  ['org_path', 'text'],
  ['household_id', 'uuid'],
  ['name', 'text'],
  ['name_pinyin', 'text'],
  ['name_initials', 'text'],
  ['document_type', 'text'],
  ['id_enc', 'text'],
  ['id_hash', 'text'],
  ['id_last4', 'text'],
  ['birth_year', 'smallint'],
  ['sex', 'text'],
  ['phone_enc', 'text'],
  ['phone_hash', 'text'],
  ['phone_last4', 'text'],
  ['address', 'text'],
  ['address_key', 'text'],
  ['residence_status', 'text'],
  ['synthetic', 'boolean'],
  ['district_code', 'text'],
] as const;

const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Inserts persons through `unnest` of one array per column: a statement with 20 parameters
 * whatever the row count, which PostgreSQL parses once, instead of 20 per row (several times
 * faster for imports and seeding, on the server and on PGlite alike).
 */
export async function insertPersons(db: Executor, rows: PersonInsert[]) {
  for (let i = 0; i < rows.length; i += 5000) {
    const slice = rows.slice(i, i + 5000) as unknown as Record<string, unknown>[];
    const arrays = PERSON_COLUMNS.map(([column, type]) => {
      const key = camel(column);
      const values = slice.map((r) =>
        key === 'synthetic'
          ? Boolean(r[key])
          : key === 'addressKey'
            ? addressSortKey(r.address as string)
            : (r[key] ?? null),
      );
      return sql`${sql.param(values)}::${sql.raw(type)}[]`;
    });
    await db.execute(
      sql`insert into ${persons} (${sql.raw(PERSON_COLUMNS.map(([c]) => c).join(', '))})
          select * from unnest(${sql.join(arrays, sql`, `)})`,
    );
  }
}

export async function updatePersonRow(db: Executor, id: string, patch: Partial<PersonInsert>) {
  await db
    .update(persons)
    .set({
      ...patch,
      ...(patch.address === undefined ? {} : { addressKey: addressSortKey(patch.address) }),
      updatedAt: sql`now()`,
    })
    .where(eq(persons.id, id));
}

export async function findKeyGroupsOf(db: Executor, scope: string[], personIds: string[]) {
  if (personIds.length === 0) return [];
  return db
    .select({
      personId: personKeyGroups.personId,
      code: personKeyGroups.classCode,
      name: keyGroupClasses.name,
      source: personKeyGroups.source,
      since: personKeyGroups.since,
    })
    .from(personKeyGroups)
    .innerJoin(keyGroupClasses, eq(keyGroupClasses.code, personKeyGroups.classCode))
    .innerJoin(persons, eq(persons.id, personKeyGroups.personId))
    .where(and(inArray(personKeyGroups.personId, personIds), inScope(persons.orgPath, scope)))
    .orderBy(asc(keyGroupClasses.sortOrder));
}

export async function insertKeyGroupMemberships(db: Executor, rows: (typeof personKeyGroups.$inferInsert)[]) {
  if (rows.length) await db.insert(personKeyGroups).values(rows).onConflictDoNothing();
}

export async function deleteKeyGroupMemberships(db: Executor, personId: string, codes: string[]) {
  if (codes.length) {
    await db
      .delete(personKeyGroups)
      .where(and(eq(personKeyGroups.personId, personId), inArray(personKeyGroups.classCode, codes)));
  }
}

export interface StatusRow {
  personId: string;
  kind: string;
  value: string;
  observedAt: Date | string;
  validUntil: Date | string | null;
  source: string;
  recordedByName: string | null;
}

/**
 * Statuses as recorded, plus each person's test results, which live once per tube (a result
 * reaches every member of the tube through their membership, valid for RESULT_VALID_HOURS).
 */
const allStatuses = sql`(
  select s.person_id, s.kind, s.value, s.observed_at, s.valid_until, s.source, s.recorded_by, s.created_at
  from ${personStatuses} s
  union all
  -- A tube's result is each member's (a released membership too: a pool left for a recheck, an
  -- invalid tube); a pool's positive is the pool's, and only a negative is valid for a while.
  select m.person_id, 'test_result',
         case when t.result = 'positive' and t.mode = any(${arrayParam([...POOLED_MODES], 'text')})
              then ${POOL_POSITIVE} else t.result end,
         t.tested_at,
         case when t.result = 'negative' then t.tested_at + make_interval(hours => ${RESULT_VALID_HOURS}) end,
         ${`${STATUS_SOURCES.tube.zh} `}::text || t.code, null, t.tested_at
  from (select person_id, tube_id from ${tubeMembers}
        union all select person_id, tube_id from ${releasedTubeMembers}) m
    join ${tubes} t on t.id = m.tube_id
  where t.result is not null)`;

/** The latest status of each kind for each person. */
export async function findCurrentStatuses(db: Executor, scope: string[], personIds: string[]) {
  if (personIds.length === 0) return [];
  return queryRows<StatusRow>(
    db,
    sql`select distinct on (s.person_id, s.kind)
               s.person_id as "personId", s.kind, s.value, s.observed_at as "observedAt",
               s.valid_until as "validUntil", s.source, u.display_name as "recordedByName"
        from ${allStatuses} s left join ${users} u on u.id = s.recorded_by
             join ${persons} on ${persons.id} = s.person_id
        where ${inScope(persons.orgPath, scope)} and s.person_id = any(${arrayParam(personIds, 'uuid')})
        order by s.person_id, s.kind, s.observed_at desc, s.created_at desc`,
  );
}

export async function findStatusHistory(db: Executor, scope: string[], personId: string) {
  return queryRows<StatusRow>(
    db,
    sql`select s.person_id as "personId", s.kind, s.value, s.observed_at as "observedAt",
               s.valid_until as "validUntil", s.source, u.display_name as "recordedByName"
        from ${allStatuses} s left join ${users} u on u.id = s.recorded_by
             join ${persons} on ${persons.id} = s.person_id
        where s.person_id = ${personId} and ${inScope(persons.orgPath, scope)}
        order by s.observed_at desc, s.created_at desc
        limit 200`,
  );
}

export async function insertStatus(db: Executor, row: typeof personStatuses.$inferInsert) {
  await db.insert(personStatuses).values(row);
}

/** Moves a duplicate's statuses and memberships to the survivor, then retires the duplicate. */
export async function mergePersonInto(db: Executor, duplicateId: string, survivorId: string) {
  await db
    .update(personStatuses)
    .set({ personId: survivorId })
    .where(eq(personStatuses.personId, duplicateId));
  await db.execute(
    sql`insert into ${personKeyGroups} (person_id, class_code, source, since)
        select ${survivorId}, class_code, source, since from ${personKeyGroups} where person_id = ${duplicateId}
        on conflict do nothing`,
  );
  await db.delete(personKeyGroups).where(eq(personKeyGroups.personId, duplicateId));
  // Work about the person (a recheck, a positive case) follows them to the survivor.
  await db
    .update(workItems)
    .set({ subjectId: survivorId, updatedAt: sql`now()` })
    .where(and(eq(workItems.subjectEntity, 'person'), eq(workItems.subjectId, duplicateId)));
  await db
    .update(persons)
    .set({ mergedInto: survivorId, updatedAt: sql`now()` })
    .where(or(eq(persons.id, duplicateId), eq(persons.mergedInto, duplicateId)));
  // The person was registered since the earlier of their two records: a round that ended between
  // the two still counts the survivor (it holds the duplicate's samples now) as due.
  await db.execute(
    sql`update ${persons} s set created_at = d.created_at
        from ${persons} d where s.id = ${survivorId} and d.id = ${duplicateId} and d.created_at < s.created_at`,
  );
}

export async function countResidents(db: Executor, scope: string[], subtreePath?: string) {
  const where = and(
    inScope(persons.orgPath, scope),
    live,
    subtreePath ? inScope(persons.orgPath, [subtreePath]) : undefined,
  );
  const byStatus = await db
    .select({ status: persons.residenceStatus, n: sql<number>`count(*)::int` })
    .from(persons)
    .where(where)
    .groupBy(persons.residenceStatus);
  const byGroup = await db
    .select({ code: personKeyGroups.classCode, n: sql<number>`count(*)::int` })
    .from(personKeyGroups)
    .innerJoin(persons, eq(persons.id, personKeyGroups.personId))
    .where(where)
    .groupBy(personKeyGroups.classCode);
  return { byStatus, byGroup };
}

// Households

/**
 * `forUpdate` locks the household row: someone joining a household and the household moving to
 * another grid go one after the other, so the joiner ends up where the household is.
 */
export async function findHouseholdInScope(db: Executor, scope: string[], id: string, forUpdate = false) {
  // Locked alone, then read: a locked row that changed meanwhile is re-checked by PostgreSQL
  // against the join's old grid row, and the household would seem gone.
  if (forUpdate)
    await db.select({ id: households.id }).from(households).where(eq(households.id, id)).for('update');
  const [row] = await db
    .select({ household: households, gridName: unitLabel('org_units') })
    .from(households)
    .innerJoin(orgUnits, eq(orgUnits.id, households.orgUnitId))
    .where(and(eq(households.id, id), inScope(households.orgPath, scope)));
  return row;
}

/**
 * Locks person rows in id order (whatever their scope: the reads after decide what is visible),
 * so two writes over the same two people (A into B and B into A at once) go one after the other
 * and the second sees the first's outcome.
 */
export async function lockPersons(db: Executor, ids: string[]) {
  await db.execute(
    sql`select id from ${persons} where id = any(${arrayParam(ids, 'uuid')}) order by id for update`,
  );
}

export async function findHouseholds(
  db: Executor,
  scope: string[],
  filter: { gridPath?: string; q?: string },
  page: { limit: number; offset: number },
) {
  const where = and(
    inScope(households.orgPath, scope),
    filter.gridPath ? inScope(households.orgPath, [filter.gridPath]) : undefined,
    filter.q ? sql`${households.address} ilike ${`%${escapeLike(filter.q)}%`}` : undefined,
  );
  const memberCount = sql<number>`(select count(*)::int from persons m where m.household_id = households.id and m.merged_into is null)`;
  const [items, [{ total }]] = await Promise.all([
    db
      .select({ household: households, gridName: unitLabel('org_units'), memberCount })
      .from(households)
      .innerJoin(orgUnits, eq(orgUnits.id, households.orgUnitId))
      .where(where)
      .orderBy(asc(households.addressKey), asc(households.id))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ total: sql<number>`count(*)::int` }).from(households).where(where),
  ]);
  return { items, total };
}

export async function findHouseholdMembers(db: Executor, scope: string[], householdId: string) {
  return db
    .select({
      id: persons.id,
      name: persons.name,
      residenceStatus: persons.residenceStatus,
      address: persons.address,
    })
    .from(persons)
    .where(and(eq(persons.householdId, householdId), live, inScope(persons.orgPath, scope)))
    .orderBy(asc(persons.birthYear));
}

export async function insertHouseholds(db: Executor, rows: HouseholdInsert[]) {
  if (rows.length)
    await db
      .insert(households)
      .values(rows.map((row) => ({ ...row, addressKey: addressSortKey(row.address) })));
}

/**
 * A household and its members to another grid, at its new address when one is given. Members
 * living at the household's address move house with it; a member registered in it at an address
 * of their own (a student's dormitory, a worker's site) keeps that address, and moves grid only.
 */
export async function moveHousehold(
  db: Executor,
  id: string,
  unit: { id: string; path: string },
  move: { from: string; to?: string },
) {
  const moved = move.to ? { address: move.to, addressKey: addressSortKey(move.to) } : undefined;
  await db
    .update(households)
    .set({ orgUnitId: unit.id, orgPath: unit.path, ...moved, updatedAt: sql`now()` })
    .where(eq(households.id, id));
  // At the household's address as the walking key reads it: 7号 and ７号 or 07号 are one door.
  const atHome = sql`${persons.addressKey} = ${addressSortKey(move.from)}`;
  await db
    .update(persons)
    .set({
      orgUnitId: unit.id,
      orgPath: unit.path,
      ...(moved && {
        address: sql`case when ${atHome} then ${moved.address} else ${persons.address} end`,
        addressKey: sql`case when ${atHome} then ${moved.addressKey} else ${persons.addressKey} end`,
      }),
      updatedAt: sql`now()`,
    })
    .where(eq(persons.householdId, id));
}

// Key-group classes

export async function findKeyGroupClasses(db: Executor) {
  return db.select().from(keyGroupClasses).orderBy(asc(keyGroupClasses.sortOrder), asc(keyGroupClasses.code));
}

export async function insertKeyGroupClass(db: Executor, row: typeof keyGroupClasses.$inferInsert) {
  await db.insert(keyGroupClasses).values(row);
}

export async function updateKeyGroupClass(
  db: Executor,
  code: string,
  patch: Partial<typeof keyGroupClasses.$inferInsert>,
) {
  const [row] = await db
    .update(keyGroupClasses)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(keyGroupClasses.code, code))
    .returning();
  return row;
}
