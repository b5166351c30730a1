/**
 * Records about a person are read by where the person lives: when they or their household move,
 * their recheck and its work item, and their household's place in a sweep, move with them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/rows.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import {
  addPeople,
  enterResult,
  labWithTeam,
  newSweep,
  roundWithPoint,
  type Session,
  sealedTube,
  signedIn,
} from '../../testing/testing-fixtures.ts';

let t: TestApp;
let as: Record<'admin' | 'sampler' | 'lab' | 'workerA' | 'workerB', Session>;

before(async () => {
  t = await createTestApp();
  await labWithTeam(t);
  as = await signedIn(t, {
    admin: 'admin',
    sampler: 'sampler',
    lab: 'lab',
    workerA: 'worker-a',
    workerB: 'worker-b',
  });
});
after(() => t.close());

test('a recalled person who moves to grid B: their recheck item leaves grid A and reaches grid B', async () => {
  const { personId } = await sealedTube(t, as, 'SR-POOL-1');
  assert.equal((await enterResult(as.lab, 'SR-POOL-1', 'positive')).rechecksCreated, 1);
  const aboutHim = (r: { body: { items: { subjectId: string; title: string }[] } }) =>
    r.body.items.filter((i) => i.subjectId === personId);
  assert.equal(aboutHim(await as.workerA.get('/api/v1/work-items?type=recheck')).length, 1);

  // The registry moves him to grid B (he lives there now).
  const moved = await as.admin.patch(`/api/v1/residents/${personId}`, { gridId: t.fx.gridB.id });
  assert.equal(moved.status, 200, JSON.stringify(moved.body));
  assert.equal((await as.workerA.get(`/api/v1/residents/${personId}`)).status, 404, 'out of A now');

  const seenByA = aboutHim(await as.workerA.get('/api/v1/work-items?type=recheck'));
  const seenByB = aboutHim(await as.workerB.get('/api/v1/work-items?type=recheck'));
  assert.deepEqual(
    { seenByA: seenByA.map((i) => i.title), seenByB: seenByB.length },
    { seenByA: [], seenByB: 1 },
    'grid A still reads his name and address; grid B never gets his recheck',
  );
});

test('a household moved to grid B after a sweep was set up is no longer grid A’s to read or record', async () => {
  const at = await roundWithPoint(t, as.admin);
  const [personId] = await addPeople(t, t.fx.gridA, 1);
  const resident = await as.admin.get(`/api/v1/residents/${personId}`);
  const householdId = resident.body.householdId as string;
  const sweep = await newSweep(as.admin, at.roundId, {
    name: '第一网格入户',
    orgUnitId: t.fx.gridA.id,
  });
  const move = await as.admin.post(`/api/v1/households/${householdId}/move`, { gridId: t.fx.gridB.id });
  assert.equal(move.status, 200, JSON.stringify(move.body));

  const seen = await as.workerA.get(`/api/v1/sweeps/${sweep.id}`);
  const home = (seen.body.households ?? []).find(
    (h: { householdId: string }) => h.householdId === householdId,
  );
  const outcome = await as.workerA.post(`/api/v1/sweeps/${sweep.id}/households/${householdId}/outcome`, {
    clientId: randomUUID(),
    outcome: 'refused',
  });
  assert.deepEqual(
    { listed: home ? `${home.address} (${home.gridName})` : null, outcomeStatus: outcome.status },
    { listed: null, outcomeStatus: 404 },
    'grid A still reads the moved household and records its outcome',
  );
});

test('merge: a recheck item about the duplicate (grid A) follows the survivor (grid B)', async () => {
  const { personId: duplicateId } = await sealedTube(t, as, 'RV-MERGE-1');
  const [survivorId] = await addPeople(t, t.fx.gridB, 1);
  assert.equal((await enterResult(as.lab, 'RV-MERGE-1', 'positive')).rechecksCreated, 1);

  const merged = await as.admin.post(`/api/v1/residents/${survivorId}/merge`, {
    duplicateId,
    confirmDifferences: true,
  });
  assert.equal(merged.status, 200, JSON.stringify(merged.body));

  const [recheck] = await queryRows<{ org_path: string }>(
    t.deps.database.db,
    sql`select org_path from rechecks where person_id = ${survivorId}`,
  );
  const [item] = await queryRows<{ org_path: string; assignee_user_id: string | null }>(
    t.deps.database.db,
    sql`select org_path, assignee_user_id from work_items where subject_id = ${survivorId}`,
  );
  const about = (r: { body: { items: { subjectId: string }[] } }) =>
    r.body.items.filter((i) => i.subjectId === survivorId).length;
  assert.deepEqual(
    {
      recheckPath: recheck?.org_path,
      itemPath: item?.org_path,
      itemAssignee: item?.assignee_user_id,
      seenByA: about(await as.workerA.get('/api/v1/work-items?type=recheck')),
      seenByB: about(await as.workerB.get('/api/v1/work-items?type=recheck')),
    },
    {
      recheckPath: t.fx.gridB.path,
      itemPath: t.fx.gridB.path,
      itemAssignee: t.fx.users.workerB.id,
      seenByA: 0,
      seenByB: 1,
    },
    'the recheck moved to grid B but its work item (survivor’s name) stays with grid A’s worker',
  );
});

test('a household whose members moved out first, then moved itself, leaves grid A’s sweep', async () => {
  await roundWithPoint(t, as.admin);
  const at = await roundWithPoint(t, as.admin);
  const [personId] = await addPeople(t, t.fx.gridA, 1);
  const householdId = (await as.admin.get(`/api/v1/residents/${personId}`)).body.householdId as string;
  const sweep = await newSweep(as.admin, at.roundId, {
    name: '第一网格入户',
    orgUnitId: t.fx.gridA.id,
  });
  // The one member moves to grid B on their own (a household of their own there) ...
  assert.equal(
    (await as.admin.patch(`/api/v1/residents/${personId}`, { gridId: t.fx.gridB.id })).status,
    200,
  );
  // ... then the (now empty) household is moved to grid B too.
  const move = await as.admin.post(`/api/v1/households/${householdId}/move`, { gridId: t.fx.gridB.id });
  assert.equal(move.status, 200, JSON.stringify(move.body));

  const seen = await as.workerA.get(`/api/v1/sweeps/${sweep.id}`);
  const listed = (seen.body.households ?? []).some(
    (h: { householdId: string }) => h.householdId === householdId,
  );
  const outcome = await as.workerA.post(`/api/v1/sweeps/${sweep.id}/households/${householdId}/outcome`, {
    clientId: randomUUID(),
    outcome: 'refused',
  });
  assert.deepEqual(
    { listed, outcomeStatus: outcome.status },
    { listed: false, outcomeStatus: 404 },
    'grid A still lists a household of grid B and records its outcome',
  );
});
