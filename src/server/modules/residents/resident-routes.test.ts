import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { ageOn, localDay } from '../../../domain/dates.ts';
import { queryRows } from '../../db/rows.ts';
import { persons } from '../../db/schema.ts';
import { client } from '../../testing/http.ts';
import { createTestApp, type TestApp, validId } from '../../testing/test-app.ts';

let t: TestApp;
let workerA: ReturnType<typeof client>;
let workerB: ReturnType<typeof client>;
let admin: ReturnType<typeof client>;
let command: ReturnType<typeof client>;
before(async () => {
  t = await createTestApp();
  workerA = client(t.app, await t.login('worker-a'));
  workerB = client(t.app, await t.login('worker-b'));
  admin = client(t.app, await t.login('admin'));
  command = client(t.app, await t.login('command'));
});
after(() => t.close());

const resident = (over: Record<string, unknown> = {}) => ({
  name: '赵小红',
  idNumber: validId('41160220010505222').toLowerCase(),
  phone: '+86 137 0000 8888',
  gridId: t.fx.gridA.id,
  address: '幸福家园8号楼2单元301',
  residenceStatus: 'commuting',
  keyGroups: ['supermarket'],
  ...over,
});

describe('POST /api/v1/residents', () => {
  test('registers a resident: ID normalised and masked, birth date and sex derived, sealed at rest', async () => {
    const res = await workerA.post('/api/v1/residents', resident());
    assert.equal(res.status, 201);
    const id = validId('41160220010505222');
    assert.equal(res.body.idNumber, `411602********${id.slice(-4)}`);
    assert.equal(res.body.phone, '137****8888');
    // The birth date is derived and kept, but shown as an age: it is the masked middle of the ID.
    assert.equal(res.body.birthDate, null);
    assert.equal(res.body.age, ageOn('2001-05-05', localDay()));
    assert.equal(res.body.sex, 'female');
    assert.equal(res.body.gridName, '幸福家园社区/第一网格');
    assert.deepEqual(
      res.body.keyGroups.map((g: { code: string }) => g.code),
      ['supermarket'],
    );
    assert.ok(res.body.householdId, 'a household of their own');
    const [row] = await t.deps.database.db.select().from(persons).where(eq(persons.id, res.body.id));
    assert.ok(!row.idEnc.includes(id) && !row.idEnc.includes(id.slice(0, 10)));
    // Only the year is kept in clear: the date beside the masked number would be the number.
    assert.equal(row.birthYear, 2001);
    assert.equal('birthDate' in row, false);
    assert.equal(row.nameInitials, 'zxh');
  });

  test('an invalid ID answers 400 with fields.idNumber; a 15-digit legacy number is accepted', async () => {
    const bad = await workerA.post('/api/v1/residents', resident({ idNumber: '411602200105052221' }));
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.fields.idNumber, /校验位/);
    const excel = await workerA.post('/api/v1/residents', resident({ idNumber: '4.11602E+17' }));
    assert.match(excel.body.error.fields.idNumber, /文本/);
    const legacy = await workerA.post(
      '/api/v1/residents',
      resident({ name: '钱老', idNumber: '411602500101211', phone: '' }),
    );
    assert.equal(legacy.status, 201);
    const [legacyRow] = await t.deps.database.db.select().from(persons).where(eq(persons.id, legacy.body.id));
    assert.equal(legacyRow?.birthYear, 1950);
    assert.equal(legacy.body.age, ageOn('1950-01-01', localDay()));
  });

  test('an existing ID answers 409 with existingId when in scope, without it when not', async () => {
    const mine = await workerA.post(
      '/api/v1/residents',
      resident({ name: '张三丰二', idNumber: t.fx.residentA.idNumber }),
    );
    assert.equal(mine.status, 409);
    assert.equal(mine.body.error.existingId, t.fx.residentA.id);
    const theirs = await workerA.post(
      '/api/v1/residents',
      resident({ name: '李四', idNumber: t.fx.residentB.idNumber }),
    );
    assert.equal(theirs.status, 409);
    assert.equal(theirs.body.error.existingId, undefined, 'no id leaks out of scope');
  });

  test('bad phone, unknown key group, a grid out of scope, a missing field → 400 naming it', async () => {
    const phone = await workerA.post(
      '/api/v1/residents',
      resident({ idNumber: validId('41160219990909111'), phone: '12345' }),
    );
    assert.ok(phone.body.error.fields.phone);
    const group = await workerA.post(
      '/api/v1/residents',
      resident({ idNumber: validId('41160219990909111'), keyGroups: ['nope'] }),
    );
    assert.ok(group.body.error.fields['keyGroups.0']);
    const grid = await workerA.post(
      '/api/v1/residents',
      resident({ idNumber: validId('41160219990909111'), gridId: t.fx.gridB.id }),
    );
    assert.ok(grid.body.error.fields.gridId);
    const missing = await workerA.post('/api/v1/residents', { name: 'x' });
    assert.equal(missing.status, 400);
    assert.ok(missing.body.error.fields.idNumber && missing.body.error.fields.residenceStatus);
    assert.equal((await client(t.app).post('/api/v1/residents', resident())).status, 401);
    // Neither a grid nor a household: where they live is missing, a 400 naming the grid.
    const nowhere = await workerA.post(
      '/api/v1/residents',
      resident({ gridId: undefined, idNumber: validId('41160219991111888') }),
    );
    assert.equal(nowhere.status, 400, JSON.stringify(nowhere.body));
    assert.ok(nowhere.body.error.fields.gridId, JSON.stringify(nowhere.body));
    assert.equal(
      (await command.post('/api/v1/residents', resident())).status,
      403,
      'the command centre reads, does not register',
    );
  });
});

