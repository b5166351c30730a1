import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { and, eq } from 'drizzle-orm';
import { localDay } from '../../../domain/dates.ts';
import { addDays } from '../../../domain/testing.ts';
import { auditEvents, testRounds } from '../../db/schema.ts';
import { client } from '../../testing/http.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { addPeople, roundWithPoint, scanAt } from '../../testing/testing-fixtures.ts';

/** Changing a round and its points after they were set up: days, mode, team, 撤点, cancelling. */

let t: TestApp;
let as: Record<'admin' | 'sampler' | 'staff', ReturnType<typeof client>>;
const today = localDay();
const yesterday = addDays(today, -1);
const tomorrow = addDays(today, 1);
let tubeSeq = 0;
const newTube = () => `RC${String(++tubeSeq).padStart(6, '0')}`;

async function newRound(days: { startsOn: string; endsOn: string } = { startsOn: today, endsOn: today }) {
  const at = await roundWithPoint(t, as.admin, days);
  return { ...at, round: { id: at.roundId }, point: { id: at.pointId } };
}

async function scanInto(at: { roundId: string; pointId: string }, tubeCode: string, extra = {}) {
  const [person] = (await addPeople(t, t.fx.gridA, 1)) as [string];
  return scanAt(t, as.sampler, at, person, tubeCode, extra);
}

const auditOf = (action: string, entityId: string) =>
  t.deps.database.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.action, action), eq(auditEvents.entityId, entityId)));

before(async () => {
  t = await createTestApp();
  as = {
    admin: client(t.app, await t.login('admin')),
    sampler: client(t.app, await t.login('sampler')),
    staff: client(t.app, await t.login('staff-c')),
  };
});
after(() => t.close());

