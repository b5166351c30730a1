/**
 * The scope matrix: walks every route in the OpenAPI document and proves that a user whose grants
 * lie in grid A reads nothing of grid B — lists never contain B's records, and B's ids answer 404 —
 * and changes nothing of B. Run for a plain grid worker and for a user holding the all-powerful
 * admin role on grid A only. A new route with an id the matrix does not know fails this test.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { localDay } from '../domain/dates.ts';
import { mintPersonCode } from './modules/testing/person-code.ts';
import { SYSTEM } from './platform/access/actor.ts';
import { addWorkItem } from './platform/work-items/work-item-service.ts';
import { client } from './testing/http.ts';
import { fillPath, listApiRoutes } from './testing/openapi-routes.ts';
import { createTestApp, type TestApp, validId } from './testing/test-app.ts';

let t: TestApp;
let markers: string[];
/** For each route with an id, grid B's record of that kind. */
let bIds: Record<string, Record<string, string>>;
/** Grid B's testing records: a round over B, its point, a tube with B's resident, a sweep. */
const bTesting = { roundId: '', pointId: '', sweepId: '', tube: 'BTUBE001', labId: '' };

before(async () => {
  t = await createTestApp();
  const admin = client(t.app, await t.login('admin'));
  await admin.patch(`/api/v1/org-units/${t.fx.gridB.id}`, { name: '第二网格乙', code: 'B-CODE' });
  await admin.post('/api/v1/org-units', { parentId: t.fx.gridB.id, name: '乙1号楼', level: 'building' });
  const item = await admin.post('/api/v1/work-items', {
    type: 'directive',
    title: '乙网格任务',
    assigneeOrgUnitId: t.fx.gridB.id,
  });
  const userItem = await admin.post('/api/v1/work-items', {
    type: 'directive',
    title: '乙网格员任务',
    assigneeUserId: t.fx.users.workerB.id,
  });
  // A recall of B's resident, to B's worker (the kind whose assignee may see the phone).
  const bRecall = await addWorkItem(t.deps.database.db, SYSTEM, {
    type: 'recheck',
    title: '单管复核：乙网格居民',
    subjectEntity: 'person',
    subjectId: t.fx.residentB.id,
    assigneeUserId: t.fx.users.workerB.id,
    orgPath: t.fx.gridB.path,
  });
  await admin.post('/api/v1/users', {
    username: 'a-admin',
    displayName: '甲网格管理员',
    password: 'Grid-pass-2022',
    grants: [{ role: 'admin', orgUnitId: t.fx.gridA.id }],
  });
  const today = localDay();
  const bRound = await admin.post('/api/v1/test-rounds', {
    name: '乙网格轮次',
    orgUnitId: t.fx.gridB.id,
    startsOn: today,
    endsOn: today,
    defaultMode: 'mix10',
  });
  bTesting.roundId = bRound.body.id;
  const bPoint = await admin.post(`/api/v1/test-rounds/${bTesting.roundId}/points`, {
    name: '乙网格采样点',
    orgUnitId: t.fx.gridB.id,
  });
  bTesting.pointId = bPoint.body.id;
  const scanned = await admin.post('/api/v1/sampling/scans', {
    clientId: randomUUID(),
    roundId: bTesting.roundId,
    pointId: bTesting.pointId,
    personCode: mintPersonCode(t.deps.cipher, t.fx.residentB.id),
    tubeCode: bTesting.tube,
  });
  assert.equal(scanned.status, 201, JSON.stringify(scanned.body));
  // Grid B's second household, still missing, so the sweep has a household.
  const other = await admin.post('/api/v1/residents', {
    name: '乙网格住户',
    idNumber: validId('41160219900101771'),
    gridId: t.fx.gridB.id,
    address: '乙网格2号',
    residenceStatus: 'at_home',
    keyGroups: ['medical'],
  });
  assert.equal(other.status, 201, JSON.stringify(other.body));
  const sweep = await admin.post(`/api/v1/test-rounds/${bTesting.roundId}/sweeps`, {
    name: '乙网格入户队',
    orgUnitId: t.fx.gridB.id,
  });
  assert.equal(sweep.body.households, 1);
  bTesting.sweepId = sweep.body.id;
  // A lab serving grid B only: not grid A's to see, change or hand tubes to.
  const bLab = await admin.post('/api/v1/labs', { name: '乙网格检测点实验室', orgUnitId: t.fx.gridB.id });
  assert.equal(bLab.status, 201, JSON.stringify(bLab.body));
  bTesting.labId = bLab.body.id;
  markers = [
    bTesting.roundId,
    bTesting.pointId,
    bTesting.sweepId,
    bTesting.tube,
    bTesting.labId,
    t.fx.residentB.id,
    other.body.id,
    t.fx.gridB.id,
    t.fx.users.workerB.id,
    item.body.id,
    userItem.body.id,
    bRecall,
    '第二网格乙',
    '乙1号楼',
    '乙网格',
    'worker-b',
    'B-CODE',
  ];
  bIds = {
    '/api/v1/org-units/{id}': { id: t.fx.gridB.id },
    '/api/v1/users/{id}': { id: t.fx.users.workerB.id },
    '/api/v1/users/{id}/unmask': { id: t.fx.users.workerB.id },
    '/api/v1/work-items/{id}/feedback': { id: item.body.id },
    '/api/v1/work-items/{id}/contact': { id: bRecall },
    '/api/v1/roles/{code}': { code: 'grid_worker' },
    '/api/v1/residents/{id}': { id: t.fx.residentB.id },
    '/api/v1/residents/{id}/unmask': { id: t.fx.residentB.id },
    '/api/v1/residents/{id}/statuses': { id: t.fx.residentB.id },
    '/api/v1/residents/{id}/merge': { id: t.fx.residentB.id },
    '/api/v1/households/{id}/move': { id: t.fx.residentB.householdId },
    '/api/v1/key-groups/{code}': { code: 'medical' },
    '/api/v1/test-rounds/{id}': { id: bTesting.roundId },
    '/api/v1/test-rounds/{id}/points': { id: bTesting.roundId },
    '/api/v1/test-rounds/{id}/cancel': { id: bTesting.roundId },
    '/api/v1/test-rounds/{id}/points/{pointId}': { id: bTesting.roundId, pointId: bTesting.pointId },
    '/api/v1/test-rounds/{id}/points/{pointId}/tubes': { id: bTesting.roundId, pointId: bTesting.pointId },
    '/api/v1/test-rounds/{id}/coverage': { id: bTesting.roundId },
    '/api/v1/test-rounds/{id}/missing': { id: bTesting.roundId },
    '/api/v1/test-rounds/{id}/missing.xlsx': { id: bTesting.roundId },
    '/api/v1/test-rounds/{id}/exemptions': { id: bTesting.roundId },
    '/api/v1/test-rounds/{id}/exemptions/{personId}': { id: bTesting.roundId, personId: other.body.id },
    '/api/v1/test-rounds/{id}/recalls': { id: bTesting.roundId },
    '/api/v1/test-rounds/{id}/summary': { id: bTesting.roundId },
    '/api/v1/test-rounds/{id}/sweeps': { id: bTesting.roundId },
    '/api/v1/sweeps/{id}': { id: bTesting.sweepId },
    '/api/v1/sweeps/{id}/households/{householdId}/outcome': {
      id: bTesting.sweepId,
      householdId: other.body.householdId,
    },
    '/api/v1/residents/{id}/person-code': { id: t.fx.residentB.id },
    '/api/v1/residents/{id}/person-code/renew': { id: t.fx.residentB.id },
    '/api/v1/sampling/tubes/{tubeCode}': { tubeCode: bTesting.tube },
    '/api/v1/sampling/tubes/{tubeCode}/seal': { tubeCode: bTesting.tube },
    '/api/v1/sampling/tubes/{tubeCode}/members/{personId}/remove': {
      tubeCode: bTesting.tube,
      personId: t.fx.residentB.id,
    },
    '/api/v1/labs/{id}': { id: bTesting.labId },
  };
});
after(() => t.close());

