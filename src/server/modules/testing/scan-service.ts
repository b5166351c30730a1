import { localDay } from '../../../domain/dates.ts';
import { maskName } from '../../../domain/masking.ts';
import { requiredMode, type SamplingMode, TUBE_CAPACITY } from '../../../domain/testing.ts';
import { type Actor, hasPermission, pathInScope, scopePaths } from '../../platform/access/actor.ts';
import {
  type BatchedWrite,
  type BatchPlan,
  runWrite,
  runWriteBatch,
  type Touched,
} from '../../platform/audit/run-write.ts';
import { createBatcher } from '../../platform/batching.ts';
import type { AppDeps } from '../../platform/deps.ts';
import { AppError, conflict, forbidden, invalidField, notFound } from '../../platform/errors/app-error.ts';
import { text } from '../../platform/errors/i18n.ts';
import { newId } from '../../platform/ids.ts';
import { readPersonCode } from './person-code.ts';
import * as repo from './testing-repository.ts';

export interface ScanInput {
  clientId: string;
  roundId: string;
  pointId: string;
  personCode: string;
  tubeCode: string;
  /** When the phone scanned (offline scans arrive later); never later than the server's now. */
  scannedAt?: string;
  /** When the phone sent this try, by its own clock: with scannedAt, how long the scan waited. */
  sentAt?: string;
}

export interface ScanAnswer {
  tubeCode: string;
  memberCount: number;
  capacity: number;
  sealed: boolean;
  mode: string;
  person: { name: string };
  /** A recalled person's single-tube recheck (单管复核): the positive pool they were recalled from. */
  recheckOf?: string;
}

const conflictCode = (code: string, message: ReturnType<typeof text>, extra: Record<string, unknown> = {}) =>
  conflict(message, { code, ...extra });

/**
 * The instant recorded for a scan (its day decides the round's day). A phone's clock may be hours
 * off (reset by a flat battery), so when the phone says when it sent the try, only the wait
 * between scanning and sending is taken from it, counted back from the server's now; the network's
 * own delay is ignored. Never later than now.
 */
export function scanInstant(input: Pick<ScanInput, 'scannedAt' | 'sentAt'>, now: Date): Date {
  if (!input.scannedAt) return now;
  const scanned = new Date(input.scannedAt).getTime();
  if (Number.isNaN(scanned)) return now;
  const sent = input.sentAt ? new Date(input.sentAt).getTime() : Number.NaN;
  const at = Number.isNaN(sent) || sent < scanned ? scanned : now.getTime() - (sent - scanned);
  return at > now.getTime() ? now : new Date(at);
}

/**
 * Whether the actor may scan at a point: in their sampling scope, and on its team when it has one
 * (or organising the round there). One rule for the batch and for a recheck's release.
 */
export function scanRefusal(
  actor: Actor,
  point: { pointPath: string; samplerUserIds: readonly string[] },
): 'scope' | 'team' | null {
  if (!pathInScope(point.pointPath, scopePaths(actor, 'sampling.scan'))) return 'scope';
  if (
    point.samplerUserIds.length > 0 &&
    !point.samplerUserIds.includes(actor.userId) &&
    !pathInScope(point.pointPath, scopePaths(actor, 'testing.manage'))
  )
    return 'team';
  return null;
}

/** A cancelled round or a closed point (撤点) takes no more scans; its tubes are still sealed and handed over. */
function shutRefusal(point: { roundCancelled: boolean; pointClosed: boolean }): AppError | null {
  if (point.roundCancelled)
    return conflictCode('ROUND_CANCELLED', text('本轮检测已取消，不再采样', 'This round was cancelled'));
  if (point.pointClosed)
    return conflictCode(
      'POINT_CLOSED',
      text('该采样点已撤点，不再采样；请选择其他采样点', 'This point is closed: choose another point'),
    );
  return null;
}

export const notOnTeam = () =>
  new AppError(
    'FORBIDDEN',
    text('您不在该采样点的采样人员名单中', 'You are not on this point’s sampling team'),
  );

type ScanWrite = BatchedWrite<
  ScanInput & {
    personId: string | null;
    codeVersion: number;
    /** Sent again after the person's release from a positive pool: that pool's tube. */
    recheckOf?: string;
  }
>;
type ScanContext = repo.ScanContext;

/** The values of the read for a batch of scans: its points, persons, rounds and tubes. */
function scanReadValues(writes: ScanWrite[]) {
  const inputs = writes.map((w) => w.input);
  return {
    pointIds: [...new Set(inputs.map((i) => i.pointId))],
    personIds: [...new Set(inputs.flatMap((i) => (i.personId ? [i.personId] : [])))],
    roundIds: [...new Set(inputs.map((i) => i.roundId))],
    tubeCodes: [...new Set(inputs.map((i) => i.tubeCode))],
  };
}

