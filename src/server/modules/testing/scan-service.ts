import { localDay } from '../../../domain/dates.ts';
import { maskName } from '../../../domain/masking.ts';
import { requiredMode, type SamplingMode, TUBE_CAPACITY } from '../../../domain/testing.ts';
import type { Tx } from '../../db/database.ts';
import { type Actor, hasPermission, pathInScope, scopePaths } from '../../platform/access/actor.ts';
import { type BatchedWrite, runWriteBatch, type Touched } from '../../platform/audit/run-write.ts';
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
}

export interface ScanAnswer {
  tubeCode: string;
  memberCount: number;
  capacity: number;
  sealed: boolean;
  mode: string;
  person: { name: string };
}

const conflictCode = (code: string, message: ReturnType<typeof text>, extra: Record<string, unknown> = {}) =>
  conflict(message, { code, ...extra });

/** The day a scan happened, and the instant recorded for it. */
function scanInstant(input: ScanInput, now: Date): Date {
  if (!input.scannedAt) return now;
  const at = new Date(input.scannedAt);
  return Number.isNaN(at.getTime()) || at > now ? now : at;
}

/**
 * Scans of one batch, in arrival order, inside one transaction: the tubes are locked (in code
 * order, so concurrent batches never deadlock), every rule is checked against the locked state
 * plus the scans before it in the batch, and the memberships, counts and seals are written with
 * one statement each. A tube never takes more than its capacity, a person never goes in twice.
 */