/** List routes are also asked with filters that aim at B directly. */
const LIST_QUERIES: Record<string, (fx: TestApp['fx']) => string[]> = {
  '/api/v1/org-units': (fx) => [
    '?roots=true',
    `?parentId=${fx.community.id}`,
    `?parentId=${fx.gridB.id}`,
    '?q=乙',
    '?level=grid',
  ],
  '/api/v1/users': () => ['?q=worker-b', '?q=13800138002'],
  '/api/v1/work-items': () => ['?type=directive', '?state=open'],
  '/api/v1/audit-events': (fx) => [`?entityId=${fx.gridB.id}`, '?entity=org-unit', '?action=work-item'],
  '/api/v1/residents': (fx) => [
    `?householdId=${fx.residentB.householdId}`,
    '?q=李',
    '?q=lsg',
    '?q=lisiguang',
    `?q=${fx.residentB.idNumber}`,
    `?q=${fx.residentB.idNumber.slice(-4)}`,
    `?q=${fx.residentB.phone}`,
    `?q=${fx.residentB.phone.slice(-4)}`,
    '?q=李四光家',
    `?gridId=${fx.gridB.id}`,
    `?orgUnitId=${fx.community.id}`,
    '?residenceStatus=at_home',
  ],
  '/api/v1/residents/counts': (fx) => [`?orgUnitId=${fx.gridB.id}`, `?orgUnitId=${fx.community.id}`],
  '/api/v1/households': (fx) => [`?gridId=${fx.gridB.id}`, '?q=李四光'],
  '/api/v1/residents/export.xlsx': (fx) => ['?q=李四光', `?gridId=${fx.gridB.id}`, '?unmasked=true'],
  '/api/v1/residents/import-template.xlsx': () => [],
  '/api/v1/test-rounds': () => ['?page=1&pageSize=100'],
  '/api/v1/labs': () => [],
  '/api/v1/lab/handovers': () => [],
  '/api/v1/key-group-testing/due': (fx) => [`?orgUnitId=${fx.gridB.id}`, `?orgUnitId=${fx.community.id}`],
};

