/**
 * The registry kept right when writes meet: merges and household moves at once, an edit that
 * names the grid the person is already in, and documents other than ID cards masked enough.
 * The races only show on PostgreSQL (PGlite has one connection), where `.ci/run` runs them too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { and, eq, inArray } from 'drizzle-orm';
import { auditEvents, persons } from '../../db/schema.ts';
import { client } from '../../testing/http.ts';
import { createTestApp, type TestApp, validId } from '../../testing/test-app.ts';

let t: TestApp;
let staff: ReturnType<typeof client>;
before(async () => {
  t = await createTestApp();
  staff = client(t.app, await t.login('staff-c'));
});
after(() => t.close());

let seq = 0;
async function register(grid: { id: string }, extra: Record<string, unknown> = {}) {
  seq += 1;
  const res = await staff.post('/api/v1/residents', {
    name: `登记${seq}`,
    idNumber: validId(
      `41160219800${String(100 + seq).slice(-3)}0${String(seq).padStart(2, '0')}1`.slice(0, 17),
    ),
    gridId: grid.id,
    address: `完整路${seq}号`,
    residenceStatus: 'at_home',
    ...extra,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; householdId: string; idNumber: string };
}

describe('registry integrity', () => {
  test('A into B and B into A at once: one merge happens, one record stays live', async () => {
    for (let i = 0; i < 4; i++) {
      const a = await register(t.fx.gridA);
      const b = await register(t.fx.gridA);
      const answers = await Promise.all([
        staff.post(`/api/v1/residents/${a.id}/merge`, { duplicateId: b.id, confirmDifferences: true }),
        staff.post(`/api/v1/residents/${b.id}/merge`, { duplicateId: a.id, confirmDifferences: true }),
      ]);
      const rows = await t.deps.database.db
        .select({ id: persons.id, mergedInto: persons.mergedInto })
        .from(persons)
        .where(inArray(persons.id, [a.id, b.id]));
      assert.equal(rows.filter((r) => r.mergedInto === null).length, 1, `attempt ${i}: exactly one survives`);
      assert.deepEqual(answers.map((r) => r.status).sort(), [200, 404]);
    }
  });

  test('someone joining a household while it moves ends up where the household is', async () => {
    for (let i = 0; i < 4; i++) {
      const owner = await register(t.fx.gridA);
      const joiner = await register(t.fx.gridA);
      const [moved, joined] = await Promise.all([
        staff.post(`/api/v1/households/${owner.householdId}/move`, { gridId: t.fx.gridB.id }),
        staff.patch(`/api/v1/residents/${joiner.id}`, { householdId: owner.householdId }),
      ]);
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.equal(joined.status, 200, JSON.stringify(joined.body));
      const [row] = await t.deps.database.db.select().from(persons).where(eq(persons.id, joiner.id));
      assert.equal(row?.householdId, owner.householdId);
      assert.equal(row?.orgUnitId, t.fx.gridB.id, `attempt ${i}: the joiner is in the household's grid`);
    }
  });

  test('an edit naming the grid the person is in already keeps their household', async () => {
    const person = await register(t.fx.gridA);
    const res = await staff.patch(`/api/v1/residents/${person.id}`, {
      gridId: t.fx.gridA.id,
      residenceStatus: 'away',
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.householdId, person.householdId);
    // Another grid still gives them a household of their own there.
    const moved = await staff.patch(`/api/v1/residents/${person.id}`, { gridId: t.fx.gridB.id });
    assert.ok(moved.body.householdId);
    assert.notEqual(moved.body.householdId, person.householdId);
  });

  test('a HK/Macau permit or a passport is masked to its letter and last three', async () => {
    const permit = await register(t.fx.gridA, { documentType: 'hk_macau_permit', idNumber: 'H1234567890' });
    assert.equal(permit.idNumber, 'H*******890');
    const list = await staff.get(`/api/v1/residents?q=${encodeURIComponent(`完整路${seq}号`)}`);
    assert.equal(list.body.items[0]?.idNumber, 'H*******890');
  });

  test('a search by the last four finds an ID ending in X, typed small or capital', async () => {
    // The first seventeen digits whose check character is X (about one in eleven).
    const id = Array.from({ length: 100 }, (_, i) =>
      validId(`4116021980010${String(1000 + i).slice(-4)}`),
    ).find((candidate) => candidate.endsWith('X')) as string;
    await register(t.fx.gridA, { idNumber: id, name: '尾号叉' });
    for (const q of [id.slice(-4), id.slice(-4).toLowerCase()]) {
      const found = await staff.get(`/api/v1/residents?q=${q}`);
      assert.ok(
        found.body.items.some((r: { name: string }) => r.name === '尾号叉'),
        `q=${q} finds them`,
      );
    }
  });

  test('a change of key groups is audited with the classes before and after', async () => {
    const person = await register(t.fx.gridA);
    const res = await staff.patch(`/api/v1/residents/${person.id}`, { keyGroups: ['medical'] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [event] = await t.deps.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.entityId, person.id), eq(auditEvents.action, 'resident.update')));
    assert.ok(JSON.stringify(event?.changes).includes('medical'), JSON.stringify(event?.changes));
  });

  test('a key-group class cannot end before it starts, created or changed', async () => {
    const admin = client(t.app, await t.login('admin'));
    const created = await admin.post('/api/v1/key-groups', {
      code: 'backwards',
      name: '倒序分类',
      effectiveFrom: '2022-06-01',
      effectiveTo: '2022-01-01',
    });
    assert.equal(created.status, 400);
    assert.ok(created.body.error.fields.effectiveTo);
    const ok = await admin.post('/api/v1/key-groups', {
      code: 'forwards',
      name: '正序分类',
      effectiveFrom: '2022-06-01',
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const changed = await admin.patch('/api/v1/key-groups/forwards', { effectiveTo: '2022-05-31' });
    assert.equal(changed.status, 400);
    assert.ok(changed.body.error.fields.effectiveTo);
  });
});