describe('search', () => {
  const names = async (api: ReturnType<typeof client>, q: string) =>
    (await api.get(`/api/v1/residents?q=${encodeURIComponent(q)}`)).body.items.map(
      (r: { name: string }) => r.name,
    );

  test('by name, full pinyin, pinyin initials, full ID, last 4 of ID or phone, address', async () => {
    assert.deepEqual(await names(workerA, '张三'), ['张三丰']);
    assert.deepEqual(await names(workerA, 'zsf'), ['张三丰']);
    assert.deepEqual(await names(workerA, 'zhangsan'), ['张三丰']);
    assert.deepEqual(await names(workerA, t.fx.residentA.idNumber), ['张三丰']);
    assert.deepEqual(await names(workerA, t.fx.residentA.idNumber.slice(-4)), ['张三丰']);
    assert.deepEqual(await names(workerA, '0001'), ['张三丰'], 'phone tail');
    assert.deepEqual(await names(workerA, t.fx.residentA.phone), ['张三丰']);
    assert.deepEqual(await names(workerA, '张三丰家'), []);
    // A whole number as people write it: the lookup hash is of the number, not of the text typed.
    const phone = t.fx.residentA.phone;
    assert.deepEqual(
      await names(workerA, `+86 ${phone.slice(0, 3)}-${phone.slice(3, 7)}-${phone.slice(7)}`),
      ['张三丰'],
    );
    assert.deepEqual(await names(workerA, t.fx.residentA.idNumber.toLowerCase()), ['张三丰']);
  });

  test('scoped: grid B’s resident is found by nobody in grid A, however they ask', async () => {
    for (const q of ['李四光', 'lsg', t.fx.residentB.idNumber, t.fx.residentB.phone.slice(-4)]) {
      assert.deepEqual(await names(workerA, q), [], q);
    }
    assert.deepEqual(await names(workerB, 'lsg'), ['李四光']);
    assert.deepEqual(await names(admin, 'lsg'), ['李四光']);
    assert.equal((await workerA.get(`/api/v1/residents/${t.fx.residentB.id}`)).status, 404);
    assert.equal((await workerA.get(`/api/v1/residents?gridId=${t.fx.gridB.id}`)).status, 404);
  });

  test('lists a household’s members, only inside the scope', async () => {
    const mine = await workerA.get(`/api/v1/residents?householdId=${t.fx.residentA.householdId}`);
    assert.deepEqual(
      mine.body.items.map((r: { name: string }) => r.name),
      ['张三丰'],
    );
    const theirs = await workerA.get(`/api/v1/residents?householdId=${t.fx.residentB.householdId}`);
    assert.deepEqual(theirs.body, { items: [], total: 0 });
    const households = await workerA.get(`/api/v1/households?gridId=${t.fx.gridA.id}`);
    assert.ok(
      households.body.items.every((h: { gridName: string }) => h.gridName === '幸福家园社区/第一网格'),
    );
    assert.ok(
      households.body.items.some(
        (h: { id: string; memberCount: number }) =>
          h.id === t.fx.residentA.householdId && h.memberCount === 1,
      ),
    );
  });

  test('filters by residence status and key group; counts by status', async () => {
    const res = await admin.get(`/api/v1/residents?orgUnitId=${t.fx.community.id}&residenceStatus=at_home`);
    assert.ok(res.body.items.every((r: { residenceStatus: string }) => r.residenceStatus === 'at_home'));
    const counts = await workerA.get(`/api/v1/residents/counts?orgUnitId=${t.fx.gridA.id}`);
    assert.equal(counts.status, 200);
    // Asked for no unit, the counts are of the reader's own scope, as their list is.
    const own = await workerA.get('/api/v1/residents/counts');
    assert.equal(own.status, 200);
    assert.equal(own.body.total, (await workerA.get('/api/v1/residents')).body.total);
    assert.ok(own.body.total < (await admin.get('/api/v1/residents/counts')).body.total);
    assert.equal(
      counts.body.total,
      Object.values(counts.body.byResidenceStatus as Record<string, number>).reduce((a, b) => a + b, 0),
    );
    assert.ok(counts.body.byResidenceStatus.at_home >= 1);
  });
});

