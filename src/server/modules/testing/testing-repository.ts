import { and, asc, desc, eq, getTableColumns, gte, inArray, isNull, lte, type SQL, sql } from 'drizzle-orm';
import { SYSTEM_FEEDBACK } from '../../../domain/permissions.ts';
import {
  DOOR_TO_DOOR_EXEMPTIONS,
  DUE_RESIDENCE_STATUSES,
  EXEMPT_RESIDENCE_STATUSES,
  POOLED_MODES,
} from '../../../domain/testing.ts';
import type { Executor } from '../../db/database.ts';
import { arrayLiteral, arrayParam, arrayPlaceholder, arrayRows, queryRows } from '../../db/rows.ts';
import {
  collectionPoints,
  households,
  labHandovers,
  labResultImports,
  orgUnits,
  persons,
  rechecks,
  releasedTubeMembers,
  roleGrants,
  rolePermissions,
  roundGridCounts,
  sweepHouseholds,
  sweeps,
  testExemptions,
  testRounds,
  tubeMembers,
  tubes,
  users,
  workItems,
} from '../../db/schema.ts';
import { unitLabel } from '../../db/unit-label.ts';
import { inScope, overlapsScope } from '../../platform/access/scope-sql.ts';

/** Residence statuses a round counts as due (living here, or away long-term and so exempt). */
const COUNTED_STATUSES = [...DUE_RESIDENCE_STATUSES, ...EXEMPT_RESIDENCE_STATUSES];

export type RoundRow = typeof testRounds.$inferSelect;
export type PointRow = typeof collectionPoints.$inferSelect;
export type TubeRow = typeof tubes.$inferSelect;

/** Where a query on people of a round looks: the node asked for, inside the round's area, inside the actor's scope. */
export interface Area {
  roundPath: string;
  nodePath: string;
  scope: string[];
  /** A round that has ended: only people registered before its end were due in it. */
  registeredBefore?: Date | null;
}

function inArea(pathColumn: SQL | typeof persons.orgPath, area: Area): SQL {
  return sql`(${inScope(pathColumn, [area.roundPath])} and ${inScope(pathColumn, [area.nodePath])} and ${inScope(pathColumn, area.scope)})`;
}

/** A person (`p`) of the area, and of the round's time: registered before it ended, if it has. */
function personInArea(area: Area): SQL {
  return area.registeredBefore
    ? sql`(${inArea(sql`p.org_path`, area)} and p.created_at < ${area.registeredBefore.toISOString()}::timestamptz)`
    : inArea(sql`p.org_path`, area);
}

// ---- rounds and points ------------------------------------------------------------------------

export async function insertRound(db: Executor, row: typeof testRounds.$inferInsert) {
  const [inserted] = await db.insert(testRounds).values(row).returning();
  return inserted as RoundRow;
}

/**
 * Whether a round is cancelled, as of now, inside a write about it: key-share locked, so a cancel
 * under way (which locks the round for update) is waited for and its outcome seen.
 */
export async function isRoundCancelledNow(db: Executor, roundId: string) {
  const [row] = await queryRows<{ cancelled: boolean }>(
    db,
    sql`select cancelled_at is not null as cancelled from ${testRounds} where id = ${roundId} for key share`,
  );
  return row?.cancelled ?? false;
}

/** A round the actor may see: over their area or an area around it. */
export async function findRoundVisible(db: Executor, scope: string[], id: string) {
  const [row] = await db
    .select()
    .from(testRounds)
    .where(and(eq(testRounds.id, id), overlapsScope(testRounds.orgPath, scope)));
  return row;
}

/** Rounds on an area (containing it or within it) with a day in common with from–to, not cancelled. */
export interface RoundOverlap {
  areaPath?: string;
  from?: string;
  to?: string;
}

export async function findRoundsVisible(
  db: Executor,
  scope: string[],
  page: { limit: number; offset: number },
  overlapping?: RoundOverlap,
) {
  const where = and(
    overlapsScope(testRounds.orgPath, scope),
    overlapping ? isNull(testRounds.cancelledAt) : undefined,
    overlapping?.areaPath ? overlapsScope(testRounds.orgPath, [overlapping.areaPath]) : undefined,
    overlapping?.from ? gte(testRounds.endsOn, overlapping.from) : undefined,
    overlapping?.to ? lte(testRounds.startsOn, overlapping.to) : undefined,
  );
  const [items, [count]] = await Promise.all([
    db
      .select({
        round: testRounds,
        orgUnitName: orgUnits.name,
      })
      .from(testRounds)
      .innerJoin(orgUnits, eq(orgUnits.id, testRounds.orgUnitId))
      .where(where)
      .orderBy(desc(testRounds.startsOn), desc(testRounds.createdAt))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ n: sql<number>`count(*)::int` }).from(testRounds).where(where),
  ]);
  return { items, total: count?.n ?? 0 };
}

/**
 * A round the actor organises (its node in their scope), locked for a change. A cancel locks it
 * for update, which the scans' key-share locks wait for (so none writes into it meanwhile); a
 * change of its fields `no key update`, which they do not (scanning goes on while it is edited).
 */
export async function lockRoundInScope(
  db: Executor,
  scope: string[],
  id: string,
  strength: 'update' | 'no key update' = 'update',
) {
  const [row] = await db
    .select({ round: testRounds, orgUnitName: orgUnits.name })
    .from(testRounds)
    .innerJoin(orgUnits, eq(orgUnits.id, testRounds.orgUnitId))
    .where(and(eq(testRounds.id, id), inScope(testRounds.orgPath, scope)))
    .for(strength, { of: testRounds });
  return row;
}

export async function updateRound(
  db: Executor,
  id: string,
  patch: Partial<
    Pick<
      RoundRow,
      'name' | 'startsOn' | 'endsOn' | 'defaultMode' | 'singleTubeKeyGroups' | 'cancelledAt' | 'cancelReason'
    >
  >,
) {
  const [row] = await db
    .update(testRounds)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(testRounds.id, id))
    .returning();
  return row as RoundRow;
}

/**
 * The first and last instants anyone was sampled in a round (memberships released for a recheck
 * count: they were sampled then): what days taken from a round must leave in it.
 */
export async function findSamplingSpan(db: Executor, roundId: string) {
  const [row] = await queryRows<{ first: string | null; last: string | null }>(
    db,
    sql`select min(s.at)::text as first, max(s.at)::text as last
        from (select min(scanned_at) as at from ${tubeMembers} where round_id = ${roundId}
              union all select max(scanned_at) from ${tubeMembers} where round_id = ${roundId}
              union all select min(scanned_at) from ${releasedTubeMembers} where round_id = ${roundId}
              union all select max(scanned_at) from ${releasedTubeMembers} where round_id = ${roundId}) s`,
  );
  return {
    first: row?.first ? new Date(row.first) : null,
    last: row?.last ? new Date(row.last) : null,
  };
}

/** Whether a round has any tube (anything sampled in it): then it is ended early, not cancelled. */
export async function roundHasTubes(db: Executor, roundId: string) {
  const [row] = await queryRows<{ any: boolean }>(
    db,
    sql`select exists (select 1 from ${tubes} where round_id = ${roundId}) as any`,
  );
  return row?.any ?? false;
}

export async function insertPoint(db: Executor, row: typeof collectionPoints.$inferInsert) {
  const [inserted] = await db.insert(collectionPoints).values(row).returning();
  return inserted as PointRow;
}

export async function findPointsOfRound(db: Executor, scope: string[], roundId: string) {
  return db
    .select({ point: collectionPoints, orgUnitName: orgUnits.name })
    .from(collectionPoints)
    .innerJoin(orgUnits, eq(orgUnits.id, collectionPoints.orgUnitId))
    .where(and(eq(collectionPoints.roundId, roundId), overlapsScope(collectionPoints.orgPath, scope)))
    .orderBy(asc(collectionPoints.name));
}

export async function findPointInScope(db: Executor, scope: string[], id: string) {
  const [row] = await db
    .select()
    .from(collectionPoints)
    .where(and(eq(collectionPoints.id, id), inScope(collectionPoints.orgPath, scope)));
  return row;
}

export async function pointNameTaken(db: Executor, roundId: string, name: string, exceptId?: string) {
  const [row] = await db
    .select({ id: collectionPoints.id })
    .from(collectionPoints)
    .where(
      and(
        eq(collectionPoints.roundId, roundId),
        eq(collectionPoints.name, name),
        exceptId ? sql`${collectionPoints.id} <> ${exceptId}` : undefined,
      ),
    );
  return Boolean(row);
}

/** A point of a round, in the actor's scope, locked for a change, with its unit's name. */
export async function lockPointInScope(db: Executor, scope: string[], roundId: string, pointId: string) {
  const [row] = await db
    .select({ point: collectionPoints, orgUnitName: orgUnits.name })
    .from(collectionPoints)
    .innerJoin(orgUnits, eq(orgUnits.id, collectionPoints.orgUnitId))
    .where(
      and(
        eq(collectionPoints.id, pointId),
        eq(collectionPoints.roundId, roundId),
        inScope(collectionPoints.orgPath, scope),
      ),
    )
    .for('update', { of: collectionPoints });
  return row;
}

export async function updatePoint(
  db: Executor,
  id: string,
  patch: Partial<Pick<PointRow, 'name' | 'place' | 'hours' | 'samplerUserIds' | 'closedAt'>>,
) {
  const [row] = await db
    .update(collectionPoints)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(collectionPoints.id, id))
    .returning();
  return row as PointRow;
}

// ---- scanning ---------------------------------------------------------------------------------

export interface ScanPointRow {
  pointId: string;
  roundId: string;
  pointPath: string;
  districtCode: string;
  startsOn: string;
  endsOn: string;
  defaultMode: string;
  singleTubeKeyGroups: string[];
  samplerUserIds: string[];
  roundCancelled: boolean;
  pointClosed: boolean;
}

export interface ScanPersonRow {
  codeId: string;
  /** The version of the record the code was minted for (see person-code.ts). */
  codeVersion: number;
  id: string;
  name: string;
  householdId: string | null;
  orgPath: string;
  residenceStatus: string;
  keyGroups: string[];
  controlState: string | null;
}

