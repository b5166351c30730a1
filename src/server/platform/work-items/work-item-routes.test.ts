import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/rows.ts';
import { client } from '../../testing/http.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { addPeople, signedInAs } from '../../testing/testing-fixtures.ts';
import { SYSTEM } from '../access/actor.ts';
import { JobRunner } from '../jobs/job-runner.ts';
import { addWorkItem, markOverdueWorkItems } from './work-item-service.ts';

let t: TestApp;
let command: ReturnType<typeof client>;
let workerA: ReturnType<typeof client>;
let workerB: ReturnType<typeof client>;
before(async () => {
  t = await createTestApp();
  command = client(t.app, await t.login('command'));
  workerA = client(t.app, await t.login('worker-a'));
  workerB = client(t.app, await t.login('worker-b'));
});
after(() => t.close());

const assign = (over: Record<string, unknown> = {}) =>
  command.post('/api/v1/work-items', {
    type: 'directive',
    title: '核查第一网格返乡人员',
    assigneeUserId: t.fx.users.workerA.id,
    dueAt: new Date(Date.now() + 3600_000).toISOString(),
    ...over,
  });

/** A recall for a single-tube recheck, as a pooled positive makes one: about residentA, to worker A. */
const recall = (over: Record<string, unknown> = {}) =>
  addWorkItem(t.deps.database.db, SYSTEM, {
    type: 'recheck',
    title: '单管复核：张三丰',
    subjectEntity: 'person',
    subjectId: t.fx.residentA.id,
    assigneeUserId: t.fx.users.workerA.id,
    orgPath: t.fx.gridA.path,
    dueAt: new Date(Date.now() + 2 * 3600_000),
    ...over,
  });

