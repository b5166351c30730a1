/**
 * Every write route leaves exactly one audit event, with sensitive values masked. The test walks
 * the OpenAPI document, so a new write route without a case here fails it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { AUDIT_ACTION_NAMES, AUDIT_ENTITY_NAMES } from '../domain/audit.ts';
import { districtWallClock, localDay } from '../domain/dates.ts';
import { addDays } from '../domain/testing.ts';
import { queryRows } from './db/rows.ts';
import { mintPersonCode } from './modules/testing/person-code.ts';
import { SYSTEM } from './platform/access/actor.ts';
import { addWorkItem } from './platform/work-items/work-item-service.ts';
import { client, multipartFile } from './testing/http.ts';
import { fillPath, listApiRoutes } from './testing/openapi-routes.ts';
import { createTestApp, type TestApp, USER_PASSWORD, validId } from './testing/test-app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

type Case = {
  /** Sent as a multipart file upload instead of JSON. */
  upload?: boolean;
  query?: string;
  as: string;
  params?: () => Promise<Record<string, string>> | Record<string, string>;
  body: () => unknown;
  action: string;
  /** Records the write set off besides its own (a result's controls and recalls), each audited at its own place. */
  alsoTouches?: number;
};

let itemId = '';
let duplicateId = '';
let labId = '';
let spareRoundId = '';
const testing = { roundId: '', pointId: '', sweepId: '', tube: 'AUDIT0001' };
const today = localDay();
const CASES: Record<string, Case> = {
  'POST /api/v1/auth/login': {
    as: 'nobody',
    body: () => ({ username: 'worker-a', password: USER_PASSWORD }),
    action: 'session.create',
  },
  'POST /api/v1/auth/logout': { as: 'worker-b', body: () => ({}), action: 'session.delete' },
  'POST /api/v1/auth/password': {
    as: 'staff-c',
    body: () => ({ currentPassword: USER_PASSWORD, newPassword: 'Other-pass-2022' }),
    action: 'user.change-password',
  },
  'POST /api/v1/org-units': {
    as: 'admin',
    body: () => ({ parentId: t.fx.community.id, name: '第三网格', level: 'grid' }),
    action: 'org-unit.create',
  },
  'PATCH /api/v1/org-units/{id}': {
    as: 'admin',
    params: () => ({ id: t.fx.gridA.id }),
    body: () => ({ name: '第一网格甲' }),
    action: 'org-unit.update',
  },
  'POST /api/v1/users': {
    as: 'admin',
    body: () => ({
      username: 'new-user',
      displayName: '新用户',
      password: 'Grid-pass-2022',
      phone: '13912345678',
      grants: [{ role: 'grid_worker', orgUnitId: t.fx.gridA.id }],
    }),
    action: 'user.create',
  },
  'PATCH /api/v1/users/{id}': {
    as: 'admin',
    params: () => ({ id: t.fx.users.workerB.id }),
    body: () => ({ phone: '13987654321', password: 'Changed-pass-2022' }),
    action: 'user.update',
  },
  'POST /api/v1/users/{id}/unmask': {
    as: 'command',
    params: () => ({ id: t.fx.users.workerA.id }),
    body: () => ({}),
    action: 'user.unmask',
  },
  'PATCH /api/v1/roles/{code}': {
    as: 'admin',
    params: () => ({ code: 'pharmacy' }),
    body: () => ({ permissions: ['org.read'] }),
    action: 'role.update',
  },
  'POST /api/v1/work-items': {
    as: 'command',
    body: () => ({
      type: 'directive',
      title: '上报',
      assigneeOrgUnitId: t.fx.gridA.id,
      clientId: randomUUID(),
    }),
    action: 'work-item.create',
  },
  'POST /api/v1/residents': {
    as: 'worker-a',
    body: () => ({
      name: '王五',
      idNumber: validId('41160219700101555'),
      phone: '13912345678',
      gridId: t.fx.gridA.id,
      address: '第一网格3号',
      residenceStatus: 'at_home',
      keyGroups: ['returnee'],
    }),
    action: 'resident.create',
  },
  'PATCH /api/v1/residents/{id}': {
    as: 'worker-a',
    params: () => ({ id: t.fx.residentA.id }),
    body: () => ({ phone: '13987654321', residenceStatus: 'commuting' }),
    action: 'resident.update',
  },
  'POST /api/v1/residents/{id}/person-code/renew': {
    as: 'admin',
    params: () => ({ id: t.fx.residentB.id }),
    body: () => ({}),
    action: 'resident.person-code.renew',
  },
  'POST /api/v1/work-items/{id}/contact': {
    as: 'worker-a',
    params: async () => ({
      id: await addWorkItem(t.deps.database.db, SYSTEM, {
        type: 'recheck',
        title: '单管复核',
        subjectEntity: 'person',
        subjectId: t.fx.residentA.id,
        assigneeUserId: t.fx.users.workerA.id,
        orgPath: t.fx.gridA.path,
      }),
    }),
    body: () => ({}),
    action: 'resident.unmask',
  },
  'POST /api/v1/residents/{id}/unmask': {
    as: 'command',
    params: () => ({ id: t.fx.residentA.id }),
    body: () => ({}),
    action: 'resident.unmask',
  },
  'POST /api/v1/residents/{id}/statuses': {
    as: 'worker-a',
    params: () => ({ id: t.fx.residentA.id }),
    body: () => ({ kind: 'health_code', value: 'green', source: '门岗查验', clientId: randomUUID() }),
    action: 'resident.status',
  },
  'POST /api/v1/residents/{id}/merge': {
    as: 'admin',
    params: () => ({ id: t.fx.residentA.id }),
    body: async () => ({ duplicateId: duplicateId }),
    action: 'resident.merge',
  },
  'POST /api/v1/residents/import': {
    as: 'admin',
    upload: true,
    body: async () => {
      const wb = new ExcelJS.Workbook();
      const sheet = wb.addWorksheet('居民');
      sheet.addRow(['姓名', '证件类型', '证件号码', '手机号', '网格', '地址', '居住状态', '重点人群']);
      sheet.addRow([
        '导入一',
        '',
        validId('41160219950505511'),
        '13911112222',
        '幸福家园社区/第一网格甲',
        '一号',
        '在家',
        '',
      ]);
      return Buffer.from(await wb.xlsx.writeBuffer());
    },
    action: 'resident.import',
    query: '?dryRun=false',
  },
  'POST /api/v1/households': {
    as: 'worker-a',
    body: () => ({ gridId: t.fx.gridA.id, address: '第一网格5号' }),
    action: 'household.create',
  },
  'POST /api/v1/households/{id}/move': {
    as: 'admin',
    params: () => ({ id: t.fx.residentA.householdId }),
    body: () => ({ gridId: t.fx.gridB.id }),
    action: 'household.move',
    // Each member's record has the move too (residentA lives alone in the fixture's household).
    alsoTouches: 1,
  },
  'POST /api/v1/key-groups': {
    as: 'admin',
    body: () => ({
      code: 'market_staff',
      name: '市场从业人员',
      testingFrequency: '每周二、周五',
      effectiveFrom: '2022-04-01',
    }),
    action: 'key-group.create',
  },
  'PATCH /api/v1/key-groups/{code}': {
    as: 'admin',
    params: () => ({ code: 'medical' }),
    body: () => ({ effectiveTo: '2022-12-31' }),
    action: 'key-group.update',
  },
  'POST /api/v1/test-rounds': {
    as: 'admin',
    body: () => ({
      name: '第1轮',
      orgUnitId: t.fx.district.id,
      startsOn: today,
      endsOn: today,
      defaultMode: 'mix10',
    }),
    action: 'test-round.create',
  },
  'PATCH /api/v1/test-rounds/{id}': {
    as: 'admin',
    params: () => ({ id: testing.roundId }),
    body: () => ({ name: '第1轮（延长）', endsOn: addDays(today, 1) }),
    action: 'test-round.update',
  },
  'POST /api/v1/test-rounds/{id}/cancel': {
    as: 'admin',
    // A round of its own, set up before the count: the round above goes on to be sampled.
    params: () => ({ id: spareRoundId }),
    body: () => ({ reason: '误建' }),
    action: 'test-round.cancel',
  },
  'POST /api/v1/test-rounds/{id}/points': {
    as: 'admin',
    params: () => ({ id: testing.roundId }),
    body: () => ({ name: '社区广场', orgUnitId: t.fx.community.id, samplerUserIds: [t.fx.users.sampler.id] }),
    action: 'collection-point.create',
  },
  'PATCH /api/v1/test-rounds/{id}/points/{pointId}': {
    as: 'admin',
    params: () => ({ id: testing.roundId, pointId: testing.pointId }),
    body: () => ({ hours: '全天' }),
    action: 'collection-point.update',
  },
  'POST /api/v1/test-rounds/{id}/exemptions': {
    as: 'admin',
    params: () => ({ id: testing.roundId }),
    body: () => ({
      personId: t.fx.residentB.id,
      reason: 'hospitalised',
      note: '市医院',
      clientId: randomUUID(),
    }),
    action: 'test-exemption.record',
  },
  'DELETE /api/v1/test-rounds/{id}/exemptions/{personId}': {
    as: 'admin',
    params: () => ({ id: testing.roundId, personId: t.fx.residentB.id }),
    query: `?clientId=${randomUUID()}`,
    body: () => undefined,
    action: 'test-exemption.withdraw',
  },
  'POST /api/v1/test-rounds/{id}/sweeps': {
    as: 'admin',
    params: () => ({ id: testing.roundId }),
    body: () => ({ name: '第二网格入户队', orgUnitId: t.fx.gridB.id }),
    action: 'sweep.create',
  },
  'POST /api/v1/sweeps/{id}/households/{householdId}/outcome': {
    as: 'admin',
    params: () => ({ id: testing.sweepId, householdId: t.fx.residentB.householdId }),
    body: () => ({ outcome: 'sampled', clientId: randomUUID() }),
    action: 'sweep.outcome',
  },
  'POST /api/v1/sampling/scans': {
    as: 'sampler',
    body: () => ({
      clientId: randomUUID(),
      roundId: testing.roundId,
      pointId: testing.pointId,
      // Renewed once above (person-code/renew): the code of version 1.
      personCode: mintPersonCode(t.deps.cipher, t.fx.residentB.id, 1),
      tubeCode: testing.tube,
    }),
    action: 'sampling.scan',
  },
  'POST /api/v1/sampling/tubes/{tubeCode}/seal': {
    as: 'sampler',
    params: () => ({ tubeCode: testing.tube }),
    body: () => ({ clientId: randomUUID() }),
    action: 'tube.seal',
  },
  'POST /api/v1/sampling/tubes/{tubeCode}/members/{personId}/remove': {
    as: 'admin',
    // A tube of its own, still open, set up before the count.
    params: () => ({ tubeCode: 'AUDIT0002', personId: t.fx.residentA.id }),
    body: () => ({ clientId: randomUUID(), reason: '扫错码' }),
    action: 'tube.member-remove',
  },
  'POST /api/v1/sampling/handovers': {
    as: 'sampler',
    body: () => ({ roundId: testing.roundId, labId, tubeCodes: [testing.tube] }),
    action: 'lab-handover.create',
  },
  'POST /api/v1/labs': {
    as: 'admin',
    body: () => ({ name: '第三方检测机构', orgUnitId: t.fx.district.id }),
    action: 'lab.create',
  },
  'PATCH /api/v1/labs/{id}': {
    as: 'admin',
    params: () => ({ id: labId }),
    body: () => ({ name: '周口市疾控中心实验室（新址）' }),
    action: 'lab.update',
  },
  'POST /api/v1/lab/receipts': {
    as: 'lab',
    body: () => ({ tubeCodes: [testing.tube] }),
    action: 'tube.receive',
  },
  'POST /api/v1/lab/results/import': {
    as: 'lab',
    upload: true,
    query: '?dryRun=false',
    body: () =>
      Buffer.from(
        `tubeCode,result,testedAt\n${testing.tube},阴性,${districtWallClock(new Date(Date.now() - 600_000))}\n`,
      ),
    action: 'lab-results.import',
  },
  'POST /api/v1/lab/results': {
    as: 'lab',
    body: () => ({ tubeCode: testing.tube, result: 'negative', testedAt: new Date().toISOString() }),
    action: 'lab-results.import',
  },
  'POST /api/v1/lab/results/correct': {
    as: 'lab',
    // Recorded negative above, ten minutes ago: a retest now finds it positive.
    body: () => ({
      tubeCode: testing.tube,
      result: 'positive',
      testedAt: new Date().toISOString(),
      reason: '复检阳性',
    }),
    action: 'lab-results.import',
    // The single tube's positive: the person handed over (转运), and the command centre's urgent item.
    alsoTouches: 2,
  },
  'POST /api/v1/work-items/{id}/feedback': {
    as: 'command',
    params: () => ({ id: itemId }),
    body: () => ({ clientId: randomUUID(), feedback: '已办', done: true }),
    action: 'work-item.feedback',
  },
};