/**
 * Everything a batch of scans decides on, in one round trip: the points with their rounds; the
 * persons behind the codes (a merged duplicate's code reaches its survivor) with what decides their
 * sampling mode; and which of them are already sampled in those rounds. Persons are read by code:
 * whoever holds a person's code may sample them at any point; only the masked name goes back.
 */
export function scanContextStatement(earlier: SQL): SQL {
  return sql`with pts as (
          select p.id as "pointId", p.round_id as "roundId", p.org_path as "pointPath", p.district_code as "districtCode",
                 r.starts_on::text as "startsOn", r.ends_on::text as "endsOn", r.default_mode as "defaultMode",
                 r.single_tube_key_groups as "singleTubeKeyGroups", p.sampler_user_ids as "samplerUserIds",
                 r.cancelled_at is not null as "roundCancelled", p.closed_at is not null as "pointClosed"
          -- Each point's round by its key (LATERAL … OFFSET 0): the statement keeps one plan,
          -- made perhaps while the tables were small, which must not read them whole later.
          from ${collectionPoints} p cross join lateral (
            select * from ${testRounds} r where r.id = p.round_id offset 0) r
          where p.id = any(${arrayPlaceholder('pointIds', 'uuid')})),
        ppl as (
          select d.id as "codeId", d.code_version as "codeVersion", s.id, s.name, s.household_id as "householdId", s.org_path as "orgPath",
                 s.residence_status as "residenceStatus",
                 coalesce((select array_agg(k.class_code) from person_key_groups k where k.person_id = s.id), '{}') as "keyGroups",
                 (select st.value from person_statuses st where st.person_id = s.id and st.kind = 'control_state'
                   order by st.observed_at desc, st.created_at desc limit 1) as "controlState"
          from ${persons} d join ${persons} s on s.id = coalesce(d.merged_into, d.id)
          where d.id = any(${arrayPlaceholder('personIds', 'uuid')}))
        select (select json_agg(pts) from pts) as points,
               (select json_agg(ppl) from ppl) as persons,
               (select json_agg(json_build_object('roundId', m.round_id, 'personId', m.person_id,
                                                  'tubeCode', (select t.code from ${tubes} t where t.id = m.tube_id)))
                  from ppl cross join lateral (
                    -- Person by person through the primary key, and each one's tube by its key;
                    -- OFFSET 0 and the subquery keep the planner from scanning the round's
                    -- memberships or tubes (they grow to millions) on a plan made while they were small.
                    select m.round_id, m.person_id, m.tube_id from ${tubeMembers} m
                    where m.person_id = ppl.id and m.round_id = any(${arrayPlaceholder('roundIds', 'uuid')})
                    offset 0) m) as sampled,
               (select json_agg(json_build_object('id', t.id, 'code', t.code, 'roundId', t.round_id,
                  'pointId', t.point_id, 'orgPath', t.org_path, 'mode', t.mode, 'capacity', t.capacity,
                  'householdId', t.household_id, 'memberCount', t.member_count, 'state', t.state))
                  from ${tubes} t where t.code = any(${arrayPlaceholder('tubeCodes', 'text')})) as tubes,
               ${earlier} as earlier`;
}

/** Renews a person's code (in scope, not merged away): the version goes up by one. */
export async function raiseCodeVersion(db: Executor, scope: string[], personId: string) {
  const [row] = await queryRows<{ id: string; orgPath: string; codeVersion: number }>(
    db,
    sql`update ${persons} set code_version = code_version + 1, updated_at = now()
        where id = ${personId} and merged_into is null and ${inScope(sql`org_path`, scope)}
        returning id, org_path as "orgPath", code_version as "codeVersion"`,
  );
  return row;
}

export interface ScanContext {
  points: ScanPointRow[];
  persons: ScanPersonRow[];
  sampled: { roundId: string; personId: string; tubeCode: string }[];
  tubes: ScanTubeRow[];
}

/** The context from the read's row (each part is null when nothing matched). */
export function scanContextOf(row: Record<string, unknown>): ScanContext {
  const part = <T>(v: unknown) => (v ?? []) as T[];
  return {
    points: part(row.points),
    persons: part(row.persons),
    sampled: part(row.sampled),
    tubes: part(row.tubes),
  };
}

/** A tube as a batch of scans plans on it. */
export interface ScanTubeRow {
  id: string;
  code: string;
  roundId: string;
  pointId: string;
  orgPath: string;
  mode: string;
  capacity: number;
  householdId: string | null;
  memberCount: number;
  state: string;
}

/** A tube a batch of scans opens, with the members it takes (it opens in state `opened`). */
export interface NewTube extends Omit<ScanTubeRow, 'state'> {
  openedBy: string;
  districtCode: string;
}

/** An open tube a batch of scans adds to: planned on `expectedCount` members, adds `added`. */
export interface TubeIntake {
  id: string;
  /** Orders the tubes' locks; not sent. */
  code: string;
  expectedCount: number;
  added: number;
  householdId: string | null;
}

export interface NewMember {
  roundId: string;
  personId: string;
  tubeId: string;
  samplerId: string;
  scannedAt: string;
  personPath: string;
  residenceStatus: string;
}

/** The parts of a batch of scans' statement, as rows of array parameters. */
const openedRows = arrayRows<NewTube>('open', {
  id: ['uuid', (t) => t.id],
  code: ['text', (t) => t.code],
  round_id: ['uuid', (t) => t.roundId],
  point_id: ['uuid', (t) => t.pointId],
  org_path: ['text', (t) => t.orgPath],
  mode: ['text', (t) => t.mode],
  capacity: ['int', (t) => t.capacity],
  household_id: ['uuid', (t) => t.householdId],
  opened_by: ['uuid', (t) => t.openedBy],
  district_code: ['text', (t) => t.districtCode],
  member_count: ['int', (t) => t.memberCount],
});
const intakeRows = arrayRows<TubeIntake>('intake', {
  id: ['uuid', (t) => t.id],
  expected: ['int', (t) => t.expectedCount],
  added: ['int', (t) => t.added],
  household_id: ['uuid', (t) => t.householdId],
});
const memberRows = arrayRows<NewMember>('member', {
  round_id: ['uuid', (m) => m.roundId],
  person_id: ['uuid', (m) => m.personId],
  tube_id: ['uuid', (m) => m.tubeId],
  sampler_id: ['uuid', (m) => m.samplerId],
  scanned_at: ['timestamptz', (m) => m.scannedAt],
  person_path: ['text', (m) => m.personPath],
  residence_status: ['text', (m) => m.residenceStatus],
});

/**
 * The writes of a batch of scans, as parts of the batch's one statement (see `runWriteBatch`):
 * the tubes it opens (with their members counted and sealed when full), the open tubes it adds to,
 * locked in code order (so overlapping batches never deadlock) and changed only if they still
 * hold the count and state the plan was made on, the memberships (a person goes in once per round:
 * a concurrent scan through another app server may have won), and the round's per-grid counts.
 * `holds` is true when every part did all that was planned; otherwise the batch is planned again.
 */
export function sampleIntoTubesStatement() {
  const ctes = [
    sql`opened as (
      insert into ${tubes} as t (id, code, round_id, point_id, org_path, mode, capacity, household_id, opened_by,
                              district_code, member_count, state, sealed_at)
      select id, code, round_id, point_id, org_path, mode, capacity, household_id, opened_by, district_code,
             member_count,
             case when member_count >= capacity then 'sealed' else 'opened' end,
             case when member_count >= capacity then now() end
      from ${openedRows.unnest('i')}
      -- Every insert of the statement in key order, so overlapping batches never deadlock (tube
      -- codes byte by byte, "C", as the batch sorts them and as hand-overs lock them).
      order by code collate "C"
      on conflict (code) do nothing
      returning 1)`,
    sql`intake as (select * from ${intakeRows.unnest('i')})`,
    // Tube by tube through the primary key, in the order of the rows (by code byte by byte, as
    // hand-overs lock them, so overlapping writes lock in one order and never deadlock; the codes
    // are ASCII, so JavaScript's order is PostgreSQL's "C"). A locked row is the newest version
    // (one committed meanwhile included), so its count and state are what the plan is checked on.
    // The statement keeps one plan for every batch: every tube is reached by its key, as a plan
    // made while a round's tubes were few would otherwise read them all (or all the open ones).
    sql`locked as materialized (
      select l.id, l.member_count, l.state
      from intake i cross join lateral (
        select t.id, t.member_count, t.state from ${tubes} t where t.id = i.id for update) l)`,
    sql`bumped as (
      update ${tubes} t
      set member_count = t.member_count + i.added,
          household_id = coalesce(t.household_id, i.household_id),
          state = case when t.member_count + i.added >= t.capacity then 'sealed' else t.state end,
          sealed_at = case when t.member_count + i.added >= t.capacity then now() else t.sealed_at end
      from intake i join locked l on l.id = i.id
      where t.id = l.id and l.member_count = i.expected and l.state = 'opened'
      returning 1)`,
    sql`member_input as (select * from ${memberRows.unnest('i')})`,
    sql`added as (
      insert into ${tubeMembers} (round_id, person_id, tube_id, sampler_id, scanned_at)
      select round_id, person_id, tube_id, sampler_id, scanned_at from member_input
      order by round_id, person_id
      on conflict do nothing
      returning 1)`,
    sql`counted as (
      insert into ${roundGridCounts} as g (round_id, org_path, sampled, sampled_away)
      select i.round_id, i.person_path,
             count(*) filter (where i.residence_status = any(${arrayParam(COUNTED_STATUSES, 'text')}))::int,
             count(*) filter (where i.residence_status = 'away')::int
      from member_input i
      group by i.round_id, i.person_path
      -- Grid rows in key order, so overlapping batches lock them in the same order.
      order by i.round_id, i.person_path
      on conflict (round_id, org_path) do update
        set sampled = g.sampled + excluded.sampled, sampled_away = g.sampled_away + excluded.sampled_away
      returning 1)`,
  ];
  // The batch's points, still open in rounds not cancelled, as of now: the plan read them before,
  // and a 撤点 or a cancel may have committed since. Key-share locked, so a close or cancel under
  // way (which locks the row for update) is waited for and its outcome seen (PostgreSQL checks a
  // locked row's condition again on its newest version); the batch is then planned again, and
  // its scans refused as closed.
  ctes.push(
    sql`open_points as materialized (
      select p.id from ${collectionPoints} p
        -- Each point's round by its key (one plan for every batch, as in the read).
        cross join lateral (
          select r.cancelled_at from ${testRounds} r where r.id = p.round_id for key share) r
      where p.id = any(${arrayPlaceholder('point_ids', 'uuid')})
        and p.closed_at is null and r.cancelled_at is null
      for key share of p)`,
  );
  const holds = sql`(select count(*) from opened) = ${sql.placeholder('open_count')}
    and (select count(*) from bumped) = ${sql.placeholder('intake_count')}
    and (select count(*) from added) = ${sql.placeholder('member_count')}
    and (select count(*) from open_points) = ${sql.placeholder('point_count')}`;
  return { ctes, holds };
}

