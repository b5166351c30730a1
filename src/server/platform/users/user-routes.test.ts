import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { users } from '../../db/schema.ts';
import { client } from '../../testing/http.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { createUser } from '../../testing/testing-fixtures.ts';

let t: TestApp;
let admin: ReturnType<typeof client>;
let staff: ReturnType<typeof client>;
let workerA: ReturnType<typeof client>;
let command: ReturnType<typeof client>;
before(async () => {
  t = await createTestApp();
  admin = client(t.app, await t.login('admin'));
  staff = client(t.app, await t.login('staff-c'));
  workerA = client(t.app, await t.login('worker-a'));
  command = client(t.app, await t.login('command'));
});
after(() => t.close());

const newUser = (over: Record<string, unknown> = {}) => ({
  username: 'grid-c1',
  displayName: '王网格',
  password: 'Grid-pass-2022',
  phone: '+86 139-0000-1234',
  grants: [{ role: 'grid_worker', orgUnitId: t.fx.gridA.id }],
  ...over,
});

describe('POST /api/v1/users', () => {
  test('creates a user with grants; the phone is stored encrypted and answered masked', async () => {
    const res = await admin.post('/api/v1/users', newUser());
    assert.equal(res.status, 201);
    assert.equal(res.body.phone, '139****1234');
    assert.deepEqual(
      res.body.grants.map((g: { role: string; orgUnitName: string }) => [g.role, g.orgUnitName]),
      // A grid by its community too: every community has a 第一网格.
      [['grid_worker', '幸福家园社区/第一网格']],
    );
    const [row] = await t.deps.database.db.select().from(users).where(eq(users.id, res.body.id));
    assert.ok(row.phoneEnc && !row.phoneEnc.includes('13900001234'));
    assert.equal(row.phoneHash, t.deps.cipher.lookupHash('13900001234'));
    assert.ok(!row.passwordHash.includes('Grid-pass-2022'));
    // And the new user can log in.
    await t.login('grid-c1', 'Grid-pass-2022');
  });

  test('400 names each bad field: username, weak password, phone, grants', async () => {
    const res = await admin.post(
      '/api/v1/users',
      newUser({ username: 'x y', password: 'abc', phone: '12345', grants: [] }),
    );
    assert.equal(res.status, 400);
    for (const f of ['username', 'password', 'phone', 'grants']) assert.ok(res.body.error.fields[f], f);
    const role = await admin.post(
      '/api/v1/users',
      newUser({ username: 'grid-c2', grants: [{ role: 'emperor', orgUnitId: t.fx.gridA.id }] }),
    );
    assert.equal(role.status, 400);
    assert.ok(role.body.error.fields['grants.0.role']);
  });

  test('409 on a username taken (case-insensitive)', async () => {
    const res = await admin.post('/api/v1/users', newUser({ username: 'WORKER-A' }));
    assert.equal(res.status, 409);
    assert.ok(res.body.error.fields.username);
  });

  test('a grant outside the actor’s scope is refused; no permission → 403', async () => {
    const streetAdmin = await admin.post(
      '/api/v1/users',
      newUser({ username: 'street-admin', grants: [{ role: 'admin', orgUnitId: t.fx.community.id }] }),
    );
    assert.equal(streetAdmin.status, 201);
    const limited = client(t.app, await t.login('street-admin', 'Grid-pass-2022'));
    const res = await limited.post(
      '/api/v1/users',
      newUser({ username: 'grid-v1', grants: [{ role: 'grid_worker', orgUnitId: t.fx.village.id }] }),
    );
    assert.equal(res.status, 400);
    assert.ok(res.body.error.fields['grants.0.orgUnitId']);
    assert.equal((await workerA.post('/api/v1/users', newUser({ username: 'grid-z' }))).status, 403);
    assert.equal((await client(t.app).post('/api/v1/users', newUser({ username: 'grid-z' }))).status, 401);
  });
});

describe('GET /api/v1/users', () => {
  test('lists only users granted inside the actor’s scope, phones masked', async () => {
    const all = await admin.get('/api/v1/users?pageSize=100');
    assert.ok(all.body.total >= 6);
    for (const u of all.body.items) if (u.phone) assert.match(u.phone, /^\d{3}\*{4}\d{4}$/);
    const mine = await staff.get('/api/v1/users?pageSize=100');
    const names = mine.body.items.map((u: { username: string }) => u.username);
    assert.ok(names.includes('worker-a') && names.includes('worker-b'));
    assert.ok(!names.includes('auditor'), 'a district grant is outside a community');
  });

  test('search by name or exact phone number', async () => {
    const byName = await admin.get('/api/v1/users?q=worker-b');
    assert.deepEqual(
      byName.body.items.map((u: { username: string }) => u.username),
      ['worker-b'],
    );
    const byPhone = await admin.get('/api/v1/users?q=13800138001');
    assert.deepEqual(
      byPhone.body.items.map((u: { username: string }) => u.username),
      ['worker-a'],
    );
  });

  test('GET /users/:id: 404 out of scope, 403 without the permission, 404 on a bad id (a link to nothing)', async () => {
    assert.equal((await staff.get(`/api/v1/users/${t.fx.users.workerA.id}`)).status, 200);
    assert.equal((await staff.get(`/api/v1/users/${t.fx.users.auditor.id}`)).status, 404);
    assert.equal((await workerA.get(`/api/v1/users/${t.fx.users.workerA.id}`)).status, 403);
    assert.equal((await admin.get('/api/v1/users/123')).status, 404);
  });
});