describe('changing a round', () => {
  test('its name, days, mode and single-tube groups change, audited before and after; its area does not', async () => {
    const at = await newRound();
    const changed = await as.admin.patch(`/api/v1/test-rounds/${at.round.id}`, {
      name: '第9轮全员核酸检测（延长一天）',
      endsOn: tomorrow,
      defaultMode: 'mix20',
      singleTubeKeyGroups: [],
      orgUnitId: t.fx.gridA.id,
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.name, '第9轮全员核酸检测（延长一天）');
    assert.equal(changed.body.endsOn, tomorrow);
    assert.equal(changed.body.defaultMode, 'mix20');
    assert.equal(changed.body.orgUnitId, t.fx.district.id, 'the area stays');
    const [event] = await auditOf('test-round.update', at.round.id);
    assert.ok(event, 'audited');
    assert.match(JSON.stringify(event.changes), /mix20/);
    assert.match(JSON.stringify(event.changes), /mix10/, 'with what it was');
  });

  test('bad changes are refused naming the field, and change nothing', async () => {
    const at = await newRound();
    const backwards = await as.admin.patch(`/api/v1/test-rounds/${at.round.id}`, { endsOn: yesterday });
    assert.equal(backwards.status, 400);
    assert.ok(backwards.body.error.fields.endsOn, JSON.stringify(backwards.body));
    const late = await as.admin.patch(`/api/v1/test-rounds/${at.round.id}`, { startsOn: tomorrow });
    assert.equal(late.status, 400);
    assert.ok(late.body.error.fields.startsOn, JSON.stringify(late.body));
    const group = await as.admin.patch(`/api/v1/test-rounds/${at.round.id}`, {
      name: '改名',
      singleTubeKeyGroups: ['no-such-group'],
    });
    assert.equal(group.status, 400);
    assert.ok(group.body.error.fields.singleTubeKeyGroups);
    const mode = await as.admin.patch(`/api/v1/test-rounds/${at.round.id}`, { defaultMode: '30混1' });
    assert.equal(mode.status, 400);
    assert.ok(mode.body.error.fields.defaultMode);
    const blank = await as.admin.patch(`/api/v1/test-rounds/${at.round.id}`, { name: '  ' });
    assert.equal(blank.status, 400);
    assert.ok(blank.body.error.fields.name);
    const [row] = await t.deps.database.db.select().from(testRounds).where(eq(testRounds.id, at.round.id));
    assert.equal(row?.name.startsWith('第'), true, 'name unchanged');
    assert.equal(row?.startsOn, today);
    assert.equal(row?.endsOn, today);
  });

  test('its days must keep every scan made in it, by the district’s day', async () => {
    const at = await newRound({ startsOn: yesterday, endsOn: tomorrow });
    // Scanned offline yesterday, sent today.
    const early = await scanInto(at, newTube(), {
      scannedAt: new Date(Date.now() - 24 * 3600_000).toISOString(),
    });
    assert.equal(early.status, 201, JSON.stringify(early.body));
    const late = await as.admin.patch(`/api/v1/test-rounds/${at.round.id}`, { startsOn: today });
    assert.equal(late.status, 400);
    assert.match(late.body.error.fields.startsOn, new RegExp(yesterday));
    assert.equal((await scanInto(at, newTube())).status, 201);
    const ended = await as.admin.patch(`/api/v1/test-rounds/${at.round.id}`, { endsOn: yesterday });
    assert.equal(ended.status, 400);
    assert.match(ended.body.error.fields.endsOn, new RegExp(today));
    // Ending it early today keeps today's scans: the usual 提前结束.
    const early2 = await as.admin.patch(`/api/v1/test-rounds/${at.round.id}`, { endsOn: today });
    assert.equal(early2.status, 200, JSON.stringify(early2.body));
    const stillToday = await scanInto(at, newTube());
    assert.equal(stillToday.status, 201, 'today is still in it');
  });

  test('a round that sampled no one cannot end before today (it would be dead: cancel it instead)', async () => {
    const at = await newRound({ startsOn: yesterday, endsOn: tomorrow });
    const ended = await as.admin.patch(`/api/v1/test-rounds/${at.round.id}`, { endsOn: yesterday });
    assert.equal(ended.status, 400);
    assert.match(ended.body.error.fields.endsOn, /结束日期已过/);
    assert.match(ended.body.error.fields.endsOn, /请取消/);
    const today2 = await as.admin.patch(`/api/v1/test-rounds/${at.round.id}`, { endsOn: today });
    assert.equal(today2.status, 200, 'ending today still leaves today to sample');
  });

  test('a new default mode opens new tubes in it; a tube opened before keeps its own', async () => {
    const at = await newRound();
    const before10 = newTube();
    const first = await scanInto(at, before10);
    assert.equal(first.body.capacity, 10);
    assert.equal(
      (await as.admin.patch(`/api/v1/test-rounds/${at.round.id}`, { defaultMode: 'mix5' })).status,
      200,
    );
    const same = await scanInto(at, before10);
    assert.equal(same.status, 201, JSON.stringify(same.body));
    assert.equal(same.body.capacity, 10, 'the open tube keeps its mode');
    const fresh = await scanInto(at, newTube());
    assert.equal(fresh.body.capacity, 5);
  });

  test('only who organises the round’s whole area changes it; others get 404', async () => {
    const at = await newRound();
    // Community staff organise testing in their community, not this district-wide round.
    const staff = await as.staff.patch(`/api/v1/test-rounds/${at.round.id}`, { name: '社区改名' });
    assert.equal(staff.status, 404);
    const sampler = await as.sampler.patch(`/api/v1/test-rounds/${at.round.id}`, { name: '采样员改名' });
    assert.equal(sampler.status, 403);
    assert.equal((await as.admin.patch(`/api/v1/test-rounds/${randomUUID()}`, { name: 'x' })).status, 404);
    assert.equal((await as.admin.patch('/api/v1/test-rounds/not-a-uuid', { name: 'x' })).status, 404);
  });
});

describe('cancelling a round', () => {
  test('a round with nothing sampled is cancelled with its reason; then it takes nothing more', async () => {
    const at = await newRound();
    const noReason = await as.admin.post(`/api/v1/test-rounds/${at.round.id}/cancel`, { reason: ' ' });
    assert.equal(noReason.status, 400);
    assert.ok(noReason.body.error.fields.reason);
    const cancelled = await as.admin.post(`/api/v1/test-rounds/${at.round.id}/cancel`, {
      reason: '与第8轮重复，误建',
    });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.ok(cancelled.body.cancelledAt);
    assert.equal(cancelled.body.cancelReason, '与第8轮重复，误建');
    assert.equal((await auditOf('test-round.cancel', at.round.id)).length, 1);

    const scanned = await scanInto(at, newTube());
    assert.equal(scanned.status, 409);
    assert.equal(scanned.body.error.code, 'ROUND_CANCELLED');
    const point = await as.admin.post(`/api/v1/test-rounds/${at.round.id}/points`, {
      name: '另一个点',
      orgUnitId: t.fx.community.id,
    });
    assert.equal(point.status, 409);
    assert.equal(point.body.error.code, 'ROUND_CANCELLED');
    const again = await as.admin.post(`/api/v1/test-rounds/${at.round.id}/cancel`, { reason: '再取消' });
    assert.equal(again.status, 409);
    const renamed = await as.admin.patch(`/api/v1/test-rounds/${at.round.id}`, { name: '改名' });
    assert.equal(renamed.status, 409);
    const listed = await as.admin.get('/api/v1/test-rounds?pageSize=100');
    const row = listed.body.items.find((r: { id: string }) => r.id === at.round.id);
    assert.ok(row?.cancelledAt, 'the list says so');
  });

  test('a round with tubes is not cancelled (end it early instead), and stays as it was', async () => {
    const at = await newRound();
    const detail = () => as.admin.get(`/api/v1/test-rounds/${at.round.id}`);
    assert.equal((await detail()).body.actions.cancel, true, 'offered while nothing is sampled');
    assert.equal((await scanInto(at, newTube())).status, 201);
    assert.equal((await detail()).body.actions.cancel, false, 'then ended early instead');
    const refused = await as.admin.post(`/api/v1/test-rounds/${at.round.id}/cancel`, { reason: '误建' });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'ROUND_HAS_SAMPLES');
    assert.match(refused.body.error.message, /结束日期/);
    const [row] = await t.deps.database.db.select().from(testRounds).where(eq(testRounds.id, at.round.id));
    assert.equal(row?.cancelledAt, null);
    assert.equal((await auditOf('test-round.cancel', at.round.id)).length, 0);
  });
});