/** The values of `sampleIntoTubesStatement` for what a batch of scans planned. */
export function sampleIntoTubesValues(plan: {
  opened: NewTube[];
  intakes: TubeIntake[];
  members: NewMember[];
  /** The points the batch samples at, each once. */
  pointIds: string[];
}) {
  const byCode = (a: { code: string }, b: { code: string }) =>
    a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  const opened = [...plan.opened].sort(byCode);
  const values: Record<string, unknown> = {
    point_ids: arrayLiteral(plan.pointIds),
    point_count: plan.pointIds.length,
    open_count: opened.length,
    intake_count: plan.intakes.length,
    member_count: plan.members.length,
  };
  openedRows.values(opened, values);
  intakeRows.values([...plan.intakes].sort(byCode), values);
  return memberRows.values(plan.members, values);
}

/** Rebuilds a round's per-grid counts from its memberships (after a bulk load, or to repair drift). */
export async function recountRoundCoverage(db: Executor, roundId: string) {
  await db.execute(sql`delete from ${roundGridCounts} where round_id = ${roundId}`);
  await db.execute(
    sql`insert into ${roundGridCounts} (round_id, org_path, sampled, sampled_away)
        select m.round_id, p.org_path,
               count(*) filter (where p.residence_status = any(${arrayParam(COUNTED_STATUSES, 'text')}))::int,
               count(*) filter (where p.residence_status = 'away')::int
        from ${tubeMembers} m join ${persons} p on p.id = m.person_id
        where m.round_id = ${roundId}
        group by m.round_id, p.org_path`,
  );
}

// ---- tubes ------------------------------------------------------------------------------------

