import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { client } from '../../testing/http.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

test('GET /roles lists the default roles with codes and names', async () => {
  const res = await client(t.app, await t.login('worker-a')).get('/api/v1/roles');
  assert.equal(res.status, 200);
  const codes = res.body.items.map((r: { code: string }) => r.code);
  for (const code of [
    'admin',
    'command',
    'unit_staff',
    'grid_worker',
    'sampler',
    'lab',
    'pharmacy',
    'market_officer',
    'gate_guard',
    'party_secretary',
    'supplies_clerk',
    'auditor',
  ]) {
    assert.ok(codes.includes(code), code);
  }
  assert.equal(res.body.items.find((r: { code: string }) => r.code === 'grid_worker').name, '网格员');
  assert.equal((await client(t.app).get('/api/v1/roles')).status, 401);
});

test('GET /permissions lists every permission with its names', async () => {
  const res = await client(t.app, await t.login('worker-a')).get('/api/v1/permissions');
  assert.ok(
    res.body.items.some((p: { code: string; name: string }) => p.code === 'personal.unmask' && p.name),
  );
});

test('permissions per role are data: an administrator edits them and they take effect', async () => {
  const admin = client(t.app, await t.login('admin'));
  const worker = client(t.app, await t.login('worker-a'));
  assert.equal((await worker.get('/api/v1/users')).status, 403);
  const res = await admin.patch('/api/v1/roles/grid_worker', {
    permissions: ['org.read', 'work-item.read', 'user.read'],
  });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.permissions, ['org.read', 'user.read', 'work-item.read']);
  assert.equal((await worker.get('/api/v1/users')).status, 200);
  await admin.patch('/api/v1/roles/grid_worker', { permissions: ['org.read', 'work-item.read'] });
});

test('unknown permission → 400; unknown role → 404; no role.write → 403', async () => {
  const admin = client(t.app, await t.login('admin'));
  const bad = await admin.patch('/api/v1/roles/grid_worker', { permissions: ['fly'] });
  assert.equal(bad.status, 400);
  assert.ok(bad.body.error.fields.permissions);
  assert.equal((await admin.patch('/api/v1/roles/emperor', { permissions: [] })).status, 404);
  const command = client(t.app, await t.login('command'));
  assert.equal((await command.patch('/api/v1/roles/grid_worker', { permissions: [] })).status, 403);
});

test('the administrator role keeps editing roles and managing users: nobody is locked out', async () => {
  const admin = client(t.app, await t.login('admin'));
  const before = (await admin.get('/api/v1/roles')).body.items.find(
    (r: { code: string }) => r.code === 'admin',
  );
  const without = before.permissions.filter((p: string) => p !== 'role.write' && p !== 'user.write');
  const refused = await admin.patch('/api/v1/roles/admin', { permissions: without });
  assert.equal(refused.status, 400);
  assert.match(refused.body.error.fields.permissions, /编辑角色权限.*管理用户与授权/);
  const after = (await admin.get('/api/v1/roles')).body.items.find(
    (r: { code: string }) => r.code === 'admin',
  );
  assert.deepEqual(after.permissions, before.permissions, 'nothing changed');
  // Other permissions of the administrator may go, and the others' roles are theirs to shape.
  const fewer = before.permissions.filter((p: string) => p !== 'audit.read');
  assert.equal((await admin.patch('/api/v1/roles/admin', { permissions: fewer })).status, 200);
  assert.equal((await admin.patch('/api/v1/roles/auditor', { permissions: [] })).status, 200);
  assert.equal((await admin.patch('/api/v1/roles/admin', { permissions: before.permissions })).status, 200);
});
