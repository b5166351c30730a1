import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { client } from '../../testing/http.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { signedInAs } from '../../testing/testing-fixtures.ts';
import { SYSTEM } from '../access/actor.ts';
import { addWorkItem, markOverdueWorkItems } from '../work-items/work-item-service.ts';

let t: TestApp;
let admin: ReturnType<typeof client>;
before(async () => {
  t = await createTestApp();
  admin = client(t.app, await t.login('admin'));
  await admin.patch(`/api/v1/org-units/${t.fx.gridA.id}`, { name: '第一网格（西）' });
  await admin.patch(`/api/v1/org-units/${t.fx.village.id}`, { code: 'V01' });
});
after(() => t.close());

test('an auditor browses the log, newest first, with actor, action, entity, changes and IP', async () => {
  const auditor = client(t.app, await t.login('auditor'));
  const res = await auditor.get('/api/v1/audit-events?entity=org-unit&action=org-unit.update');
  assert.equal(res.status, 200);
  assert.equal(res.body.total, 2);
  const [latest, earlier] = res.body.items;
  assert.equal(latest.entityId, t.fx.village.id);
  assert.deepEqual(earlier.changes, { name: { from: '第一网格', to: '第一网格（西）' } });
  assert.equal(earlier.actorName, '系统管理员');
  assert.equal(earlier.ip, '127.0.0.1');
});

test('filters by actor, action prefix and time window', async () => {
  const auditor = client(t.app, await t.login('auditor'));
  const byActor = await auditor.get(`/api/v1/audit-events?actor=${t.fx.users.admin.id}&action=org-unit`);
  assert.equal(byActor.body.total, 2);
  const future = await auditor.get(
    `/api/v1/audit-events?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
  );
  assert.equal(future.body.total, 0);
  assert.equal((await auditor.get('/api/v1/audit-events?from=yesterday-ish')).status, 400);
});

test('the log is scoped: staff see no audit (403), a community-level auditor only its subtree', async () => {
  assert.equal((await client(t.app, await t.login('worker-a')).get('/api/v1/audit-events')).status, 403);
  await admin.post('/api/v1/users', {
    username: 'auditor-c',
    displayName: '社区审计',
    password: 'Audit-pass-2022',
    grants: [{ role: 'auditor', orgUnitId: t.fx.community.id }],
  });
  const local = client(t.app, await t.login('auditor-c', 'Audit-pass-2022'));
  const res = await local.get('/api/v1/audit-events?entity=org-unit&pageSize=100');
  assert.deepEqual(
    res.body.items.map((e: { entityId: string }) => e.entityId),
    [t.fx.gridA.id],
  );
  assert.equal((await client(t.app).get('/api/v1/audit-events')).status, 401);
});

test('each event names what it is about as its reader knows it, people only within the reader’s scope', async () => {
  const auditor = client(t.app, await t.login('auditor'));
  const unit = await auditor.get('/api/v1/audit-events?entity=org-unit&action=org-unit.update');
  const gridEvent = unit.body.items.find((e: { entityId: string }) => e.entityId === t.fx.gridA.id);
  // A grid by its label (every village has its 第一网格), as read now.
  assert.match(gridEvent.entityName, /^.+\/第一网格（西）$/);
  // A resident's unmask is about them: named, never by the ID number or phone it showed.
  assert.equal((await admin.post(`/api/v1/residents/${t.fx.residentA.id}/unmask`, {})).status, 200);
  const [unmask] = (await auditor.get('/api/v1/audit-events?action=resident.unmask')).body.items;
  assert.equal(unmask.entityId, t.fx.residentA.id);
  assert.equal(unmask.entityName, '张三丰');
  assert.ok(!JSON.stringify(unmask).includes(t.fx.residentA.phone));
  // Grid A's auditor sees the event (it happened in grid A), but once the household moved to
  // grid B, whose people are not theirs to read, not the person's name.
  const local = await signedInAs(t, {
    username: 'auditor-a',
    displayName: '甲网格审计',
    password: 'Audit-pass-2022',
    grants: [{ role: 'auditor', orgUnitId: t.fx.gridA.id }],
  });
  const named = async () =>
    (await local.get('/api/v1/audit-events?action=resident.unmask')).body.items.find(
      (e: { entityId: string }) => e.entityId === t.fx.residentA.id,
    );
  assert.equal((await named())?.entityName, '张三丰');
  // A recall about them, overdue (an event in grid A): its title names them, under the same rule.
  const recallId = await addWorkItem(t.deps.database.db, SYSTEM, {
    type: 'recheck',
    title: '单管复核：张三丰（张三丰家），混管 X 阳性',
    subjectEntity: 'person',
    subjectId: t.fx.residentA.id,
    assigneeOrgUnitId: t.fx.gridA.id,
    orgPath: t.fx.gridA.path,
    dueAt: new Date(Date.now() - 60_000),
  });
  await markOverdueWorkItems(t.deps, SYSTEM);
  const recallTitle = async () =>
    (await local.get('/api/v1/audit-events?action=work-item.overdue&pageSize=100')).body.items.find(
      (e: { entityId: string }) => e.entityId === recallId,
    )?.entityName;
  assert.match(await recallTitle(), /张三丰/);
  const moved = await admin.post(`/api/v1/households/${t.fx.residentA.householdId}/move`, {
    gridId: t.fx.gridB.id,
  });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  const after = await named();
  assert.ok(after, 'the event is still in grid A');
  assert.equal(after.entityName, null);
  assert.equal(await recallTitle(), null, 'nor through the title of the recall about them');
});