/** A tube the actor may handle: its point lies in their scope. */
export async function findTubeInScope(db: Executor, scope: string[], code: string, forUpdate = false) {
  const query = db
    .select()
    .from(tubes)
    .where(and(eq(tubes.code, code), inScope(tubes.orgPath, scope)));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

/**
 * The memberships matching a condition, with those of invalid tubes released for sampling again:
 * who was swabbed into which tube (a tube's members, a day's swabs), not who counts as sampled.
 */
function everSampled(where: SQL): SQL {
  const columns = sql`round_id, person_id, tube_id, sampler_id, scanned_at`;
  return sql`(select ${columns} from ${tubeMembers} where ${where}
              union all
              select ${columns} from ${releasedTubeMembers} where ${where})`;
}

export async function findTubeMembers(db: Executor, tubeId: string) {
  return queryRows<{ personId: string; name: string; scannedAt: string; samplerName: string | null }>(
    db,
    sql`select m.person_id as "personId", p.name, m.scanned_at as "scannedAt", u.display_name as "samplerName"
        from ${everSampled(sql`tube_id = ${tubeId}`)} m
          join ${persons} p on p.id = m.person_id left join ${users} u on u.id = m.sampler_id
        order by m.scanned_at, p.name`,
  );
}

/** A point's tubes, newest first; tubes opened together (a batch of scans) by code, as on their labels. */
export async function findTubesOfPoint(db: Executor, pointId: string, limit: number) {
  return db
    .select()
    .from(tubes)
    .where(eq(tubes.pointId, pointId))
    .orderBy(desc(tubes.openedAt), asc(tubes.code))
    .limit(limit);
}

export async function updateTube(db: Executor, id: string, patch: Partial<typeof tubes.$inferInsert>) {
  const [row] = await db.update(tubes).set(patch).where(eq(tubes.id, id)).returning();
  return row as TubeRow;
}

/** Tubes by code in the actor's scope, locked, for a state change of many (hand-over, receipt). */
/**
 * A lab's share of tubes: with `labIds` (the labs whose team the actor is on), tubes handed to
 * one of them or to none yet; with null (the command centre standing in), any; with none, none.
 */
function ofLabs(labIds: string[] | null | undefined): SQL {
  if (!labIds) return sql`true`;
  if (labIds.length === 0) return sql`false`;
  return sql`(${tubes.labId} is null or ${tubes.labId} = any(${arrayParam(labIds, 'uuid')}))`;
}

export async function lockTubesInScope(
  db: Executor,
  scope: string[],
  codes: string[],
  labIds: string[] | null = null,
) {
  return (
    db
      .select()
      .from(tubes)
      .where(and(inArray(tubes.code, codes), inScope(tubes.orgPath, scope), ofLabs(labIds)))
      // Byte by byte, whatever the database's collation: the order a batch of scans locks them in.
      .orderBy(sql`${tubes.code} collate "C"`)
      .for('update')
  );
}

/**
 * Hand-overs still to receive (some tube sent, not yet received) in a lab's scope: to the actor's
 * labs, to any lab (null: an organiser of testing standing in), or to none. Newest first, with
 * their tubes' codes.
 */
export async function findHandoversToReceive(db: Executor, scope: string[], labIds: string[] | null) {
  return queryRows<{
    id: string;
    labName: string;
    roundName: string;
    tubeCount: number;
    waiting: number;
    createdAt: string;
    createdByName: string | null;
    tubeCodes: string[];
  }>(
    db,
    sql`select h.id, h.lab_name as "labName", r.name as "roundName", h.tube_count as "tubeCount",
               w.waiting, h.created_at as "createdAt", u.display_name as "createdByName", w.codes as "tubeCodes"
        from ${labHandovers} h
          join ${testRounds} r on r.id = h.round_id
          left join ${users} u on u.id = h.created_by
          cross join lateral (
            select count(*)::int as waiting, array_agg(t.code order by t.code) as codes
            from ${tubes} t where t.handover_id = h.id and t.state = 'sent') w
        where w.waiting > 0 and ${inScope(sql`h.org_path`, scope)}
          and ${labIds ? sql`h.lab_id = any(${arrayParam(labIds, 'uuid')})` : sql`true`}
        order by h.created_at desc
        limit 100`,
  );
}

export async function insertHandover(db: Executor, row: typeof labHandovers.$inferInsert) {
  await db.insert(labHandovers).values(row);
}

/** Tubes handed to no lab yet go to this one (a lab receiving by scanning, or by its results). */
export async function assignTubesToLab(db: Executor, ids: string[], labId: string | null) {
  if (ids.length === 0 || !labId) return;
  await db
    .update(tubes)
    .set({ labId })
    .where(and(inArray(tubes.id, ids), isNull(tubes.labId)));
}

export async function setTubesState(db: Executor, ids: string[], patch: Partial<typeof tubes.$inferInsert>) {
  if (ids.length === 0) return;
  await db.update(tubes).set(patch).where(inArray(tubes.id, ids));
}

// ---- lab results ------------------------------------------------------------------------------

/**
 * Tubes by code whose point lies in the actor's scope (a lab's grant covers the points it serves).
 * `forUpdate` locks them, in code order byte by byte (as scans and hand-overs lock tubes), so two
 * imports of one tube at once are applied one after the other: the second sees the first's result.
 */
export async function findTubesByCodes(
  db: Executor,
  scope: string[],
  codes: string[],
  options: { forUpdate?: boolean; labIds?: string[] | null } = {},
) {
  if (codes.length === 0) return [];
  return queryRows<{
    id: string;
    code: string;
    state: string;
    result: string | null;
    mode: string;
    roundId: string;
    memberCount: number;
    orgPath: string;
    testedAt: string | null;
    ct: string | null;
    resultImportId: string | null;
    firstScanAt: string | null;
  }>(
    db,
    sql`select id, code, state, result, mode, round_id as "roundId", member_count as "memberCount", org_path as "orgPath",
               tested_at as "testedAt", ct, result_import_id as "resultImportId",
               (select min(m.scanned_at) from ${tubeMembers} m where m.tube_id = ${tubes}.id) as "firstScanAt"
        from ${tubes} where code = any(${arrayParam(codes, 'text')}) and ${inScope(sql`org_path`, scope)}
          and ${ofLabs(options.labIds)}
        ${options.forUpdate ? sql`order by code collate "C" for update` : sql``}`,
  );
}

export async function insertResultImport(db: Executor, row: typeof labResultImports.$inferInsert) {
  await db.insert(labResultImports).values(row);
}

/** Sets results on many tubes in one statement. */
export async function setTubeResults(
  db: Executor,
  importId: string,
  rows: { id: string; result: string; testedAt: string; ct: string | null }[],
  /** The lab testing them, for those handed to no lab (null: they stay so). */
  labId: string | null = null,
  /** A correction: a negative may be written over (a retest found it positive). */
  correcting = false,
) {
  for (let i = 0; i < rows.length; i += 20000) {
    const slice = rows.slice(i, i + 20000);
    await db.execute(
      sql`update ${tubes} t
          set result = d.result, tested_at = d.tested_at, ct = d.ct, state = 'tested',
              result_import_id = ${importId}, received_at = coalesce(t.received_at, d.tested_at),
              lab_id = coalesce(t.lab_id, ${labId}::uuid)
          from unnest(${arrayParam(
            slice.map((r) => r.id),
            'uuid',
          )}, ${arrayParam(
            slice.map((r) => r.result),
            'text',
          )}, ${arrayParam(
            slice.map((r) => r.testedAt),
            'timestamptz',
          )}, ${arrayParam(
            slice.map((r) => r.ct),
            'text',
          )}) as d(id, result, tested_at, ct)
          -- Never over a result: the tubes are locked and read again before this.
          where t.id = d.id and (t.result is null ${correcting ? sql`or t.result = 'negative'` : sql``})`,
    );
  }
}

export interface MemberOfTube {
  tubeId: string;
  tubeCode: string;
  roundId: string;
  personId: string;
  name: string;
  orgPath: string;
  orgUnitId: string;
  address: string;
  districtCode: string;
}

export async function findMembersOfTubes(db: Executor, tubeIds: string[]) {
  if (tubeIds.length === 0) return [];
  return queryRows<MemberOfTube>(
    db,
    sql`select m.tube_id as "tubeId", t.code as "tubeCode", m.round_id as "roundId", p.id as "personId", p.name,
               p.org_path as "orgPath", p.org_unit_id as "orgUnitId", p.address,
               p.district_code as "districtCode"
        from ${tubeMembers} m join ${tubes} t on t.id = m.tube_id join ${persons} p on p.id = m.person_id
        where m.tube_id = any(${arrayParam(tubeIds, 'uuid')})`,
  );
}

/** Grid workers of grids: whoever holds the grid-worker role directly on the grid (first by name). */
export async function findGridWorkers(db: Executor, orgUnitIds: string[]) {
  if (orgUnitIds.length === 0) return new Map<string, string>();
  const rows = await queryRows<{ orgUnitId: string; userId: string }>(
    db,
    sql`select distinct on (g.org_unit_id) g.org_unit_id as "orgUnitId", g.user_id as "userId"
        from role_grants g join ${users} u on u.id = g.user_id
        where g.role_code = 'grid_worker' and u.active and g.org_unit_id = any(${arrayParam(orgUnitIds, 'uuid')})
        order by g.org_unit_id, u.username`,
  );
  return new Map(rows.map((r) => [r.orgUnitId, r.userId]));
}

export async function insertRechecks(db: Executor, rows: (typeof rechecks.$inferInsert)[]) {
  if (rows.length === 0) return [];
  return db
    .insert(rechecks)
    .values(rows)
    .onConflictDoNothing()
    .returning({ id: rechecks.id, personId: rechecks.personId, workItemId: rechecks.workItemId });
}

/** Open rechecks of persons: a single-tube result closes them. */
export async function closeRechecksOf(db: Executor, personIds: string[], state: string) {
  if (personIds.length === 0) return [];
  return db
    .update(rechecks)
    .set({ state, closedAt: sql`now()` })
    .where(and(inArray(rechecks.personId, personIds), eq(rechecks.state, 'open')))
    .returning({ id: rechecks.id, workItemId: rechecks.workItemId });
}

/** Each person's latest control state (people with none are left out). */
export async function latestControlStates(db: Executor, personIds: string[]) {
  if (personIds.length === 0) return new Map<string, { value: string; source: string }>();
  const rows = await queryRows<{ personId: string; value: string; source: string }>(
    db,
    sql`select distinct on (s.person_id) s.person_id as "personId", s.value, s.source
        from person_statuses s
        where s.kind = 'control_state' and s.person_id = any(${arrayParam([...new Set(personIds)], 'uuid')})
        order by s.person_id, s.observed_at desc, s.created_at desc`,
  );
  return new Map(rows.map((r) => [r.personId, { value: r.value, source: r.source }]));
}

/**
 * Of these persons, those to release after their rechecks: no recheck left open, and their latest
 * control state the temporary control a pooled positive set (its source starts `sourcePrefix`).
 */
export async function findReleasableAfterRechecks(db: Executor, personIds: string[], sourcePrefix: string) {
  if (personIds.length === 0) return [];
  return queryRows<{ personId: string; districtCode: string; orgPath: string }>(
    db,
    sql`with latest as (
          select distinct on (s.person_id) s.person_id, s.value, s.source, s.district_code
          from person_statuses s
          where s.kind = 'control_state' and s.person_id = any(${arrayParam(personIds, 'uuid')})
          order by s.person_id, s.observed_at desc, s.created_at desc)
        select l.person_id as "personId", l.district_code as "districtCode", p.org_path as "orgPath"
        from latest l join ${persons} p on p.id = l.person_id
        where l.value = 'temporary_control' and starts_with(l.source, ${sourcePrefix})
          and not exists (select 1 from ${rechecks} r where r.person_id = l.person_id and r.state = 'open')`,
  );
}

/**
 * Open rechecks closed by these single tubes: a recheck closes on a single sample of its person
 * taken after their sample in the positive pool (whenever the lab's results arrive, in one file or
 * in two), never on one taken before it.
 */
/**
 * A membership (`m`) that answers a recheck (`r`): its person's, sampled after their membership of
 * the pool (which may have been released for the recheck in the same round). One rule for closing
 * rechecks and for the recall list's "sampled alone, result to come".
 */
function answersRecheck(m: string): SQL {
  const member = sql.raw(m);
  return sql`${member}.person_id = r.person_id
    and ${member}.scanned_at > (select max(pm.scanned_at)
                                from ${everSampled(sql`tube_id = r.tube_id and person_id = r.person_id`)} pm)`;
}

/**
 * Found and sampled alone, the result still to come: the single tube an open recheck (`r`) waits
 * on (the one that closes it, as closeRechecksOfTubeMembers judges: after the pool's), selecting
 * `columns` of it (`t2` the tube, `m2` the membership). One rule for the command centre's recall
 * list and the recall's work item on the grid worker's phone.
 */
export function awaitedSingleTube(columns: SQL): SQL {
  return sql`select ${columns} from ${tubeMembers} m2 join ${tubes} t2 on t2.id = m2.tube_id
             where r.state = 'open' and t2.mode = 'single' and ${answersRecheck('m2')}
             order by m2.scanned_at desc limit 1`;
}

/** The single tube the open recheck of a work item waits on, if its person was sampled alone. */
export function awaitedTubeOfItem(workItemId: SQL): SQL<string | null> {
  return sql<string | null>`(select (${awaitedSingleTube(sql`t2.code`)})
                              from ${rechecks} r where r.work_item_id = ${workItemId} limit 1)`;
}

/** A recheck (`r`) that one of these (single) tubes answers. */
function answeredByTubes(tubeIds: string[]): SQL {
  return sql`exists (
          select 1 from ${tubeMembers} m
          where m.tube_id = any(${arrayParam(tubeIds, 'uuid')}) and ${answersRecheck('m')})`;
}

export async function closeRechecksOfTubeMembers(db: Executor, tubeIds: string[], state: string) {
  if (tubeIds.length === 0) return [];
  return queryRows<{ id: string; personId: string; workItemId: string | null }>(
    db,
    sql`update ${rechecks} r set state = ${state}, closed_at = now()
        where r.state = 'open' and ${answeredByTubes(tubeIds)}
        returning r.id, r.person_id as "personId", r.work_item_id as "workItemId"`,
  );
}

/**
 * Rechecks these single tubes closed as negative, open again: a retest found the tube positive,
 * and the follow-up of its corrected result closes them as positive.
 */
export async function reopenRechecksAnsweredBy(db: Executor, tubeIds: string[]) {
  if (tubeIds.length === 0) return;
  // Their work items open again too, so the positive closes them with its own word (they said
  // "negative, released").
  await db.execute(
    sql`with reopened as (
          update ${rechecks} r set state = 'open', closed_at = null
          where r.state = 'negative' and ${answeredByTubes(tubeIds)}
          returning r.work_item_id)
        update ${workItems} w set state = 'open', done_at = null, updated_at = now()
        from reopened x where w.id = x.work_item_id and w.state = 'done'`,
  );
}

// ---- coverage ---------------------------------------------------------------------------------

export interface CoverageRow {
  orgPath: string;
  reason: string | null;
  due: number;
  sampled: number;
  /** Exempt by residence status (away long-term), with no exemption recorded for each. */
  byStatus?: true;
}

/**
 * A round's coverage in an area, per grid, without joining people to memberships: due people from
 * the persons' coverage index, sampled ones from the counts the scans keep, explicit exemptions of
 * people not sampled (few) joined exactly. Away long-term people not sampled and not exempted
 * otherwise are exempt by their status.
 */
export async function coverageByGrid(db: Executor, roundId: string, area: Area, statuses: readonly string[]) {
  const [people, sampled, exempted] = await Promise.all([
    queryRows<{ orgPath: string; due: number; away: number }>(
      db,
      sql`select p.org_path as "orgPath", count(*)::int as due,
                 count(*) filter (where p.residence_status = 'away')::int as away
          from ${persons} p
          where p.merged_into is null and p.residence_status = any(${arrayParam(statuses, 'text')})
            and ${personInArea(area)}
          group by p.org_path`,
    ),
    queryRows<{ orgPath: string; sampled: number; sampledAway: number }>(
      db,
      sql`select g.org_path as "orgPath", g.sampled, g.sampled_away as "sampledAway"
          from ${roundGridCounts} g where g.round_id = ${roundId} and ${inArea(sql`g.org_path`, area)}`,
    ),
    queryRows<{ orgPath: string; reason: string; n: number; away: number }>(
      db,
      sql`select p.org_path as "orgPath", e.reason, count(*)::int as n,
                 count(*) filter (where p.residence_status = 'away')::int as away
          from ${testExemptions} e join ${persons} p on p.id = e.person_id
          where e.round_id = ${roundId} and p.merged_into is null
            and p.residence_status = any(${arrayParam(statuses, 'text')}) and ${personInArea(area)}
            and not exists (select 1 from ${tubeMembers} m where m.round_id = ${roundId} and m.person_id = e.person_id)
          group by p.org_path, e.reason`,
    ),
  ]);
  const sampledOf = new Map(sampled.map((r) => [r.orgPath, r]));
  const exemptedOf = new Map<string, typeof exempted>();
  for (const e of exempted) exemptedOf.set(e.orgPath, [...(exemptedOf.get(e.orgPath) ?? []), e]);
  const rows: CoverageRow[] = [];
  for (const grid of people) {
    const counted = sampledOf.get(grid.orgPath);
    const explicit = exemptedOf.get(grid.orgPath) ?? [];
    const autoAway = Math.max(
      0,
      grid.away - (counted?.sampledAway ?? 0) - explicit.reduce((n, e) => n + e.away, 0),
    );
    const exempt = explicit.reduce((n, e) => n + e.n, 0) + autoAway;
    rows.push({
      orgPath: grid.orgPath,
      reason: null,
      due: grid.due - exempt,
      sampled: counted?.sampled ?? 0,
    });
    for (const e of explicit) rows.push({ orgPath: grid.orgPath, reason: e.reason, due: e.n, sampled: 0 });
    if (autoAway > 0)
      rows.push({ orgPath: grid.orgPath, reason: 'away', due: autoAway, sampled: 0, byStatus: true });
  }
  return rows;
}

export interface MissingRow {
  id: string;
  name: string;
  phoneEnc: string | null;
  address: string;
  residenceStatus: string;
  orgUnitId: string;
  gridName: string;
  householdId: string | null;
  /** Swabbed in the round, but into a tube the lab found invalid (无效): to be swabbed again. */
  resample: boolean;
}

/**
 * People of an area not sampled in the round nor exempt. `withDoorToDoor` keeps those exempt only
 * as sampled at home (卧床): not missing in coverage, but exactly whom a door-to-door sweep visits.
 */
const missingWhere = (
  roundId: string,
  area: Area,
  statuses: readonly string[],
  options: { withDoorToDoor?: boolean } = {},
) =>
  sql`p.merged_into is null and p.residence_status = any(${arrayParam(statuses, 'text')})
      and ${personInArea(area)}
      and not exists (select 1 from ${tubeMembers} m where m.round_id = ${roundId} and m.person_id = p.id)
      and not exists (select 1 from ${testExemptions} e where e.round_id = ${roundId} and e.person_id = p.id
                      ${options.withDoorToDoor ? sql`and e.reason <> all(${arrayParam(DOOR_TO_DOOR_EXEMPTIONS, 'text')})` : sql``})`;

export async function findMissing(
  db: Executor,
  roundId: string,
  area: Area,
  statuses: readonly string[],
  page: { limit: number; offset: number },
  /** With those exempt as sampled at home (卧床), whom a printed door-to-door list must hold too. */
  options: { withDoorToDoor?: boolean } = {},
) {
  const where = missingWhere(roundId, area, statuses, options);
  const [items, [count]] = await Promise.all([
    queryRows<MissingRow & { exemption: string | null }>(
      db,
      sql`select p.id, p.name, p.phone_enc as "phoneEnc", p.address, p.residence_status as "residenceStatus",
                 p.org_unit_id as "orgUnitId", ${unitLabel('u')} as "gridName", p.household_id as "householdId",
                 -- Released from a tube the lab found invalid (not from a pool for a recheck,
                 -- whose memberships are kept there too).
                 exists (select 1 from ${releasedTubeMembers} r join ${tubes} t on t.id = r.tube_id
                         where r.person_id = p.id and r.round_id = ${roundId} and t.result = 'invalid') as resample,
                 ${
                   options.withDoorToDoor
                     ? sql`(select e.reason from ${testExemptions} e where e.round_id = ${roundId} and e.person_id = p.id)`
                     : sql`null::text`
                 } as exemption
          from ${persons} p join ${orgUnits} u on u.id = p.org_unit_id
          where ${where}
          -- Grid by grid, each in walking order (第一组9号 before 10号).
          order by p.org_path, p.address_key, p.name, p.id
          limit ${page.limit} offset ${page.offset}`,
    ),
    queryRows<{ n: number }>(db, sql`select count(*)::int as n from ${persons} p where ${where}`),
  ]);
  return { items, total: count?.n ?? 0 };
}

/** The exempt of a round in an area (the actor's readable scope in it), for review and withdrawal. */
export async function findExempt(
  db: Executor,
  roundId: string,
  area: Area,
  page: { limit: number; offset: number },
) {
  // Sampled since (an exempt person came to a point after all) counts as sampled, as coverage
  // counts them: the list says who is exempt now, not who once was.
  const where = sql`e.round_id = ${roundId} and p.merged_into is null and ${personInArea(area)}
                    and not exists (select 1 from ${tubeMembers} m where m.round_id = e.round_id and m.person_id = p.id)`;
  const [items, [count]] = await Promise.all([
    queryRows<{
      id: string;
      name: string;
      address: string;
      gridName: string;
      reason: string;
      note: string | null;
      fromSweep: boolean;
      recordedByName: string | null;
      createdAt: string;
    }>(
      db,
      sql`select p.id, p.name, p.address, ${unitLabel('u')} as "gridName", e.reason, e.note, e.sweep_id is not null as "fromSweep",
                 r.display_name as "recordedByName", e.created_at as "createdAt"
          from ${testExemptions} e join ${persons} p on p.id = e.person_id
            join ${orgUnits} u on u.id = p.org_unit_id
            left join ${users} r on r.id = e.recorded_by
          where ${where}
          order by e.created_at desc, p.name
          limit ${page.limit} offset ${page.offset}`,
    ),
    queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from ${testExemptions} e join ${persons} p on p.id = e.person_id where ${where}`,
    ),
  ]);
  return { items, total: count?.n ?? 0 };
}

/** A person of the round's area in the actor's scope (for an exemption). */
export async function findPersonInArea(db: Executor, area: Area, personId: string) {
  const [row] = await queryRows<{ id: string; orgPath: string; name: string; birthYear: number | null }>(
    db,
    sql`select p.id, p.org_path as "orgPath", p.name, p.birth_year as "birthYear" from ${persons} p
        where p.id = ${personId} and p.merged_into is null and ${personInArea(area)}`,
  );
  return row;
}

/**
 * Records a person's exemption in a round, over the one they had. One recorded at a door and sent
 * later (`createdAt` in the past) does not replace an exemption recorded after it: `newer` is then
 * that one, and nothing is written.
 */
export async function upsertExemption(db: Executor, row: typeof testExemptions.$inferInsert) {
  const [before] = await db
    .select()
    .from(testExemptions)
    .where(and(eq(testExemptions.roundId, row.roundId), eq(testExemptions.personId, row.personId)))
    .for('update');
  // One rule with a withdrawal's (deleteExemption): compared in the database, to the microsecond.
  const [written] = await db
    .insert(testExemptions)
    .values(row)
    .onConflictDoUpdate({
      target: [testExemptions.roundId, testExemptions.personId],
      // Recorded by hand now: no longer the sweep's, so a corrected sweep outcome leaves it alone.
      set: {
        reason: row.reason,
        note: row.note,
        recordedBy: row.recordedBy,
        sweepId: null,
        sweepHouseholdId: null,
        createdAt: row.createdAt ?? sql`now()`,
      },
      setWhere: sql`${testExemptions.createdAt} <= excluded.created_at`,
    })
    .returning({ personId: testExemptions.personId });
  return { before, newer: written ? undefined : before };
}

/**
 * Withdraws a person's exemption in a round; with `recordedBefore` (a withdrawal made at a door
 * and sent later), only one recorded before it: one recorded afresh meanwhile is not the one the
 * withdrawer saw. `newer` says one stands that was kept for that reason.
 */
export async function deleteExemption(
  db: Executor,
  roundId: string,
  personId: string,
  recordedBefore?: Date,
) {
  const same = and(eq(testExemptions.roundId, roundId), eq(testExemptions.personId, personId));
  const [row] = await db
    .delete(testExemptions)
    .where(recordedBefore ? and(same, lte(testExemptions.createdAt, recordedBefore)) : same)
    .returning();
  if (row || !recordedBefore) return { removed: row, newer: false };
  const [kept] = await db.select({ at: testExemptions.createdAt }).from(testExemptions).where(same);
  return { removed: undefined, newer: kept !== undefined };
}

export async function isSampled(db: Executor, roundId: string, personId: string) {
  const [row] = await db
    .select({ tubeId: tubeMembers.tubeId })
    .from(tubeMembers)
    .where(and(eq(tubeMembers.roundId, roundId), eq(tubeMembers.personId, personId)));
  return Boolean(row);
}

// ---- recalls and the daily summary -----------------------------------------------------------

export async function findRecalls(db: Executor, roundId: string, scope: string[]) {
  return queryRows<{
    id: string;
    tubeCode: string;
    personId: string;
    name: string;
    address: string;
    orgPath: string;
    gridName: string;
    state: string;
    createdAt: string;
    closedAt: string | null;
    workItemState: string | null;
    assigneeName: string | null;
    unitWorkers: string | null;
    feedback: string | null;
    resampledTube: string | null;
    resampledAt: string | null;
  }>(
    db,
    sql`select r.id, t.code as "tubeCode", p.id as "personId", p.name, p.address, p.org_path as "orgPath",
               ${unitLabel('u')} as "gridName", r.state,
               r.created_at as "createdAt", r.closed_at as "closedAt", w.state as "workItemState",
               a.display_name as "assigneeName", gw.names as "unitWorkers", w.feedback,
               rs.code as "resampledTube", rs.scanned_at as "resampledAt"
        from ${rechecks} r join ${tubes} t on t.id = r.tube_id join ${persons} p on p.id = r.person_id
             join ${orgUnits} u on u.id = p.org_unit_id
             left join ${workItems} w on w.id = r.work_item_id left join ${users} a on a.id = w.assignee_user_id
             -- Sent to a grid, not to a person: who works that grid (those who may read its residents,
             -- as may call from the item), by name.
             left join lateral (
               select string_agg(distinct gu.display_name, '、') as names
               from ${roleGrants} g join ${users} gu on gu.id = g.user_id and gu.active
               where w.assignee_user_id is null and g.org_unit_id = w.assignee_org_unit_id
                 and exists (select 1 from ${rolePermissions} rp
                             where rp.role_code = g.role_code and rp.permission = 'resident.read')) gw on true
             left join lateral (${awaitedSingleTube(sql`t2.code, m2.scanned_at`)}) rs on true
        where r.round_id = ${roundId} and ${inScope(sql`p.org_path`, scope)}
        -- A recheck found positive first (the one person the command centre acts on now), then
        -- those still open, longest open first.
        order by (r.state = 'positive') desc, (r.state = 'open') desc, r.created_at, t.code, p.name
        limit 2000`,
  );
}

export interface DaySummaryRow {
  day: string;
  /** Swabs taken (人次): a person sampled again (单管复核, an invalid tube) counts again. */
  sampled: number;
  /** Of them, people sampled before in the round: sampled less resampled are people new that day. */
  resampled: number;
  tubes: number;
  resultsIn: number;
  positives: number;
  /** Of the positives, single tubes (a person positive, not a pool to recheck): the bulletin says each. */
  singlePositives: number;
}

/**
 * Per district day, for the people of the scope (where they are registered, as coverage and the
 * rechecks count them, not where the point stood): people sampled (by scan day), their tubes (on
 * the day of a tube's first scan, so a tube filled across midnight counts once), and those tubes'
 * results and positives (by result day).
 */
export async function summaryByDay(db: Executor, roundId: string, scope: string[]) {
  const day = (at: SQL) => sql`(${at} at time zone 'Asia/Shanghai')::date::text`;
  return queryRows<DaySummaryRow>(
    db,
    sql`with members as (
          select m.tube_id, m.scanned_at,
                 -- Sampled before in the round: every earlier swab of a person was released (an
                 -- invalid tube, a recheck), and released memberships are few (no sort of them all).
                 exists (select 1 from ${releasedTubeMembers} x
                         where x.round_id = m.round_id and x.person_id = m.person_id
                           and x.scanned_at < m.scanned_at) as again
          from ${everSampled(sql`round_id = ${roundId}`)} m join ${persons} p on p.id = m.person_id
          where ${inScope(sql`p.org_path`, scope)}),
        scans as (
          select ${day(sql`scanned_at`)} as day, count(*)::int as sampled,
                 count(*) filter (where again)::int as resampled
          from members group by 1),
        their_tubes as (
          select tube_id, min(scanned_at) as first_scan from members group by tube_id),
        opened as (
          select ${day(sql`first_scan`)} as day, count(*)::int as tubes from their_tubes group by 1),
        results as (
          select ${day(sql`t.tested_at`)} as day, count(*)::int as results_in,
                 count(*) filter (where t.result = 'positive')::int as positives,
                 count(*) filter (where t.result = 'positive'
                                    and t.mode <> all(${arrayParam([...POOLED_MODES], 'text')}))::int as single_positives
          from their_tubes f join ${tubes} t on t.id = f.tube_id
          where t.tested_at is not null
          group by 1)
        select coalesce(s.day, o.day, r.day) as day, coalesce(s.sampled, 0) as sampled,
               coalesce(s.resampled, 0) as resampled,
               coalesce(o.tubes, 0) as tubes,
               coalesce(r.results_in, 0) as "resultsIn", coalesce(r.positives, 0) as positives,
               coalesce(r.single_positives, 0) as "singlePositives"
        from scans s full join opened o on o.day = s.day
             full join results r on r.day = coalesce(s.day, o.day)
        order by 1`,
  );
}

export async function countOpenRechecks(db: Executor, roundId: string, scope: string[]) {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ${rechecks} r
        where r.round_id = ${roundId} and r.state = 'open' and ${inScope(sql`r.org_path`, scope)}`,
  );
  return row?.n ?? 0;
}

// ---- door-to-door sweeps ----------------------------------------------------------------------

export async function insertSweep(db: Executor, row: typeof sweeps.$inferInsert) {
  await db.insert(sweeps).values(row);
}

/** Whether work of a type about a household is still to do. */
export async function hasOpenHouseholdItem(db: Executor, householdId: string, type: string) {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ${workItems}
        where type = ${type} and subject_entity = 'household' and subject_id = ${householdId}
          and state in ('open', 'overdue')`,
  );
  return (row?.n ?? 0) > 0;
}

/** Calls off a household's open work items of a type (closed now, as one cancelled by hand); returns them, with the feedback they now hold. */
export async function cancelOpenHouseholdItems(db: Executor, householdId: string, type: string, why: string) {
  return queryRows<{ id: string; orgPath: string; state: string; feedback: string }>(
    db,
    // Locked first, so the state returned as before is the one changed (an item turning overdue
    // meanwhile is waited for and read as overdue).
    sql`with old as (
          select id, state from ${workItems}
          where type = ${type} and subject_entity = 'household' and subject_id = ${householdId}
            and state in ('open', 'overdue')
          for update)
        update ${workItems} w set state = 'cancelled', feedback = ${closingFeedback(why, sql`w.feedback`)},
                                  done_at = now(), updated_at = now()
        from old where w.id = old.id
        returning w.id, w.org_path as "orgPath", old.state, w.feedback`,
  );
}

/** Where a household lives and its address (for work about it). */
export async function findHouseholdPlace(db: Executor, householdId: string) {
  const [row] = await queryRows<{ orgUnitId: string; orgPath: string; address: string }>(
    db,
    sql`select org_unit_id as "orgUnitId", org_path as "orgPath", address from ${households} where id = ${householdId}`,
  );
  return row;
}

/**
 * Households of an area with at least one member still missing in the round and no team on the
 * way to them: what a new sweep visits.
 */
export async function findHouseholdsToSweep(
  db: Executor,
  roundId: string,
  area: Area,
  statuses: readonly string[],
) {
  return queryRows<{ id: string; orgPath: string }>(
    db,
    sql`select distinct h.id, h.org_path as "orgPath"
        from ${persons} p join ${households} h on h.id = p.household_id
        where ${missingWhere(roundId, area, statuses, { withDoorToDoor: true })}
          -- Not a door another team of the round is still to knock on (two teams at one door);
          -- one visited already with nobody home or a refusal may be visited again.
          and not exists (select 1 from ${sweepHouseholds} sh join ${sweeps} s on s.id = sh.sweep_id
                          where s.round_id = ${roundId} and sh.household_id = h.id and sh.outcome is null)`,
  );
}

export async function insertSweepHouseholds(db: Executor, rows: (typeof sweepHouseholds.$inferInsert)[]) {
  for (let i = 0; i < rows.length; i += 2000)
    await db.insert(sweepHouseholds).values(rows.slice(i, i + 2000));
}

export async function findSweepsOfRound(db: Executor, roundId: string, scope: string[]) {
  return queryRows<{
    id: string;
    name: string;
    orgUnitId: string;
    orgUnitName: string;
    pointId: string;
    createdAt: string;
    households: number;
    visited: number;
    team: string[];
  }>(
    db,
    sql`select s.id, s.name, s.org_unit_id as "orgUnitId", u.name as "orgUnitName", s.point_id as "pointId",
               s.created_at as "createdAt",
               -- Who is on the team (its point's samplers), by name: none means any sampler there.
               array(select tu.display_name from ${collectionPoints} cp join ${users} tu on tu.id = any(cp.sampler_user_ids)
                     where cp.id = s.point_id order by tu.display_name) as team,
               (select count(*)::int from ${sweepHouseholds} h where h.sweep_id = s.id) as households,
               (select count(*)::int from ${sweepHouseholds} h where h.sweep_id = s.id and h.outcome is not null) as visited
        from ${sweeps} s join ${orgUnits} u on u.id = s.org_unit_id
        where s.round_id = ${roundId} and ${overlapsScope(sql`s.org_path`, scope)}
        order by s.created_at desc`,
  );
}

/** A sweep the actor may see, and whether its round was cancelled since. */
export async function findSweepInScope(db: Executor, scope: string[], id: string) {
  const [row] = await db
    .select({
      ...getTableColumns(sweeps),
      roundCancelled: sql<boolean>`${testRounds.cancelledAt} is not null`,
    })
    .from(sweeps)
    .innerJoin(testRounds, eq(testRounds.id, sweeps.roundId))
    .where(and(eq(sweeps.id, id), overlapsScope(sweeps.orgPath, scope)));
  return row;
}

export async function findSweepHouseholds(db: Executor, sweepId: string, roundId: string, scope: string[]) {
  const homes = await queryRows<{
    householdId: string;
    address: string;
    orgPath: string;
    gridName: string;
    outcome: string | null;
    note: string | null;
    visitedAt: string | null;
  }>(
    db,
    sql`select sh.household_id as "householdId", h.address, h.org_path as "orgPath", ${unitLabel('u')} as "gridName",
               sh.outcome, sh.note, sh.visited_at as "visitedAt"
        from ${sweepHouseholds} sh join ${households} h on h.id = sh.household_id
             join ${orgUnits} u on u.id = h.org_unit_id
        where sh.sweep_id = ${sweepId} and ${inScope(sql`sh.org_path`, scope)}
        -- Grid by grid, then as a door-knocker walks the addresses (第一组9号 before 10号).
        order by h.org_path, h.address_key, h.id`,
  );
  // Their members in one query (not one per household), with whether each is sampled in the round.
  const members = await queryRows<{
    householdId: string;
    id: string;
    name: string;
    sampled: boolean;
    exemption: string | null;
  }>(
    db,
    // Members due in the round (not those moved out or deceased), each sampled, exempt (recorded,
    // or away long-term by their status) or still to visit: as coverage counts them.
    sql`select p.household_id as "householdId", p.id, p.name, (m.person_id is not null) as sampled,
               coalesce(e.reason, case when p.residence_status = any(${arrayParam(EXEMPT_RESIDENCE_STATUSES, 'text')})
                                       then 'away' end) as exemption
        from ${persons} p
        left join ${tubeMembers} m on m.round_id = ${roundId} and m.person_id = p.id
        left join ${testExemptions} e on e.round_id = ${roundId} and e.person_id = p.id
        where p.residence_status = any(${arrayParam(COUNTED_STATUSES, 'text')})
          and p.household_id = any(${arrayParam(
            homes.map((h) => h.householdId),
            'uuid',
          )}) and p.merged_into is null
        order by p.name`,
  );
  const byHome = new Map<
    string,
    { id: string; name: string; sampled: boolean; exemption: string | null }[]
  >();
  for (const m of members) {
    const list = byHome.get(m.householdId) ?? [];
    list.push({ id: m.id, name: m.name, sampled: m.sampled, exemption: m.exemption });
    byHome.set(m.householdId, list);
  }
  return homes.map((h) => ({ ...h, members: byHome.get(h.householdId) ?? [] }));
}

/** A household of a sweep in the actor's scope, locked: two outcomes for it are recorded one after the other. */
export async function lockSweepHouseholdInScope(
  db: Executor,
  scope: string[],
  sweepId: string,
  householdId: string,
) {
  const [row] = await db
    .select()
    .from(sweepHouseholds)
    .where(
      and(
        eq(sweepHouseholds.sweepId, sweepId),
        eq(sweepHouseholds.householdId, householdId),
        inScope(sweepHouseholds.orgPath, scope),
      ),
    )
    .for('update');
  return row;
}

/**
 * Members of a household in the area not sampled in the round: who a sweep's 已搬离 exempts. An
 * exemption already recorded for one of them (住院, …) is kept as it is.
 */
export async function exemptMovedHousehold(
  db: Executor,
  area: Area,
  row: {
    roundId: string;
    sweepId: string;
    householdId: string;
    note: string;
    recordedBy: string;
    recordedAt: Date;
  },
) {
  return queryRows<{ personId: string; orgPath: string }>(
    db,
    sql`insert into ${testExemptions} (round_id, person_id, reason, note, org_path, recorded_by, sweep_id, sweep_household_id, created_at)
        select ${row.roundId}, p.id, 'away', ${row.note}, p.org_path, ${row.recordedBy}, ${row.sweepId}, ${row.householdId},
               ${row.recordedAt.toISOString()}::timestamptz
        from ${persons} p
        -- Those still due: people away long-term by their status are exempt already.
        where p.household_id = ${row.householdId} and p.merged_into is null and ${personInArea(area)}
          and p.residence_status = any(${arrayParam(DUE_RESIDENCE_STATUSES, 'text')})
          and not exists (select 1 from ${tubeMembers} m where m.round_id = ${row.roundId} and m.person_id = p.id)
        order by p.id
        on conflict (round_id, person_id) do nothing
        returning person_id as "personId", org_path as "orgPath"`,
  );
}

/**
 * The exemptions a sweep's outcome recorded for a household, withdrawn when the outcome changes:
 * those of that outcome only (not one recorded by hand since), wherever its people live by now,
 * within the scope of whoever corrects it.
 */
export async function withdrawSweepExemptions(
  db: Executor,
  scope: string[],
  sweepId: string,
  householdId: string,
) {
  return queryRows<{ personId: string; orgPath: string; reason: string }>(
    db,
    sql`delete from ${testExemptions} e
        where e.sweep_id = ${sweepId} and e.sweep_household_id = ${householdId} and ${inScope(sql`e.org_path`, scope)}
        returning e.person_id as "personId", e.org_path as "orgPath", e.reason`,
  );
}

export async function updateSweepHousehold(
  db: Executor,
  sweepId: string,
  householdId: string,
  patch: Partial<typeof sweepHouseholds.$inferInsert>,
) {
  await db
    .update(sweepHouseholds)
    .set(patch)
    .where(and(eq(sweepHouseholds.sweepId, sweepId), eq(sweepHouseholds.householdId, householdId)));
}

// ---- periodic testing of key groups -----------------------------------------------------------

export async function findKeyGroupMembersWithLastTest(
  db: Executor,
  scope: string[],
  nodePath: string | null,
  classCodes: string[],
) {
  if (classCodes.length === 0) return [];
  return queryRows<{
    personId: string;
    name: string;
    classCode: string;
    gridName: string;
    since: string | null;
    lastSampledAt: string | null;
  }>(
    db,
    // The last sampling that could count: a tube found invalid (无效) tested nobody.
    sql`select p.id as "personId", p.name, k.class_code as "classCode", ${unitLabel('u')} as "gridName",
               k.since::text as since,
               (select max(m.scanned_at) from ${tubeMembers} m join ${tubes} t on t.id = m.tube_id
                where m.person_id = p.id and t.result is distinct from 'invalid') as "lastSampledAt"
        from person_key_groups k join ${persons} p on p.id = k.person_id join ${orgUnits} u on u.id = p.org_unit_id
        where k.class_code = any(${arrayParam(classCodes, 'text')}) and p.merged_into is null
          -- Those here to be tested: away long-term (exempt from rounds too), moved or dead are not due.
          and p.residence_status = any(${arrayParam(DUE_RESIDENCE_STATUSES, 'text')})
          and ${nodePath ? inScope(sql`p.org_path`, [nodePath]) : sql`true`} and ${inScope(sql`p.org_path`, scope)}
        order by p.org_path, p.name
        limit 50000`,
  );
}

export async function findRoundPaths(db: Executor, ids: string[]) {
  if (ids.length === 0)
    return new Map<string, { id: string; orgUnitId: string; orgPath: string; endsOn: string }>();
  const rows = await db
    .select({
      id: testRounds.id,
      orgUnitId: testRounds.orgUnitId,
      orgPath: testRounds.orgPath,
      endsOn: testRounds.endsOn,
    })
    .from(testRounds)
    .where(inArray(testRounds.id, ids));
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The resample items of people who now have a result again (members of these tubes, tested
 * negative or positive): done, whoever sampled them.
 */
export async function closeResampleItemsOfTubeMembers(db: Executor, tubeIds: string[], feedback: string) {
  if (tubeIds.length === 0) return [];
  return queryRows<{ id: string; orgPath: string; feedback: string | null }>(
    db,
    sql`update ${workItems} w set state = 'done', feedback = ${closingFeedback(feedback, sql`w.feedback`)},
                                  done_at = now(), updated_at = now()
        where w.type = 'resample' and w.state in ('open', 'overdue') and w.subject_entity = 'person'
          -- From the open items (a few) to their people's memberships, not from a file's tubes.
          and exists (select 1 from ${tubeMembers} m
                      where m.person_id::text = w.subject_id and m.tube_id = any(${arrayParam(tubeIds, 'uuid')}))
        returning w.id, w.org_path as "orgPath", w.feedback`,
  );
}

/**
 * The system's words closing an item (单管复核阴性…), on the first line, with what a person wrote
 * on it kept under them: the grid worker's "已电话联系，20点到采样点" stays with the item it was
 * said on (feedbackIn translates the first line alone). The system's own earlier words (a negative
 * corrected to positive) are replaced, not kept.
 */
function closingFeedback(words: string, earlier: SQL) {
  const systemLine = arrayParam(
    Object.values(SYSTEM_FEEDBACK).map((f) => f.zh),
    'text',
  );
  const first = sql`split_part(coalesce(${earlier}, ''), E'\n', 1)`;
  // What a person wrote, without the system's own earlier line.
  const theirs = sql`(case when ${first} = any(${systemLine})
                          then nullif(substr(${earlier}, length(${first}) + 2), '')
                          else nullif(${earlier}, '') end)`;
  return sql`(case when ${theirs} is null then ${words}::text else ${words}::text || E'\n' || ${theirs} end)`;
}

/** Closes the work items of finished rechecks with the outcome as their feedback. */
export async function closeWorkItems(db: Executor, ids: string[], feedback: string) {
  if (ids.length === 0) return [];
  return db
    .update(workItems)
    .set({
      state: 'done',
      feedback: closingFeedback(feedback, sql`${workItems.feedback}`),
      doneAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(and(inArray(workItems.id, ids), inArray(workItems.state, ['open', 'overdue'])))
    .returning({ id: workItems.id, orgPath: workItems.orgPath, feedback: workItems.feedback });
}

/** A person's place and residence status before a change, for the coverage counts. */
export interface PersonBefore {
  id: string;
  orgPath: string;
  residenceStatus: string;
}

/**
 * Follows people who moved grid, changed residence status or were merged away, inside the
 * registry's own write transactions: the per-grid sampled counts (each membership leaves its old
 * grid's count and joins the new one) and the records about them that are read by where they live.
 */
export async function followPersons(db: Executor, before: PersonBefore[]) {
  if (before.length === 0) return;
  await followPersonsInCoverage(db, before);
  await followPersonsInRecords(db, before);
}

/**
 * Records about a person are read by the grid they live in (a copy of their org path on each, so
 * the reads stay on an index): when they move, their rechecks, exemptions and the work about them
 * kept at their grid move with them (their household's place in sweeps moves with the household:
 * followHouseholdInSweeps). Else the old grid kept
 * reading their name and address, and the new grid worker never got the recall. Work still open
 * goes to the new grid's worker (its grid, when it has none); work done keeps who did it. Work kept
 * elsewhere (a positive case at the district) stays where it is.
 */
async function followPersonsInRecords(db: Executor, before: PersonBefore[]) {
  await db.execute(
    // A person merged away is followed to their survivor: the merge gave the survivor the
    // duplicate's records, still at the duplicate's grid.
    sql`with moved as (
          select c.old_path, coalesce(s.id, p.id) as subject, coalesce(s.org_path, p.org_path) as new_path,
                 coalesce(s.org_unit_id, p.org_unit_id) as new_unit
          from unnest(${arrayParam(
            before.map((b) => b.id),
            'uuid',
          )}, ${arrayParam(
            before.map((b) => b.orgPath),
            'text',
          )}) as c(id, old_path)
          join ${persons} p on p.id = c.id
          left join ${persons} s on s.id = p.merged_into
          where coalesce(s.org_path, p.org_path) <> c.old_path),
        worker as (
          select distinct on (g.org_unit_id) g.org_unit_id, g.user_id
          from role_grants g join ${users} u on u.id = g.user_id
          where g.role_code = 'grid_worker' and u.active and g.org_unit_id in (select new_unit from moved)
          order by g.org_unit_id, u.username),
        r as (
          update ${rechecks} r set org_path = m.new_path
          from moved m where r.person_id = m.subject and r.org_path = m.old_path),
        e as (
          update ${testExemptions} e set org_path = m.new_path
          from moved m where e.person_id = m.subject and e.org_path = m.old_path)
        update ${workItems} w set
          org_path = m.new_path,
          assignee_user_id = case when w.state in ('open', 'overdue') then k.user_id else w.assignee_user_id end,
          assignee_org_unit_id = case when w.state in ('open', 'overdue')
                                      then case when k.user_id is null then m.new_unit end
                                      else w.assignee_org_unit_id end,
          updated_at = now()
        from moved m left join worker k on k.org_unit_id = m.new_unit
        where w.subject_entity = 'person' and w.subject_id = m.subject::text and w.org_path = m.old_path`,
  );
}

/**
 * A household moved to another grid: its place in door-to-door sweeps moves with it (read by
 * where it is), whoever its members are now (it may have none left).
 */
export async function followHouseholdInSweeps(db: Executor, householdId: string) {
  await db.execute(
    sql`update ${sweepHouseholds} sh set org_path = h.org_path
        from ${households} h where h.id = ${householdId} and sh.household_id = h.id and sh.org_path <> h.org_path`,
  );
}

async function followPersonsInCoverage(db: Executor, before: PersonBefore[]) {
  await db.execute(
    sql`with changed as (
          select * from unnest(${arrayParam(
            before.map((b) => b.id),
            'uuid',
          )}, ${arrayParam(
            before.map((b) => b.orgPath),
            'text',
          )}, ${arrayParam(
            before.map((b) => b.residenceStatus),
            'text',
          )}) as c(id, old_path, old_status)),
        moved as (
          select m.round_id, c.old_path, c.old_status, p.org_path as new_path,
                 case when p.merged_into is null then p.residence_status end as new_status
          from changed c join ${tubeMembers} m on m.person_id = c.id join ${persons} p on p.id = c.id
          where c.old_path <> p.org_path or c.old_status is distinct from p.residence_status or p.merged_into is not null),
        ${shiftSampledCounts()}`,
  );
}

/**
 * The end of a statement whose CTE `moved` lists memberships that changed grid, status or owner
 * (round_id, old_path, old_status, new_path, new_status; a null new status or path is counted
 * nowhere: a membership that is gone):
 * each leaves its old grid's sampled counts and joins its new one's, grid rows in key order.
 */
function shiftSampledCounts(): SQL {
  return sql`deltas as (
          select round_id, old_path as org_path,
                 -count(*) filter (where old_status = any(${arrayParam(COUNTED_STATUSES, 'text')})) as ds,
                 -count(*) filter (where old_status = 'away') as da
          from moved where old_path is not null group by 1, 2
          union all
          select round_id, new_path,
                 count(*) filter (where new_status = any(${arrayParam(COUNTED_STATUSES, 'text')})),
                 count(*) filter (where new_status = 'away')
          from moved where new_path is not null group by 1, 2)
        insert into ${roundGridCounts} as g (round_id, org_path, sampled, sampled_away)
        select round_id, org_path, sum(ds)::int, sum(da)::int from deltas group by 1, 2 order by 1, 2
        on conflict (round_id, org_path) do update
          set sampled = g.sampled + excluded.sampled, sampled_away = g.sampled_away + excluded.sampled_away`;
}

/**
 * The memberships of tubes the lab found invalid (无效): nobody in them has a result, so they are
 * due again in their round (missing until sampled again, and scannable again); they leave their
 * grids' sampled counts and are kept in `released_tube_members`. The tubes keep their member count.
 */
export async function releaseMembersOfTubes(db: Executor, tubeIds: string[]) {
  if (tubeIds.length === 0) return;
  await releaseMemberships(db, sql`m.tube_id = any(${arrayParam(tubeIds, 'uuid')})`);
}

/**
 * A recalled person's membership of their positive pool, released so a single tube (单管复核) can
 * take them in the same round: one membership per person and round, as for invalid tubes. The
 * scan that follows counts them again; the pool keeps them in its member list.
 */
export async function releasePoolMembershipForRecheck(db: Executor, roundId: string, personId: string) {
  await releaseMemberships(db, sql`m.round_id = ${roundId} and m.person_id = ${personId}`);
}

/**
 * A person scanned into an open tube by mistake (the wrong code, or gone before the swab): the
 * membership is undone, not released, since no swab of theirs is in the tube; they leave their
 * grid's sampled count and may be scanned again. The caller frees their place in the tube.
 */
export async function removeTubeMember(db: Executor, tubeId: string, personId: string) {
  await releaseMemberships(db, sql`m.tube_id = ${tubeId} and m.person_id = ${personId}`, false);
}

/** A person's membership of a tube now (not a released one), or nothing. */
export async function findTubeMember(db: Executor, tubeId: string, personId: string) {
  const [row] = await queryRows<{ personId: string }>(
    db,
    sql`select m.person_id as "personId" from ${tubeMembers} m
        where m.tube_id = ${tubeId} and m.person_id = ${personId}`,
  );
  return row;
}

/**
 * The membership released for a recheck, back in its pool when the recheck's scan was refused
 * after all (the tube filled or sealed meanwhile): the person is sampled, as before.
 */
export async function restorePoolMembership(db: Executor, roundId: string, personId: string, tubeId: string) {
  // Inserted first, and kept released if another scan took the person meanwhile (no 500 on the key).
  await db.execute(
    sql`with restored as (
          insert into ${tubeMembers} (round_id, person_id, tube_id, sampler_id, scanned_at)
          select round_id, person_id, tube_id, sampler_id, scanned_at from ${releasedTubeMembers} r
          where r.round_id = ${roundId} and r.person_id = ${personId} and r.tube_id = ${tubeId}
          on conflict do nothing
          returning round_id, person_id, tube_id),
        back as (
          delete from ${releasedTubeMembers} r using restored x
          where r.tube_id = x.tube_id and r.person_id = x.person_id),
        moved as (
          select r.round_id, null::text as old_path, null::text as old_status,
                 p.org_path as new_path, case when p.merged_into is null then p.residence_status end as new_status
          from restored r join ${persons} p on p.id = r.person_id),
        ${shiftSampledCounts()}`,
  );
}

/** Points as a scan judges them (its round, its place, its team). */
export async function findPointsForScan(db: Executor, ids: string[]) {
  return db
    .select({
      pointId: collectionPoints.id,
      roundId: collectionPoints.roundId,
      pointPath: collectionPoints.orgPath,
      samplerUserIds: collectionPoints.samplerUserIds,
      roundCancelled: sql<boolean>`${testRounds.cancelledAt} is not null`,
      pointClosed: sql<boolean>`${collectionPoints.closedAt} is not null`,
    })
    .from(collectionPoints)
    .innerJoin(testRounds, eq(testRounds.id, collectionPoints.roundId))
    .where(inArray(collectionPoints.id, ids));
}

export async function findTubeByCode(db: Executor, code: string) {
  const [row] = await db.select().from(tubes).where(eq(tubes.code, code));
  return row;
}

/** Open rechecks of a person in a round whose pool holds them now: what a recheck scan releases. */
export async function findPoolOfOpenRecheck(db: Executor, roundId: string, personId: string) {
  const [row] = await queryRows<{ personId: string; tubeId: string; tubeCode: string; orgPath: string }>(
    db,
    sql`select m.person_id as "personId", m.tube_id as "tubeId", t.code as "tubeCode", t.org_path as "orgPath"
        from ${tubeMembers} m
          join ${rechecks} r on r.tube_id = m.tube_id and r.person_id = m.person_id and r.state = 'open'
          join ${tubes} t on t.id = m.tube_id
        where m.round_id = ${roundId}
          -- A code of a merged duplicate reaches its survivor, as scans do.
          and m.person_id = (select coalesce(merged_into, id) from ${persons} where id = ${personId})
        for update of m`,
  );
  return row;
}

function releaseMemberships(db: Executor, where: SQL, keep = true) {
  return db.execute(
    sql`with gone as (
          delete from ${tubeMembers} m using ${persons} p
          where ${where} and p.id = m.person_id
          returning m.round_id, m.person_id, m.tube_id, m.sampler_id, m.scanned_at,
                    p.org_path, p.residence_status, p.merged_into),
        ${
          keep
            ? sql`kept as (
          insert into ${releasedTubeMembers} (round_id, person_id, tube_id, sampler_id, scanned_at)
          select round_id, person_id, tube_id, sampler_id, scanned_at from gone
          on conflict do nothing),`
            : sql``
        }
        moved as (
          select round_id, org_path as old_path,
                 case when merged_into is null then residence_status end as old_status,
                 null::text as new_path, null::text as new_status
          from gone),
        ${shiftSampledCounts()}`,
  );
}

/**
 * A duplicate record merged into its survivor (the same human registered twice): what testing
 * holds of the duplicate becomes the survivor's, so the survivor counts as sampled (and cannot be
 * sampled again), keeps an exemption, and is the one recalled. In a round where the survivor has a
 * membership (or exemption) of its own, the duplicate's stays with the retired record and is no
 * longer counted (`followPersonsInCoverage` on the duplicate, called after this). The moved
 * memberships leave the duplicate's grid count and join the survivor's.
 */
export async function moveTestingRecordsOfMerged(db: Executor, duplicate: PersonBefore, survivorId: string) {
  await db.execute(
    sql`with survivor as (select org_path, residence_status from ${persons} where id = ${survivorId}),
        taken as (
          update ${tubeMembers} m set person_id = ${survivorId}
          where m.person_id = ${duplicate.id}
            and not exists (select 1 from ${tubeMembers} x where x.round_id = m.round_id and x.person_id = ${survivorId})
          returning m.round_id),
        moved as (
          select t.round_id, ${duplicate.orgPath}::text as old_path, ${duplicate.residenceStatus}::text as old_status,
                 s.org_path as new_path, s.residence_status as new_status
          from taken t cross join survivor s),
        ${shiftSampledCounts()}`,
  );
  await db.execute(
    sql`update ${testExemptions} e
        set person_id = ${survivorId}, org_path = (select org_path from ${persons} where id = ${survivorId})
        where e.person_id = ${duplicate.id}
          and not exists (select 1 from ${testExemptions} x where x.round_id = e.round_id and x.person_id = ${survivorId})`,
  );
  await db.execute(
    sql`update ${rechecks} r
        set person_id = ${survivorId}, org_path = (select org_path from ${persons} where id = ${survivorId})
        where r.person_id = ${duplicate.id}
          and not exists (select 1 from ${rechecks} x where x.tube_id = r.tube_id and x.person_id = ${survivorId})`,
  );
  // Released memberships too (a pool left for a recheck, an invalid tube): a recheck closes on a
  // single tube taken after its person's sample in the pool, which the survivor holds now.
  await db.execute(
    sql`update ${releasedTubeMembers} m set person_id = ${survivorId}
        where m.person_id = ${duplicate.id}
          and not exists (select 1 from ${releasedTubeMembers} x
                          where x.round_id = m.round_id and x.tube_id = m.tube_id and x.person_id = ${survivorId})`,
  );
}