/**
 * Scans of one batch, in arrival order, planned on what was read: every rule is checked against
 * the tubes as read plus the scans before it in the batch, and the batch's writes are planned as
 * one statement (a tube opened, an open tube taking members, memberships, counts). The statement
 * checks that the tubes still hold what was read, so a tube never takes more than its capacity
 * and a person never goes in twice, even across app servers.
 */
function planScans(context: ScanContext, writes: ScanWrite[]): BatchPlan<ScanAnswer> {
  const now = new Date();
  const answers: Array<{ result: ScanAnswer; touched: Touched[] } | Error | undefined> = writes.map((w) =>
    w.input.personId
      ? undefined
      : invalidField(
          'personCode',
          text('核酸码无效（无法识别或已被篡改）', 'Invalid person code (unreadable or forged)'),
        ),
  );
  const points = new Map(context.points.map((p) => [p.pointId, p]));
  const people = new Map(context.persons.map((p) => [p.codeId, p]));
  const sampledBefore = new Map(context.sampled.map((m) => [`${m.roundId}|${m.personId}`, m.tubeCode]));
  // Tubes as read; a tube seen for the first time opens in the mode of its first person. The
  // plan's own fields come first: on Node 20 a property after a spread (`{ ...t, opened: false }`)
  // is added the slow way, ~3 µs a tube, as much as planning the scan itself; before it, ~0.1 µs.
  const tubes = new Map(
    context.tubes.map((t) => [t.code, { opened: false, added: 0, openedBy: '', districtCode: '', ...t }]),
  );
  const members: repo.NewMember[] = [];

  writes.forEach((w, i) => {
    if (answers[i] !== undefined) return;
    const point = points.get(w.input.pointId);
    const refusal = point && point.roundId === w.input.roundId ? scanRefusal(w.actor, point) : 'scope';
    if (!point || refusal === 'scope') {
      answers[i] = notFound();
      return;
    }
    // A point with a team takes scans from its team only (and from who organises the round there).
    if (refusal === 'team') {
      answers[i] = notOnTeam();
      return;
    }
    const shut = shutRefusal(point);
    if (shut) {
      answers[i] = shut;
      return;
    }
    const person = people.get(w.input.personId as string);
    if (!person) {
      answers[i] = new AppError(
        'NOT_FOUND',
        text('核酸码对应的居民不存在', 'No resident for this person code'),
        { personCode: text('核酸码对应的居民不存在', 'No resident for this person code') },
      );
      return;
    }
    if (person.codeVersion !== w.input.codeVersion) {
      const renewed = text(
        '此核酸码已作废（已重新生成），请出示新的核酸码',
        'This person code was renewed: show the new one',
      );
      answers[i] = new AppError('VALIDATION', renewed, { personCode: renewed });
      return;
    }
    if (person.residenceStatus === 'deceased') {
      answers[i] = conflictCode(
        'PERSON_DECEASED',
        text('核酸码对应的居民已登记为死亡，请核实身份', 'The person of this code is registered as deceased'),
      );
      return;
    }
    const at = scanInstant(w.input, now);
    const day = localDay(at);
    if (day < point.startsOn || day > point.endsOn) {
      answers[i] = conflictCode(
        'ROUND_CLOSED',
        text(
          `本轮采样日期为 ${point.startsOn} 至 ${point.endsOn}，不在采样时间内`,
          `This round samples from ${point.startsOn} to ${point.endsOn}`,
        ),
      );
      return;
    }
    const key = `${point.roundId}|${person.id}`;
    const earlier = sampledBefore.get(key);
    if (earlier !== undefined) {
      answers[i] = conflictCode(
        'ALREADY_SAMPLED',
        text(
          `此人本轮已采样（管号 ${earlier}），不再重复计入`,
          `Already sampled in this round (tube ${earlier})`,
        ),
        { tubeCode: earlier },
      );
      return;
    }
    const mode = requiredMode(
      { defaultMode: point.defaultMode as SamplingMode, singleTubeKeyGroups: point.singleTubeKeyGroups },
      person,
    );
    let tube = tubes.get(w.input.tubeCode);
    if (!tube) {
      tube = {
        id: newId(),
        code: w.input.tubeCode,
        roundId: point.roundId,
        pointId: point.pointId,
        orgPath: point.pointPath,
        mode,
        capacity: TUBE_CAPACITY[mode],
        householdId: null,
        memberCount: 0,
        state: 'opened',
        opened: true,
        added: 0,
        openedBy: w.actor.userId,
        districtCode: point.districtCode,
      };
      tubes.set(tube.code, tube);
    }
    if (tube.roundId !== point.roundId || tube.pointId !== point.pointId) {
      answers[i] = conflictCode(
        'TUBE_OF_OTHER_POINT',
        text('该采样管已在其他采样点或轮次使用，请换管', 'This tube belongs to another point or round'),
      );
      return;
    }
    if (tube.state !== 'opened') {
      answers[i] = conflictCode(
        'TUBE_SEALED',
        text('该采样管已封管，请换新管', 'This tube is sealed: use a new one'),
      );
      return;
    }
    if (tube.memberCount + tube.added >= tube.capacity) {
      answers[i] = conflictCode(
        'TUBE_FULL',
        text('该采样管已满，请换新管', 'This tube is full: use a new one'),
      );
      return;
    }
    if (mode === 'single' && tube.mode !== 'single') {
      answers[i] = conflictCode(
        'SINGLE_TUBE_REQUIRED',
        text(
          '此人须单采单检（管控对象或重点人群），请换一支单管',
          'This person must be sampled alone: use a single tube',
        ),
      );
      return;
    }
    if (tube.mode === 'household') {
      if (!person.householdId || (tube.householdId && tube.householdId !== person.householdId)) {
        answers[i] = conflictCode(
          'OTHER_HOUSEHOLD',
          text('一户一管：此人不属于这支管的住户', 'One tube per household: this person lives elsewhere'),
        );
        return;
      }
      tube.householdId = person.householdId;
    }
    tube.added += 1;
    sampledBefore.set(key, tube.code);
    members.push({
      roundId: point.roundId,
      personId: person.id,
      tubeId: tube.id,
      samplerId: w.actor.userId,
      scannedAt: at.toISOString(),
      personPath: person.orgPath,
      residenceStatus: person.residenceStatus,
    });
    const memberCount = tube.memberCount + tube.added;
    const sealed = memberCount >= tube.capacity;
    answers[i] = {
      result: {
        tubeCode: tube.code,
        memberCount,
        capacity: tube.capacity,
        sealed,
        mode: tube.mode,
        person: { name: maskName(person.name) },
        // Undefined (dropped from the JSON) unless a recalled person's recheck.
        recheckOf: w.input.recheckOf,
      },
      touched: [
        {
          entity: 'tube',
          entityId: tube.id,
          orgPath: tube.orgPath,
          after: { tubeCode: tube.code, personId: person.id, memberCount, sealed },
        },
      ],
    };
  });

  // A refusal names whom it is about (masked), as a success does: refusals listed by person code
  // alone (GW1AaIp… for everyone) told the sampler nobody to call back.
  writes.forEach((w, i) => {
    const answer = answers[i];
    const person = w.input.personId ? people.get(w.input.personId) : undefined;
    if (answer instanceof AppError && answer.code === 'CONFLICT' && person)
      answers[i] = new AppError(answer.code, answer.text, answer.fields, {
        ...answer.extra,
        person: { name: maskName(person.name) },
      });
  });

  const taking = [...tubes.values()].filter((t) => t.added > 0);
  const values = repo.sampleIntoTubesValues({
    opened: taking
      .filter((t) => t.opened)
      // A new tube goes in with its members already counted (the plan is done with the tube).
      .map((t) => Object.assign(t, { memberCount: t.added })),
    intakes: taking
      .filter((t) => !t.opened)
      .map((t) => ({
        id: t.id,
        code: t.code,
        expectedCount: t.memberCount,
        added: t.added,
        householdId: t.householdId,
      })),
    members,
    pointIds: [...new Set(taking.map((t) => t.pointId))],
  });
  return { outcomes: answers as BatchPlan<ScanAnswer>['outcomes'], values };
}

