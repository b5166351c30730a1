import ExcelJS from 'exceljs';
import { districtWallClock, endOfLocalDay, inEffect, localDay } from '../../../domain/dates.ts';
import { maskName, maskPhone } from '../../../domain/masking.ts';
import { SYSTEM_FEEDBACK } from '../../../domain/permissions.ts';
import { RESIDENCE_STATUS_NAMES, type ResidenceStatus } from '../../../domain/residents.ts';
import {
  addDays,
  DUE_RESIDENCE_STATUSES,
  EXEMPT_RESIDENCE_STATUSES,
  EXEMPTION_REASON_NAMES,
  type ExemptionReason,
  INFANT_MAX_AGE,
  isPooled,
  missingOf,
  nextTestDue,
  parseTestingFrequency,
  RESULT_VALID_HOURS,
  type SamplingMode,
  SINGLE_TUBE_CONTROL_STATES,
  STATUS_SOURCES,
  type SweepOutcome,
  TEST_RESULT_NAMES,
  type TestResult,
  TUBE_STATE_NAMES,
  type TubeState,
  tooOldForInfant,
} from '../../../domain/testing.ts';
import type { Executor } from '../../db/database.ts';
import { personStatuses } from '../../db/schema.ts';
import { type Actor, isWithin, pathInScope, scopePaths } from '../../platform/access/actor.ts';
import { requireAnyScope, requireScope } from '../../platform/access/require.ts';
import { runWrite, type Touched } from '../../platform/audit/run-write.ts';
import type { AppDeps } from '../../platform/deps.ts';
import { AppError, conflict, invalidField, notFound } from '../../platform/errors/app-error.ts';
import { type Locale, type Text, text } from '../../platform/errors/i18n.ts';
import { newId } from '../../platform/ids.ts';
import { toLimitOffset } from '../../platform/pagination.ts';
import { findDisplayNames, findUsersHoldingOver } from '../../platform/users/user-repository.ts';
import { addWorkItems, type NewWorkItem, storedTitle } from '../../platform/work-items/work-item-service.ts';
import { findLabVisible } from '../labs/labs-repository.ts';
import { labsOfActor } from '../labs/labs-service.ts';
import {
  findChildrenInScope,
  findDistrictUnits,
  findOrgUnitInScope,
  findOrgUnitsByPaths,
} from '../org/org-repository.ts';
import { findKeyGroupClasses, findResidentInScope } from '../residents/resident-repository.ts';
import { type ResultRow, type RowError, readResultsFile } from './lab-results-file.ts';
import { MAX_CODE_VERSION, mintPersonCode } from './person-code.ts';
import { notOnTeam, scanInstant, scanRefusal } from './scan-service.ts';
import * as repo from './testing-repository.ts';

const DUE_STATUSES = [...DUE_RESIDENCE_STATUSES, ...EXEMPT_RESIDENCE_STATUSES];
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

// ---- rounds -----------------------------------------------------------------------------------

function roundView(r: repo.RoundRow, orgUnitName?: string) {
  return {
    id: r.id,
    name: r.name,
    orgUnitId: r.orgUnitId,
    orgUnitName: orgUnitName ?? null,
    startsOn: r.startsOn,
    endsOn: r.endsOn,
    defaultMode: r.defaultMode,
    singleTubeKeyGroups: r.singleTubeKeyGroups,
    cancelledAt: iso(r.cancelledAt),
    cancelReason: r.cancelReason,
    createdAt: r.createdAt.toISOString(),
  };
}

export interface RoundInput {
  name: string;
  orgUnitId: string;
  startsOn: string;
  endsOn: string;
  defaultMode: SamplingMode;
  singleTubeKeyGroups?: string[];
}

/** A round lasts days, not months: a longer one is a typo (2022 for 2023, or the wrong month). */
const ROUND_MAX_DAYS = 31;
/** How far from today a round's days may be set: a year either way (a typo of 9999 sorts first for everyone). */
const ROUND_REACH_DAYS = 366;

/** The days of a new or changed round: in order, within reach of today, a month at most. */
function checkRoundDays(startsOn: string, endsOn: string, changed: { startsOn: boolean; endsOn: boolean }) {
  const today = localDay();
  const [earliest, latest] = [addDays(today, -ROUND_REACH_DAYS), addDays(today, ROUND_REACH_DAYS)];
  for (const [field, day] of [
    ['startsOn', startsOn],
    ['endsOn', endsOn],
  ] as const)
    if (changed[field] && (day < earliest || day > latest))
      throw invalidField(
        field,
        text(`日期应在 ${earliest} 至 ${latest} 之间`, `The date must lie between ${earliest} and ${latest}`),
      );
  if (endsOn < startsOn)
    throw invalidField(
      changed.endsOn ? 'endsOn' : 'startsOn',
      text('结束日期不能早于开始日期', 'The end date is before the start date'),
    );
  if (endsOn > addDays(startsOn, ROUND_MAX_DAYS - 1))
    throw invalidField(
      changed.endsOn ? 'endsOn' : 'startsOn',
      text(`一轮检测最长 ${ROUND_MAX_DAYS} 天`, `A round lasts ${ROUND_MAX_DAYS} days at most`),
    );
}

export async function createRound(deps: AppDeps, actor: Actor, input: RoundInput) {
  const scope = requireScope(actor, 'testing.manage');
  checkRoundDays(input.startsOn, input.endsOn, { startsOn: true, endsOn: true });
  refuseEndPassedUnsampled(input.endsOn, false);
  const unit = await findOrgUnitInScope(deps.database.db, scope, input.orgUnitId);
  if (!unit) throw invalidField('orgUnitId', text('组织不存在或不在您的管辖范围内', 'Unknown org unit'));
  await checkKeyGroups(deps.database.db, input.singleTubeKeyGroups);
  return runWrite(deps, actor, 'test-round.create', async (tx) => {
    const row = await repo.insertRound(tx, {
      id: newId(),
      name: input.name,
      orgUnitId: unit.id,
      orgPath: unit.path,
      startsOn: input.startsOn,
      endsOn: input.endsOn,
      defaultMode: input.defaultMode,
      singleTubeKeyGroups: [...new Set(input.singleTubeKeyGroups ?? [])],
      districtCode: unit.districtCode,
      createdBy: actor.userId,
    });
    const view = roundView(row, unit.name);
    return {
      result: view,
      touched: { entity: 'test_round', entityId: row.id, orgPath: row.orgPath, after: view },
    };
  });
}

/** The key groups a round samples single-tube must be classes the district keeps. */
async function checkKeyGroups(db: Executor, codes: string[] | undefined) {
  if (!codes?.length) return;
  const known = new Set((await findKeyGroupClasses(db)).map((c) => c.code));
  const unknownGroup = codes.find((g) => !known.has(g));
  if (unknownGroup)
    throw invalidField(
      'singleTubeKeyGroups',
      text(`未知的重点人群分类：${unknownGroup}`, `Unknown key group ${unknownGroup}`),
    );
}

/**
 * A round that has sampled no one may not end before today: it could never take a scan (a slip of
 * the date picker at set-up; a round not wanted any more is cancelled instead).
 */
function refuseEndPassedUnsampled(endsOn: string, existing: boolean) {
  const today = localDay();
  if (endsOn < today)
    throw invalidField(
      'endsOn',
      text(
        `结束日期已过（今天是 ${today}）：这一轮将无法采样${existing ? '；不再进行的轮次请取消' : ''}`,
        `The end date has passed (today is ${today}): this round could take no scans${existing ? '; cancel a round no longer wanted' : ''}`,
      ),
    );
}

const roundCancelled = () =>
  new AppError('CONFLICT', text('本轮检测已取消，不能再更改', 'This round was cancelled'), undefined, {
    code: 'ROUND_CANCELLED',
  });

/** Writes on a round's people and points stop once it is cancelled. */
function refuseIfCancelled(round: repo.RoundRow) {
  if (round.cancelledAt) throw roundCancelled();
}

/** A phone that sends no `sentAt` has its own clock, a few minutes off: this much early still counts. */
const DOOR_CLOCK_SLACK_MS = 10 * 60_000;

/**
 * When something was done at a door (an exemption, a withdrawal, a visit), by the phone's clock
 * (see scanInstant); refused, naming `recordedAt`, when before what it was done in was set up (the
 * round, the door-to-door team): no phone did it then, and rules taken on the door's day (婴幼儿's
 * age) would be passed with a time from years ago.
 */
function doorInstant(when: { recordedAt?: string; sentAt?: string }, since: Date, setUp: Text): Date {
  const at = scanInstant({ scannedAt: when.recordedAt, sentAt: when.sentAt }, new Date());
  if (at.getTime() < since.getTime() - DOOR_CLOCK_SLACK_MS)
    throw invalidField(
      'recordedAt',
      text(
        `记录时间早于${setUp.zh}的设立时间，请核对手机的日期和时间后重新登记`,
        `Recorded before the ${setUp.en} was set up: check the phone’s date and time and record it again`,
      ),
    );
  return at;
}

const THE_ROUND = text('本轮检测', 'round');

export interface RoundPatch {
  name?: string;
  startsOn?: string;
  endsOn?: string;
  defaultMode?: SamplingMode;
  singleTubeKeyGroups?: string[];
}

/**
 * Changes a round: its name, days (extended, or ended early), default mode (tubes already opened
 * keep theirs) and single-tube groups. Its area does not change: its tubes and counts belong to it.
 * Its days must still hold every scan made in it, counted by the district's day as scans are.
 */
/**
 * A change of a round not cancelled, by who organises its whole area: locked (`strength`), changed
 * by `change` (which returns the columns to write), audited with the round before and after.
 */
function writeRound(
  deps: AppDeps,
  actor: Actor,
  action: string,
  id: string,
  strength: 'update' | 'no key update',
  change: (
    tx: Executor,
    round: repo.RoundRow,
    scope: string[],
  ) => Promise<Parameters<typeof repo.updateRound>[2]>,
) {
  const scope = requireScope(actor, 'testing.manage');
  return runWrite(deps, actor, action, async (tx) => {
    const locked = await repo.lockRoundInScope(tx, scope, id, strength);
    if (!locked) throw notFound();
    const { round, orgUnitName } = locked;
    refuseIfCancelled(round);
    const updated = await repo.updateRound(tx, round.id, await change(tx, round, scope));
    const view = roundView(updated, orgUnitName);
    return {
      result: view,
      touched: {
        entity: 'test_round',
        entityId: round.id,
        orgPath: round.orgPath,
        before: roundView(round, orgUnitName),
        after: view,
      },
    };
  });
}