async function sampleBatch(
  tx: Tx,
  writes: BatchedWrite<ScanInput & { personId: string | null }>[],
): Promise<Array<{ result: ScanAnswer; touched: Touched[] } | Error>> {
  const now = new Date();
  const answers: Array<{ result: ScanAnswer; touched: Touched[] } | Error | undefined> = writes.map((w) =>
    w.input.personId
      ? undefined
      : invalidField(
          'personCode',
          text('核酸码无效（无法识别或已被篡改）', 'Invalid person code (unreadable or forged)'),
        ),
  );
  const live = writes.map((w, i) => ({ w, i })).filter(({ i }) => answers[i] === undefined);
  if (live.length === 0) return answers as Array<Error>;

  const context = await repo.loadScanContext(
    tx,
    [...new Set(live.map(({ w }) => w.input.pointId))],
    [...new Set(live.map(({ w }) => w.input.personId as string))],
    [...new Set(live.map(({ w }) => w.input.roundId))],
  );
  const points = new Map(context.points.map((p) => [p.pointId, p]));
  const people = new Map(context.persons.map((p) => [p.codeId, p]));
  const sampledBefore = new Map(context.sampled.map((m) => [`${m.roundId}|${m.personId}`, m.tubeCode]));

  // Rules that need no lock first.
  const ready: {
    w: (typeof live)[number]['w'];
    i: number;
    point: repo.ScanPointRow;
    person: repo.ScanPersonRow;
    at: Date;
  }[] = [];
  for (const { w, i } of live) {
    const point = points.get(w.input.pointId);
    if (
      !point ||
      point.roundId !== w.input.roundId ||
      !pathInScope(point.pointPath, scopePaths(w.actor, 'sampling.scan'))
    ) {
      answers[i] = notFound();
      continue;
    }
    // A point with a team takes scans from its team only (and from who organises the round there).
    if (
      point.samplerUserIds.length > 0 &&
      !point.samplerUserIds.includes(w.actor.userId) &&
      !pathInScope(point.pointPath, scopePaths(w.actor, 'testing.manage'))
    ) {
      answers[i] = new AppError(
        'FORBIDDEN',
        text('您不在该采样点的采样人员名单中', 'You are not on this point’s sampling team'),
      );
      continue;
    }
    const person = people.get(w.input.personId as string);
    if (!person) {
      answers[i] = new AppError(
        'NOT_FOUND',
        text('核酸码对应的居民不存在', 'No resident for this person code'),
        { personCode: text('核酸码对应的居民不存在', 'No resident for this person code') },
      );
      continue;
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
      continue;
    }
    ready.push({ w, i, point, person, at });
  }

  // A tube seen for the first time opens in the mode of its first person.
  const fresh = new Map<string, repo.NewTube>();
  for (const r of ready) {
    if (fresh.has(r.w.input.tubeCode)) continue;
    const mode = requiredMode(
      { defaultMode: r.point.defaultMode as SamplingMode, singleTubeKeyGroups: r.point.singleTubeKeyGroups },
      r.person,
    );
    fresh.set(r.w.input.tubeCode, {
      id: newId(),
      code: r.w.input.tubeCode,
      roundId: r.point.roundId,
      pointId: r.point.pointId,
      orgPath: r.point.pointPath,
      mode,
      capacity: TUBE_CAPACITY[mode],
      householdId: null,
      openedBy: r.w.actor.userId,
      districtCode: r.point.districtCode,
    });
  }
  const tubes = new Map((await repo.openAndLockTubes(tx, [...fresh.values()])).map((t) => [t.code, t]));
  const lockedCount = new Map([...tubes.values()].map((t) => [t.id, t.memberCount]));

  const members: Parameters<typeof repo.addMembersToTubes>[1] = [];
  const planned: { i: number; tube: NonNullable<ReturnType<typeof tubes.get>>; r: (typeof ready)[number] }[] =
    [];
  for (const r of ready) {
    const { w, i, point, person } = r;
    const tube = tubes.get(w.input.tubeCode);
    if (!tube) {
      answers[i] = notFound();
      continue;
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
      continue;
    }
    if (tube.roundId !== point.roundId || tube.pointId !== point.pointId) {
      answers[i] = conflictCode(
        'TUBE_OF_OTHER_POINT',
        text('该采样管已在其他采样点或轮次使用，请换管', 'This tube belongs to another point or round'),
      );
      continue;
    }
    if (tube.state !== 'opened') {
      answers[i] = conflictCode(
        'TUBE_SEALED',
        text('该采样管已封管，请换新管', 'This tube is sealed: use a new one'),
      );
      continue;
    }
    if (tube.memberCount >= tube.capacity) {
      answers[i] = conflictCode(
        'TUBE_FULL',
        text('该采样管已满，请换新管', 'This tube is full: use a new one'),
      );
      continue;
    }
    const mode = requiredMode(
      { defaultMode: point.defaultMode as SamplingMode, singleTubeKeyGroups: point.singleTubeKeyGroups },
      person,
    );
    if (mode === 'single' && tube.mode !== 'single') {
      answers[i] = conflictCode(
        'SINGLE_TUBE_REQUIRED',
        text(
          '此人须单采单检（管控对象或重点人群），请换一支单管',
          'This person must be sampled alone: use a single tube',
        ),
      );
      continue;
    }
    if (tube.mode === 'household') {
      if (!person.householdId || (tube.householdId && tube.householdId !== person.householdId)) {
        answers[i] = conflictCode(
          'OTHER_HOUSEHOLD',
          text('一户一管：此人不属于这支管的住户', 'One tube per household: this person lives elsewhere'),
        );
        continue;
      }
      tube.householdId = person.householdId;
    }
    tube.memberCount += 1;
    sampledBefore.set(key, tube.code);
    members.push({
      roundId: point.roundId,
      personId: person.id,
      tubeId: tube.id,
      samplerId: w.actor.userId,
      scannedAt: r.at.toISOString(),
      householdId: tube.mode === 'household' ? person.householdId : null,
      personPath: person.orgPath,
      residenceStatus: person.residenceStatus,
    });
    planned.push({ i, tube, r });
  }

  // A concurrent scan of the same person through another app server may have won meanwhile.
  const inserted = new Set(
    (await repo.addMembersToTubes(tx, members)).map((m) => `${m.roundId}|${m.personId}`),
  );
  for (const p of planned) {
    const { i, tube, r } = p;
    if (!inserted.has(`${r.point.roundId}|${r.person.id}`)) {
      answers[i] = conflictCode(
        'ALREADY_SAMPLED',
        text('此人本轮已采样，不再重复计入', 'Already sampled in this round'),
      );
      continue;
    }
    const memberCount = (lockedCount.get(tube.id) ?? 0) + 1;
    lockedCount.set(tube.id, memberCount);
    const sealed = memberCount >= tube.capacity;
    answers[i] = {
      result: {
        tubeCode: tube.code,
        memberCount,
        capacity: tube.capacity,
        sealed,
        mode: tube.mode,
        person: { name: maskName(r.person.name) },
      },
      touched: [
        {
          entity: 'tube',
          entityId: tube.id,
          orgPath: tube.orgPath,
          after: { tubeCode: tube.code, personId: r.person.id, memberCount, sealed },
        },
      ],
    };
  }
  return answers as Array<{ result: ScanAnswer; touched: Touched[] } | Error>;
}

const batchers = new WeakMap<
  AppDeps['database'],
  (write: BatchedWrite<ScanInput & { personId: string | null }>) => Promise<ScanAnswer>
>();

/**
 * One scan at a collection point. Concurrent scans (every phone of every point) are grouped into
 * shared transactions, so the database does one round of statements for a whole burst; each scan
 * still gets its own answer, audit event and idempotency record.
 */
export function recordScan(deps: AppDeps, actor: Actor, input: ScanInput): Promise<ScanAnswer> {
  if (!hasPermission(actor, 'sampling.scan')) throw forbidden();
  let batcher = batchers.get(deps.database);
  if (!batcher) {
    batcher = createBatcher(
      (writes) => runWriteBatch(deps, 'sampling.scan', writes, (tx, fresh) => sampleBatch(tx, fresh)),
      {
        maxBatch: 256,
        // PostgreSQL overlaps a few transactions' round trips; PGlite has one connection.
        concurrency: deps.database.kind === 'postgresql' ? 2 : 1,
      },
    );
    batchers.set(deps.database, batcher);
  }
  const personId = readPersonCode(deps.cipher, input.personCode);
  return batcher({ actor, clientId: input.clientId, input: { ...input, personId } });
}
