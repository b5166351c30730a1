/**
 * 单管复核 in the same round, where it meets other writes: the same recheck scan sent twice (a
 * retry racing its first try), two phones scanning one recalled person, and a merge of the
 * recalled person into a survivor before the single tube's result.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { localDay } from '../../../domain/dates.ts';
import { queryRows } from '../../db/rows.ts';
import { client } from '../../testing/http.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { addPeople, importLabResults, labTime, labWithTeam } from '../../testing/testing-fixtures.ts';
import { mintPersonCode } from './person-code.ts';

let t: TestApp;
let sampler: ReturnType<typeof client>;
let round: { id: string };
let point: { id: string };
let seq = 0;
const newTube = () => `RC${String(++seq).padStart(6, '0')}`;

before(async () => {
  t = await createTestApp();
  await labWithTeam(t);
  const admin = client(t.app, await t.login('admin'));
  sampler = client(t.app, await t.login('sampler'));
  const today = localDay();
  round = (
    await admin.post('/api/v1/test-rounds', {
      name: '复核同轮',
      orgUnitId: t.fx.district.id,
      startsOn: today,
      endsOn: today,
      defaultMode: 'mix10',
    })
  ).body;
  point = (
    await admin.post(`/api/v1/test-rounds/${round.id}/points`, { name: '点', orgUnitId: t.fx.community.id })
  ).body;
});
after(() => t.close());

const scanBody = (personId: string, tubeCode: string, clientId = randomUUID()) => ({
  clientId,
  roundId: round.id,
  pointId: point.id,
  personCode: mintPersonCode(t.deps.cipher, personId),
  tubeCode,
});
const scan = (body: ReturnType<typeof scanBody>) => sampler.post('/api/v1/sampling/scans', body);

/** Ten people in a pool found positive: all recalled. */
async function positivePool() {
  const people = await addPeople(t, t.fx.gridA, 10);
  const tube = newTube();
  for (const p of people) assert.equal((await scan(scanBody(p, tube))).status, 201);
  const res = await importLabResults(t, `tubeCode,result,testedAt\n${tube},阳性,${labTime(0)}\n`, false);
  assert.equal(res.body.rechecksCreated, 10, JSON.stringify(res.body));
  return people;
}

/** The round's sampled count by grid rows against its memberships: they must agree. */
async function counted() {
  const [g] = await queryRows<{ n: number }>(
    t.deps.database.db,
    sql`select coalesce(sum(sampled), 0)::int as n from round_grid_counts where round_id = ${round.id}`,
  );
  const [m] = await queryRows<{ n: number }>(
    t.deps.database.db,
    sql`select count(*)::int as n from tube_members where round_id = ${round.id}`,
  );
  return { grid: g?.n, members: m?.n };
}

describe('a recheck in the same round meets other writes', () => {
  test('the same recheck scan sent twice at once answers the same both times', async () => {
    const people = await positivePool();
    const body = scanBody(people[0] as string, newTube());
    const answers = await Promise.all([scan(body), scan(body)]);
    assert.deepEqual(
      answers.map((a) => a.status),
      [201, 201],
      JSON.stringify(answers.map((a) => a.body)),
    );
    assert.deepEqual(answers[0]?.body, answers[1]?.body);
    // The sampler is told it was the pool's recheck, both times.
    assert.equal(typeof answers[0]?.body.recheckOf, 'string');
    // And once more afterwards, as a retry after a lost answer.
    const again = await scan(body);
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, answers[0]?.body);
    const c = await counted();
    assert.equal(c.grid, c.members);
  });

  test('two phones scanning one recalled person at once: sampled once, the counts agree', async () => {
    const people = await positivePool();
    const answers = await Promise.all([
      scan(scanBody(people[1] as string, newTube())),
      scan(scanBody(people[1] as string, newTube())),
    ]);
    assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409]);
    const c = await counted();
    assert.equal(c.grid, c.members);
  });

  test('recalled, sampled again alone, then merged into a survivor: the single tube’s negative closes the recheck', async () => {
    const people = await positivePool();
    const recalled = people[2] as string;
    const [survivor] = (await addPeople(t, t.fx.gridA, 1)) as [string];
    const single = newTube();
    assert.equal((await scan(scanBody(recalled, single))).status, 201);
    const staff = client(t.app, await t.login('staff-c'));
    const merged = await staff.post(`/api/v1/residents/${survivor}/merge`, {
      duplicateId: recalled,
      confirmDifferences: true,
    });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    const res = await importLabResults(t, `tubeCode,result,testedAt\n${single},阴性,${labTime(0)}\n`, false);
    assert.equal(res.body.applied, 1, JSON.stringify(res.body));
    const open = await queryRows<{ n: number }>(
      t.deps.database.db,
      sql`select count(*)::int as n from rechecks where person_id in (${recalled}, ${survivor}) and state = 'open'`,
    );
    assert.equal(open[0]?.n, 0);
  });
});