export function updateRound(deps: AppDeps, actor: Actor, id: string, patch: RoundPatch) {
  return writeRound(deps, actor, 'test-round.update', id, 'no key update', async (tx, round, scope) => {
    const startsOn = patch.startsOn ?? round.startsOn;
    const endsOn = patch.endsOn ?? round.endsOn;
    if (startsOn !== round.startsOn || endsOn !== round.endsOn)
      checkRoundDays(startsOn, endsOn, {
        startsOn: startsOn !== round.startsOn,
        endsOn: endsOn !== round.endsOn,
      });
    // Only days taken away can leave a scan outside (extending a live round, the usual change,
    // reads no memberships).
    if (startsOn > round.startsOn || endsOn < round.endsOn) {
      // Locked for update now, as a cancel is: scans under way (holding their key-share lock)
      // are waited for and counted below; a scan planned before this and written after it is
      // the one gap left (its day is not checked again at its write).
      await repo.lockRoundInScope(tx, scope, id, 'update');
      const span = await repo.findSamplingSpan(tx, round.id);
      const first = span.first && localDay(span.first);
      const last = span.last && localDay(span.last);
      if (first && startsOn > first)
        throw invalidField(
          'startsOn',
          text(
            `本轮 ${first} 已有采样，开始日期不能晚于该日`,
            `People were sampled in this round on ${first}: it cannot start later`,
          ),
        );
      if (last && endsOn < last)
        throw invalidField(
          'endsOn',
          text(
            `本轮 ${last} 已有采样，结束日期不能早于该日`,
            `People were sampled in this round on ${last}: it cannot end earlier`,
          ),
        );
      // Ended early after sampling is a round that ran; ended before it sampled anyone, it never
      // could (a round set up by mistake is cancelled, with its reason).
      if (!last) refuseEndPassedUnsampled(endsOn, true);
    }
    // In the transaction: the embedded database has one connection, which the write holds.
    await checkKeyGroups(tx, patch.singleTubeKeyGroups);
    return {
      ...(patch.name === undefined ? {} : { name: patch.name }),
      startsOn,
      endsOn,
      ...(patch.defaultMode === undefined ? {} : { defaultMode: patch.defaultMode }),
      ...(patch.singleTubeKeyGroups === undefined
        ? {}
        : { singleTubeKeyGroups: [...new Set(patch.singleTubeKeyGroups)] }),
    };
  });
}

/**
 * Calls a round off (set up by mistake, or overtaken by another): only before anything was
 * sampled in it, since its tubes and counts are records of people tested. Kept, with why; it takes
 * no more scans, points, sweeps or exemptions. A round under way is ended early by its end date.
 */
export function cancelRound(deps: AppDeps, actor: Actor, id: string, reason: string) {
  return writeRound(deps, actor, 'test-round.cancel', id, 'update', async (tx, round) => {
    // Every swab is in a tube: a round with none has sampled nobody.
    if (await repo.roundHasTubes(tx, round.id))
      throw new AppError(
        'CONFLICT',
        text(
          '本轮已有采样，不能取消；如需提前结束，请把结束日期改为今天',
          'People were sampled in this round: it cannot be cancelled; end it early instead',
        ),
        undefined,
        { code: 'ROUND_HAS_SAMPLES' },
      );
    return { cancelledAt: new Date(), cancelReason: reason };
  });
}

/** Who may look at a round at all: read, manage, scan or exempt. */
const testingScope = (actor: Actor) =>
  requireAnyScope(actor, ['testing.read', 'testing.manage', 'sampling.scan', 'testing.exempt']);

async function visibleRound(deps: AppDeps, scope: string[], id: string) {
  const round = await repo.findRoundVisible(deps.database.db, scope, id);
  if (!round) throw notFound();
  return round;
}

/**
 * Rounds the actor sees; with a unit and days, those on the same people at the same time (the
 * unit's area inside theirs or theirs inside it, a day in common, not cancelled): what the page
 * warns of before a second round is set up over them (a person sampled in one is still due in the
 * other).
 */
export async function listRounds(
  deps: AppDeps,
  actor: Actor,
  query: { page: number; pageSize: number; orgUnitId?: string; from?: string; to?: string },
) {
  const scope = testingScope(actor);
  let overlapping: repo.RoundOverlap | undefined;
  if (query.orgUnitId || query.from || query.to) {
    let areaPath: string | undefined;
    if (query.orgUnitId) {
      const unit = await findOrgUnitInScope(deps.database.db, scope, query.orgUnitId);
      // A unit outside what the actor sees is not theirs to ask about.
      if (!unit) throw notFound();
      areaPath = unit.path;
    }
    overlapping = { areaPath, from: query.from, to: query.to };
  }
  const { items, total } = await repo.findRoundsVisible(
    deps.database.db,
    scope,
    toLimitOffset(query),
    overlapping,
  );
  return { items: items.map((r) => roundView(r.round, r.orgUnitName)), total };
}

function pointView(
  p: repo.PointRow,
  orgUnitName: string | null,
  samplers: Map<string, string>,
  manageScope: string[],
) {
  return {
    id: p.id,
    roundId: p.roundId,
    name: p.name,
    orgUnitId: p.orgUnitId,
    orgUnitName,
    place: p.place,
    hours: p.hours,
    kind: p.kind,
    samplers: p.samplerUserIds.map((id) => ({ id, displayName: samplers.get(id) ?? '' })),
    closedAt: iso(p.closedAt),
    // Whoever organises testing where the point stands changes it (a community's staff theirs).
    actions: { manage: pathInScope(p.orgPath, manageScope) },
  };
}

async function samplerNames(db: Executor, points: repo.PointRow[]) {
  const ids = [...new Set(points.flatMap((p) => p.samplerUserIds))];
  return findDisplayNames(db, ids);
}

export async function getRound(deps: AppDeps, actor: Actor, id: string) {
  const scope = testingScope(actor);
  const round = await visibleRound(deps, scope, id);
  const db = deps.database.db;
  const points = await repo.findPointsOfRound(db, scope, id);
  const names = await samplerNames(
    db,
    points.map((p) => p.point),
  );
  const unit = await findOrgUnitsByPaths(db, [round.orgPath]);
  const manageScope = scopePaths(actor, 'testing.manage');
  const manage = pathInScope(round.orgPath, manageScope);
  return {
    ...roundView(round, unit[0]?.name),
    points: points.map((p) => pointView(p.point, p.orgUnitName, names, manageScope)),
    actions: {
      manage,
      // Points and sweeps inside the round may be set up by who organises a part of it.
      organise: manageScope.some((path) => isWithin(path, round.orgPath) || isWithin(round.orgPath, path)),
      // Offered only while nothing is sampled in it: a round under way is ended early instead.
      cancel: manage && !round.cancelledAt && !(await repo.roundHasTubes(db, round.id)),
    },
  };
}

export interface PointInput {
  name: string;
  orgUnitId: string;
  place?: string | null;
  hours?: string | null;
  kind?: 'fixed' | 'door_to_door';
  samplerUserIds?: string[];
}

export async function addPoint(deps: AppDeps, actor: Actor, roundId: string, input: PointInput) {
  const scope = requireScope(actor, 'testing.manage');
  const round = await visibleRound(deps, scope, roundId);
  refuseIfCancelled(round);
  const db = deps.database.db;
  const unit = await findOrgUnitInScope(db, scope, input.orgUnitId);
  if (!unit) throw invalidField('orgUnitId', text('组织不存在或不在您的管辖范围内', 'Unknown org unit'));
  if (!isWithin(unit.path, round.orgPath))
    throw invalidField(
      'orgUnitId',
      text('采样点须设在本轮检测的范围内', 'The point must lie inside the round'),
    );
  const samplers = await checkedSamplers(deps.database.db, input.samplerUserIds, unit.path);
  const samplerIds = samplers.map((s) => s.id);
  return runWrite(deps, actor, 'collection-point.create', async (tx) => {
    if (await repo.pointNameTaken(tx, roundId, input.name))
      throw conflict(
        text('本轮已有同名采样点', 'A point of this name exists in the round'),
        undefined,
        'name',
      );
    const row = await repo.insertPoint(tx, {
      id: newId(),
      roundId,
      name: input.name,
      orgUnitId: unit.id,
      orgPath: unit.path,
      place: input.place ?? null,
      hours: input.hours ?? null,
      kind: input.kind ?? 'fixed',
      samplerUserIds: samplerIds,
      districtCode: unit.districtCode,
    });
    const view = pointView(row, unit.name, new Map(samplers.map((s) => [s.id, s.displayName])), scope);
    return {
      result: view,
      touched: { entity: 'collection_point', entityId: row.id, orgPath: row.orgPath, after: view },
    };
  });
}

export interface PointPatch {
  name?: string;
  place?: string | null;
  hours?: string | null;
  samplerUserIds?: string[];
  /** 撤点 (true) or reopened (false). */
  closed?: boolean;
}

/**
 * Changes a point (or a door-to-door team): name, place, hours, its team (a shift changes), or
 * closes it (撤点) and reopens it. Its unit and kind stay: its tubes were opened there.
 */
export async function updatePoint(
  deps: AppDeps,
  actor: Actor,
  roundId: string,
  pointId: string,
  patch: PointPatch,
) {
  const scope = requireScope(actor, 'testing.manage');
  const round = await visibleRound(deps, scope, roundId);
  refuseIfCancelled(round);
  return runWrite(deps, actor, 'collection-point.update', async (tx) => {
    const locked = await repo.lockPointInScope(tx, scope, roundId, pointId);
    if (!locked) throw notFound();
    const { point, orgUnitName } = locked;
    if (patch.name !== undefined && (await repo.pointNameTaken(tx, roundId, patch.name, point.id)))
      throw conflict(
        text('本轮已有同名采样点', 'A point of this name exists in the round'),
        undefined,
        'name',
      );
    // In the transaction: the embedded database has one connection, which the write holds.
    const samplers =
      patch.samplerUserIds === undefined
        ? undefined
        : await checkedSamplers(tx, patch.samplerUserIds, point.orgPath);
    const closedAt =
      patch.closed === undefined ? undefined : patch.closed ? (point.closedAt ?? new Date()) : null;
    const updated = await repo.updatePoint(tx, point.id, {
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.place === undefined ? {} : { place: patch.place || null }),
      ...(patch.hours === undefined ? {} : { hours: patch.hours || null }),
      ...(samplers === undefined ? {} : { samplerUserIds: samplers.map((s) => s.id) }),
      ...(closedAt === undefined ? {} : { closedAt }),
    });
    const names = await findDisplayNames(tx, [
      ...new Set([...point.samplerUserIds, ...updated.samplerUserIds]),
    ]);
    const view = pointView(updated, orgUnitName, names, scope);
    return {
      result: view,
      touched: {
        entity: 'collection_point',
        entityId: point.id,
        orgPath: point.orgPath,
        before: pointView(point, orgUnitName, names, scope),
        after: view,
      },
    };
  });
}

/**
 * A point's (or a door-to-door team's) samplers: active users who may scan where it stands. A lab
 * account or the district's administrator on the team would be refused at the point anyway, or
 * worse, take the place of a sampler.
 */
async function checkedSamplers(db: Executor, ids: string[] | undefined, pointPath: string) {
  const wanted = [...new Set(ids ?? [])];
  const samplers = await findUsersHoldingOver(db, wanted, 'sampling.scan', pointPath);
  if (samplers.length !== wanted.length) {
    // Named: a team of twenty with one wrong member says which one.
    const held = new Set(samplers.map((s) => s.id));
    const names = await findDisplayNames(
      db,
      wanted.filter((id) => !held.has(id)),
      pointPath,
    );
    const who = [...names.values()];
    throw invalidField(
      'samplerUserIds',
      text(
        `${who.join('、') || '所选人员'} 在该区域没有“扫码采样”权限或账号已停用：采样人员须为在该区域有“扫码采样”权限的在用账号`,
        `${who.join(', ') || 'Some'}: samplers must be active users with the sampling permission there`,
      ),
    );
  }
  // In the order chosen.
  const byId = new Map(samplers.map((s) => [s.id, s]));
  return wanted.map((id) => byId.get(id) as { id: string; displayName: string });
}

// ---- person code ------------------------------------------------------------------------------

/**
 * A resident's person code, shown (to be printed or shown from a phone). Audited: the code stands
 * for the person at every point, and when one gets about (the reason codes are renewed) the
 * audit says who had it shown. Nobody else's business: not broadcast.
 */
