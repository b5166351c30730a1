import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { localDay } from '../../../domain/dates.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { testDatabaseKind, urlOfTestDatabase } from '../../testing/test-database.ts';
import { addPeople, roundWithPoint, type Session, scanAt, signedIn } from '../../testing/testing-fixtures.ts';

let t: TestApp;
let as: Record<'admin' | 'sampler', Session>;
const _today = localDay();
let seq = 0;
const newTube = () => `RS${String(++seq).padStart(6, '0')}`;

/** A second connection, as another app server's transaction (a close or a cancel under way). */
async function onAnotherConnection(work: (other: pg.Client) => Promise<void>) {
  const other = new pg.Client({ connectionString: await urlOfTestDatabase(t.deps.database) });
  await other.connect();
  try {
    await work(other);
  } finally {
    await other.end();
  }
}

const newRound = (defaultMode = 'mix10') => roundWithPoint(t, as.admin, { defaultMode });
const scan = (at: { roundId: string; pointId: string }, person: string, tubeCode: string) =>
  scanAt(t, as.sampler, at, person, tubeCode);

before(async () => {
  t = await createTestApp();
  as = await signedIn(t, { admin: 'admin', sampler: 'sampler' });
});
after(() => t.close());

/**
 * Found in review: what a scan's batch read may change before it writes. A 撤点 or a cancel that
 * commits between a batch's read and its write is seen by the write, and the scan refused; a
 * 一户一管 tube emptied by a removal takes the right household.
 */
describe('a batch’s plan against a close, a cancel or a removal in between', () => {
  test('一户一管: removing the wrong household’s person frees the tube for the right household', async () => {
    const at = await newRound('household');
    const [wrong, right] = (await addPeople(t, t.fx.gridA, 2)) as [string, string];
    const tube = newTube();
    assert.equal((await scan(at, wrong, tube)).status, 201);
    const removed = await as.sampler.post(`/api/v1/sampling/tubes/${tube}/members/${wrong}/remove`, {
      reason: '扫错码',
    });
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.equal(removed.body.memberCount, 0);
    const good = await scan(at, right, tube);
    assert.equal(
      good.status,
      201,
      `the empty tube still belongs to the wrong household: ${JSON.stringify(good.body)}`,
    );
  });

  test('PostgreSQL: a scan planned before a cancel commits is refused, the round holds no tube', {
    skip: testDatabaseKind() !== 'postgresql',
  }, async () => {
    const at = await newRound();
    const [person] = (await addPeople(t, t.fx.gridA, 1)) as [string];
    await onAnotherConnection(async (other) => {
      // What cancelRound does: lock the round, find no tubes, set cancelled_at, commit.
      await other.query('begin');
      await other.query('select id from test_rounds where id = $1 for update', [at.roundId]);
      const n = await other.query('select count(*)::int as n from tubes where round_id = $1', [at.roundId]);
      assert.equal(n.rows[0].n, 0);
      const pending = scan(at, person, newTube());
      await new Promise((r) => setTimeout(r, 300)); // the scan's batch read the round as not cancelled
      await other.query(`update test_rounds set cancelled_at = now(), cancel_reason = 'x' where id = $1`, [
        at.roundId,
      ]);
      await other.query('commit');
      const answer = await pending;
      const after = await other.query(
        'select r.cancelled_at is not null as cancelled, (select count(*)::int from tubes where round_id = r.id) as tubes from test_rounds r where id = $1',
        [at.roundId],
      );
      assert.equal(after.rows[0].cancelled, true);
      assert.equal(
        after.rows[0].tubes,
        0,
        `a cancelled round holds a tube (scan answered ${answer.status} ${JSON.stringify(answer.body)})`,
      );
      assert.equal(answer.status, 409);
      assert.equal(answer.body.error.code, 'ROUND_CANCELLED');
    });
  });

  test('PostgreSQL: a scan planned before 撤点 commits is refused as closed', {
    skip: testDatabaseKind() !== 'postgresql',
  }, async () => {
    const at = await newRound();
    const [person] = (await addPeople(t, t.fx.gridA, 1)) as [string];
    await onAnotherConnection(async (other) => {
      await other.query('begin');
      await other.query('select id from collection_points where id = $1 for update', [at.pointId]);
      const pending = scan(at, person, newTube());
      await new Promise((r) => setTimeout(r, 300));
      await other.query('update collection_points set closed_at = now() where id = $1', [at.pointId]);
      await other.query('commit');
      const answer = await pending;
      assert.equal(
        answer.status,
        409,
        `scanned at a closed point: ${answer.status} ${JSON.stringify(answer.body)}`,
      );
      assert.equal(answer.body.error.code, 'POINT_CLOSED');
    });
  });

  test('PostgreSQL: an exemption read before a cancel commits is refused, the cancelled round holds none', {
    skip: testDatabaseKind() !== 'postgresql',
  }, async () => {
    const at = await newRound();
    const [person] = (await addPeople(t, t.fx.gridA, 1)) as [string];
    await onAnotherConnection(async (other) => {
      await other.query('begin');
      await other.query('select id from test_rounds where id = $1 for update', [at.roundId]);
      // The exemption has read the round as not cancelled before it writes.
      const pending = as.admin.post(`/api/v1/test-rounds/${at.roundId}/exemptions`, {
        clientId: randomUUID(),
        personId: person,
        reason: 'hospitalised',
      });
      await new Promise((r) => setTimeout(r, 300));
      await other.query(`update test_rounds set cancelled_at = now(), cancel_reason = 'x' where id = $1`, [
        at.roundId,
      ]);
      await other.query('commit');
      const answer = await pending;
      const held = await other.query('select count(*)::int as n from test_exemptions where round_id = $1', [
        at.roundId,
      ]);
      assert.equal(held.rows[0].n, 0, `a cancelled round holds an exemption (${answer.status})`);
      assert.equal(answer.status, 409);
      assert.equal(answer.body.error.code, 'ROUND_CANCELLED');
    });
  });
});