describe('changing a point', () => {
  test('its name, place, hours and team change, audited; a taken name or a team member who may not scan there is refused', async () => {
    const at = await newRound();
    const other = await as.admin.post(`/api/v1/test-rounds/${at.round.id}/points`, {
      name: '村委会',
      orgUnitId: t.fx.village.id,
    });
    assert.equal(other.status, 201);
    const url = `/api/v1/test-rounds/${at.round.id}/points/${at.point.id}`;
    const changed = await as.admin.patch(url, {
      name: '幸福家园广场（北门）',
      place: '北门岗亭旁',
      hours: '06:30-11:00',
      samplerUserIds: [],
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.name, '幸福家园广场（北门）');
    assert.equal(changed.body.place, '北门岗亭旁');
    assert.deepEqual(changed.body.samplers, []);
    const [event] = await auditOf('collection-point.update', at.point.id);
    assert.match(JSON.stringify(event?.changes), /北门岗亭旁/);
    const taken = await as.admin.patch(url, { name: '村委会' });
    assert.equal(taken.status, 409);
    assert.ok(taken.body.error.fields.name);
    const lab = await as.admin.patch(url, { samplerUserIds: [t.fx.users.lab.id] });
    assert.equal(lab.status, 400);
    assert.ok(lab.body.error.fields.samplerUserIds);
    const back = await as.admin.patch(url, { samplerUserIds: [t.fx.users.sampler.id] });
    assert.equal(back.body.samplers[0]?.id, t.fx.users.sampler.id);
    // A point of another round, or not in the organiser's area, is not there.
    const elsewhere = await newRound();
    assert.equal(
      (await as.admin.patch(`/api/v1/test-rounds/${elsewhere.round.id}/points/${at.point.id}`, { name: 'x' }))
        .status,
      404,
    );
    const staff = await as.staff.patch(`/api/v1/test-rounds/${at.round.id}/points/${other.body.id}`, {
      name: '村委会（改）',
    });
    assert.equal(staff.status, 404, 'the village is not the community staff’s');
    const own = await as.staff.patch(url, { hours: '全天' });
    assert.equal(own.status, 200, 'their community’s point is theirs to change');
    // The page offers them what they may do: set up points in the round, change their own.
    const seen = (await as.staff.get(`/api/v1/test-rounds/${at.round.id}`)).body;
    assert.deepEqual([seen.actions.manage, seen.actions.organise], [false, true]);
    const pointActions = Object.fromEntries(
      seen.points.map((p: { id: string; actions: { manage: boolean } }) => [p.id, p.actions.manage]),
    );
    // The village's point is not theirs to see.
    assert.deepEqual(pointActions, { [at.point.id]: true });
  });

  test('a closed point (撤点) takes no scans, its tubes are still sealed; reopened, it scans again', async () => {
    const at = await newRound();
    const tube = newTube();
    assert.equal((await scanInto(at, tube)).status, 201);
    const url = `/api/v1/test-rounds/${at.round.id}/points/${at.point.id}`;
    const closed = await as.admin.patch(url, { closed: true });
    assert.equal(closed.status, 200);
    assert.ok(closed.body.closedAt);
    const refused = await scanInto(at, tube);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'POINT_CLOSED');
    assert.match(refused.body.error.message, /撤点/);
    const sealed = await as.sampler.post(`/api/v1/sampling/tubes/${tube}/seal`, {});
    assert.equal(sealed.status, 200, JSON.stringify(sealed.body));
    const again = await as.admin.patch(url, { closed: true });
    assert.equal(again.body.closedAt, closed.body.closedAt, 'closing twice keeps when it closed');
    const reopened = await as.admin.patch(url, { closed: false });
    assert.equal(reopened.body.closedAt, null);
    assert.equal((await scanInto(at, newTube())).status, 201);
  });
});

