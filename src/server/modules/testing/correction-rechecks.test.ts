import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { localDay } from '../../../domain/dates.ts';
import { rechecks, workItems } from '../../db/schema.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import {
  addPeople,
  importLabResults,
  labTime,
  labWithTeam,
  roundWithPoint,
  type Session,
  scanAt,
  signedIn,
} from '../../testing/testing-fixtures.ts';

/**
 * A correction (更正) and the rechecks it touches (found in review): only a single tube's
 * correction reopens the recheck it answered, whose work item then says positive; a correction
 * retried after a lost answer is answered as recorded.
 */
let t: TestApp;
let as: Record<'admin' | 'sampler' | 'lab', Session>;
const _today = localDay();
let seq = 0;
const newTube = () => `CR${String(++seq).padStart(6, '0')}`;

const newRound = (defaultMode = 'mix10') => roundWithPoint(t, as.admin, { defaultMode });
const scan = (at: { roundId: string; pointId: string }, person: string, tubeCode: string) =>
  scanAt(t, as.sampler, at, person, tubeCode);
async function pool(at: { roundId: string; pointId: string }, people: string[]) {
  const tube = newTube();
  for (const p of people) assert.equal((await scan(at, p, tube)).status, 201);
  const sealed = await as.sampler.post(`/api/v1/sampling/tubes/${tube}/seal`, {});
  assert.ok([200, 409].includes(sealed.status), JSON.stringify(sealed.body));
  return tube;
}
const result = async (tube: string, r: string) => {
  const res = await importLabResults(t, `tubeCode,result,testedAt\n${tube},${r},${labTime(1)}\n`, false);
  assert.equal(res.body.applied, 1, JSON.stringify(res.body));
};
const correct = (tube: string) =>
  as.lab.post('/api/v1/lab/results/correct', {
    tubeCode: tube,
    result: 'positive',
    testedAt: new Date().toISOString(),
    reason: '复检阳性',
  });

before(async () => {
  t = await createTestApp();
  await labWithTeam(t);
  as = await signedIn(t, { admin: 'admin', sampler: 'sampler', lab: 'lab' });
});
after(() => t.close());

describe('correcting a result and the rechecks it touches', () => {
  test('correcting a later POOL to positive leaves an earlier recheck (answered by another single tube) closed', async () => {
    const [person, other] = (await addPeople(t, t.fx.gridA, 2)) as [string, string];
    // Round 1: pool A positive -> recheck R1 for person.
    const a = await pool(await newRound('mix10'), [person, other]);
    await result(a, '阳性');
    const [r1] = await t.deps.database.db.select().from(rechecks).where(eq(rechecks.personId, person));
    assert.equal(r1?.state, 'open');
    // Round 2: a single tube S, negative: R1 closed negative.
    const s = await pool(await newRound('single'), [person]);
    await result(s, '阴性');
    assert.equal(
      (
        await t.deps.database.db
          .select()
          .from(rechecks)
          .where(eq(rechecks.id, (r1 as { id: string }).id))
      )[0]?.state,
      'negative',
    );
    // Round 3: pool B, negative, then corrected positive.
    const b = await pool(await newRound('mix10'), [person]);
    await result(b, '阴性');
    const corrected = await correct(b);
    assert.equal(corrected.status, 200, JSON.stringify(corrected.body));
    const [after1] = await t.deps.database.db
      .select()
      .from(rechecks)
      .where(eq(rechecks.id, (r1 as { id: string }).id));
    assert.equal(
      after1?.state,
      'negative',
      'round 1’s recheck, answered by S, was reopened by pool B’s correction',
    );
  });

  test('correcting the single tube that closed a recheck: the recheck and its work item say positive', async () => {
    const [person, other] = (await addPeople(t, t.fx.gridA, 2)) as [string, string];
    const a = await pool(await newRound('mix10'), [person, other]);
    await result(a, '阳性');
    const [r1] = await t.deps.database.db.select().from(rechecks).where(eq(rechecks.personId, person));
    const s = await pool(await newRound('single'), [person]);
    await result(s, '阴性');
    const corrected = await correct(s);
    assert.equal(corrected.status, 200, JSON.stringify(corrected.body));
    const [r] = await t.deps.database.db
      .select()
      .from(rechecks)
      .where(eq(rechecks.id, (r1 as { id: string }).id));
    assert.equal(r?.state, 'positive');
    const [item] = await t.deps.database.db
      .select()
      .from(workItems)
      .where(eq(workItems.id, (r as { workItemId: string }).workItemId));
    assert.doesNotMatch(String(item?.feedback), /阴性/, `recheck item: ${item?.state} ${item?.feedback}`);
    assert.equal(item?.state, 'done');
    assert.match(String(item?.feedback), /阳性/);
  });

  test('a correction retried after a lost answer is answered as recorded, not refused', async () => {
    const [person] = (await addPeople(t, t.fx.gridA, 1)) as [string];
    const s = await pool(await newRound('single'), [person]);
    await result(s, '阴性');
    assert.equal((await correct(s)).status, 200);
    const retry = await correct(s);
    assert.equal(retry.status, 200, `retry: ${retry.status} ${JSON.stringify(retry.body)}`);
    assert.equal(retry.body.applied, 0);
    assert.equal(retry.body.alreadyRecorded, 1);
  });
});