describe('work items', () => {
  test('a recall’s assignee sees the recalled person’s phone to call them, audited; nobody else does through it', async () => {
    const id = await recall();
    const listed = (await workerA.get('/api/v1/work-items?mine=true')).body.items.find(
      (w: { id: string }) => w.id === id,
    );
    assert.equal(listed?.actions.call, true);
    // The registry shows the number masked to a grid worker (no 查看完整身份证号和手机号)…
    const page = await workerA.get(`/api/v1/residents/${t.fx.residentA.id}`);
    assert.ok(!JSON.stringify(page.body).includes(t.fx.residentA.phone));
    assert.equal((await workerA.post(`/api/v1/residents/${t.fx.residentA.id}/unmask`, {})).status, 403);
    // …but the recall's assignee gets the one number, and the look is audited with the item.
    const contact = await workerA.post(`/api/v1/work-items/${id}/contact`, {});
    assert.equal(contact.status, 200, JSON.stringify(contact.body));
    assert.deepEqual(contact.body, { phone: t.fx.residentA.phone });
    const [audited] = await queryRows<{ action: string; entityId: string; changes: unknown }>(
      t.deps.database.db,
      sql`select action, entity_id as "entityId", changes from audit_events order by at desc, id desc limit 1`,
    );
    assert.equal(audited?.action, 'resident.unmask');
    assert.equal(audited?.entityId, t.fx.residentA.id);
    assert.match(JSON.stringify(audited?.changes), new RegExp(id));
    assert.ok(
      !JSON.stringify(audited?.changes).includes(t.fx.residentA.phone),
      'the number is not in the audit',
    );
    // Another grid's worker does not see the item at all; the command centre sees it but is not its assignee.
    assert.equal((await workerB.post(`/api/v1/work-items/${id}/contact`, {})).status, 404);
    const byCommand = await command.get('/api/v1/work-items');
    assert.equal(byCommand.body.items.find((w: { id: string }) => w.id === id)?.actions.call, false);
    assert.equal((await command.post(`/api/v1/work-items/${id}/contact`, {})).status, 403);
    // Work not about calling someone (a directive), and a recall once done, give no number.
    const directive = await assign();
    assert.equal((await workerA.post(`/api/v1/work-items/${directive.body.id}/contact`, {})).status, 404);
    const done = await workerA.post(`/api/v1/work-items/${id}/feedback`, {
      clientId: randomUUID(),
      feedback: '已联系，已单采',
      done: true,
    });
    assert.equal(done.body.actions.call, false);
    const closed = await workerA.post(`/api/v1/work-items/${id}/contact`, {});
    assert.equal(closed.status, 403);
    assert.match(closed.body.error.message, /已结束/);
  });

  test('a recall assigned to a grid: its worker may call, not whoever holds another role there', async () => {
    const id = await recall({ assigneeUserId: null, assigneeOrgUnitId: t.fx.gridA.id });
    assert.equal((await workerA.post(`/api/v1/work-items/${id}/contact`, {})).status, 200);
    // A sampler at the grid who reads residents through a grant elsewhere (the community's staff).
    const other = await signedInAs(t, {
      username: 'sampler-staff',
      displayName: '采样兼社区',
      password: 'Field-pass-2022',
      grants: [
        { role: 'sampler', orgUnitId: t.fx.gridA.id },
        { role: 'unit_staff', orgUnitId: t.fx.community.id },
      ],
    });
    const seen = (await other.get('/api/v1/work-items')).body.items.find((w: { id: string }) => w.id === id);
    assert.equal(seen?.actions.call, false);
    assert.equal((await other.post(`/api/v1/work-items/${id}/contact`, {})).status, 403);
    // A confirmed positive is called for the transfer by the command centre, from its item (see
    // the lab's tests); one who may not see full numbers does not get one through it.
    const positive = await recall({ type: 'positive_case', assigneeUserId: t.fx.users.workerA.id });
    assert.equal((await workerA.post(`/api/v1/work-items/${positive}/contact`, {})).status, 403);
  });

  test('a recall of someone with no phone registered offers no call, and a look finds nothing to record', async () => {
    const [nobody] = await addPeople(t, t.fx.gridA, 1);
    await t.deps.database.db.execute(
      sql`update persons set phone_enc = null, phone_hash = null where id = ${nobody}`,
    );
    const id = await recall({ subjectId: nobody, title: '单管复核：无电话' });
    const listed = (await workerA.get('/api/v1/work-items?mine=true')).body.items.find(
      (w: { id: string }) => w.id === id,
    );
    assert.equal(listed?.actions.call, false, 'no 查看电话 for a person with no phone');
    const unmasks = async () =>
      (
        await queryRows<{ n: number }>(
          t.deps.database.db,
          sql`select count(*)::int as n from audit_events where action = 'resident.unmask' and entity_id = ${nobody}`,
        )
      )[0]?.n;
    const look = await workerA.post(`/api/v1/work-items/${id}/contact`, {});
    assert.equal(look.status, 200);
    assert.equal(look.body.phone, null);
    assert.equal(await unmasks(), 0, 'nothing shown, nothing recorded as shown');
  });

  test('assigned to a person, it shows in their 我的待办 and nobody else’s', async () => {
    const created = await assign();
    assert.equal(created.status, 201);
    assert.equal(created.body.state, 'open');
    assert.equal(created.body.assigneeUserName, '测试worker-a');
    const mine = await workerA.get('/api/v1/work-items?mine=true');
    assert.ok(mine.body.items.some((w: { id: string }) => w.id === created.body.id));
    assert.equal(
      mine.body.items.find((w: { id: string }) => w.id === created.body.id).actions.feedback,
      true,
    );
    const theirs = await workerB.get('/api/v1/work-items?mine=true');
    assert.ok(!theirs.body.items.some((w: { id: string }) => w.id === created.body.id));
    const scoped = await workerB.get('/api/v1/work-items');
    assert.ok(
      !scoped.body.items.some((w: { id: string }) => w.id === created.body.id),
      'grid A’s item is out of grid B’s scope',
    );
  });

  test('assigned to an org node, it shows for users granted on that node', async () => {
    const created = await assign({
      assigneeUserId: undefined,
      assigneeOrgUnitId: t.fx.gridB.id,
      title: '网格B零报告',
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.assigneeOrgUnitName, '第二网格');
    const mine = await workerB.get('/api/v1/work-items?mine=true&state=open');
    assert.ok(mine.body.items.some((w: { id: string }) => w.id === created.body.id));
  });

  test('feedback closes the item, and a retry with the same clientId writes nothing twice', async () => {
    const created = await assign({ title: '入户核查' });
    const clientId = randomUUID();
    const body = { clientId, feedback: '已入户核查，无异常', done: true };
    const first = await workerA.post(`/api/v1/work-items/${created.body.id}/feedback`, body);
    assert.equal(first.status, 200);
    assert.equal(first.body.state, 'done');
    const again = await workerA.post(`/api/v1/work-items/${created.body.id}/feedback`, body);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, first.body);
    const audits = await queryRows<Record<string, unknown>>(
      t.deps.database.db,
      sql`select count(*)::int as n from audit_events where action = 'work-item.feedback' and entity_id = ${created.body.id}`,
    );
    assert.equal((audits[0] as { n: number }).n, 1);
    const closed = await workerA.post(`/api/v1/work-items/${created.body.id}/feedback`, {
      ...body,
      clientId: randomUUID(),
    });
    assert.equal(closed.status, 409);
  });

  test('concurrent retries of one field write answer the same and write once', async () => {
    const created = await assign({ title: '并发重试' });
    const body = { clientId: randomUUID(), feedback: '已完成', done: true };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => workerA.post(`/api/v1/work-items/${created.body.id}/feedback`, body)),
    );
    for (const a of answers) assert.equal(a.status, 200);
    const rows = await queryRows<Record<string, unknown>>(
      t.deps.database.db,
      sql`select count(*)::int as n from client_writes where client_id = ${body.clientId}`,
    );
    assert.equal((rows[0] as { n: number }).n, 1);
  });

  test('a clientId reused by another user is refused, not replayed', async () => {
    const created = await assign({ title: '冒用编号' });
    const clientId = randomUUID();
    await workerA.post(`/api/v1/work-items/${created.body.id}/feedback`, { clientId, feedback: '好' });
    const other = await command.post(`/api/v1/work-items/${created.body.id}/feedback`, {
      clientId,
      feedback: '好',
    });
    assert.equal(other.status, 409);
  });

  test('another grid’s item → 404; no permission to assign → 403; bad input → 400', async () => {
    const created = await assign({ title: '越权' });
    assert.equal(
      (
        await workerB.post(`/api/v1/work-items/${created.body.id}/feedback`, {
          clientId: randomUUID(),
          feedback: 'x',
        })
      ).status,
      404,
    );
    assert.equal(
      (await workerA.post('/api/v1/work-items', { type: 'x', title: 'y', assigneeOrgUnitId: t.fx.gridA.id }))
        .status,
      403,
    );
    const bad = await command.post('/api/v1/work-items', { type: '', title: 'y' });
    assert.equal(bad.status, 400);
    assert.ok(bad.body.error.fields.type);
    const noAssignee = await command.post('/api/v1/work-items', { type: 'x', title: 'y' });
    assert.equal(noAssignee.status, 400);
    assert.equal((await workerA.get('/api/v1/work-items?state=lost')).status, 400);
  });

  test('the job runner marks open items past due as overdue, audited as the system', async () => {
    const created = await assign({ title: '逾期', dueAt: new Date(Date.now() - 60_000).toISOString() });
    const runner = new JobRunner(t.deps.database);
    runner.define({
      name: 'work-items.mark-overdue',
      run: () => markOverdueWorkItems(t.deps, SYSTEM).then(() => undefined),
    });
    await runner.enqueue('work-items.mark-overdue');
    assert.equal(await runner.runDue(), 1);
    const overdue = await workerA.get('/api/v1/work-items?mine=true&state=overdue');
    assert.ok(overdue.body.items.some((w: { id: string }) => w.id === created.body.id));
    const audit = await queryRows<Record<string, unknown>>(
      t.deps.database.db,
      sql`select actor_id from audit_events where action = 'work-item.overdue' and entity_id = ${created.body.id}`,
    );
    assert.equal(audit.length, 1);
    assert.equal((audit[0] as { actor_id: string | null }).actor_id, null);
  });
});

