import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { client } from '../../testing/http.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';

let t: TestApp;
let admin: ReturnType<typeof client>;
let workerA: ReturnType<typeof client>;
let staff: ReturnType<typeof client>;
before(async () => {
  t = await createTestApp();
  admin = client(t.app, await t.login('admin'));
  workerA = client(t.app, await t.login('worker-a'));
  staff = client(t.app, await t.login('staff-c'));
});
after(() => t.close());

describe('GET /api/v1/org-units', () => {
  test('roots are the tops of the actor’s subtrees', async () => {
    const mine = await workerA.get('/api/v1/org-units?roots=true');
    assert.equal(mine.status, 200);
    assert.deepEqual(
      mine.body.items.map((u: { id: string }) => u.id),
      [t.fx.gridA.id],
    );
    const adminRoots = await admin.get('/api/v1/org-units?roots=true');
    assert.deepEqual(
      adminRoots.body.items.map((u: { id: string }) => u.id),
      [t.fx.district.id],
    );
    assert.equal(adminRoots.body.items[0].childCount, 1);
  });

  test('children of a node, only inside the scope', async () => {
    const all = await admin.get(`/api/v1/org-units?parentId=${t.fx.community.id}`);
    assert.deepEqual(all.body.items.map((u: { name: string }) => u.name).sort(), ['第一网格', '第二网格']);
    assert.equal(all.body.total, 2);
    const worker = await workerA.get(`/api/v1/org-units?parentId=${t.fx.community.id}`);
    assert.deepEqual(
      worker.body.items.map((u: { id: string }) => u.id),
      [t.fx.gridA.id],
      'grid B is not listed',
    );
    assert.equal(worker.body.total, 1);
  });

  test('search by name stays in scope; paging answers {items, total}', async () => {
    const res = await admin.get('/api/v1/org-units?q=网格&pageSize=1&page=2');
    assert.equal(res.body.total, 2);
    assert.equal(res.body.items.length, 1);
    const worker = await workerA.get('/api/v1/org-units?q=网格');
    assert.deepEqual(
      worker.body.items.map((u: { id: string }) => u.id),
      [t.fx.gridA.id],
    );
    // Names repeat across communities: each found unit names its parent.
    assert.equal(worker.body.items[0].parentName, '幸福家园社区');
  });

  test('within a unit: its subtree only, never more than the actor’s scope (a round’s point picker)', async () => {
    const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((u) => u.id);
    // The admin's tree starts at the community; a grid worker's at their grid, inside it.
    assert.deepEqual(ids(await admin.get(`/api/v1/org-units?roots=true&within=${t.fx.community.id}`)), [
      t.fx.community.id,
    ]);
    assert.deepEqual(ids(await workerA.get(`/api/v1/org-units?roots=true&within=${t.fx.community.id}`)), [
      t.fx.gridA.id,
    ]);
    // Searching and opening levels stay inside: the village (another community) is not offered.
    const found = await admin.get(`/api/v1/org-units?q=村&within=${t.fx.community.id}`);
    assert.equal(found.status, 200);
    assert.deepEqual(ids(found), []);
    assert.ok(
      ids(await admin.get('/api/v1/org-units?q=村')).includes(t.fx.village.id),
      'found without within',
    );
    const below = await admin.get(`/api/v1/org-units?parentId=${t.fx.street.id}&within=${t.fx.community.id}`);
    assert.deepEqual(ids(below), [t.fx.community.id]);
    // Within a unit the actor's tree does not meet, or unknown: 404, the same answer.
    const outside = await workerA.get(`/api/v1/org-units?roots=true&within=${t.fx.gridB.id}`);
    assert.equal(outside.status, 404);
    const unknown = await admin.get(
      '/api/v1/org-units?roots=true&within=01900000-0000-7000-8000-000000000000',
    );
    assert.equal(unknown.status, 404);
    // A grid worker picking within the district (a district round) gets their own grid.
    assert.deepEqual(ids(await workerA.get(`/api/v1/org-units?roots=true&within=${t.fx.district.id}`)), [
      t.fx.gridA.id,
    ]);
  });

  test('the actions say what the actor may do', async () => {
    const asAdmin = await admin.get(`/api/v1/org-units/${t.fx.gridA.id}`);
    assert.deepEqual(asAdmin.body.actions, { update: true, createChild: true });
    const asWorker = await workerA.get(`/api/v1/org-units/${t.fx.gridA.id}`);
    assert.deepEqual(asWorker.body.actions, { update: false, createChild: false });
    assert.deepEqual(
      asWorker.body.ancestors.map((a: { name: string }) => a.name),
      ['测试区', '测试街道', '幸福家园社区'],
    );
  });

  test('404 on a malformed id (a link to nothing), 400 on a malformed filter; 401 logged out; 404 out of scope', async () => {
    assert.equal((await admin.get('/api/v1/org-units/not-a-uuid')).status, 404);
    assert.equal((await admin.get('/api/v1/org-units?level=planet')).status, 400);
    assert.equal((await client(t.app).get('/api/v1/org-units?roots=true')).status, 401);
    const res = await workerA.get(`/api/v1/org-units/${t.fx.gridB.id}`);
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'NOT_FOUND');
    assert.equal((await admin.get('/api/v1/org-units/01900000-0000-7000-8000-000000000000')).status, 404);
  });
});