export async function personCodeOf(deps: AppDeps, actor: Actor, personId: string) {
  const scope = requireScope(actor, 'resident.read');
  return runWrite(deps, actor, 'resident.person-code.show', async (tx) => {
    const row = await findResidentInScope(tx, scope, personId);
    if (!row) throw notFound();
    return {
      result: { code: mintPersonCode(deps.cipher, row.person.id, row.person.codeVersion) },
      touched: {
        entity: 'person',
        entityId: row.person.id,
        orgPath: row.person.orgPath,
        after: { codeVersion: row.person.codeVersion },
        publish: false,
      },
    };
  });
}

/**
 * A new person code for a resident whose code got about (a screenshot passed on, a printout
 * lost): the old one is refused at every point from now on.
 */
export async function renewPersonCode(deps: AppDeps, actor: Actor, personId: string) {
  const scope = requireScope(actor, 'resident.write');
  return runWrite(deps, actor, 'resident.person-code.renew', async (tx) => {
    const renewed = await repo.raiseCodeVersion(tx, scope, personId);
    if (!renewed) throw notFound();
    // Undone with the transaction: the version no longer fits the code.
    if (renewed.codeVersion > MAX_CODE_VERSION)
      throw conflict(text('此人的核酸码已无法再重新生成', 'This person code cannot be renewed again'));
    return {
      result: { code: mintPersonCode(deps.cipher, renewed.id, renewed.codeVersion) },
      touched: {
        entity: 'person',
        entityId: renewed.id,
        orgPath: renewed.orgPath,
        after: { codeVersion: renewed.codeVersion },
      },
    };
  });
}

// ---- tubes ------------------------------------------------------------------------------------

function tubeView(t: repo.TubeRow) {
  return {
    id: t.id,
    tubeCode: t.code,
    roundId: t.roundId,
    pointId: t.pointId,
    mode: t.mode,
    capacity: t.capacity,
    memberCount: t.memberCount,
    state: t.state,
    sealed: t.state !== 'opened',
    result: t.result,
    openedAt: t.openedAt.toISOString(),
    sealedAt: iso(t.sealedAt),
    testedAt: iso(t.testedAt),
  };
}

export async function getTube(deps: AppDeps, actor: Actor, code: string) {
  const scope = requireAnyScope(actor, ['sampling.scan', 'testing.read']);
  const tube = await repo.findTubeInScope(deps.database.db, scope, code);
  if (!tube) throw notFound();
  const members = await repo.findTubeMembers(deps.database.db, tube.id);
  return {
    ...tubeView(tube),
    members: members.map((m) => ({
      personId: m.personId,
      name: maskName(m.name),
      scannedAt: iso(m.scannedAt),
      samplerName: m.samplerName,
    })),
  };
}

export async function listTubesOfPoint(deps: AppDeps, actor: Actor, roundId: string, pointId: string) {
  const scope = requireScope(actor, 'sampling.scan');
  const point = await repo.findPointInScope(deps.database.db, scope, pointId);
  if (!point || point.roundId !== roundId) throw notFound();
  return { items: (await repo.findTubesOfPoint(deps.database.db, pointId, 200)).map(tubeView) };
}

/**
 * A tube, locked, for a change by who scans at its point: in their sampling scope (else 404) and
 * on its team when it has one (else 403) — one rule for sealing it and taking someone out.
 */
async function lockTubeOfMyPoint(tx: Executor, actor: Actor, scope: string[], code: string) {
  const tube = await repo.findTubeInScope(tx, scope, code, true);
  if (!tube) throw notFound();
  const [point] = await repo.findPointsForScan(tx, [tube.pointId]);
  const refusal = point ? scanRefusal(actor, point) : 'scope';
  if (refusal === 'scope') throw notFound();
  if (refusal === 'team') throw notOnTeam();
  return tube;
}

/**
 * Takes a person scanned by mistake out of a tube still open (the wrong code scanned, or gone
 * before the swab): their place is free again and they count as not sampled, to be scanned
 * again. A sealed tube holds the swabs it holds: no longer. By who may scan at the tube's point.
 */
export async function removeFromTube(
  deps: AppDeps,
  actor: Actor,
  code: string,
  personId: string,
  input: { reason: string; clientId?: string },
) {
  const scope = requireScope(actor, 'sampling.scan');
  return runWrite(
    deps,
    actor,
    'tube.member-remove',
    async (tx) => {
      const tube = await lockTubeOfMyPoint(tx, actor, scope, code);
      if (tube.state !== 'opened')
        throw conflict(
          text('该管已封管，不能再移出人员', 'The tube is sealed: its members stay'),
          { code: 'TUBE_SEALED' },
          'tubeCode',
        );
      const member = await repo.findTubeMember(tx, tube.id, personId);
      if (!member) throw notFound();
      await repo.removeTubeMember(tx, tube.id, personId);
      // Emptied, a 一户一管 tube belongs to no household again: the wrong household's code,
      // scanned first, must not keep the right household out of it.
      const after = await repo.updateTube(tx, tube.id, {
        memberCount: tube.memberCount - 1,
        ...(tube.memberCount === 1 ? { householdId: null } : {}),
      });
      return {
        result: tubeView(after),
        touched: {
          entity: 'tube',
          entityId: tube.id,
          orgPath: tube.orgPath,
          before: { memberCount: tube.memberCount, member: personId },
          after: { memberCount: after.memberCount, removed: personId, reason: input.reason },
        },
      };
    },
    { clientId: input.clientId },
  );
}

export async function sealTube(deps: AppDeps, actor: Actor, code: string, clientId?: string) {
  const scope = requireScope(actor, 'sampling.scan');
  return runWrite(
    deps,
    actor,
    'tube.seal',
    async (tx) => {
      const tube = await lockTubeOfMyPoint(tx, actor, scope, code);
      if (tube.state !== 'opened')
        throw conflict(
          text(
            `该管状态为“${TUBE_STATE_NAMES[tube.state as TubeState]?.zh ?? tube.state}”，不能再封管`,
            `The tube is ${(TUBE_STATE_NAMES[tube.state as TubeState]?.en ?? tube.state).toLowerCase()} already`,
          ),
          { code: 'TUBE_SEALED' },
          'tubeCode',
        );
      if (tube.memberCount === 0)
        throw conflict(text('空管不能封管', 'An empty tube cannot be sealed'), { code: 'TUBE_EMPTY' });
      const after = await repo.updateTube(tx, tube.id, { state: 'sealed', sealedAt: new Date() });
      const view = tubeView(after);
      return {
        result: view,
        touched: {
          entity: 'tube',
          entityId: tube.id,
          orgPath: tube.orgPath,
          before: { state: tube.state },
          after: { state: after.state },
        },
      };
    },
    { clientId },
  );
}

const tubeList = (codes: string[]) => [...new Set(codes.map((c) => c.trim()).filter(Boolean))];

/** Sealed tubes handed to a lab in one batch (送检). */
export async function handOverTubes(
  deps: AppDeps,
  actor: Actor,
  input: { roundId: string; labId: string; tubeCodes: string[]; clientId?: string },
) {
  const scope = requireScope(actor, 'sampling.scan');
  const codes = tubeList(input.tubeCodes);
  return runWrite(
    deps,
    actor,
    'lab-handover.create',
    async (tx) => {
      // In the write: a retry after a lost answer replays the first answer, even if the lab has
      // been stopped since.
      const lab = (await findLabVisible(tx, scope, input.labId))?.lab;
      if (!lab) throw invalidField('labId', text('检测机构不存在', 'Unknown lab'));
      if (!lab.active)
        throw invalidField(
          'labId',
          text(`检测机构“${lab.name}”已停用，请选择其他机构`, 'This lab is stopped'),
        );
      const found = await repo.lockTubesInScope(tx, scope, codes);
      const byCode = new Map(found.map((t) => [t.code, t]));
      const unknown = codes.filter((c) => byCode.get(c)?.roundId !== input.roundId);
      if (unknown.length > 0)
        throw invalidField(
          'tubeCodes',
          text(
            `以下管号不存在或不属于本轮：${unknown.slice(0, 10).join('、')}`,
            `Unknown tubes: ${unknown.slice(0, 10).join(', ')}`,
          ),
        );
      const notSealed = found.filter((t) => t.state !== 'sealed');
      if (notSealed.length > 0)
        throw conflict(
          text(
            `以下管未封管或已送检：${notSealed
              .slice(0, 10)
              .map((t) => t.code)
              .join('、')}`,
            'Some tubes are not sealed or already sent',
          ),
          { code: 'TUBE_STATE', tubeCodes: notSealed.map((t) => t.code) },
          'tubeCodes',
        );
      const outside = found.filter((t) => !isWithin(t.orgPath, lab.orgPath));
      if (outside.length > 0)
        throw invalidField(
          'labId',
          text(
            `检测机构“${lab.name}”不承接这些管所在区域的样本（如 ${outside[0]?.code}）`,
            'This lab does not serve the area of these tubes',
          ),
        );
      const id = newId();
      const orgPath = found[0]?.orgPath as string;
      await repo.insertHandover(tx, {
        id,
        roundId: input.roundId,
        labId: lab.id,
        labName: lab.name,
        tubeCount: found.length,
        orgPath,
        createdBy: actor.userId,
      });
      await repo.setTubesState(
        tx,
        found.map((t) => t.id),
        { state: 'sent', sentAt: new Date(), handoverId: id, labId: lab.id },
      );
      const result = { id, labId: lab.id, labName: lab.name, tubeCount: found.length };
      return {
        result,
        touched: { entity: 'lab_handover', entityId: id, orgPath, after: { ...result, tubeCodes: codes } },
      };
    },
    { clientId: input.clientId },
  );
}

/** Imports of up to this many tubes name every tube's result in their audit event. */
const AUDITED_RESULTS_IN_FULL = 100;

/** How far a lab's result time may lie before the tube's first scan (clocks differ), in ms. */
const RESULT_CLOCK_SKEW_MS = 15 * 60_000;

/**
 * The lab a receipt or result assigns the tubes handed to no lab yet: the actor's, when they work
 * for exactly one lab (null: they stay unassigned).
 */
const soleLab = (labIds: string[] | null) => (labIds?.length === 1 ? (labIds[0] as string) : null);

/** A tube a lab can receive: sealed, or handed over to it. */
const isReceivable = (t: { state: string }) => t.state === 'sealed' || t.state === 'sent';

/** What the lab has yet to receive: hand-over batches with tubes still sent, to receive whole. */
export async function listHandoversToReceive(deps: AppDeps, actor: Actor) {
  const scope = requireScope(actor, 'lab.results');
  const labIds = await labsOfActor(deps, actor);
  const items = await repo.findHandoversToReceive(deps.database.db, scope, labIds);
  return { items: items.map((h) => ({ ...h, createdAt: iso(h.createdAt) as string })) };
}