/** Every text an answer holds; spreadsheets are opened and read cell by cell. */
async function textOf(
  res: { body: unknown; headers: Record<string, unknown> },
  raw: Buffer,
): Promise<string> {
  if (!String(res.headers['content-type']).includes('spreadsheetml')) return JSON.stringify(res.body);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(raw as unknown as ArrayBuffer);
  const cells: string[] = [];
  for (const sheet of wb.worksheets) sheet.eachRow((row) => cells.push(JSON.stringify(row.values)));
  return cells.join('\n');
}

/** Creations aimed into grid B. */
const B_CREATES: Record<string, (fx: TestApp['fx']) => unknown> = {
  'POST /api/v1/org-units': (fx) => ({ parentId: fx.gridB.id, name: '乙2号楼', level: 'building' }),
  'POST /api/v1/users': (fx) => ({
    username: 'intruder',
    displayName: '越权',
    password: 'Grid-pass-2022',
    grants: [{ role: 'grid_worker', orgUnitId: fx.gridB.id }],
  }),
  'POST /api/v1/work-items': (fx) => ({ type: 'x', title: '越权派发', assigneeOrgUnitId: fx.gridB.id }),
  'POST /api/v1/residents': (fx) => ({
    name: '越权登记',
    idNumber: validId('41160220000101331'),
    gridId: fx.gridB.id,
    address: '乙网格',
    residenceStatus: 'at_home',
  }),
  'POST /api/v1/households': (fx) => ({ gridId: fx.gridB.id, address: '乙网格新户' }),
  'POST /api/v1/key-groups': () => ({ code: 'intruder', name: '越权分类', effectiveFrom: '2022-01-01' }),
  // Not multipart: refused before reading (the import's own test proves grid B is refused row by row).
  'POST /api/v1/residents/import': () => ({ file: '乙网格' }),
  'POST /api/v1/test-rounds': (fx) => ({
    name: '越权轮次',
    orgUnitId: fx.gridB.id,
    startsOn: localDay(),
    endsOn: localDay(),
    defaultMode: 'mix10',
  }),
  'POST /api/v1/sampling/scans': (fx) => ({
    clientId: randomUUID(),
    roundId: bTesting.roundId,
    pointId: bTesting.pointId,
    personCode: mintPersonCode(t.deps.cipher, fx.residentA.id),
    tubeCode: bTesting.tube,
  }),
  'POST /api/v1/sampling/handovers': () => ({
    roundId: bTesting.roundId,
    labId: bTesting.labId,
    tubeCodes: [bTesting.tube],
  }),
  'POST /api/v1/labs': (fx) => ({ name: '越权检测机构', orgUnitId: fx.gridB.id }),
  'POST /api/v1/lab/receipts': () => ({ tubeCodes: [bTesting.tube] }),
  'POST /api/v1/lab/results/import': () => ({ file: '乙网格' }),
  'POST /api/v1/lab/results/correct': () => ({
    tubeCode: bTesting.tube,
    result: 'positive',
    testedAt: new Date().toISOString(),
    reason: '越权更正',
  }),
  'POST /api/v1/lab/results': () => ({
    tubeCode: bTesting.tube,
    result: 'positive',
    testedAt: new Date().toISOString(),
  }),
};

