/**
 * Field writes retried after a lost answer (a phone at the door, a bench at the lab) write once and
 * answer as the first time: each takes a client id. And who may seal a tube, and who is on a
 * door-to-door team.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/rows.ts';
import { auditEvents } from '../../db/schema.ts';
import { client } from '../../testing/http.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import {
  addPeople,
  createUser,
  enterResult,
  labWithTeam,
  newSweep,
  roundWithPoint,
  type Session,
  scanAt,
  sealedTube,
  setUpHoursAgo,
  signedIn,
  signedInAs,
} from '../../testing/testing-fixtures.ts';

let t: TestApp;
let as: Record<'admin' | 'sampler' | 'lab' | 'workerA', Session>;

before(async () => {
  t = await createTestApp();
  await labWithTeam(t);
  as = await signedIn(t, { admin: 'admin', sampler: 'sampler', lab: 'lab', workerA: 'worker-a' });
});
after(() => t.close());

const audits = async (action: string, entityId?: string) =>
  (
    await queryRows<{ n: number }>(
      t.deps.database.db,
      sql`select count(*)::int as n from ${auditEvents} where action = ${action}
          ${entityId ? sql`and entity_id = ${entityId}` : sql``}`,
    )
  )[0]?.n ?? 0;

test('an exemption retried after a lost answer (same clientId) writes once and answers as the first time', async () => {
  const at = await roundWithPoint(t, as.admin);
  const [personId] = await addPeople(t, t.fx.gridA, 1);
  const body = { clientId: randomUUID(), personId, reason: 'hospitalised', note: '市人民医院' };
  const first = await as.workerA.post(`/api/v1/test-rounds/${at.roundId}/exemptions`, body);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  // The phone never got the 201 (a dropped connection) and sends the same write again.
  const retry = await as.workerA.post(`/api/v1/test-rounds/${at.roundId}/exemptions`, body);
  assert.equal(retry.status, 201);
  assert.equal(await audits('test-exemption.record', personId), 1, 'the retry wrote a second audit event');
  assert.deepEqual(retry.body, first.body);
});

test('an exemption withdrawn, retried after a lost answer, answers as the first time (not 404)', async () => {
  const at = await roundWithPoint(t, as.admin);
  const [personId] = await addPeople(t, t.fx.gridA, 1);
  const ex = await as.workerA.post(`/api/v1/test-rounds/${at.roundId}/exemptions`, {
    clientId: randomUUID(),
    personId,
    reason: 'tested_elsewhere',
  });
  assert.equal(ex.status, 201);
  const url = `/api/v1/test-rounds/${at.roundId}/exemptions/${personId}?clientId=${randomUUID()}`;
  assert.equal((await as.workerA.send('DELETE', url)).status, 204);
  const retry = await as.workerA.send('DELETE', url);
  assert.equal(retry.status, 204, `retry answered ${retry.status} ${JSON.stringify(retry.body)}`);
  assert.equal(await audits('test-exemption.withdraw', personId), 1);
  // A fresh withdrawal (another client id) of what is withdrawn already is a 404; one without a
  // client id is refused (a retry of it could not be told from a fresh one).
  const again = await as.workerA.send(
    'DELETE',
    `/api/v1/test-rounds/${at.roundId}/exemptions/${personId}?clientId=${randomUUID()}`,
  );
  assert.equal(again.status, 404);
  const bare = await as.workerA.send('DELETE', `/api/v1/test-rounds/${at.roundId}/exemptions/${personId}`);
  assert.equal(bare.status, 400);
  assert.ok(bare.body.error.fields.clientId);
});

test('a withdrawal made at a door hours ago leaves an exemption recorded afresh since (409), not one made before it', async () => {
  const at = await roundWithPoint(t, as.admin);
  await setUpHoursAgo(t, { roundId: at.roundId });
  const [personId] = await addPeople(t, t.fx.gridA, 1);
  const url = `/api/v1/test-rounds/${at.roundId}/exemptions`;
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
  // Exempt at 3 h ago; withdrawn at a door 2 h ago, sent now: it goes.
  assert.equal(
    (
      await as.workerA.post(url, {
        clientId: randomUUID(),
        personId,
        reason: 'tested_elsewhere',
        recordedAt: hoursAgo(3),
      })
    ).status,
    201,
  );
  const withdraw = (madeAt: string) =>
    as.workerA.send(
      'DELETE',
      `${url}/${personId}?clientId=${randomUUID()}&recordedAt=${encodeURIComponent(madeAt)}&sentAt=${encodeURIComponent(new Date().toISOString())}`,
    );
  assert.equal((await withdraw(hoursAgo(2))).status, 204);
  // Exempt again 1 h ago (the colleague found them in hospital); the same old withdrawal, sent
  // again from another phone, does not take that one away.
  assert.equal(
    (
      await as.workerA.post(url, {
        clientId: randomUUID(),
        personId,
        reason: 'hospitalised',
        recordedAt: hoursAgo(1),
      })
    ).status,
    201,
  );
  const late = await withdraw(hoursAgo(2));
  assert.equal(late.status, 409, JSON.stringify(late.body));
  assert.equal(late.body.error.code, 'EXEMPTION_NEWER');
  const list = await as.workerA.get(`${url}?orgUnitId=${t.fx.gridA.id}`);
  assert.equal(list.body.items.find((e: { id: string }) => e.id === personId)?.reason, 'hospitalised');
});

test('an exemption recorded at a door hours ago does not replace one recorded afresh since (409); an older one it does', async () => {
  const at = await roundWithPoint(t, as.admin);
  await setUpHoursAgo(t, { roundId: at.roundId });
  const [personId] = await addPeople(t, t.fx.gridA, 1);
  const url = `/api/v1/test-rounds/${at.roundId}/exemptions`;
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3600_000).toISOString();
  const sentNow = () => new Date().toISOString();
  // A colleague exempts them an hour ago (found in hospital).
  assert.equal(
    (
      await as.workerA.post(url, {
        clientId: randomUUID(),
        personId,
        reason: 'hospitalised',
        recordedAt: hoursAgo(1),
        sentAt: sentNow(),
      })
    ).status,
    201,
  );
  // An exemption typed at the door two hours ago, sent only now, is the older word: refused.
  const late = await as.workerA.post(url, {
    personId,
    reason: 'tested_elsewhere',
    recordedAt: hoursAgo(2),
    sentAt: sentNow(),
    clientId: randomUUID(),
  });
  assert.equal(late.status, 409, JSON.stringify(late.body));
  assert.equal(late.body.error.code, 'EXEMPTION_NEWER');
  assert.match(late.body.error.message, /住院/);
  const reasonNow = async () =>
    (await as.workerA.get(`${url}?orgUnitId=${t.fx.gridA.id}`)).body.items.find(
      (e: { id: string }) => e.id === personId,
    )?.reason;
  assert.equal(await reasonNow(), 'hospitalised');
  // One recorded later than the standing one replaces it, as before.
  assert.equal(
    (
      await as.workerA.post(url, {
        clientId: randomUUID(),
        personId,
        reason: 'bedridden',
        recordedAt: hoursAgo(0.5),
        sentAt: sentNow(),
      })
    ).status,
    201,
  );
  assert.equal(await reasonNow(), 'bedridden');
});

test('a write taken once is answered as then when sent again, whatever rule came since (its rules run after the first answer is found)', async () => {
  const at = await roundWithPoint(t, as.admin);
  const [personId] = await addPeople(t, t.fx.gridA, 1);
  const clientId = randomUUID();
  const url = `/api/v1/test-rounds/${at.roundId}/exemptions`;
  const first = await as.workerA.post(url, { personId, reason: 'other', note: '外出就医', clientId });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  // The same write as a phone queued it before 其他 needed a note: the first answer, not a 400.
  const again = await as.workerA.post(url, { personId, reason: 'other', clientId });
  assert.equal(again.status, 201, JSON.stringify(again.body));
  assert.deepEqual(again.body, first.body);
  // A fresh write without the note is refused, naming it.
  const fresh = await as.workerA.post(url, { personId, reason: 'other', clientId: randomUUID() });
  assert.equal(fresh.status, 400);
  assert.ok(fresh.body.error.fields.note);
});

test('a result typed in, retried after a lost answer, writes once and answers as the first time', async () => {
  await sealedTube(t, as, 'SR-ENTRY-1');
  const body = {
    clientId: randomUUID(),
    tubeCode: 'SR-ENTRY-1',
    result: 'positive',
    testedAt: new Date(Date.now() - 60_000).toISOString(),
  };
  const before = await audits('lab-results.import');
  const first = await as.lab.post('/api/v1/lab/results', body);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const retry = await as.lab.post('/api/v1/lab/results', body);
  assert.equal(retry.status, 200);
  assert.equal(await audits('lab-results.import'), before + 1, 'the retry wrote a second audit event');
  assert.deepEqual(retry.body, first.body, 'the retry answered differently from the first time');
});

test('a receipt retried after a lost answer writes once and answers as the first time', async () => {
  await sealedTube(t, as, 'SR-RECV-1');
  const body = { clientId: randomUUID(), tubeCodes: ['SR-RECV-1'] };
  const before = await audits('tube.receive');
  const first = await as.lab.post('/api/v1/lab/receipts', body);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const retry = await as.lab.post('/api/v1/lab/receipts', body);
  assert.equal(await audits('tube.receive'), before + 1, 'the retry wrote a second audit event');
  assert.deepEqual(retry.body, first.body, 'the retry answered differently from the first time');
});

test('a status recorded at the door (health code), retried after a lost answer, is recorded once', async () => {
  const [personId] = await addPeople(t, t.fx.gridA, 1);
  const body = {
    clientId: randomUUID(),
    kind: 'health_code',
    value: 'green',
    observedAt: new Date(Date.now() - 60_000).toISOString(),
    source: '入户查验',
  };
  const first = await as.workerA.post(`/api/v1/residents/${personId}/statuses`, body);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  const retry = await as.workerA.post(`/api/v1/residents/${personId}/statuses`, body);
  assert.equal(retry.status, 200);
  assert.deepEqual(retry.body, first.body);
  const history = await as.workerA.get(`/api/v1/residents/${personId}`);
  const checks = history.body.statusHistory.filter((s: { kind: string }) => s.kind === 'health_code');
  assert.equal(checks.length, 1, 'the retry recorded the same check twice');
  assert.equal(await audits('resident.status', personId), 1, 'the retry wrote a second audit event');
});

test('a correction retried after a lost answer writes once and answers as the first time', async () => {
  await sealedTube(t, as, 'SR-CORR-1');
  await enterResult(as.lab, 'SR-CORR-1', 'negative', 2);
  const body = {
    clientId: randomUUID(),
    tubeCode: 'SR-CORR-1',
    result: 'positive',
    testedAt: new Date(Date.now() - 60_000).toISOString(),
    reason: '复检阳性',
  };
  const before = await audits('lab-results.import');
  const first = await as.lab.post('/api/v1/lab/results/correct', body);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.rechecksCreated, 1, JSON.stringify(first.body));
  const retry = await as.lab.post('/api/v1/lab/results/correct', body);
  assert.equal(retry.status, 200);
  assert.deepEqual(retry.body, first.body, 'the retry answered differently from the first time');
  assert.equal(await audits('lab-results.import'), before + 1);
});

test('a sampler not on a point’s team cannot seal its tube (as they cannot scan into it or remove from it)', async () => {
  await createUser(t, {
    username: 'sampler-other',
    displayName: '别的采样员',
    password: 'Field-pass-2022',
    grants: [{ role: 'sampler', orgUnitId: t.fx.community.id }],
  });
  const other = client(t.app, await t.login('sampler-other'));
  const at = await roundWithPoint(t, as.admin);
  const [p1, p2] = (await addPeople(t, t.fx.gridA, 2)) as [string, string];
  assert.equal((await scanAt(t, as.sampler, at, p1, 'SR-TEAM-1')).status, 201);
  assert.equal((await scanAt(t, other, at, p2, 'SR-TEAM-1')).status, 403, 'not on the team: no scan');
  const remove = await other.post(`/api/v1/sampling/tubes/SR-TEAM-1/members/${p1}/remove`, {
    reason: '扫错',
  });
  assert.equal(remove.status, 403, 'not on the team: no removal');
  const seal = await other.post('/api/v1/sampling/tubes/SR-TEAM-1/seal', {});
  assert.equal(seal.status, 403, `not on the team, yet the seal answered ${seal.status}`);
  // The point's own sampler seals it.
  assert.equal((await as.sampler.post('/api/v1/sampling/tubes/SR-TEAM-1/seal', {})).status, 200);
});

test('a door-to-door team set up with its members lists them by name; one without lists none', async () => {
  const at = await roundWithPoint(t, as.admin);
  await addPeople(t, t.fx.gridA, 1);
  await newSweep(as.admin, at.roundId, {
    name: '一网格入户队',
    orgUnitId: t.fx.gridA.id,
    samplerUserIds: [t.fx.users.sampler.id],
  });
  await newSweep(as.admin, at.roundId, {
    name: '社区机动队',
    orgUnitId: t.fx.community.id,
  });
  const list = await as.admin.get(`/api/v1/test-rounds/${at.roundId}/sweeps`);
  const teamOf = (name: string) => list.body.items.find((s: { name: string }) => s.name === name)?.team;
  assert.deepEqual(teamOf('一网格入户队'), ['测试sampler']);
  assert.deepEqual(teamOf('社区机动队'), []);
});

test('a team set up with its members takes outcomes from them and from who may exempt there, not from another sampler', async () => {
  const at = await roundWithPoint(t, as.admin);
  await addPeople(t, t.fx.gridA, 1);
  const sweep = await newSweep(as.admin, at.roundId, {
    name: '一网格队员队',
    orgUnitId: t.fx.gridA.id,
    samplerUserIds: [t.fx.users.sampler.id],
  });
  const home = (await as.admin.get(`/api/v1/sweeps/${sweep.id}`)).body.households[0].householdId as string;
  const url = `/api/v1/sweeps/${sweep.id}/households/${home}/outcome`;
  const other = client(t.app, await t.login('sampler-other', 'Field-pass-2022'));
  assert.equal(
    (await other.post(url, { clientId: randomUUID(), outcome: 'nobody_home' })).status,
    403,
    'not on the team',
  );
  assert.equal((await as.sampler.post(url, { clientId: randomUUID(), outcome: 'nobody_home' })).status, 200);
  assert.equal(
    (await as.workerA.post(url, { clientId: randomUUID(), outcome: 'refused' })).status,
    200,
    'the grid worker may',
  );
});

test('已搬离 by a sampler asks the grid worker once, a correction calls the ask off; the visit keeps the door’s time', async () => {
  const at = await roundWithPoint(t, as.admin);
  await addPeople(t, t.fx.gridA, 1);
  const sweep = await newSweep(as.admin, at.roundId, {
    name: '一网格搬离核实队',
    orgUnitId: t.fx.gridA.id,
  });
  await setUpHoursAgo(t, { roundId: at.roundId, sweepId: sweep.id });
  const home = (await as.admin.get(`/api/v1/sweeps/${sweep.id}`)).body.households[0].householdId as string;
  const url = `/api/v1/sweeps/${sweep.id}/households/${home}/outcome`;
  // Recorded at the door two hours ago, sent now, by a phone whose clock is a day off.
  const phoneNow = Date.now() + 86_400_000;
  const moved = await as.sampler.post(url, {
    clientId: randomUUID(),
    outcome: 'moved',
    recordedAt: new Date(phoneNow - 2 * 3600_000).toISOString(),
    sentAt: new Date(phoneNow).toISOString(),
  });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal(moved.body.verificationSent, true);
  const view = await as.admin.get(`/api/v1/sweeps/${sweep.id}`);
  const visitedAt = Date.parse(view.body.households[0].visitedAt);
  assert.ok(
    Math.abs(visitedAt - (Date.now() - 2 * 3600_000)) < 120_000,
    `visited ${view.body.households[0].visitedAt}`,
  );
  const asks = (state: string) =>
    queryRows<{ n: number }>(
      t.deps.database.db,
      sql`select count(*)::int as n from work_items where type = 'verify_moved' and subject_id = ${home} and state = ${state}`,
    ).then(([row]) => row?.n ?? 0);
  assert.equal(await asks('open'), 1);
  // The ask and its calling off are audited as the work item's own events (the worker's list
  // follows them live), and the called-off ask is closed as one cancelled by hand.
  const itemAudit = () =>
    queryRows<{ action: string; entityId: string; changes: Record<string, unknown> }>(
      t.deps.database.db,
      sql`select a.action, a.entity_id as "entityId", a.changes from audit_events a
          join work_items w on w.id::text = a.entity_id
          where a.entity = 'work-item' and w.type = 'verify_moved' and w.subject_id = ${home}
          order by a.at, a.action`,
    );
  const [created] = await itemAudit();
  assert.equal(created?.action, 'work-item.create');
  assert.match(JSON.stringify(created?.changes), /核实搬离/);
  assert.equal((await as.sampler.post(url, { clientId: randomUUID(), outcome: 'nobody_home' })).status, 200);
  assert.equal(await asks('open'), 0, 'the correction calls the ask off');
  assert.equal(await asks('cancelled'), 1);
  assert.deepEqual(
    (await itemAudit()).map((a) => [a.action, a.entityId]),
    [
      ['work-item.create', created?.entityId],
      ['work-item.cancel', created?.entityId],
    ],
  );
  const [closed] = await queryRows<{ doneAt: Date | null }>(
    t.deps.database.db,
    sql`select done_at as "doneAt" from work_items where id = ${created?.entityId}`,
  );
  assert.ok(closed?.doneAt, 'closed when called off');
  assert.equal(
    (await as.sampler.post(url, { clientId: randomUUID(), outcome: 'moved' })).body.verificationSent,
    true,
  );
  assert.equal(
    (await as.sampler.post(url, { clientId: randomUUID(), outcome: 'moved', note: '再次确认' })).status,
    200,
  );
  assert.equal(await asks('open'), 1, 'asked once while the ask is open');
});

test('an exemption sent hours after it was recorded at the door keeps the door’s time', async () => {
  const at = await roundWithPoint(t, as.admin);
  await setUpHoursAgo(t, { roundId: at.roundId });
  const [personId] = await addPeople(t, t.fx.gridA, 1);
  const phoneNow = Date.now() - 600_000; // a phone clock ten minutes slow
  const res = await as.workerA.post(`/api/v1/test-rounds/${at.roundId}/exemptions`, {
    clientId: randomUUID(),
    personId,
    reason: 'hospitalised',
    recordedAt: new Date(phoneNow - 3 * 3600_000).toISOString(),
    sentAt: new Date(phoneNow).toISOString(),
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const list = await as.workerA.get(
    `/api/v1/test-rounds/${at.roundId}/exemptions?orgUnitId=${t.fx.gridA.id}`,
  );
  const mine = list.body.items.find((e: { id: string }) => e.id === personId);
  assert.ok(Math.abs(Date.parse(mine.createdAt) - (Date.now() - 3 * 3600_000)) < 120_000, mine.createdAt);
});

test('a door’s time before its round was set up is refused, naming recordedAt: no adult exempted as an infant “in 1991”, no unnamed 400 for a wild clock', async () => {
  const at = await roundWithPoint(t, as.admin);
  const [personId] = await addPeople(t, t.fx.gridA, 1);
  const url = `/api/v1/test-rounds/${at.roundId}/exemptions`;
  // Born years ago (the fixture's people are adults): 婴幼儿 at a time when they were one.
  const infant = await as.workerA.post(url, {
    clientId: randomUUID(),
    personId,
    reason: 'infant',
    recordedAt: '1991-06-01T00:00:00+08:00',
  });
  assert.equal(infant.status, 400, JSON.stringify(infant.body));
  assert.match(infant.body.error.fields.recordedAt, /早于本轮检测的设立时间/);
  // A clock sent wild both ways: named, not the database's "invalid value".
  const wild = await as.workerA.post(url, {
    clientId: randomUUID(),
    personId,
    reason: 'away',
    recordedAt: '0001-01-01T00:00:00Z',
    sentAt: '9999-12-31T23:59:59Z',
  });
  assert.equal(wild.status, 400, JSON.stringify(wild.body));
  assert.ok(wild.body.error.fields.recordedAt);
  const withdrawal = await as.workerA.send(
    'DELETE',
    `${url}/${personId}?clientId=${randomUUID()}&recordedAt=${encodeURIComponent('0001-01-01T00:00:00Z')}`,
  );
  assert.equal(withdrawal.status, 400, JSON.stringify(withdrawal.body));
  assert.ok(withdrawal.body.error.fields.recordedAt);
  // A door-to-door visit before its team was set up, likewise.
  const sweep = await newSweep(as.admin, at.roundId, { name: '一网格核实队', orgUnitId: t.fx.gridA.id });
  const home = (await as.admin.get(`/api/v1/sweeps/${sweep.id}`)).body.households[0].householdId as string;
  const visit = await as.sampler.post(`/api/v1/sweeps/${sweep.id}/households/${home}/outcome`, {
    clientId: randomUUID(),
    outcome: 'nobody_home',
    recordedAt: new Date(Date.now() - 3600_000).toISOString(),
    sentAt: new Date().toISOString(),
  });
  assert.equal(visit.status, 400, JSON.stringify(visit.body));
  assert.match(visit.body.error.fields.recordedAt, /入户采样队/);
  assert.equal(await audits('test-exemption.record', personId), 0, 'nothing written');
  // A phone a few minutes slow that sends no sentAt is still taken.
  const slow = await as.workerA.post(url, {
    clientId: randomUUID(),
    personId,
    reason: 'away',
    recordedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
  });
  assert.equal(slow.status, 201, JSON.stringify(slow.body));
});

test('an exemption sent again after its round was cancelled answers as the first time; a fresh one, or a withdrawal, is refused', async () => {
  const at = await roundWithPoint(t, as.admin);
  const [personId, other] = await addPeople(t, t.fx.gridA, 2);
  const url = `/api/v1/test-rounds/${at.roundId}/exemptions`;
  const body = { personId, reason: 'hospitalised', clientId: randomUUID() };
  const first = await as.workerA.post(url, body);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const cancel = await as.admin.post(`/api/v1/test-rounds/${at.roundId}/cancel`, { reason: '与第5轮重复' });
  assert.equal(cancel.status, 200, JSON.stringify(cancel.body));
  // The phone never got its 201 and sends the same write again: what the server took, not a refusal.
  const again = await as.workerA.post(url, body);
  assert.equal(again.status, 201, JSON.stringify(again.body));
  assert.deepEqual(again.body, first.body);
  const fresh = await as.workerA.post(url, {
    personId: other,
    reason: 'hospitalised',
    clientId: randomUUID(),
  });
  assert.equal(fresh.status, 409);
  assert.equal(fresh.body.error.code, 'ROUND_CANCELLED');
  const withdraw = await as.workerA.send('DELETE', `${url}/${personId}?clientId=${randomUUID()}`);
  assert.equal(withdraw.status, 409);
  assert.equal(withdraw.body.error.code, 'ROUND_CANCELLED');
});

test('核实搬离 (a household’s address and the door’s note) is read only where residents are: not by a pharmacy granted the community', async () => {
  const at = await roundWithPoint(t, as.admin);
  await addPeople(t, t.fx.gridA, 1);
  const sweep = await newSweep(as.admin, at.roundId, { name: '一网格搬离复核队', orgUnitId: t.fx.gridA.id });
  const home = (await as.admin.get(`/api/v1/sweeps/${sweep.id}`)).body.households[0].householdId as string;
  const moved = await as.sampler.post(`/api/v1/sweeps/${sweep.id}/households/${home}/outcome`, {
    clientId: randomUUID(),
    outcome: 'moved',
    note: '邻居说已搬去市区',
  });
  assert.equal(moved.body.verificationSent, true, JSON.stringify(moved.body));
  const [item] = await queryRows<{ id: string }>(
    t.deps.database.db,
    sql`select id from work_items where type = 'verify_moved' and subject_id = ${home}`,
  );
  assert.ok(item);
  const listed = async (session: Session) =>
    (await session.get('/api/v1/work-items?pageSize=200')).body.items.map((i: { id: string }) => i.id);
  assert.ok((await listed(as.workerA)).includes(item.id), 'the grid worker has it to do');
  const pharmacy = await signedInAs(t, {
    username: 'pharmacy-moved',
    displayName: '幸福大药房',
    password: 'Pharmacy-2026',
    grants: [{ role: 'pharmacy', orgUnitId: t.fx.community.id }],
  });
  assert.ok(!(await listed(pharmacy)).includes(item.id), 'a pharmacy lists no household found moved');
  const feedback = await pharmacy.post(`/api/v1/work-items/${item.id}/feedback`, {
    clientId: randomUUID(),
    feedback: '已核实',
  });
  assert.equal(feedback.status, 404, 'nor acts on it as if it were there');
});