/** The lab acknowledges tubes (by scanning them or the hand-over list). */
export async function receiveTubes(
  deps: AppDeps,
  actor: Actor,
  input: { tubeCodes: string[]; clientId?: string },
) {
  const scope = requireScope(actor, 'lab.results');
  const codes = tubeList(input.tubeCodes);
  const labIds = await labsOfActor(deps, actor);
  return runWrite(
    deps,
    actor,
    'tube.receive',
    async (tx) => {
      // Tubes handed to another lab are not this lab's to receive: they answer as unknown here.
      const found = await repo.lockTubesInScope(tx, scope, codes, labIds);
      const known = new Set(found.map((t) => t.code));
      const unknownTubes = codes.filter((c) => !known.has(c));
      if (found.length === 0)
        throw invalidField(
          'tubeCodes',
          text('这些管号都不存在或不在本实验室的服务范围内', 'None of these tubes is known here'),
        );
      const receivable = found.filter(isReceivable);
      await repo.setTubesState(
        tx,
        receivable.map((t) => t.id),
        { state: 'received', receivedAt: new Date() },
      );
      await repo.assignTubesToLab(
        tx,
        receivable.map((t) => t.id),
        soleLab(labIds),
      );
      // Named, with why: a tube still taking people (opened) here is far likelier a misread barcode
      // or a tube sent too early than a receipt; one tested already was received long ago.
      const skippedTubes = found
        .filter((t) => !isReceivable(t))
        .map((t) => ({ tubeCode: t.code, state: t.state }));
      const result = {
        received: receivable.length,
        unknownTubes,
        skipped: skippedTubes.length,
        skippedTubes,
      };
      return {
        result,
        // Under the smallest subtree holding the tubes, so auditors of a unit see their receipts.
        touched: {
          entity: 'tube',
          entityId: null,
          orgPath: commonAncestor(found.map((t) => t.orgPath)),
          after: { ...result, tubeCodes: codes },
        },
      };
    },
    { clientId: input.clientId },
  );
}

// ---- lab results ------------------------------------------------------------------------------

export interface ImportReport {
  dryRun: boolean;
  rows: number;
  applied: number;
  unknownTubes: string[];
  duplicates: number;
  conflicts: string[];
  notReceived: number;
  alreadyRecorded: number;
  positives: number;
  /** Of the positives, single tubes (单采单检): their person is handed over, the command centre told. */
  singlePositives: number;
  rechecksCreated: number;
  /** Tubes found invalid (无效): in a round still running, their people are sampled again. */
  invalids: number;
  errors: RowError[];
}

/**
 * A lab's result file: judged whole (unknown tubes, duplicate and conflicting rows, tubes never
 * received — accepted, labs often receive by their result list), then, unless a dry run, every
 * good row applied in one transaction with what results cause: a pooled positive puts every member
 * under temporary control with one recheck each for their grid worker; a single-tube positive is
 * handed over with an urgent item for the command centre; negatives release temporary control.
 */
export async function importLabResults(
  deps: AppDeps,
  actor: Actor,
  data: Buffer,
  fileName: string,
  options: { dryRun: boolean },
): Promise<ImportReport> {
  const scope = requireScope(actor, 'lab.results');
  const { rows, errors } = await readResultsFile(data);
  return applyLabResults(deps, actor, scope, rows, errors, fileName, options);
}

/** A result typed in for one tube, as a file of one row (a time from the future refused). */
function typedInRows(input: { tubeCode: string; result: TestResult; testedAt: Date; ct?: string | null }) {
  if (input.testedAt.getTime() > Date.now() + 5 * 60_000)
    throw invalidField('testedAt', text('检测时间不能晚于现在', 'The test time is in the future'));
  const row: ResultRow = {
    row: 1,
    tubeCode: input.tubeCode,
    result: input.result,
    testedAt: input.testedAt,
    ct: input.ct ?? null,
  };
  return [row];
}

/** One result entered by hand at the lab: the same rules as a file of one row. */
export async function enterLabResult(
  deps: AppDeps,
  actor: Actor,
  input: { tubeCode: string; result: TestResult; testedAt: Date; ct?: string | null; clientId?: string },
) {
  const scope = requireScope(actor, 'lab.results');
  const rows = typedInRows(input);
  // Refused inside the write: a refused entry leaves no (empty) import behind.
  return applyLabResults(deps, actor, scope, rows, [], '手工录入', {
    dryRun: false,
    refuse: refuseEnteredResult,
    clientId: input.clientId,
  });
}

/**
 * 更正: a tube recorded negative found positive on a retest (a mix-up at the lab, a retest of the
 * same sample). The positive is followed up as any positive (recall, control, the command centre
 * told); the negative is kept in the audit with why it was corrected.
 */
export async function correctLabResult(
  deps: AppDeps,
  actor: Actor,
  input: {
    tubeCode: string;
    result: TestResult;
    testedAt: Date;
    ct?: string | null;
    reason: string;
    clientId?: string;
  },
) {
  const scope = requireScope(actor, 'lab.results');
  const rows = typedInRows(input);
  return applyLabResults(deps, actor, scope, rows, [], '结果更正', {
    dryRun: false,
    correction: { reason: input.reason },
    clientId: input.clientId,
    refuse: (report) => {
      if (report.unknownTubes.length > 0) refuseEnteredResult(report);
      const error = report.errors[0];
      if (!error) return;
      if (error.column === 'testedAt') throw invalidField('testedAt', error.message);
      throw conflict(error.message, { code: 'RESULT_CONFLICT' }, 'result');
    },
  });
}

/** Why a result typed in for one tube is not taken, as the error a form shows. */
function refuseEnteredResult(report: ImportReport) {
  if (report.unknownTubes.length > 0) {
    // 404 as any record not found, saying what to check and naming the field.
    const unknown = text(
      '管号不存在，或不是交给本实验室的样本，请核对管号',
      'No such tube, or not one handed to this lab: check the code',
    );
    throw new AppError('NOT_FOUND', unknown, { tubeCode: unknown });
  }
  if (report.conflicts.length > 0)
    // The row's own words, in both languages: what is recorded and what was typed.
    throw conflict(
      report.errors[0]?.message ?? text('与已有结果不一致', 'Conflicts with the recorded result'),
      { code: 'RESULT_CONFLICT' },
    );
  const timeError = report.errors.find((e) => e.column === 'testedAt');
  if (timeError) throw invalidField('testedAt', timeError.message);
  const [first] = report.errors;
  if (first) throw conflict(first.message, { code: 'TUBE_OPEN' });
}

/** The lab's rows against the tubes in its scope (checked by the callers, before any file is read). */
async function applyLabResults(
  deps: AppDeps,
  actor: Actor,
  scope: string[],
  rows: ResultRow[],
  errors: RowError[],
  fileName: string,
  options: {
    dryRun: boolean;
    /** Throws to refuse the report: inside the write, so a refused one leaves nothing behind. */
    refuse?: (report: ImportReport) => void;
    /** A retest found a negative tube positive: the negative is written over, with why. */
    correction?: { reason: string };
    /** A result typed in on a phone or at a bench: its retry after a lost answer replays the first. */
    clientId?: string;
  },
): Promise<ImportReport> {
  const db = deps.database.db;
  const labIds = await labsOfActor(deps, actor);
  // A result typed in is refused as one (its messages speak of the entry, not of a file).
  const typedIn = options.refuse !== undefined;

  // Rows of one tube: identical ones are duplicates, differing ones a conflict (neither applied).
  const byCode = new Map<string, typeof rows>();
  for (const r of rows) byCode.set(r.tubeCode, [...(byCode.get(r.tubeCode) ?? []), r]);
  const conflicts: string[] = [];
  let duplicates = 0;
  const wanted: typeof rows = [];
  for (const [code, group] of byCode) {
    const first = group[0] as (typeof rows)[number];
    if (group.some((g) => g.result !== first.result)) {
      conflicts.push(code);
      for (const g of group)
        errors.push({
          row: g.row,
          column: 'result',
          message: text(
            `管号 ${code} 在文件中有相互矛盾的结果（${group.map((x) => TEST_RESULT_NAMES[x.result].zh).join('/')}），均未导入`,
            `Tube ${code} has conflicting results in the file (${group.map((x) => TEST_RESULT_NAMES[x.result].en).join('/')}): none imported`,
          ),
        });
      continue;
    }
    duplicates += group.length - 1;
    wanted.push(first);
  }

  // What the write applied, for its audit: the import, and each tube's result.
  let applied: {
    tube: {
      id: string;
      code: string;
      orgPath: string;
      result: string | null;
      testedAt: string | null;
      ct: string | null;
      resultImportId: string | null;
    };
    row: ResultRow;
  }[] = [];
  let importId: string | null = null;
  // What the results set off, record by record (a control set, a recall sent): audited with the
  // import, each at the person's or the item's own place, so a grid's auditor finds who put their
  // resident under control, and the grid worker's list hears of a recall at once.
  let setOff: Touched[] = [];
  const report = async (tx: Executor, write: boolean): Promise<ImportReport> => {
    const tubes = new Map(
      (
        await repo.findTubesByCodes(
          tx,
          scope,
          wanted.map((r) => r.tubeCode),
          // A tube handed to another lab is not this lab's to test: it is reported unknown here.
          { forUpdate: write, labIds },
        )
      ).map((t) => [t.code, t]),
    );
    const unknownTubes: string[] = [];
    let notReceived = 0;
    let alreadyRecorded = 0;
    const apply: { tube: NonNullable<ReturnType<typeof tubes.get>>; row: (typeof rows)[number] }[] = [];
    for (const row of wanted) {
      const tube = tubes.get(row.tubeCode);
      if (!tube) {
        unknownTubes.push(row.tubeCode);
        continue;
      }
      if (options.correction) {
        // Only a negative found positive on a retest is corrected here: what a negative set off
        // (nothing, or a recheck closed) is followed up as a positive; a positive's recall and
        // control are not undone by hand (its rechecks answer it).
        // The same correction again (its answer lost on a weak network): as recorded, not refused.
        if (tube.result === 'positive' && row.result === 'positive') {
          alreadyRecorded += 1;
          continue;
        }
        const refusal: { column: string; message: Text } | null = !tube.result
          ? {
              column: 'result',
              message: text('该管尚无结果，请直接录入', 'The tube has no result yet: enter it'),
            }
          : tube.result !== 'negative' || row.result !== 'positive'
            ? {
                column: 'result',
                message: text(
                  `只能把阴性结果更正为阳性（复检阳性）；该管现为“${TEST_RESULT_NAMES[tube.result as TestResult].zh}”`,
                  `Only a negative is corrected to positive (a positive retest); the tube is ${TEST_RESULT_NAMES[tube.result as TestResult].en.toLowerCase()}`,
                ),
              }
            : tube.testedAt && row.testedAt.getTime() <= new Date(tube.testedAt).getTime()
              ? {
                  column: 'testedAt',
                  message: text('复检时间须晚于原结果的检测时间', 'The retest must come after the result'),
                }
              : null;
        if (refusal) {
          errors.push({ row: row.row, ...refusal });
          continue;
        }
        apply.push({ tube, row });
        continue;
      }
      if (tube.result) {
        if (tube.result === row.result) alreadyRecorded += 1;
        else {
          conflicts.push(row.tubeCode);
          // Only a negative found positive on retest is mended by a correction: said then alone.
          const retest = tube.result === 'negative' && row.result === 'positive';
          errors.push({
            row: row.row,
            column: 'result',
            message: text(
              `管号 ${row.tubeCode} 已有结果“${TEST_RESULT_NAMES[tube.result as TestResult].zh}”，与${typedIn ? '录入' : '本文件'}的“${TEST_RESULT_NAMES[row.result].zh}”不一致，未${typedIn ? '录入' : '导入'}${retest ? '；如系复检阳性，请用“更正结果”' : ''}`,
              `Tube ${row.tubeCode} is recorded ${TEST_RESULT_NAMES[tube.result as TestResult].en.toLowerCase()}, not ${TEST_RESULT_NAMES[row.result].en.toLowerCase()} as ${typedIn ? 'typed' : 'in this file'}: not ${typedIn ? 'entered' : 'imported'}${retest ? '; a positive retest is entered as a correction' : ''}`,
            ),
          });
        }
        continue;
      }
      if (tube.state === 'opened') {
        // A result for a tube still taking people is far likelier a misread barcode than a test.
        errors.push({
          row: row.row,
          column: 'tubeCode',
          message: text(
            `管号 ${row.tubeCode} 仍在采样中（未封管），请核对管号；结果未${typedIn ? '录入' : '导入'}`,
            `Tube ${row.tubeCode} is still taking samples (not sealed): check the code; not ${typedIn ? 'entered' : 'imported'}`,
          ),
        });
        continue;
      }
      // A sample is not tested before it is taken: a time before the tube's first scan is a wrong
      // day or year in the lab's file (the lab's clock and the phones' may differ by minutes).
      // A time of midnight is a day given without its time (a report date): the days compare.
      const firstScan = tube.firstScanAt ? new Date(tube.firstScanAt) : null;
      const dayOnly = districtWallClock(row.testedAt).endsWith(' 00:00');
      if (
        firstScan &&
        (dayOnly
          ? localDay(row.testedAt) < localDay(firstScan)
          : row.testedAt.getTime() < firstScan.getTime() - RESULT_CLOCK_SKEW_MS)
      ) {
        errors.push({
          row: row.row,
          column: 'testedAt',
          message: text(
            `管号 ${row.tubeCode} 的检测时间早于采样时间，请核对；结果未${typedIn ? '录入' : '导入'}`,
            `Tube ${row.tubeCode} was tested before it was sampled: check the time; not ${typedIn ? 'entered' : 'imported'}`,
          ),
        });
        continue;
      }
      if (tube.state === 'sealed' || tube.state === 'sent') notReceived += 1;
      apply.push({ tube, row });
    }
    const positivesApplied = apply.filter((a) => a.row.result === 'positive');
    let rechecksCreated = 0;
    if (write && apply.length > 0) {
      importId = newId();
      await repo.insertResultImport(tx, {
        id: importId,
        fileName,
        rowCount: rows.length,
        applied: apply.length,
        positives: positivesApplied.length,
        createdBy: actor.userId,
      });
      if (options.correction)
        // Rechecks the negative single tube answered are open again: the positive closes them.
        // Only a single tube answers a recheck (a pool's negative answers nothing).
        await repo.reopenRechecksAnsweredBy(
          tx,
          apply.filter((a) => !isPooled(a.tube.mode as SamplingMode)).map((a) => a.tube.id),
        );
      await repo.setTubeResults(
        tx,
        importId,
        apply.map((a) => ({
          id: a.tube.id,
          result: a.row.result,
          testedAt: a.row.testedAt.toISOString(),
          ct: a.row.ct,
        })),
        soleLab(labIds),
        Boolean(options.correction),
      );
      ({ rechecksCreated, touched: setOff } = await followUpResults(
        tx,
        actor,
        apply.map((a) => ({ ...a.tube, result: a.row.result, testedAt: a.row.testedAt })),
      ));
    } else {
      rechecksCreated = positivesApplied
        .filter((a) => isPooled(a.tube.mode as SamplingMode))
        .reduce((n, a) => n + a.tube.memberCount, 0);
    }
    errors.sort((a, b) => a.row - b.row);
    applied = apply;
    return {
      dryRun: !write,
      rows: new Set([...rows.map((r) => r.row), ...errors.map((e) => e.row)]).size,
      applied: apply.length,
      unknownTubes,
      duplicates,
      conflicts: [...new Set(conflicts)],
      notReceived,
      alreadyRecorded,
      positives: positivesApplied.length,
      singlePositives: positivesApplied.filter((a) => !isPooled(a.tube.mode as SamplingMode)).length,
      rechecksCreated,
      invalids: apply.filter((a) => a.row.result === 'invalid').length,
      errors,
    };
  };

  if (options.dryRun) return report(db, false);
  let touched: Touched[] = [];
  return runWrite(
    deps,
    actor,
    'lab-results.import',
    async (tx) => {
      const result = await report(tx, true);
      options.refuse?.(result);
      touched = [
        {
          entity: 'lab_result_import',
          entityId: importId,
          // The smallest subtree holding every tube, so the event reaches those it concerns.
          orgPath: commonAncestor(applied.map((a) => a.tube.orgPath)),
          after: {
            fileName,
            // What the correction wrote over: the tube keeps only the new result.
            ...(options.correction
              ? {
                  reason: options.correction.reason,
                  corrected: applied.map(({ tube }) => ({
                    tubeCode: tube.code,
                    was: {
                      result: tube.result,
                      testedAt: tube.testedAt,
                      ct: tube.ct,
                      importId: tube.resultImportId,
                    },
                  })),
                }
              : {}),
            rows: result.rows,
            applied: result.applied,
            positives: result.positives,
            rechecksCreated: result.rechecksCreated,
            // Which tube got which result: every tube of a small import (a result typed in), the
            // positives of any; the rest of a large file is on the tubes (result_import_id → this).
            results: applied
              .filter(({ row }) => applied.length <= AUDITED_RESULTS_IN_FULL || row.result !== 'negative')
              .map(({ tube, row }) => ({
                tubeCode: tube.code,
                result: row.result,
                testedAt: row.testedAt.toISOString(),
                ct: row.ct,
              })),
          },
        },
        ...setOff,
      ];
      return { result, touched };
    },
    { clientId: options.clientId },
  );
}