async function uploadFile(cookie: string | undefined, url: string, file: Buffer) {
  const { payload, contentType } = multipartFile(file);
  const res = await t.app.inject({
    method: 'POST',
    url,
    payload,
    headers: { ...(cookie ? { cookie } : {}), 'content-type': contentType },
  });
  return { status: res.statusCode, body: res.json() };
}

const count = async () =>
  (await queryRows<{ n: number }>(t.deps.database.db, sql`select count(*)::int as n from audit_events`))[0].n;

test('every write route leaves exactly one audit event, sensitive values masked', async () => {
  const admin = client(t.app, await t.login('admin'));
  itemId = (
    await admin.post('/api/v1/work-items', { type: 'x', title: '待反馈', assigneeOrgUnitId: t.fx.gridA.id })
  ).body.id;
  const dup = await admin.post('/api/v1/residents', {
    name: '张三丰',
    documentType: 'passport',
    idNumber: 'E12345678',
    gridId: t.fx.gridA.id,
    address: '张三丰家',
    residenceStatus: 'at_home',
  });
  duplicateId = dup.body.id;
  // The lab account on its team: a lab account on no team works on no tubes.
  labId = (
    await admin.post('/api/v1/labs', {
      name: '市疾控实验室',
      orgUnitId: t.fx.district.id,
      memberUserIds: [t.fx.users.lab.id],
    })
  ).body.id;
  spareRoundId = (
    await admin.post('/api/v1/test-rounds', {
      name: '误建的轮次',
      orgUnitId: t.fx.district.id,
      startsOn: today,
      endsOn: today,
      defaultMode: 'mix10',
    })
  ).body.id;
  const openTube = await admin.post('/api/v1/test-rounds', {
    name: '移出人员的轮次',
    orgUnitId: t.fx.district.id,
    startsOn: today,
    endsOn: today,
    defaultMode: 'mix10',
  });
  const openPoint = await admin.post(`/api/v1/test-rounds/${openTube.body.id}/points`, {
    name: '移出点',
    orgUnitId: t.fx.community.id,
  });
  const scanned = await admin.post('/api/v1/sampling/scans', {
    clientId: randomUUID(),
    roundId: openTube.body.id,
    pointId: openPoint.body.id,
    personCode: mintPersonCode(t.deps.cipher, t.fx.residentA.id),
    tubeCode: 'AUDIT0002',
  });
  assert.equal(scanned.status, 201, JSON.stringify(scanned.body));
  const writes = (await listApiRoutes(t.app)).filter((r) => r.method !== 'GET');
  assert.ok(writes.length >= 10);
  for (const route of writes) {
    const key = `${route.method} ${route.path}`;
    const c = CASES[key];
    assert.ok(c, `no audit case for write route ${key}`);
    const cookie = c.as === 'nobody' ? undefined : await t.login(c.as);
    const api = client(t.app, cookie);
    const before = await count();
    const url = fillPath(route.path, (await c.params?.()) ?? {});
    const body = await c.body();
    const res = c.upload
      ? await uploadFile(cookie, `${url}${c.query ?? ''}`, body as Buffer)
      : await api.send(route.method as 'POST', `${url}${c.query ?? ''}`, body);
    assert.ok(res.status < 300, `${key} answered ${res.status} ${JSON.stringify(res.body)}`);
    if (key === 'POST /api/v1/test-rounds') testing.roundId = res.body.id;
    if (key === 'POST /api/v1/test-rounds/{id}/points') testing.pointId = res.body.id;
    if (key === 'POST /api/v1/test-rounds/{id}/sweeps') testing.sweepId = res.body.id;
    assert.equal(
      await count(),
      before + 1 + (c.alsoTouches ?? 0),
      `${key} must leave exactly one audit event (and one per record it set off)`,
    );
    const [event] = await queryRows<{
      action: string;
      changes: unknown;
      ip: string;
      actor_id: string | null;
    }>(
      t.deps.database.db,
      sql`select action, changes, ip, actor_id from audit_events where action = ${c.action}
          order by at desc, id desc limit 1`,
    );
    assert.equal(event.action, c.action, key);
    assert.equal(event.ip, '127.0.0.1');
    // Nothing secret in this event or in those of what it set off.
    const all = await queryRows<{ changes: unknown }>(
      t.deps.database.db,
      sql`select changes from audit_events order by at desc, id desc limit ${1 + (c.alsoTouches ?? 0)}`,
    );
    const text = JSON.stringify(all.map((e) => e.changes ?? {}));
    for (const secret of [
      '13912345678',
      '13987654321',
      // The ID number registered by POST /residents, whole (its birth digits are the tell).
      validId('41160219700101555'),
      '19700101',
      'Changed-pass-2022',
      'Grid-pass-2022',
      'Other-pass-2022',
      '$argon2',
    ]) {
      assert.ok(!text.includes(secret), `${key} audit holds ${secret}`);
    }
  }
});

test('a failed write leaves no audit event and no half-written change', async () => {
  const admin = client(t.app, await t.login('admin'));
  const before = await count();
  const res = await admin.post('/api/v1/users', {
    username: 'half',
    displayName: '半截',
    password: 'Grid-pass-2022',
    grants: [
      { role: 'grid_worker', orgUnitId: t.fx.gridA.id },
      { role: 'grid_worker', orgUnitId: randomUUID() },
    ],
  });
  assert.equal(res.status, 400);
  assert.equal(await count(), before);
  assert.equal((await admin.get('/api/v1/users?q=half')).body.total, 0);
});

test('every action and record the audit log holds has a name for the page that reads it', async () => {
  const rows = await queryRows<{ action: string; entity: string }>(
    t.deps.database.db,
    sql`select distinct action, entity from audit_events`,
  );
  assert.ok(rows.length >= 20, `${rows.length} kinds of event`);
  for (const { action, entity } of rows) {
    assert.ok(AUDIT_ACTION_NAMES[action], `no name for action ${action} (src/domain/audit.ts)`);
    assert.ok(AUDIT_ENTITY_NAMES[entity], `no name for record ${entity} (src/domain/audit.ts)`);
  }
});
