/**
 * Rules of a scan that a mutation audit (a rule broken on purpose, one at a time) found no test
 * would notice: the household of a 一户一管 tube, a round's last day, an organiser scanning at a
 * point with a team, a tube carried to another point.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eq } from 'drizzle-orm';
import { localDay } from '../../../domain/dates.ts';
import { addDays } from '../../../domain/testing.ts';
import { persons, testRounds, tubes } from '../../db/schema.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { addPeople, roundWithPoint, type Session, scanAt, signedIn } from '../../testing/testing-fixtures.ts';

let t: TestApp;
let as: Record<'admin' | 'sampler', Session>;
let seq = 0;
const newTube = () => `SR${String(++seq).padStart(6, '0')}`;

before(async () => {
  t = await createTestApp();
  as = await signedIn(t, { admin: 'admin', sampler: 'sampler' });
});
after(() => t.close());

async function householdOf(personId: string) {
  const [row] = await t.deps.database.db
    .select({ householdId: persons.householdId })
    .from(persons)
    .where(eq(persons.id, personId));
  return row?.householdId as string;
}

const memberCount = async (code: string) =>
  (await t.deps.database.db.select().from(tubes).where(eq(tubes.code, code)))[0]?.memberCount;

describe('一户一管: one tube, one household', () => {
  test('a person of another household, or of none, is refused; the household’s next member goes in', async () => {
    const at = await roundWithPoint(t, as.admin, { defaultMode: 'household' });
    const [first, stranger] = (await addPeople(t, t.fx.gridA, 2)) as [string, string];
    const [sibling] = (await addPeople(t, t.fx.gridA, 1, 'at_home', await householdOf(first))) as [string];
    const tube = newTube();
    assert.equal((await scanAt(t, as.sampler, at, first, tube)).status, 201);
    const refused = await scanAt(t, as.sampler, at, stranger, tube);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'OTHER_HOUSEHOLD');
    assert.equal(await memberCount(tube), 1);
    // Somebody registered in no household at all goes in no household's tube.
    const [loner] = (await addPeople(t, t.fx.gridA, 1)) as [string];
    await t.deps.database.db.update(persons).set({ householdId: null }).where(eq(persons.id, loner));
    const alone = await scanAt(t, as.sampler, at, loner, tube);
    assert.equal(alone.status, 409, JSON.stringify(alone.body));
    assert.equal(alone.body.error.code, 'OTHER_HOUSEHOLD');
    const joined = await scanAt(t, as.sampler, at, sibling, tube);
    assert.equal(joined.status, 201, JSON.stringify(joined.body));
    assert.equal(joined.body.memberCount, 2);
  });

  test('two households into one new tube in one batch: the first opens it for its household, the other is refused', async () => {
    const at = await roundWithPoint(t, as.admin, { defaultMode: 'household' });
    const [a, b] = (await addPeople(t, t.fx.gridA, 2)) as [string, string];
    const tube = newTube();
    // Sent together, so one batch plans both on a tube nobody has opened yet.
    const answers = await Promise.all([a, b].map((p) => scanAt(t, as.sampler, at, p, tube)));
    assert.deepEqual(
      answers.map((r) => r.status).sort(),
      [201, 409],
      JSON.stringify(answers.map((r) => r.body)),
    );
    const refused = answers.find((r) => r.status === 409);
    assert.equal(refused?.body.error.code, 'OTHER_HOUSEHOLD');
    const [row] = await t.deps.database.db.select().from(tubes).where(eq(tubes.code, tube));
    assert.equal(row?.memberCount, 1);
    const taken = answers.findIndex((r) => r.status === 201);
    assert.equal(row?.householdId, await householdOf([a, b][taken] as string));
  });
});

describe('where and when a scan is taken', () => {
  test('after a round’s last day a scan is refused as closed', async () => {
    // A round cannot be set up to end in the past: this one ran until yesterday.
    const at = await roundWithPoint(t, as.admin);
    const yesterday = addDays(localDay(), -1);
    await t.deps.database.db
      .update(testRounds)
      .set({ startsOn: addDays(yesterday, -1), endsOn: yesterday })
      .where(eq(testRounds.id, at.roundId));
    const [person] = (await addPeople(t, t.fx.gridA, 1)) as [string];
    const res = await scanAt(t, as.sampler, at, person, newTube());
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'ROUND_CLOSED');
  });

  test('who organises the round there scans at a point with a team, though not on it', async () => {
    // The point's team is the fixture's sampler; the administrator organises testing district-wide.
    const at = await roundWithPoint(t, as.admin);
    const [person] = (await addPeople(t, t.fx.gridA, 1)) as [string];
    const res = await scanAt(t, as.admin, at, person, newTube());
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });

  test('a tube opened at one point is refused at another point of the round', async () => {
    const at = await roundWithPoint(t, as.admin);
    const other = await as.admin.post(`/api/v1/test-rounds/${at.roundId}/points`, {
      name: '幸福家园东门',
      orgUnitId: t.fx.community.id,
      samplerUserIds: [t.fx.users.sampler.id],
    });
    assert.equal(other.status, 201, JSON.stringify(other.body));
    const [a, b] = (await addPeople(t, t.fx.gridA, 2)) as [string, string];
    const tube = newTube();
    assert.equal((await scanAt(t, as.sampler, at, a, tube)).status, 201);
    const res = await scanAt(t, as.sampler, { roundId: at.roundId, pointId: other.body.id }, b, tube);
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'TUBE_OF_OTHER_POINT');
    assert.equal(await memberCount(tube), 1);
  });
});