function commonAncestor(paths: string[]): string | null {
  if (paths.length === 0) return null;
  let common = (paths[0] as string).split('.');
  for (const p of paths) {
    const parts = p.split('.');
    let i = 0;
    while (i < common.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.length ? common.join('.') : null;
}

/** The source of the temporary control a pooled positive sets (and the only one a recheck releases). */
const POOLED_POSITIVE_SOURCE = STATUS_SOURCES.poolPositive.zh;
/**
 * Control states a pooled positive never lightens to temporary control: every state that samples
 * alone but temporary control itself (集中隔离 or 居家健康监测 lightened to 临时管控 would be
 * released by the recheck's negative).
 */
const STRONGER_THAN_TEMPORARY_CONTROL: readonly string[] = SINGLE_TUBE_CONTROL_STATES.filter(
  (s) => s !== 'temporary_control',
);

/**
 * What results set off, for tubes just given a result. Returns the rechecks created, and each
 * record it touched (a person's control, a work item sent or closed) for the import's audit.
 */
async function followUpResults(
  tx: Executor,
  actor: Actor,
  tested: { id: string; code: string; mode: string; roundId: string; result: string; testedAt: Date }[],
): Promise<{ rechecksCreated: number; touched: Touched[] }> {
  const touched: Touched[] = [];
  const itemsSent = (items: NewWorkItem[], ids: string[]) => {
    items.forEach((item, k) => {
      touched.push({
        entity: 'work-item',
        entityId: ids[k] as string,
        orgPath: item.orgPath,
        action: 'work-item.create',
        // Not its title, which names the person and their address: the audit page shows it as the
        // event's subject, to readers of that resident alone.
        after: {
          type: item.type,
          assigneeUserId: item.assigneeUserId ?? null,
          assigneeOrgUnitId: item.assigneeOrgUnitId ?? null,
        },
      });
    });
  };
  const itemsClosed = (items: { id: string; orgPath: string; feedback: string | null }[]) => {
    for (const item of items)
      touched.push({
        entity: 'work-item',
        entityId: item.id,
        orgPath: item.orgPath,
        action: 'work-item.feedback',
        after: { state: 'done', feedback: item.feedback },
      });
  };
  // Only positive and invalid tubes' members come back to the app (a handful); what negatives
  // cause is done in the database, set-based, so 100,000 negative tubes never ship a million
  // members here.
  const members = await repo.findMembersOfTubes(
    tx,
    tested.filter((t) => t.result === 'positive' || t.result === 'invalid').map((t) => t.id),
  );
  const tubeOf = new Map(tested.map((t) => [t.id, t]));
  const now = new Date();
  let statuses: (typeof personStatuses.$inferInsert)[] = [];
  const status = (
    person: { personId: string; districtCode: string; orgPath: string },
    value: string,
    source: string,
    observedAt = now,
  ) => {
    touched.push({
      entity: 'resident',
      entityId: person.personId,
      orgPath: person.orgPath,
      action: 'resident.status',
      after: { kind: 'control_state', value, source },
    });
    statuses.push({
      id: newId(),
      personId: person.personId,
      kind: 'control_state',
      value,
      observedAt,
      source,
      recordedBy: actor.userId,
      districtCode: person.districtCode,
    });
  };
  /** Writes the statuses so far, so what follows reads them as each person's latest. */
  const writeStatuses = async () => {
    for (let i = 0; i < statuses.length; i += 2000)
      await tx.insert(personStatuses).values(statuses.slice(i, i + 2000));
    statuses = [];
  };

  const pooledPositive = members.filter((m) => {
    const t = tubeOf.get(m.tubeId);
    return t?.result === 'positive' && isPooled(t.mode as SamplingMode);
  });
  const singlePositive = members.filter((m) => {
    const t = tubeOf.get(m.tubeId);
    return t?.result === 'positive' && !isPooled(t.mode as SamplingMode);
  });
  // Invalid tubes: nobody in them has a result. In a round still running they are due again (on
  // the missing list, scannable again), and their grid workers are sent to have them sampled
  // again. A round that has ended keeps its figures: its people are tested in the next one.
  const invalidTubes = tested.filter((t) => t.result === 'invalid');
  const rounds = await repo.findRoundPaths(tx, [
    ...new Set([...singlePositive.map((m) => m.roundId), ...invalidTubes.map((t) => t.roundId)]),
  ]);
  const today = localDay();
  const released = new Set(
    invalidTubes
      .filter((t) => {
        const endsOn = rounds.get(t.roundId)?.endsOn;
        return endsOn !== undefined && today <= endsOn;
      })
      .map((t) => t.id),
  );
  const resample = members.filter((m) => released.has(m.tubeId));

  // The grid workers of everyone recalled or to sample again, in one read.
  const workers = await repo.findGridWorkers(tx, [
    ...new Set([...pooledPositive, ...resample].map((m) => m.orgUnitId)),
  ]);
  /** A work item about a member for their grid worker (their grid, when it has none). */
  const forGridWorker = (
    m: repo.MemberOfTube,
    item: Pick<NewWorkItem, 'type' | 'details'>,
    dueInHours: number,
  ): NewWorkItem => {
    const worker = workers.get(m.orgUnitId);
    return {
      ...item,
      subjectEntity: 'person',
      subjectId: m.personId,
      assigneeUserId: worker ?? null,
      assigneeOrgUnitId: worker ? null : m.orgUnitId,
      orgPath: m.orgPath,
      dueAt: new Date(now.getTime() + dueInHours * 3600_000),
    };
  };

  // Pooled positives: recall every member.
  const recalls = pooledPositive.map((m) =>
    forGridWorker(
      m,
      { type: 'recheck', details: { name: m.name, address: m.address, tubeCode: m.tubeCode } },
      2,
    ),
  );
  const itemIds = await addWorkItems(tx, actor, recalls);
  itemsSent(recalls, itemIds);
  const created = await repo.insertRechecks(
    tx,
    pooledPositive.map((m, k) => ({
      id: newId(),
      roundId: m.roundId,
      tubeId: m.tubeId,
      personId: m.personId,
      workItemId: itemIds[k] as string,
      orgPath: m.orgPath,
    })),
  );
  // Under temporary control at once — unless already under a stronger control (handed over,
  // quarantined), which a pool's result never lightens.
  const controlBefore = await repo.latestControlStates(
    tx,
    pooledPositive.map((m) => m.personId),
  );
  for (const m of pooledPositive) {
    const current = controlBefore.get(m.personId);
    if (current && STRONGER_THAN_TEMPORARY_CONTROL.includes(current.value)) continue;
    // Under temporary control for another reason already: it stays that one's (a recheck that
    // comes back negative must not lift a control the pool did not set).
    if (current?.value === 'temporary_control' && !current.source.startsWith(POOLED_POSITIVE_SOURCE))
      continue;
    status(m, 'temporary_control', `${POOLED_POSITIVE_SOURCE} ${m.tubeCode}`);
  }

  // Single-tube positives: handed over, the command centre told at once.
  for (const m of singlePositive)
    status(m, 'handed_over', `${STATUS_SOURCES.singlePositive.zh} ${m.tubeCode}`);
  if (singlePositive.length > 0) {
    // To the command centre: the person's district's own unit, whatever area the round covered.
    // Not the round's unit (a village round's item was a task of the village's samplers, who
    // could close it), and kept at the district's level, so only who holds the whole district
    // sees it. By district code, not the tree's root (a city's tree has its districts below it).
    const districts = await findDistrictUnits(tx, [...new Set(singlePositive.map((m) => m.districtCode))]);
    const districtOf = new Map(districts.map((d) => [d.districtCode, d]));
    const urgent = singlePositive.map((m): NewWorkItem => {
      const district = districtOf.get(m.districtCode);
      return {
        type: 'positive_case',
        details: { name: m.name, address: m.address, tubeCode: m.tubeCode },
        subjectEntity: 'person',
        subjectId: m.personId,
        assigneeOrgUnitId: district?.id ?? rounds.get(m.roundId)?.orgUnitId ?? m.orgUnitId,
        orgPath: district?.path ?? rounds.get(m.roundId)?.orgPath ?? m.orgPath,
        dueAt: new Date(now.getTime() + 3600_000),
      };
    });
    itemsSent(urgent, await addWorkItems(tx, actor, urgent));
  }
  const singleIds = singlePositive.map((m) => m.personId);
  itemsClosed(await closeRechecks(tx, singleIds, 'positive'));
  // Sampled again after an invalid tube, and a result came: their resample items are done.
  itemsClosed(
    await repo.closeResampleItemsOfTubeMembers(
      tx,
      tested.filter((t) => t.result !== 'invalid').map((t) => t.id),
      SYSTEM_FEEDBACK.resampled.zh,
    ),
  );

  // Invalid tubes of rounds still running: released, each member sent to be sampled again.
  await repo.releaseMembersOfTubes(tx, [...released]);
  const resamples = resample.map((m) =>
    forGridWorker(
      m,
      { type: 'resample', details: { name: m.name, address: m.address, tubeCode: m.tubeCode } },
      12,
    ),
  );
  itemsSent(resamples, await addWorkItems(tx, actor, resamples));
  // The controls set so far are read below (a pool's positive and a recheck's negative may come
  // in one file).
  await writeStatuses();

  // Negatives: a single tube sampled after the pool closes the person's recheck, and once their
  // last recheck is closed, the temporary control the pool put them under is released. Nothing
  // else releases it: not a pool's negative (a late result of an earlier sample), nor a control
  // set for another reason.
  const singleNegatives = tested
    .filter((t) => t.result === 'negative' && !isPooled(t.mode as SamplingMode))
    .map((t) => t.id);
  const closed = await repo.closeRechecksOfTubeMembers(tx, singleNegatives, 'negative');
  itemsClosed(
    await repo.closeWorkItems(
      tx,
      closed.map((c) => c.workItemId).filter((id): id is string => Boolean(id)),
      SYSTEM_FEEDBACK.recheckNegative.zh,
    ),
  );
  const rechecked = [...new Set(closed.map((c) => c.personId))];
  // Observed just after the control it lifts, which may have been set in this same import.
  for (const person of await repo.findReleasableAfterRechecks(tx, rechecked, POOLED_POSITIVE_SOURCE))
    status(person, 'released', STATUS_SOURCES.recheckNegative.zh, new Date(now.getTime() + 1));
  await writeStatuses();
  return { rechecksCreated: created.length, touched };
}

async function closeRechecks(tx: Executor, personIds: string[], state: string) {
  const closed = await repo.closeRechecksOf(tx, personIds, state);
  return repo.closeWorkItems(
    tx,
    closed.map((c) => c.workItemId).filter((id): id is string => Boolean(id)),
    state === 'negative' ? SYSTEM_FEEDBACK.recheckNegative.zh : SYSTEM_FEEDBACK.recheckPositive.zh,
  );
}

// ---- coverage and the missing ----------------------------------------------------------------

/**
 * A round's area under a node, in a scope. Once the round has ended, people registered after it
 * were never due in it: its coverage, missing list and sweeps stay as they were.
 */
function roundArea(round: repo.RoundRow, nodePath: string, scope: string[]): repo.Area {
  const end = endOfLocalDay(round.endsOn);
  return {
    roundPath: round.orgPath,
    nodePath,
    scope,
    registeredBefore: end.getTime() <= Date.now() ? end : null,
  };
}

/** The area asked: the node (default: the round's own node, or the actor's scope within it). */
async function areaOf(deps: AppDeps, round: repo.RoundRow, orgUnitId: string | undefined, scope: string[]) {
  const db = deps.database.db;
  if (orgUnitId) {
    const unit = await findOrgUnitInScope(db, scope, orgUnitId);
    if (!unit || !(isWithin(unit.path, round.orgPath) || isWithin(round.orgPath, unit.path)))
      throw notFound();
    const nodePath = isWithin(unit.path, round.orgPath) ? unit.path : round.orgPath;
    return { unit, area: roundArea(round, nodePath, scope) };
  }
  // Without a node: the round's node if in scope, else the actor's single subtree inside the round.
  const inside = scope.filter((p) => isWithin(p, round.orgPath));
  const nodePath =
    pathInScope(round.orgPath, scope) || inside.length !== 1 ? round.orgPath : (inside[0] as string);
  const [unit] = await findOrgUnitsByPaths(db, [nodePath]);
  if (!unit) throw notFound();
  return { unit, area: roundArea(round, nodePath, scope) };
}

export async function coverage(deps: AppDeps, actor: Actor, roundId: string, orgUnitId?: string) {
  const scope = testingScope(actor);
  const round = await visibleRound(deps, scope, roundId);
  const { unit, area } = await areaOf(deps, round, orgUnitId, scope);
  const db = deps.database.db;
  const [rows, childRows] = await Promise.all([
    repo.coverageByGrid(db, roundId, area, DUE_STATUSES),
    findChildrenInScope(db, [area.nodePath], { parentId: unit.id }, { limit: 2000, offset: 0 }),
  ]);
  // Children the actor has any part of: inside their scope, or holding it.
  const children = childRows.items.filter(
    (c) => pathInScope(c.path, scope) || scope.some((p) => isWithin(p, c.path)),
  );
  type Tally = {
    due: number;
    sampled: number;
    exempt: number;
    exemptByReason: Record<string, number>;
    exemptByStatus: number;
  };
  const empty = (): Tally => ({ due: 0, sampled: 0, exempt: 0, exemptByReason: {}, exemptByStatus: 0 });
  const add = (t: Tally, r: repo.CoverageRow) => {
    t.due += r.due;
    t.sampled += r.sampled;
    if (r.reason) {
      const exempt = r.due - r.sampled;
      t.exempt += exempt;
      t.exemptByReason[r.reason] = (t.exemptByReason[r.reason] ?? 0) + exempt;
      if (r.byStatus) t.exemptByStatus += exempt;
    }
  };
  const total = empty();
  const byChild = new Map(children.map((c) => [c.id, empty()]));
  // People registered on the node itself (a grid's residents not placed in any of its buildings)
  // belong to no child: they get a row of their own, so the children add up to the node.
  const direct = empty();
  for (const r of rows) {
    add(total, r);
    const child = children.find((c) => isWithin(r.orgPath, c.path));
    if (child) add(byChild.get(child.id) as Tally, r);
    else if (r.orgPath === area.nodePath) add(direct, r);
  }
  const finish = (t: Tally) => ({ ...t, missing: missingOf(t) });
  const childNodes = children
    .map((c) => ({ orgUnitId: c.id, name: c.name, level: c.level, ...finish(byChild.get(c.id) as Tally) }))
    .filter((c) => c.due > 0 || c.level === 'grid');
  return {
    roundId,
    orgUnitId: unit.id,
    orgUnitName: unit.name,
    level: unit.level,
    ...finish(total),
    children:
      childNodes.length > 0 && direct.due > 0
        ? [
            ...childNodes,
            { orgUnitId: unit.id, name: unit.name, level: unit.level, direct: true, ...finish(direct) },
          ]
        : childNodes,
  };
}

/**
 * The part of a round's area (or of a node in it) whose residents the actor may list by name: the
 * round visible to them, narrowed to where they may read residents (names, phones, addresses).
 */
async function residentsArea(deps: AppDeps, actor: Actor, roundId: string, orgUnitId: string | undefined) {
  const scope = testingScope(actor);
  const readable = requireScope(actor, 'resident.read');
  const round = await visibleRound(deps, scope, roundId);
  const { area, unit } = await areaOf(deps, round, orgUnitId, scope);
  return { area: { ...area, scope: readable }, round, unit };
}

export async function listMissingInRound(
  deps: AppDeps,
  actor: Actor,
  roundId: string,
  query: { orgUnitId?: string; page: number; pageSize: number },
) {
  const { area } = await residentsArea(deps, actor, roundId, query.orgUnitId);
  const { items, total } = await repo.findMissing(
    deps.database.db,
    roundId,
    area,
    DUE_RESIDENCE_STATUSES,
    toLimitOffset(query),
  );
  const canExempt = scopePaths(actor, 'testing.exempt');
  return {
    items: items.map((m) => ({
      id: m.id,
      name: m.name,
      phone: m.phoneEnc ? maskPhone(deps.cipher.open(m.phoneEnc)) : null,
      address: m.address,
      residenceStatus: m.residenceStatus,
      gridId: m.orgUnitId,
      gridName: m.gridName,
      householdId: m.householdId,
      resample: m.resample,
      actions: { exempt: canExempt.length > 0 },
    })),
    total,
  };
}

export async function exemptPerson(
  deps: AppDeps,
  actor: Actor,
  roundId: string,
  input: {
    personId: string;
    reason: ExemptionReason;
    note?: string | null;
    clientId?: string;
    recordedAt?: string;
    sentAt?: string;
  },
) {
  const scope = requireScope(actor, 'testing.exempt');
  const round = await visibleRound(deps, scope, roundId);
  const area = roundArea(round, round.orgPath, scope);
  return runWrite(
    deps,
    actor,
    'test-exemption.record',
    async (tx) => {
      // In the write, after a retry's first answer is found: a rule added since (or a cancel made
      // since) refuses no exemption the server once took and a phone sends again. Read again
      // here, locked: a cancel committing meanwhile is seen.
      if (await repo.isRoundCancelledNow(tx, roundId)) throw roundCancelled();
      // 其他 says nothing by itself: whoever reviews the exemption needs the why.
      if (input.reason === 'other' && !input.note?.trim())
        throw invalidField('note', text('选择“其他”时请写明免检原因', 'Say why when the reason is “other”'));
      const person = await repo.findPersonInArea(tx, area, input.personId);
      if (!person) throw notFound();
      // At the door's day (a phone offline over New Year sends it in the next year).
      const recordedAt = doorInstant(input, round.createdAt, THE_ROUND);
      const age = input.reason === 'infant' ? tooOldForInfant(person.birthYear, localDay(recordedAt)) : null;
      if (age !== null)
        throw invalidField(
          'reason',
          text(
            `此人至少 ${age} 岁（${person.birthYear} 年生），“婴幼儿”免检只适用于 ${INFANT_MAX_AGE} 岁及以下，请选择其他原因`,
            `This person is at least ${age} (born ${person.birthYear}): “Infant” is for ${INFANT_MAX_AGE} and under; choose another reason`,
          ),
        );
      if (await repo.isSampled(tx, roundId, person.id))
        throw conflict(text('此人本轮已采样，无需免检', 'Already sampled in this round'), {
          code: 'ALREADY_SAMPLED',
        });
      const { before, newer } = await repo.upsertExemption(tx, {
        roundId,
        personId: person.id,
        reason: input.reason,
        note: input.note ?? null,
        orgPath: person.orgPath,
        recordedBy: actor.userId,
        // At the door, not at the upload (as a visit's time).
        createdAt: recordedAt,
      });
      // Recorded at a door offline, sent after a colleague recorded one afresh (found in hospital
      // meanwhile): theirs is the newer word on this person and stands, as for a withdrawal.
      if (newer)
        throw conflict(
          text(
            `此人在您登记之后已另有免检登记（${EXEMPTION_REASON_NAMES[newer.reason as ExemptionReason]?.zh ?? newer.reason}），未覆盖`,
            `An exemption was recorded for this person after yours (${EXEMPTION_REASON_NAMES[newer.reason as ExemptionReason]?.en ?? newer.reason}): not replaced`,
          ),
          { code: 'EXEMPTION_NEWER' },
        );
      const result = { roundId, personId: person.id, reason: input.reason, note: input.note ?? null };
      return {
        result,
        touched: {
          entity: 'test_exemption',
          entityId: person.id,
          orgPath: person.orgPath,
          before: before ? { reason: before.reason, note: before.note } : undefined,
          after: { reason: input.reason, note: input.note ?? null },
        },
      };
    },
    { clientId: input.clientId },
  );
}

/** Said of someone swabbed into a tube the lab found invalid, on the missing list and its workbook. */
const RESAMPLE_NOTE = text('已采样但管无效，需重采', 'Sampled, but the tube was invalid: sample again');

/** Rows of a missing-list workbook: a grid worker's door-knocking list fits many times over. */
const MISSING_EXPORT_MAX = 50_000;

/**
 * The missing list as a workbook, to print for door-knocking: names, masked phones, grids,
 * addresses. Audited as an export of personal data (how many rows, of which node).
 */
export async function exportMissingInRound(
  deps: AppDeps,
  actor: Actor,
  roundId: string,
  orgUnitId?: string,
  locale: Locale = 'zh',
) {
  // In the asker's language (a Chinese door-knocker's printout, or an English reader's).
  const say = (zh: string, en: string) => (locale === 'en' ? en : zh);
  const { area, round, unit } = await residentsArea(deps, actor, roundId, orgUnitId);
  // The people a door-to-door team visits: the missing, and those exempt as sampled at home.
  const { items, total } = await repo.findMissing(
    deps.database.db,
    roundId,
    area,
    DUE_RESIDENCE_STATUSES,
    { limit: MISSING_EXPORT_MAX, offset: 0 },
    { withDoorToDoor: true },
  );
  await runWrite(deps, actor, 'test-round.missing.export', async () => ({
    result: null,
    touched: {
      entity: 'test_round',
      entityId: roundId,
      orgPath: unit.path,
      after: { rows: items.length, total, orgUnitId: unit.id },
      publish: false,
    },
  }));
  const wb = new ExcelJS.Workbook();
  // Printed on A4 across, every column on one page wide, the heading repeated on each page.
  const sheet = wb.addWorksheet(say('未检名单', 'Not sampled'), {
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '3:3',
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: say('第 &P 页，共 &N 页', 'Page &P of &N') },
  });
  const columns = [
    { header: say('序号', 'No.'), key: 'n', width: 6 },
    { header: say('姓名', 'Name'), key: 'name', width: 10 },
    { header: say('手机号', 'Phone'), key: 'phone', width: 14 },
    { header: say('网格', 'Grid'), key: 'grid', width: 14 },
    { header: say('地址', 'Address'), key: 'address', width: 30 },
    { header: say('情况', 'Status'), key: 'status', width: 16 },
    { header: say('采样情况（入户填写）', 'Sampled? (fill in at the door)'), key: 'visit', width: 24 },
  ];
  sheet.columns = columns.map(({ key, width }) => ({ key, width }));
  // What the sheet is, for whoever holds the printout: the round, the unit, when it was taken.
  sheet.mergeCells(1, 1, 1, columns.length);
  sheet.getCell(1, 1).value = `${round.name} · ${unit.name} · ${say('未检名单', 'Not sampled')}`;
  sheet.getCell(1, 1).font = { bold: true, size: 14 };
  sheet.mergeCells(2, 1, 2, columns.length);
  sheet.getCell(2, 1).value = say(
    `导出时间 ${districtWallClock(new Date())}，共 ${total} 人（含卧床需入户采样者）；手机号已脱敏`,
    `Exported ${districtWallClock(new Date())} (Beijing time): ${total} people, the bedridden to sample at home included; phones masked`,
  );
  sheet.getRow(3).values = columns.map((c) => c.header);
  sheet.getRow(3).font = { bold: true };
  items.forEach((m, i) => {
    sheet.addRow({
      n: i + 1,
      name: m.name,
      phone: m.phoneEnc ? maskPhone(deps.cipher.open(m.phoneEnc)) : '',
      grid: m.gridName,
      address: m.address,
      status: [
        m.exemption && m.exemption in EXEMPTION_REASON_NAMES
          ? EXEMPTION_REASON_NAMES[m.exemption as ExemptionReason][locale]
          : (RESIDENCE_STATUS_NAMES[m.residenceStatus as ResidenceStatus]?.[locale] ?? m.residenceStatus),
        // Swabbed already, the tube invalid: the door-knocker is told before "我已经做过了".
        m.resample ? RESAMPLE_NOTE[locale] : null,
      ]
        .filter(Boolean)
        .join(say('；', '; ')),
    });
  });
  // Ruled, so the column to fill in at the door prints as boxes, not blank paper.
  const thin = { style: 'thin' as const };
  for (let r = 3; r <= sheet.rowCount; r++)
    for (let c = 1; c <= columns.length; c++) {
      const cell = sheet.getCell(r, c);
      cell.border = { top: thin, left: thin, bottom: thin, right: thin };
      cell.alignment = { vertical: 'middle', wrapText: true };
    }
  if (total > items.length)
    sheet.addRow({
      name: say(
        `（仅导出前 ${items.length} 人，共 ${total} 人：请按下级单位分别导出）`,
        `(Only the first ${items.length} of ${total} people: export each unit below separately)`,
      ),
    });
  return {
    fileName: `${round.name}-${unit.name}-${say('未检名单', 'not-sampled')}-${localDay()}.xlsx`,
    data: Buffer.from(await wb.xlsx.writeBuffer()),
  };
}

/** Who is exempt in a round, in an area: names and addresses where the actor may read residents. */
export async function listExemptInRound(
  deps: AppDeps,
  actor: Actor,
  roundId: string,
  query: { orgUnitId?: string; page: number; pageSize: number },
) {
  const { area } = await residentsArea(deps, actor, roundId, query.orgUnitId);
  const { items, total } = await repo.findExempt(deps.database.db, roundId, area, toLimitOffset(query));
  const canWithdraw = scopePaths(actor, 'testing.exempt').length > 0;
  return {
    items: items.map((e) => ({
      ...e,
      createdAt: iso(e.createdAt) as string,
      actions: { withdraw: canWithdraw },
    })),
    total,
  };
}

export async function withdrawExemption(
  deps: AppDeps,
  actor: Actor,
  roundId: string,
  personId: string,
  clientId?: string,
  /** A withdrawal made at a door without signal: when, by the phone's clock (see scanInstant). */
  when: { recordedAt?: string; sentAt?: string } = {},
) {
  const scope = requireScope(actor, 'testing.exempt');
  const round = await visibleRound(deps, scope, roundId);
  const area = roundArea(round, round.orgPath, scope);
  return runWrite(
    deps,
    actor,
    'test-exemption.withdraw',
    async (tx) => {
      // A cancelled round is inert: its exemptions are neither recorded nor withdrawn.
      if (await repo.isRoundCancelledNow(tx, roundId)) throw roundCancelled();
      const person = await repo.findPersonInArea(tx, area, personId);
      if (!person) throw notFound();
      const madeAt = when.recordedAt ? doorInstant(when, round.createdAt, THE_ROUND) : undefined;
      const { removed, newer } = await repo.deleteExemption(tx, roundId, person.id, madeAt);
      if (newer)
        throw conflict(
          text(
            '此人的免检在您撤销之后又重新登记过，未撤销；如仍需撤销，请在免检名单中再撤销一次',
            'The exemption was recorded again after your withdrawal: not withdrawn',
          ),
          { code: 'EXEMPTION_NEWER' },
        );
      if (!removed) throw notFound();
      return {
        result: null,
        touched: {
          entity: 'test_exemption',
          entityId: person.id,
          orgPath: person.orgPath,
          before: { reason: removed.reason },
        },
      };
    },
    { clientId },
  );
}

// ---- recall list and daily summary ------------------------------------------------------------

export async function listRecalls(deps: AppDeps, actor: Actor, roundId: string) {
  const scope = testingScope(actor);
  await visibleRound(deps, scope, roundId);
  // Who is recalled, and where they live, is health data about a resident: in full only where the
  // actor may read residents; elsewhere (a sampler following the round) the name masked, no address.
  const readable = scopePaths(actor, 'resident.read');
  const rows = await repo.findRecalls(deps.database.db, roundId, scope);
  const now = Date.now();
  return {
    items: rows.map((r) => ({
      id: r.id,
      tubeCode: r.tubeCode,
      personId: r.personId,
      // What the grid worker said on the item (已电话联系…) is about the person too.
      ...(pathInScope(r.orgPath, readable)
        ? { name: r.name, address: r.address as string | null, feedback: r.feedback }
        : { name: maskName(r.name), address: null, feedback: null }),
      gridName: r.gridName,
      state: r.state,
      workItemState: r.workItemState,
      assigneeName: r.assigneeName,
      unitWorkers: r.unitWorkers,
      resampledTube: r.resampledTube,
      resampledAt: iso(r.resampledAt),
      createdAt: iso(r.createdAt) as string,
      closedAt: iso(r.closedAt),
      openMinutes: Math.round(
        ((r.closedAt ? new Date(r.closedAt).getTime() : now) - new Date(r.createdAt).getTime()) / 60000,
      ),
    })),
  };
}

export async function roundSummary(deps: AppDeps, actor: Actor, roundId: string) {
  const scope = testingScope(actor);
  const round = await visibleRound(deps, scope, roundId);
  const db = deps.database.db;
  const [days, rechecksOpen] = await Promise.all([
    repo.summaryByDay(db, roundId, scope),
    repo.countOpenRechecks(db, roundId, scope),
  ]);
  return { roundId, name: round.name, days, rechecksOpen };
}

// ---- door-to-door sweeps ----------------------------------------------------------------------

export async function createSweep(
  deps: AppDeps,
  actor: Actor,
  roundId: string,
  input: { name: string; orgUnitId: string; samplerUserIds?: string[] },
) {
  const scope = requireScope(actor, 'testing.manage');
  const round = await visibleRound(deps, scope, roundId);
  refuseIfCancelled(round);
  const db = deps.database.db;
  const unit = await findOrgUnitInScope(db, scope, input.orgUnitId);
  if (!unit || !isWithin(unit.path, round.orgPath))
    throw invalidField('orgUnitId', text('组织不存在或不在本轮检测范围内', 'Unknown org unit'));
  const area = roundArea(round, unit.path, scope);
  const samplers = await checkedSamplers(deps.database.db, input.samplerUserIds, unit.path);
  return runWrite(deps, actor, 'sweep.create', async (tx) => {
    if (await repo.pointNameTaken(tx, roundId, input.name))
      throw conflict(
        text('本轮已有同名采样点或入户队', 'A point of this name exists in the round'),
        undefined,
        'name',
      );
    const pointId = newId();
    await repo.insertPoint(tx, {
      id: pointId,
      roundId,
      name: input.name,
      orgUnitId: unit.id,
      orgPath: unit.path,
      kind: 'door_to_door',
      samplerUserIds: samplers.map((s) => s.id),
      districtCode: unit.districtCode,
    });
    const id = newId();
    await repo.insertSweep(tx, {
      id,
      roundId,
      pointId,
      orgUnitId: unit.id,
      orgPath: unit.path,
      name: input.name,
      createdBy: actor.userId,
    });
    const homes = await repo.findHouseholdsToSweep(tx, roundId, area, DUE_RESIDENCE_STATUSES);
    await repo.insertSweepHouseholds(
      tx,
      homes.map((h) => ({ sweepId: id, householdId: h.id, orgPath: h.orgPath })),
    );
    const result = { id, pointId, name: input.name, households: homes.length };
    return { result, touched: { entity: 'sweep', entityId: id, orgPath: unit.path, after: result } };
  });
}

export async function listSweeps(deps: AppDeps, actor: Actor, roundId: string) {
  const scope = testingScope(actor);
  await visibleRound(deps, scope, roundId);
  const items = await repo.findSweepsOfRound(deps.database.db, roundId, scope);
  return { items: items.map((i) => ({ ...i, createdAt: iso(i.createdAt) as string })) };
}

export async function getSweep(deps: AppDeps, actor: Actor, sweepId: string) {
  const scope = testingScope(actor);
  const sweep = await repo.findSweepInScope(deps.database.db, scope, sweepId);
  if (!sweep) throw notFound();
  const households = await repo.findSweepHouseholds(deps.database.db, sweepId, sweep.roundId, scope);
  // The team finds households by address; members' names in full only where the user may read
  // residents (as on the recall list), masked for a sampler on the team.
  const readable = scopePaths(actor, 'resident.read');
  return {
    id: sweep.id,
    roundId: sweep.roundId,
    pointId: sweep.pointId,
    name: sweep.name,
    households: households.map(({ orgPath, ...h }) => ({
      ...h,
      visitedAt: iso(h.visitedAt),
      members: pathInScope(orgPath, readable)
        ? h.members
        : h.members.map((m) => ({ ...m, name: maskName(m.name) })),
    })),
  };
}

export async function recordSweepOutcome(
  deps: AppDeps,
  actor: Actor,
  sweepId: string,
  householdId: string,
  input: {
    outcome: SweepOutcome;
    note?: string | null;
    clientId?: string;
    recordedAt?: string;
    sentAt?: string;
  },
) {
  const scope = requireAnyScope(actor, ['testing.exempt', 'sampling.scan']);
  return runWrite(
    deps,
    actor,
    'sweep.outcome',
    async (tx) => {
      // In the write, after a retry's first answer is found (an outcome taken before this rule
      // and sent again is answered as then). 其他 says nothing by itself: the follow-up needs what.
      if (input.outcome === 'other' && !input.note?.trim())
        throw invalidField(
          'note',
          text('选择“其他”时请写明情况', 'Say what happened when the outcome is “other”'),
        );
      const row = await repo.lockSweepHouseholdInScope(tx, scope, sweepId, householdId);
      const sweep = row && (await repo.findSweepInScope(tx, scope, sweepId));
      if (!row || !sweep) throw notFound();
      if (sweep.roundCancelled) throw roundCancelled();
      const exemptScope = scopePaths(actor, 'testing.exempt');
      // A team set up with its members takes outcomes from them (and from who may exempt there, a
      // grid worker or the staff), as a point's team takes its scans.
      if (!pathInScope(row.orgPath, exemptScope)) {
        const [point] = await repo.findPointsForScan(tx, [sweep.pointId]);
        if (point && scanRefusal(actor, point) === 'team') throw notOnTeam();
      }
      // At the door, not at the upload: a phone without signal sends hours later.
      const visitedAt = doorInstant(input, sweep.createdAt, text('该入户采样队', 'door-to-door team'));
      await repo.updateSweepHousehold(tx, sweepId, householdId, {
        outcome: input.outcome,
        note: input.note ?? null,
        visitedBy: actor.userId,
        visitedAt,
      });
      const touched: Touched[] = [
        {
          entity: 'sweep_household',
          entityId: `${sweepId}/${householdId}`,
          orgPath: row.orgPath,
          before: { outcome: row.outcome },
          after: { outcome: input.outcome, note: input.note ?? null },
        },
      ];
      // The outcome feeds coverage: a household found moved away (已搬离) is not due in this round,
      // so its members not sampled are exempt as away — recorded by whoever may exempt there, and
      // withdrawn again if the household's outcome is corrected.
      // Withdrawn only by who may exempt there (as a withdrawal by hand): a sampler's corrected
      // outcome leaves a supervisor's exemptions alone.
      const withdrawn =
        row.outcome === 'moved' && input.outcome !== 'moved' && exemptScope.length > 0
          ? await repo.withdrawSweepExemptions(tx, exemptScope, sweepId, householdId)
          : [];
      // Again on a repeated 已搬离 (members a sampler could not exempt, a supervisor now can);
      // the insert skips whoever is exempt already.
      const exempted =
        input.outcome === 'moved' && exemptScope.length > 0
          ? await repo.exemptMovedHousehold(
              tx,
              { roundPath: sweep.orgPath, nodePath: sweep.orgPath, scope: exemptScope },
              {
                roundId: sweep.roundId,
                sweepId,
                householdId,
                note: `入户采样「${sweep.name}」：已搬离`,
                recordedBy: actor.userId,
                // Seen at the door then: a later exemption by hand is the newer word.
                recordedAt: visitedAt,
              },
            )
          : [];
      // Found moved by a team member who may not exempt (a sampler): the household's grid worker
      // is told to verify it and exempt them or update the registry, instead of the word being
      // lost while the members stay missing.
      const asked =
        input.outcome === 'moved' && row.outcome !== 'moved' && exemptScope.length === 0
          ? await askToVerifyMoved(tx, actor, sweep.name, householdId, input.note ?? null)
          : null;
      if (asked && asked !== 'asked before') touched.push(asked);
      // Corrected from 已搬离: the grid worker has nothing to verify any more. The ask is closed
      // with its own audit event and live event, so the worker's list drops it at once.
      if (row.outcome === 'moved' && input.outcome !== 'moved') {
        const why = SYSTEM_FEEDBACK.outcomeCorrected.zh;
        for (const item of await repo.cancelOpenHouseholdItems(tx, householdId, 'verify_moved', why))
          touched.push({
            entity: 'work-item',
            entityId: item.id,
            orgPath: item.orgPath,
            action: 'work-item.cancel',
            before: { state: item.state },
            // As stored: the system's words, with what the grid worker had said kept under them.
            after: { state: 'cancelled', feedback: item.feedback },
          });
      }
      for (const e of withdrawn)
        touched.push({
          entity: 'test_exemption',
          entityId: e.personId,
          orgPath: e.orgPath,
          action: 'test-exemption.withdraw',
          before: { reason: e.reason },
        });
      for (const e of exempted)
        touched.push({
          entity: 'test_exemption',
          entityId: e.personId,
          orgPath: e.orgPath,
          action: 'test-exemption.record',
          after: { reason: 'away', sweepId },
        });
      const result = {
        sweepId,
        householdId,
        outcome: input.outcome,
        note: input.note ?? null,
        exempted: exempted.length,
        exemptionsWithdrawn: withdrawn.length,
        verificationSent: asked !== null,
      };
      return { result, touched };
    },
    { clientId: input.clientId },
  );
}

/**
 * A work item for a household's grid worker (its grid, when it has none): verify it moved away.
 * What was created, as the write's audit and live event name it; 'asked before' while an earlier
 * ask is open (the same household found moved again is that ask); null for no household.
 */
async function askToVerifyMoved(
  tx: Executor,
  actor: Actor,
  sweepName: string,
  householdId: string,
  note: string | null,
): Promise<Touched | 'asked before' | null> {
  const home = await repo.findHouseholdPlace(tx, householdId);
  if (!home) return null;
  if (await repo.hasOpenHouseholdItem(tx, householdId, 'verify_moved')) return 'asked before';
  const worker = (await repo.findGridWorkers(tx, [home.orgUnitId])).get(home.orgUnitId);
  const details = { address: home.address, sweepName, ...(note ? { note } : {}) };
  const item = {
    type: 'verify_moved',
    details,
    subjectEntity: 'household',
    subjectId: householdId,
    assigneeUserId: worker ?? null,
    assigneeOrgUnitId: worker ? null : home.orgUnitId,
    orgPath: home.orgPath,
    dueAt: new Date(Date.now() + 24 * 3600_000),
  };
  const [id] = await addWorkItems(tx, actor, [item]);
  // The audit of its creation names it as the row does.
  const { orgPath, dueAt, ...rest } = item;
  const shown = { ...rest, title: storedTitle(item) };
  return {
    entity: 'work-item',
    entityId: id as string,
    orgPath,
    action: 'work-item.create',
    after: { ...shown, dueAt: dueAt.toISOString() },
  };
}

// ---- periodic testing of key groups ------------------------------------------------------------

export async function keyGroupTestingDue(deps: AppDeps, actor: Actor, orgUnitId?: string) {
  const scope = requireScope(actor, 'resident.read');
  const db = deps.database.db;
  // Without a unit: everywhere the actor may read residents.
  let nodePath: string | null = null;
  if (orgUnitId) {
    const unit = await findOrgUnitInScope(db, scope, orgUnitId);
    if (!unit) throw notFound();
    nodePath = unit.path;
  }
  const today = localDay();
  const classes = (await findKeyGroupClasses(db))
    .filter((c) => inEffect(c, today))
    .map((c) => ({ ...c, frequency: parseTestingFrequency(c.testingFrequency) }))
    .filter((c) => c.frequency !== null);
  const rows = await repo.findKeyGroupMembersWithLastTest(
    db,
    scope,
    nodePath,
    classes.map((c) => c.code),
  );
  const byCode = new Map(classes.map((c) => [c.code, c]));
  const items = rows.map((r) => {
    const cls = byCode.get(r.classCode) as (typeof classes)[number];
    const last = r.lastSampledAt ? localDay(new Date(r.lastSampledAt)) : null;
    const due = nextTestDue(cls.frequency as NonNullable<typeof cls.frequency>, last, today, r.since);
    return {
      personId: r.personId,
      name: r.name,
      gridName: r.gridName,
      classCode: r.classCode,
      className: cls.name,
      frequency: cls.testingFrequency,
      lastSampledOn: last,
      dueOn: due.dueOn,
      overdue: due.overdue,
      dueToday: due.dueOn <= today,
    };
  });
  items.sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.dueOn.localeCompare(b.dueOn));
  return {
    today,
    overdue: items.filter((i) => i.overdue).length,
    dueToday: items.filter((i) => i.dueToday).length,
    items,
    validHours: RESULT_VALID_HOURS,
    tomorrow: addDays(today, 1),
  };
}