const batchers = new WeakMap<AppDeps['database'], (write: ScanWrite) => Promise<ScanAnswer>>();

/**
 * One scan at a collection point. Concurrent scans (every phone of every point) are grouped into
 * shared transactions, so the database does one round of statements for a whole burst; each scan
 * still gets its own answer, audit event and idempotency record.
 */
export function recordScan(deps: AppDeps, actor: Actor, input: ScanInput): Promise<ScanAnswer> {
  if (!hasPermission(actor, 'sampling.scan')) throw forbidden();
  const scan = scanBatcherOf(deps);
  const code = readPersonCode(deps.cipher, input.personCode);
  const write: ScanWrite = {
    actor,
    clientId: input.clientId,
    // Object.assign, not a spread: V8 (Node 20) adds properties after a spread the slow way.
    input: Object.assign({}, input, { personId: code?.personId ?? null, codeVersion: code?.version ?? 0 }),
  };
  return scan(write).catch(async (error: unknown) => {
    // Sampled already in this round: a person recalled after a positive pool is sampled again,
    // alone, in the same round (单管复核). The pool's membership is released, and the scan goes
    // through the batch again, with every rule of a scan; refused after all, the pool has them back.
    if (!(error instanceof AppError) || error.extra?.code !== 'ALREADY_SAMPLED' || !code) throw error;
    const released = await releaseForRecheck(deps, actor, input, code.personId);
    // Nothing to release: not recalled, or the same scan sent twice at once whose first try took
    // the release (and the person) already; through the batch again, that one finds its answer.
    if (!released) return scan(write);
    try {
      // Said to the sampler, who took them for a 单管复核 of that pool: part of the answer kept
      // for the client id, so a retry after a lost answer says it too.
      return await scan({ ...write, input: { ...write.input, recheckOf: released.tubeCode } });
    } catch (refused) {
      await runWrite(deps, actor, 'tube.recheck-release-undo', async (tx) => {
        await repo.restorePoolMembership(tx, input.roundId, released.personId, released.tubeId);
        return {
          result: null,
          touched: {
            entity: 'tube',
            entityId: released.tubeId,
            orgPath: released.orgPath,
            after: { tubeCode: released.tubeCode, personId: released.personId, restored: true },
          },
        };
      });
      throw refused;
    }
  });
}