describe('a resident’s record', () => {
  test('statuses are dated facts: current value per kind and the history', async () => {
    const id = t.fx.residentA.id;
    await workerA.post(`/api/v1/residents/${id}/statuses`, {
      clientId: randomUUID(),
      kind: 'health_code',
      value: 'yellow',
      observedAt: '2022-04-10T08:00:00+08:00',
      source: '门岗查验',
    });
    await workerA.post(`/api/v1/residents/${id}/statuses`, {
      clientId: randomUUID(),
      kind: 'health_code',
      value: 'green',
      observedAt: '2022-04-12T08:00:00+08:00',
      source: '门岗查验',
    });
    await workerA.post(`/api/v1/residents/${id}/statuses`, {
      clientId: randomUUID(),
      kind: 'test_result',
      value: 'negative',
      observedAt: '2022-04-12T10:00:00+08:00',
      validUntil: '2022-04-14T10:00:00+08:00',
      source: '第五轮全员核酸',
    });
    const res = await workerA.get(`/api/v1/residents/${id}`);
    assert.equal(res.body.statuses.health_code.value, 'green');
    assert.equal(res.body.statuses.test_result.validUntil, '2022-04-14T02:00:00.000Z');
    assert.deepEqual(
      res.body.statusHistory
        .filter((s: { kind: string }) => s.kind === 'health_code')
        .map((s: { value: string }) => s.value),
      ['green', 'yellow'],
    );
    assert.equal(res.body.statuses.health_code.recordedByName, '测试worker-a');
    const bad = await workerA.post(`/api/v1/residents/${id}/statuses`, {
      clientId: randomUUID(),
      kind: 'mood',
      value: 'x',
      source: 'y',
    });
    assert.ok(bad.body.error.fields.kind);
    // A value is one of the kind's, chosen, never typed: "集中隔离" typed by hand was no state the
    // sampling rule knew, and "紫码" no health code.
    for (const [kind, value] of [
      ['control_state', '集中隔离'],
      ['health_code', '紫码'],
      ['health_code', 'quarantined'],
      ['test_result', 'pool_positive'],
    ]) {
      const typed = await workerA.post(`/api/v1/residents/${id}/statuses`, {
        clientId: randomUUID(),
        kind,
        value,
        source: '入户核验',
      });
      assert.equal(typed.status, 400, `${kind} ${value}`);
      assert.match(typed.body.error.fields.value, /请从列表中选择/);
    }
    const chosen = await workerA.post(`/api/v1/residents/${id}/statuses`, {
      clientId: randomUUID(),
      kind: 'control_state',
      value: 'central_quarantine',
      source: '入户核验',
    });
    assert.equal(chosen.status, 200, JSON.stringify(chosen.body));
    assert.equal(chosen.body.statuses.control_state.value, 'central_quarantine');
  });

  test('edit and move: a new grid in scope, a household moved whole', async () => {
    const created = await admin.post(
      '/api/v1/residents',
      resident({ name: '孙迁', idNumber: validId('41160219880808333'), phone: '' }),
    );
    const moved = await admin.patch(`/api/v1/residents/${created.body.id}`, {
      gridId: t.fx.gridB.id,
      residenceStatus: 'away',
    });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.gridName, '幸福家园社区/第二网格');
    assert.equal(moved.body.residenceStatus, 'away');
    assert.equal((await workerA.patch(`/api/v1/residents/${created.body.id}`, { name: '改' })).status, 404);
    assert.notEqual(
      moved.body.householdId,
      created.body.householdId,
      'a household of their own in the new grid',
    );
    const house = await admin.post(`/api/v1/households/${moved.body.householdId}/move`, {
      gridId: t.fx.gridA.id,
      address: '幸福家园3号楼1单元202',
    });
    assert.equal(house.status, 200);
    assert.equal(house.body.gridName, '幸福家园社区/第一网格');
    assert.equal(house.body.address, '幸福家园3号楼1单元202');
    const member = (await workerA.get(`/api/v1/residents/${created.body.id}`)).body;
    assert.equal(member.gridName, '幸福家园社区/第一网格');
    assert.equal(member.address, '幸福家园3号楼1单元202', 'the members live at the new address too');
    // Moving to the grid they are in already is no move: refused, naming the grid.
    const again = await admin.post(`/api/v1/households/${moved.body.householdId}/move`, {
      gridId: t.fx.gridA.id,
    });
    assert.equal(again.status, 400);
    assert.match(again.body.error.fields.gridId, /该户已在此网格此地址/);
    // Within the grid to a new address: a move too.
    const within = await admin.post(`/api/v1/households/${moved.body.householdId}/move`, {
      gridId: t.fx.gridA.id,
      address: '幸福家园5号楼2单元101',
    });
    assert.equal(within.status, 200, JSON.stringify(within.body));
    assert.equal(within.body.address, '幸福家园5号楼2单元101');
  });

  test('a household moves house: members at its address follow, one with an address of their own keeps it; each member’s record tells', async () => {
    const home = await admin.post(
      '/api/v1/residents',
      resident({
        name: '钱家长',
        idNumber: validId('41160219700101555'),
        phone: '',
        address: '幸福家园1号楼101',
      }),
    );
    assert.equal(home.status, 201, JSON.stringify(home.body));
    const householdId = home.body.householdId as string;
    // Registered in the household, living in a dormitory.
    const student = await admin.post(
      '/api/v1/residents',
      resident({
        name: '钱学生',
        idNumber: validId('41160220050202666'),
        phone: '',
        householdId,
        address: '周口师范学院宿舍7号楼',
      }),
    );
    assert.equal(student.status, 201, JSON.stringify(student.body));
    assert.equal(student.body.householdId, householdId);
    // At home, the door written another way (01号楼 for 1号楼): one door as the walking key reads it.
    const elder = await admin.post(
      '/api/v1/residents',
      resident({
        name: '钱老人',
        idNumber: validId('41160219400303777'),
        phone: '',
        householdId,
        address: '幸福家园01号楼101',
      }),
    );
    assert.equal(elder.status, 201, JSON.stringify(elder.body));
    const moved = await admin.post(`/api/v1/households/${householdId}/move`, {
      gridId: t.fx.gridB.id,
      address: '幸福家园9号楼909',
    });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    const read = async (id: string) => (await admin.get(`/api/v1/residents/${id}`)).body;
    const [parent, away] = [await read(home.body.id), await read(student.body.id)];
    assert.equal(parent.address, '幸福家园9号楼909');
    assert.equal(away.address, '周口师范学院宿舍7号楼', 'an address of their own is kept');
    assert.equal(
      (await read(elder.body.id)).address,
      '幸福家园9号楼909',
      'the same door written another way',
    );
    assert.equal(parent.gridName, '幸福家园社区/第二网格');
    assert.equal(away.gridName, '幸福家园社区/第二网格', 'the household’s grid is every member’s');
    // Each member's record has the move, from where to where; the household's event has its own.
    const events = await queryRows<{ entity: string; entityId: string; changes: Record<string, unknown> }>(
      t.deps.database.db,
      sql`select entity, entity_id as "entityId", changes from audit_events
          where action = 'household.move' and entity_id in (${home.body.id}, ${student.body.id}, ${householdId})`,
    );
    const of = (id: string) => events.find((e) => e.entityId === id);
    assert.equal(events.length, 3);
    assert.equal(of(householdId)?.entity, 'household');
    assert.deepEqual(of(home.body.id)?.changes, {
      address: { from: '幸福家园1号楼101', to: '幸福家园9号楼909' },
      gridId: { from: t.fx.gridA.id, to: t.fx.gridB.id },
    });
    assert.deepEqual(of(student.body.id)?.changes, {
      gridId: { from: t.fx.gridA.id, to: t.fx.gridB.id },
    });
  });

  test('unmask needs the permission and is audited; the answer is the full numbers', async () => {
    assert.equal((await workerA.post(`/api/v1/residents/${t.fx.residentA.id}/unmask`)).status, 403);
    const res = await command.post(`/api/v1/residents/${t.fx.residentA.id}/unmask`);
    const digits = t.fx.residentA.idNumber.slice(6, 14);
    assert.deepEqual(res.body, {
      idNumber: t.fx.residentA.idNumber,
      phone: t.fx.residentA.phone,
      birthDate: `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}`,
    });
    const audit = await admin.get(
      `/api/v1/audit-events?action=resident.unmask&entityId=${t.fx.residentA.id}`,
    );
    assert.equal(audit.body.total, 1);
  });

  test('merge joins a duplicate into the survivor: statuses and key groups move, the duplicate disappears', async () => {
    const dup = await workerA.post(
      '/api/v1/residents',
      resident({
        name: '张三丰',
        documentType: 'passport',
        idNumber: 'E87654321',
        phone: '',
        keyGroups: ['returnee'],
      }),
    );
    assert.equal(dup.status, 201);
    await workerA.post(`/api/v1/residents/${dup.body.id}/statuses`, {
      clientId: randomUUID(),
      kind: 'trip_star',
      value: 'star',
      source: '行程卡',
    });
    const merged = await workerA.post(`/api/v1/residents/${t.fx.residentA.id}/merge`, {
      duplicateId: dup.body.id,
    });
    assert.equal(merged.status, 200);
    assert.ok(merged.body.keyGroups.some((g: { code: string }) => g.code === 'returnee'));
    assert.equal(merged.body.statuses.trip_star.value, 'star');
    assert.equal((await workerA.get(`/api/v1/residents/${dup.body.id}`)).status, 404);
    const self = await workerA.post(`/api/v1/residents/${t.fx.residentA.id}/merge`, {
      duplicateId: t.fx.residentA.id,
    });
    assert.equal(self.status, 400);
  });

  test('two records of one name with other birth dates are not merged until confirmed: perhaps siblings', async () => {
    const older = await workerA.post(
      '/api/v1/residents',
      resident({ name: '安波', idNumber: validId('41160220170101605'), phone: '' }),
    );
    const younger = await workerA.post(
      '/api/v1/residents',
      resident({ name: '安波', idNumber: validId('41160220190303607'), phone: '' }),
    );
    assert.equal(older.status, 201, JSON.stringify(older.body));
    assert.equal(younger.status, 201, JSON.stringify(younger.body));
    const asked = await workerA.post(`/api/v1/residents/${older.body.id}/merge`, {
      duplicateId: younger.body.id,
    });
    assert.equal(asked.status, 409);
    assert.equal(asked.body.error.code, 'RECORDS_DIFFER');
    assert.match(asked.body.error.message, /出生日期不同，可能不是同一人/);
    // Nothing merged: both still there.
    assert.equal((await workerA.get(`/api/v1/residents/${younger.body.id}`)).status, 200);
    // The birth dates are not said: only that they differ.
    assert.ok(!JSON.stringify(asked.body).includes('2019'));
    const confirmed = await workerA.post(`/api/v1/residents/${older.body.id}/merge`, {
      duplicateId: younger.body.id,
      confirmDifferences: true,
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal((await workerA.get(`/api/v1/residents/${younger.body.id}`)).status, 404);
    // The audit says the user's word was given, and on what.
    const [event] = await queryRows<{ changes: unknown }>(
      t.deps.database.db,
      sql`select changes from audit_events where action = 'resident.merge' and entity_id = ${older.body.id}`,
    );
    assert.match(JSON.stringify(event?.changes), /confirmedDifferences.*birth date/);
  });
});

describe('key-group classes', () => {
  test('an effective-dated taxonomy, seeded with a labelled example list, edited by an administrator', async () => {
    const list = await workerA.get('/api/v1/key-groups');
    assert.ok(list.body.items.length >= 10);
    assert.ok(list.body.items.every((g: { name: string }) => g.name.includes('示例')));
    const created = await admin.post('/api/v1/key-groups', {
      code: 'port_worker',
      name: '港口作业人员',
      testingFrequency: '每2天1次',
      effectiveFrom: '2022-04-01',
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.active, true);
    // A frequency the due list could not read is refused, naming the field.
    for (const body of [
      { code: 'unclear', name: '频次不明', testingFrequency: '看情况', effectiveFrom: '2022-04-01' },
    ]) {
      const refused = await admin.post('/api/v1/key-groups', body);
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.ok(refused.body.error.fields.testingFrequency, JSON.stringify(refused.body));
    }
    const unclearEdit = await admin.patch('/api/v1/key-groups/port_worker', { testingFrequency: '偶尔' });
    assert.equal(unclearEdit.status, 400, JSON.stringify(unclearEdit.body));
    assert.ok(unclearEdit.body.error.fields.testingFrequency);
    const ended = await admin.patch('/api/v1/key-groups/port_worker', { effectiveTo: '2022-06-30' });
    assert.equal(ended.body.active, false);
    const notInForce = await workerA.post(
      '/api/v1/residents',
      resident({ idNumber: validId('41160219770707777'), keyGroups: ['port_worker'] }),
    );
    assert.equal(notInForce.status, 400, 'a class no longer in effect is refused');
    assert.equal(
      (await workerA.post('/api/v1/key-groups', { code: 'x', name: 'x', effectiveFrom: '2022-01-01' }))
        .status,
      403,
    );
    assert.equal(
      (
        await admin.post('/api/v1/key-groups', {
          code: 'port_worker',
          name: 'x',
          effectiveFrom: '2022-01-01',
        })
      ).status,
      409,
    );
  });
});

describe('bad input found by probing the API', () => {
  test('a status’s times are real dates, not from the future (which would hide every later update)', async () => {
    const url = `/api/v1/residents/${t.fx.residentA.id}/statuses`;
    const base = { kind: 'health_code', value: 'green', source: '门岗查验' };
    for (const observedAt of ['2026-02-30', 0, true, '1', '99999-01-01']) {
      const res = await workerA.post(url, { clientId: randomUUID(), ...base, observedAt });
      assert.equal(res.status, 400, `${JSON.stringify(observedAt)} → ${res.status}`);
      assert.ok(res.body.error.fields.observedAt, JSON.stringify(res.body));
    }
    const future = await workerA.post(url, { clientId: randomUUID(), ...base, observedAt: '2099-01-01' });
    assert.equal(future.status, 400);
    assert.match(future.body.error.fields.observedAt, /晚于现在/);
    const day = await workerA.post(url, {
      clientId: randomUUID(),
      ...base,
      value: 'yellow',
      observedAt: '2022-04-11',
    });
    assert.equal(day.status, 200, JSON.stringify(day.body));
    const history = (await workerA.get(`/api/v1/residents/${t.fx.residentA.id}`)).body.statusHistory;
    const entry = history.find(
      (s: { value: string; observedAt: string }) =>
        s.value === 'yellow' && s.observedAt.startsWith('2022-04-10T16'),
    );
    assert.ok(entry, 'a day is its midnight in the district');
  });

  test('a grid and a household given together must agree', async () => {
    const res = await workerA.post('/api/v1/residents', {
      ...resident({ idNumber: validId('41160219900101777') }),
      gridId: t.fx.gridA.id,
      householdId: t.fx.residentB.householdId,
    });
    assert.ok([400, 404].includes(res.status), `${res.status}`);
    const own = await admin.post('/api/v1/residents', {
      ...resident({ idNumber: validId('41160219900101778') }),
      gridId: t.fx.gridA.id,
      householdId: t.fx.residentB.householdId,
    });
    assert.equal(own.status, 400, JSON.stringify(own.body));
    assert.match(own.body.error.fields.householdId, /不在所选网格/);
  });
});