describe('POST and PATCH /api/v1/org-units', () => {
  test('an administrator adds a community and a grid under it', async () => {
    const community = await admin.post('/api/v1/org-units', {
      parentId: t.fx.street.id,
      name: '港城小区社区',
      level: 'community',
    });
    assert.equal(community.status, 201);
    assert.ok(community.body.path.startsWith(`${t.fx.street.path}.`));
    const grid = await admin.post('/api/v1/org-units', {
      parentId: community.body.id,
      name: '第一网格',
      level: 'grid',
      code: 'G01',
    });
    assert.equal(grid.status, 201);
    assert.equal(grid.body.code, 'G01');
    assert.equal(grid.body.level, 'grid');
  });

  test('the three-level grid: a grid cannot sit directly under a street', async () => {
    const res = await admin.post('/api/v1/org-units', {
      parentId: t.fx.street.id,
      name: '某网格',
      level: 'grid',
    });
    assert.equal(res.status, 400);
    assert.ok(res.body.error.fields.level);
  });

  test('sibling names are unique → 409 naming the field', async () => {
    const res = await admin.post('/api/v1/org-units', {
      parentId: t.fx.community.id,
      name: '第一网格',
      level: 'grid',
    });
    assert.equal(res.status, 409);
    assert.ok(res.body.error.fields.name);
  });

  test('400 on missing fields, nothing written', async () => {
    const res = await admin.post('/api/v1/org-units', { parentId: t.fx.community.id, level: 'grid' });
    assert.equal(res.status, 400);
    assert.ok(res.body.error.fields.name);
    const empty = await admin.post('/api/v1/org-units', {
      parentId: t.fx.community.id,
      name: '   ',
      level: 'grid',
    });
    assert.equal(empty.status, 400);
  });

  test('a grid worker may not add or edit units (403 in scope, 404 out of scope)', async () => {
    const add = await workerA.post('/api/v1/org-units', {
      parentId: t.fx.gridA.id,
      name: '1号楼',
      level: 'building',
    });
    assert.equal(add.status, 403);
    const edit = await workerA.patch(`/api/v1/org-units/${t.fx.gridA.id}`, { name: '改名' });
    assert.equal(edit.status, 403);
    const other = await workerA.patch(`/api/v1/org-units/${t.fx.gridB.id}`, { name: '改名' });
    assert.equal(other.status, 403, 'no org.write anywhere → 403 before any lookup');
  });

  test('community staff edit inside their community, and get 404 outside it', async () => {
    const ok = await staff.patch(`/api/v1/org-units/${t.fx.gridB.id}`, { name: '第二网格（东）', code: 'B' });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.name, '第二网格（东）');
    const outside = await staff.patch(`/api/v1/org-units/${t.fx.village.id}`, { name: '改名' });
    assert.equal(outside.status, 404);
    const parentOutside = await staff.post('/api/v1/org-units', {
      parentId: t.fx.village.id,
      name: '第一网格',
      level: 'grid',
    });
    assert.equal(parentOutside.status, 400);
    assert.ok(parentOutside.body.error.fields.parentId);
  });
});