describe('taking a person scanned by mistake out of an open tube', () => {
  test('their place is free again, they count as not sampled, and can be scanned again; audited once per client id', async () => {
    const at = await newRound();
    const [kept, mistaken] = (await addPeople(t, t.fx.gridA, 2)) as [string, string];
    const tube = newTube();
    const scanPerson = (person: string, tubeCode: string) => scanAt(t, as.sampler, at, person, tubeCode);
    assert.equal((await scanPerson(kept, tube)).status, 201);
    assert.equal((await scanPerson(mistaken, tube)).status, 201);
    const sampled = async () =>
      (await as.admin.get(`/api/v1/test-rounds/${at.round.id}/coverage`)).body.sampled as number;
    const before = await sampled();
    const shown = await as.sampler.get(`/api/v1/sampling/tubes/${tube}`);
    assert.deepEqual(
      shown.body.members.map((m: { personId: string }) => m.personId).sort(),
      [kept, mistaken].sort(),
    );
    const url = `/api/v1/sampling/tubes/${tube}/members/${mistaken}/remove`;
    const clientId = randomUUID();
    const removed = await as.sampler.post(url, { clientId, reason: '扫错码，此人未采样' });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.equal(removed.body.memberCount, 1);
    const again = await as.sampler.post(url, { clientId, reason: '扫错码，此人未采样' });
    assert.deepEqual(again.body, removed.body, 'a retry answers as the first time');
    assert.equal((await auditOf('tube.member-remove', removed.body.id)).length, 1);
    assert.equal(await sampled(), before - 1);
    const members = (await as.sampler.get(`/api/v1/sampling/tubes/${tube}`)).body.members;
    assert.deepEqual(
      members.map((m: { personId: string }) => m.personId),
      [kept],
    );
    // Not there any more: a second removal (a new client id) finds nobody.
    assert.equal((await as.sampler.post(url, { reason: '再移一次' })).status, 404);
    const rescanned = await scanPerson(mistaken, newTube());
    assert.equal(rescanned.status, 201, JSON.stringify(rescanned.body));
    assert.equal(await sampled(), before);
  });

  test('a sealed tube keeps its members; a grid worker (no sampling) is refused; a reason is needed', async () => {
    const at = await newRound();
    const tube = newTube();
    const scanned = await scanInto(at, tube);
    assert.equal(scanned.status, 201);
    const member = (await as.sampler.get(`/api/v1/sampling/tubes/${tube}`)).body.members[0].personId;
    const url = `/api/v1/sampling/tubes/${tube}/members/${member}/remove`;
    const noReason = await as.sampler.post(url, {});
    assert.equal(noReason.status, 400);
    assert.ok(noReason.body.error.fields.reason);
    const worker = client(t.app, await t.login('worker-a'));
    assert.equal((await worker.post(url, { reason: '扫错码' })).status, 403);
    assert.equal((await as.sampler.post(`/api/v1/sampling/tubes/${tube}/seal`, {})).status, 200);
    const sealed = await as.sampler.post(url, { reason: '扫错码' });
    assert.equal(sealed.status, 409);
    assert.equal(sealed.body.error.code, 'TUBE_SEALED');
  });
});