/** The app server's batcher of scans for its database, made on first use. */
function scanBatcherOf(deps: AppDeps) {
  let batcher = batchers.get(deps.database);
  if (!batcher) {
    batcher = createBatcher(
      (writes) =>
        runWriteBatch(deps, 'sampling.scan', writes, {
          name: 'gw_sample_into_tubes',
          readStatement: repo.scanContextStatement,
          readValues: scanReadValues,
          context: repo.scanContextOf,
          plan: planScans,
          statement: repo.sampleIntoTubesStatement,
        }),
      {
        maxBatch: 256,
        // One batch at a time per app server: a batch is two round trips, and while it runs the
        // next one gathers. Measured on 2 cores with 32 phones, two at a time gave the same rate
        // with half as many scans per batch, so the database spent half again as much CPU per scan
        // (0.48 against 0.32 ms) — and the database is what app servers share.
        concurrency: 1,
        // The phones of a burst together: measured on 2 cores, 2 app servers, 32 phones, waiting
        // up to 4 ms for as many scans as the last batch had made the batches twice as large and
        // cut the CPU per scan by a third, in the app servers and in PostgreSQL alike (2,000 →
        // 2,800 scans/s, p99 36 → 28 ms). Once the statements stopped being planned per call,
        // 3 ms did best in two rounds of 1/2/3/4/8 ms (3,405 and 3,518 scans/s; 8 ms: ~2,300).
        // Since a batch leaves the moment its burst is complete (batching.ts), 2 to 8 ms differ
        // within the noise (7,070–7,823 scans/s on stock PostgreSQL), as the limit is then
        // reached only by a late phone. A phone scanning alone never waits.
        gatherMs: 3,
      },
    );
    batchers.set(deps.database, batcher);
  }
  return batcher;
}

/**
 * Releases a recalled person from their positive pool for a single tube in the same round, when
 * the scan could take them: the point is the actor's to scan at, the person has an open recheck of
 * the pool they are in, and the tube scanned is a new one or an open single tube of the point
 * (a recheck is 单采单检). Null when not: the scan's ALREADY_SAMPLED stands.
 */
async function releaseForRecheck(deps: AppDeps, actor: Actor, input: ScanInput, personId: string) {
  return runWrite(deps, actor, 'tube.recheck-release', async (tx) => {
    const [point] = await repo.findPointsForScan(tx, [input.pointId]);
    if (!point || point.roundId !== input.roundId || scanRefusal(actor, point) !== null)
      return { result: null, touched: [] };
    const shut = shutRefusal(point);
    if (shut) throw shut;
    const pool = await repo.findPoolOfOpenRecheck(tx, input.roundId, personId);
    const tube = await repo.findTubeByCode(tx, input.tubeCode);
    const fits =
      !tube ||
      (tube.pointId === point.pointId &&
        tube.state === 'opened' &&
        tube.mode === 'single' &&
        tube.memberCount < tube.capacity);
    if (!pool || pool.tubeId === tube?.id) return { result: null, touched: [] };
    if (!fits)
      throw conflictCode(
        'RECHECK_NEEDS_NEW_TUBE',
        text(
          `此人混管阳性待复核（原管 ${pool.tubeCode}），须单采单检：请扫描一支新管`,
          `Recalled from positive pool ${pool.tubeCode}: sample alone, in a new tube`,
        ),
        { tubeCode: pool.tubeCode },
      );
    await repo.releasePoolMembershipForRecheck(tx, input.roundId, pool.personId);
    return {
      result: pool,
      touched: {
        entity: 'tube',
        entityId: pool.tubeId,
        orgPath: pool.orgPath,
        after: { tubeCode: pool.tubeCode, personId: pool.personId, releasedForRecheck: true },
      },
    };
  });
}