describe('PATCH /api/v1/users/:id', () => {
  test('changes the display name, phone and grants; out-of-scope user → 404', async () => {
    const res = await admin.patch(`/api/v1/users/${t.fx.users.workerB.id}`, {
      displayName: '李网格',
      phone: '13700001111',
      grants: [
        { role: 'grid_worker', orgUnitId: t.fx.gridB.id },
        { role: 'sampler', orgUnitId: t.fx.gridB.id },
      ],
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.displayName, '李网格');
    assert.equal(res.body.phone, '137****1111');
    assert.deepEqual(res.body.grants.map((g: { role: string }) => g.role).sort(), ['grid_worker', 'sampler']);
    const limited = client(t.app, await t.login('street-admin', 'Grid-pass-2022'));
    assert.equal(
      (await limited.patch(`/api/v1/users/${t.fx.users.auditor.id}`, { displayName: 'x' })).status,
      404,
    );
    assert.equal((await admin.patch(`/api/v1/users/${t.fx.users.workerB.id}`, { phone: 'abc' })).status, 400);
  });
});

describe('POST /api/v1/users/:id/unmask', () => {
  test('answers the full phone to a holder of personal.unmask, and audits it', async () => {
    const res = await command.post(`/api/v1/users/${t.fx.users.workerA.id}/unmask`);
    assert.equal(res.status, 200);
    assert.equal(res.body.phone, '13800138001');
    const audit = await admin.get(
      `/api/v1/audit-events?action=user.unmask&entityId=${t.fx.users.workerA.id}`,
    );
    assert.equal(audit.body.total, 1);
    assert.equal(audit.body.items[0].actorName, '测试command');
    assert.ok(!JSON.stringify(audit.body).includes('13800138001'));
  });

  test('403 without the permission; 404 out of scope', async () => {
    assert.equal((await staff.post(`/api/v1/users/${t.fx.users.workerA.id}/unmask`)).status, 403);
    assert.equal((await workerA.post(`/api/v1/users/${t.fx.users.workerA.id}/unmask`)).status, 403);
    const limited = client(t.app, await t.login('street-admin', 'Grid-pass-2022'));
    assert.equal((await limited.post(`/api/v1/users/${t.fx.users.command.id}/unmask`)).status, 404);
  });
});

test('schema-declared messages come in the asked language', async () => {
  const zh = await admin.post('/api/v1/users', newUser({ username: 'short-pw', password: 'a1' }));
  assert.equal(zh.body.error.fields.password, '密码至少8位');
  const en = await client(t.app, await t.login('admin'), { 'accept-language': 'en' }).post(
    '/api/v1/users',
    newUser({ username: 'short-pw', password: 'a1' }),
  );
  assert.equal(en.body.error.fields.password, 'At least 8 characters');
});

describe('a team’s picker offers who may sample at its unit', () => {
  test('those with 扫码采样 over the unit, active, in the actor’s scope; not grid workers or staff', async () => {
    const res = await staff.get(`/api/v1/users?samplersFor=${t.fx.gridA.id}&pageSize=100`);
    assert.equal(res.status, 200);
    const names = res.body.items.map((u: { username: string }) => u.username);
    assert.ok(names.includes('sampler'), `the community's sampler: ${names}`);
    for (const other of ['worker-a', 'staff-c', 'lab', 'auditor'])
      assert.ok(!names.includes(other), `${other} may not sample: ${names}`);
    assert.equal(res.body.total, names.length);

    // Deactivated, the sampler is not offered (a team refuses them too).
    await t.deps.database.db.update(users).set({ active: false }).where(eq(users.id, t.fx.users.sampler.id));
    try {
      const after = await staff.get(`/api/v1/users?samplersFor=${t.fx.gridA.id}&pageSize=100`);
      assert.ok(!after.body.items.some((u: { username: string }) => u.username === 'sampler'));
    } finally {
      await t.deps.database.db.update(users).set({ active: true }).where(eq(users.id, t.fx.users.sampler.id));
    }
  });

  test('a sampler granted above the actor’s scope may sample there, and is still not listed to them', async () => {
    await createUser(t, {
      username: 'district-sampler',
      displayName: '区采样员',
      password: 'Sampler-pass-2022',
      grants: [{ role: 'sampler', orgUnitId: t.fx.district.id }],
    });
    const forAdmin = await admin.get(`/api/v1/users?samplersFor=${t.fx.gridA.id}&pageSize=100`);
    assert.ok(forAdmin.body.items.some((u: { username: string }) => u.username === 'district-sampler'));
    const forStaff = await staff.get(`/api/v1/users?samplersFor=${t.fx.gridA.id}&pageSize=100`);
    assert.ok(!forStaff.body.items.some((u: { username: string }) => u.username === 'district-sampler'));
  });

  test('a unit the actor does not see is not found; a malformed one is a 400 naming the field', async () => {
    const outside = await staff.get(`/api/v1/users?samplersFor=${t.fx.district.id}`);
    assert.equal(outside.status, 404);
    const malformed = await staff.get('/api/v1/users?samplersFor=abc');
    assert.equal(malformed.status, 400);
    assert.ok(malformed.body.error.fields.samplersFor, JSON.stringify(malformed.body.error));
  });

  test('a lab’s team picker offers who may take results over the lab’s whole area', async () => {
    const res = await admin.get(`/api/v1/users?labStaffFor=${t.fx.district.id}&pageSize=100`);
    assert.equal(res.status, 200);
    const names = res.body.items.map((u: { username: string }) => u.username);
    assert.ok(names.includes('lab'), `the district's lab account: ${names}`);
    for (const other of ['worker-a', 'sampler', 'staff-c'])
      assert.ok(!names.includes(other), `${other} may not work a lab: ${names}`);
    assert.equal((await staff.get(`/api/v1/users?labStaffFor=${t.fx.district.id}`)).status, 404);
  });
});