describe('rounds on the same people at the same time', () => {
  test('the list filtered by a unit and days gives the rounds over its area then, not cancelled ones, not others', async () => {
    const day = addDays(today, 20);
    const create = async (name: string, orgUnitId: string, startsOn: string, endsOn: string) => {
      const res = await as.admin.post('/api/v1/test-rounds', {
        name,
        orgUnitId,
        startsOn,
        endsOn,
        defaultMode: 'mix10',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    const district = await create('区第30轮', t.fx.district.id, addDays(day, -2), day);
    const gridA = await create('A网格第1轮', t.fx.gridA.id, day, addDays(day, 1));
    await create('B网格第1轮', t.fx.gridB.id, day, day);
    await create('村第1轮', t.fx.village.id, day, day);
    await create('区第29轮', t.fx.district.id, addDays(day, -5), addDays(day, -3));
    const cancelled = await create('社区第1轮', t.fx.community.id, day, day);
    assert.equal(
      (await as.admin.post(`/api/v1/test-rounds/${cancelled}/cancel`, { reason: '重复设置' })).status,
      200,
    );

    const overlap = await as.admin.get(
      `/api/v1/test-rounds?orgUnitId=${t.fx.community.id}&from=${day}&to=${day}&pageSize=100`,
    );
    assert.equal(overlap.status, 200, JSON.stringify(overlap.body));
    const names = overlap.body.items.map((r: { name: string }) => r.name).sort();
    // The district's round contains the community; grids A and B lie in it; the village and the
    // district's earlier round do not meet it; the cancelled round takes nobody.
    assert.deepEqual(names, ['A网格第1轮', 'B网格第1轮', '区第30轮']);
    assert.equal(overlap.body.total, 3);
    const fromGrid = await as.admin.get(
      `/api/v1/test-rounds?orgUnitId=${t.fx.gridA.id}&from=${addDays(day, 1)}`,
    );
    assert.deepEqual(
      fromGrid.body.items.map((r: { id: string }) => r.id),
      [gridA],
      'from a day on: only rounds ending on or after it',
    );
    assert.ok(!fromGrid.body.items.some((r: { id: string }) => r.id === district));

    // A unit the actor does not see is not theirs to ask about; days the wrong way round are named.
    const staff = await as.staff.get(
      `/api/v1/test-rounds?orgUnitId=${t.fx.village.id}&from=${day}&to=${day}`,
    );
    assert.equal(staff.status, 404);
    const backwards = await as.admin.get(
      `/api/v1/test-rounds?orgUnitId=${t.fx.gridA.id}&from=${day}&to=${today}`,
    );
    assert.equal(backwards.status, 400);
    assert.ok(backwards.body.error.fields.to, JSON.stringify(backwards.body));
  });
});
