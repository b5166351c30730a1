import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/rows.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { openTestDatabaseAgain, testDatabaseKind } from '../../testing/test-database.ts';
import type { Actor } from '../access/actor.ts';
import { actorOfUser } from '../auth/auth-service.ts';
import { AppError } from '../errors/app-error.ts';
import { type BatchWork, runWriteBatch } from './run-write.ts';

let t: TestApp;
let actor: Actor;
before(async () => {
  t = await createTestApp();
  actor = (await actorOfUser(t.deps, 'admin', '127.0.0.1')) as Actor;
});
after(() => t.close());

/** A batched write whose statement holds only from the `holdsFrom`-th attempt on (never if 0). */
function probeWork(holdsFrom: number) {
  const calls = { reads: 0 };
  const work: BatchWork<string, { echo: string }, number> = {
    name: `probe_${holdsFrom}`,
    readStatement: (earlier) => sql`select ${earlier} as earlier`,
    readValues: () => ({}),
    context: () => ++calls.reads,
    plan: (attempt, fresh) => ({
      outcomes: fresh.map((w) => ({
        result: { echo: w.input },
        touched: [{ entity: 'probe', entityId: w.clientId, orgPath: null, after: { echo: w.input } }],
      })),
      values: { holds: holdsFrom > 0 && attempt >= holdsFrom },
    }),
    statement: () => ({ ctes: [], holds: sql`${sql.placeholder('holds')}::boolean` }),
  };
  return { work, calls };
}

async function traces(clientId: string) {
  const [row] = await queryRows<{ claims: number; audited: number }>(
    t.deps.database.db,
    sql`select (select count(*)::int from client_writes where client_id = ${clientId}) as claims,
               (select count(*)::int from audit_events where entity = 'probe' and entity_id = ${clientId}) as audited`,
  );
  return row;
}

test('a batch whose plan stopped holding is read again, and written once when it holds', async () => {
  const { work, calls } = probeWork(3);
  const clientId = randomUUID();
  const [answer] = await runWriteBatch(t.deps, 'probe.write', [{ actor, clientId, input: 'a' }], work);
  assert.deepEqual(answer, { echo: 'a' });
  assert.equal(calls.reads, 3, 'two statements aborted by the check, the third went through');
  assert.deepEqual(await traces(clientId), { claims: 1, audited: 1 });
  // A replay answers the first answer and writes nothing.
  const [again] = await runWriteBatch(t.deps, 'probe.write', [{ actor, clientId, input: 'a' }], work);
  assert.deepEqual(again, { echo: 'a' });
  assert.deepEqual(await traces(clientId), { claims: 1, audited: 1 });
});

test('a plan that never holds answers 503 BUSY for each write after a few reads, with nothing written', async () => {
  const { work, calls } = probeWork(0);
  const ids = [randomUUID(), randomUUID()];
  const answers = await runWriteBatch(
    t.deps,
    'probe.write',
    ids.map((clientId) => ({ actor, clientId, input: 'b' })),
    work,
  );
  for (const answer of answers)
    assert.ok(answer instanceof AppError && answer.code === 'BUSY' && answer.status === 503, String(answer));
  assert.equal(calls.reads, 5);
  for (const clientId of ids) assert.deepEqual(await traces(clientId), { claims: 0, audited: 0 });
});

test('the same client id twice in one batch: one write; from another actor it is refused', async () => {
  const { work } = probeWork(1);
  const other = (await actorOfUser(t.deps, 'sampler', '127.0.0.1')) as Actor;
  const clientId = randomUUID();
  const answers = await runWriteBatch(
    t.deps,
    'probe.write',
    [
      { actor, clientId, input: 'c' },
      { actor, clientId, input: 'c' },
      { actor: other, clientId, input: 'c' },
    ],
    work,
  );
  assert.deepEqual(answers.slice(0, 2), [{ echo: 'c' }, { echo: 'c' }]);
  assert.ok(answers[2] instanceof AppError && answers[2].code === 'CONFLICT');
  assert.deepEqual(await traces(clientId), { claims: 1, audited: 1 });
});

test('on PostgreSQL a batch’s statements are prepared once and run one generic plan, never planned per call', {
  skip: testDatabaseKind() === 'pglite' && 'prepared statements by name are a PostgreSQL matter',
}, async () => {
  // One connection for named statements, so the prepared statements seen are the batches' own.
  const database = await openTestDatabaseAgain(t.deps.database, { max: 1 });
  try {
    const { work } = probeWork(1);
    const runs = 8; // beyond the five custom plans after which PostgreSQL would choose by itself
    for (let i = 0; i < runs; i++)
      await runWriteBatch(
        { ...t.deps, database },
        'probe.write',
        [{ actor, clientId: randomUUID(), input: 'd' }],
        work,
      );
    // Named too, so it runs on the connection of the named statements.
    const prepared = await database.query<{ name: string; generic: number; custom: number }>(
      `select name, generic_plans::int as generic, custom_plans::int as custom
         from pg_prepared_statements where name like 'probe_1_%' order by name`,
      [],
      'probe_inspect',
    );
    assert.deepEqual(
      prepared.map((p) => p.name),
      ['probe_1_read', 'probe_1_write'],
    );
    for (const p of prepared)
      assert.deepEqual({ generic: p.generic, custom: p.custom }, { generic: runs, custom: 0 });
  } finally {
    await database.close();
  }
});