describe('job runner', () => {
  test('a claimed job is not claimed again (FOR UPDATE SKIP LOCKED), and recurring jobs re-enqueue', async () => {
    const runner = new JobRunner(t.deps.database);
    let runs = 0;
    runner.define({ name: 'test.count', everyMs: 3_600_000, run: async () => void runs++ });
    await runner.enqueue('test.count', { singletonKey: 'test.count' });
    await runner.enqueue('test.count', { singletonKey: 'test.count' });
    const [a, b] = await Promise.all([runner.claim(), runner.claim()]);
    assert.equal([a, b].filter(Boolean).length, 1, 'exactly one claim wins');
    await queryRows<Record<string, unknown>>(
      t.deps.database.db,
      sql`update jobs set state = 'queued', locked_at = null where name = 'test.count'`,
    );
    assert.equal(await runner.runDue(), 1);
    assert.equal(runs, 1);
    const queued = await queryRows<Record<string, unknown>>(
      t.deps.database.db,
      sql`select count(*)::int as n from jobs where name = 'test.count' and state = 'queued'`,
    );
    assert.equal((queued[0] as { n: number }).n, 1, 'the next run is queued once');
  });

  test('a failing job is retried with backoff, then marked failed', async () => {
    const runner = new JobRunner(t.deps.database);
    runner.define({ name: 'test.fail', run: async () => Promise.reject(new Error('boom')) });
    await runner.enqueue('test.fail');
    await runner.runDue();
    const row = await queryRows<Record<string, unknown>>(
      t.deps.database.db,
      sql`select state, attempts, last_error from jobs where name = 'test.fail'`,
    );
    assert.deepEqual(row[0], { state: 'queued', attempts: 1, last_error: 'boom' });
  });
});