/** Routes whose answer is not about records of people or places. */
const NOT_SCOPED = new Set([
  'GET /api/v1/health',
  'GET /api/v1/roles',
  'GET /api/v1/permissions',
  'GET /api/v1/events',
  'GET /api/v1/key-groups',
]);

for (const who of ['worker-a', 'a-admin']) {
  test(`${who} (grants on grid A only) reads and changes nothing of grid B on any route`, async () => {
    const cookie = await t.login(who, who === 'a-admin' ? 'Grid-pass-2022' : undefined);
    const api = client(t.app, cookie);
    const routes = await listApiRoutes(t.app);
    assert.ok(routes.length >= 15, `walked ${routes.length} routes`);
    let checked = 0;
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      if (NOT_SCOPED.has(key) || route.path.startsWith('/api/v1/auth/')) continue;
      if (route.path.includes('{')) {
        const params = bIds[route.path];
        assert.ok(params, `scope matrix does not know the ids of ${key}: add grid B’s record for it`);
        // A withdrawal's client id rides in its query (a DELETE's body is not sent by every client).
        const url =
          fillPath(route.path, params) + (route.method === 'DELETE' ? `?clientId=${randomUUID()}` : '');
        // A valid body, so it is the scope that refuses, not the schema.
        const body =
          route.method === 'GET'
            ? undefined
            : {
                name: '被改了',
                displayName: '被改了',
                permissions: [],
                clientId: randomUUID(),
                feedback: '越权',
                kind: 'health_code',
                value: 'red',
                source: '越权',
                duplicateId: t.fx.residentA.id,
                gridId: t.fx.gridA.id,
                orgUnitId: t.fx.gridA.id,
                personId: t.fx.residentA.id,
                reason: 'away',
                outcome: 'sampled',
              };
        // A point's kind is fixed/door-to-door, not a status kind.
        if (body && route.path === '/api/v1/test-rounds/{id}/points') Reflect.deleteProperty(body, 'kind');
        const res = await api.send(route.method as 'GET', url, body);
        if (route.path === '/api/v1/roles/{code}' || route.path === '/api/v1/key-groups/{code}') {
          assert.ok([400, 403].includes(res.status), `${key}: district-wide policy answered ${res.status}`);
        } else {
          assert.ok([403, 404].includes(res.status), `${key} as ${who} answered ${res.status}`);
          if (res.status === 403) assert.notEqual(res.body.error.code, 'NOT_FOUND');
        }
        for (const m of markers) assert.ok(!JSON.stringify(res.body).includes(m), `${key} leaked ${m}`);
        checked++;
      } else if (route.method !== 'GET') {
        const body = B_CREATES[key];
        assert.ok(body, `scope matrix has no grid-B creation for ${key}`);
        const res = await api.send(route.method as 'POST', route.path, body(t.fx));
        assert.ok(
          [400, 403, 404].includes(res.status),
          `${key} into grid B as ${who} answered ${res.status}`,
        );
        checked++;
      } else {
        const queries = ['', ...(LIST_QUERIES[route.path]?.(t.fx) ?? [])];
        assert.ok(LIST_QUERIES[route.path], `scope matrix has no B-aimed queries for ${key}`);
        for (const q of queries) {
          const raw = await t.app.inject({ method: 'GET', url: `${route.path}${q}`, headers: { cookie } });
          const res = await api.get(`${route.path}${q}`);
          assert.ok([200, 403, 404].includes(res.status), `${key}${q} answered ${res.status}`);
          const body = await textOf(res, raw.rawPayload);
          for (const m of markers) assert.ok(!body.includes(m), `${key}${q} leaked ${m}`);
          checked++;
        }
      }
    }
    assert.ok(checked >= 15);
    // And nothing of B changed.
    const admin = client(t.app, await t.login('admin'));
    const b = await admin.get(`/api/v1/org-units/${t.fx.gridB.id}`);
    assert.equal(b.body.name, '第二网格乙');
    const wb = await admin.get(`/api/v1/users/${t.fx.users.workerB.id}`);
    assert.equal(wb.body.displayName, '测试worker-b');
  });
}

test('the matrix has teeth: grid A’s own records are readable by the same user', async () => {
  const api = client(t.app, await t.login('worker-a'));
  assert.equal((await api.get(`/api/v1/org-units/${t.fx.gridA.id}`)).status, 200);
  const tree = await api.get('/api/v1/org-units?roots=true');
  assert.ok(JSON.stringify(tree.body).includes(t.fx.gridA.id));
});
