import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { idCheckChar } from '../../../domain/id-number.ts';
import type { Database } from '../../db/database.ts';
import { queryRows } from '../../db/rows.ts';
import { createTestDatabase } from '../../testing/test-database.ts';
import { PersonalDataCipher } from '../crypto/personal-data-cipher.ts';
import { AppError } from '../errors/app-error.ts';
import {
  checkExactLookup,
  checkIdGuess,
  deleteOldLookupMarks,
  exactLookupsLeft,
  keepLookupMarks,
  throttleExactLookup,
} from './lookup-throttle.ts';

let database: Database;
const cipher = new PersonalDataCipher(randomBytes(32));
before(async () => {
  database = await createTestDatabase();
});
after(() => database.close());

const refusedWith429 = (error: unknown) => error instanceof AppError && error.code === 'TOO_MANY_ATTEMPTS';

test('lookups by a whole number are limited per user in the database: what another app server counted counts here', async () => {
  const db = database.db;
  const user = { userId: randomUUID() };
  const other = { userId: randomUUID() };
  // 25 numbers looked up through another app server (its marks are rows like ours).
  await db.execute(
    sql`insert into lookup_marks (user_id, kind, hash)
        select ${user.userId}::uuid, 'number', 'elsewhere-' || n from generate_series(1, 25) n`,
  );
  assert.equal(await exactLookupsLeft(db, user), 5);
  for (let i = 0; i < 5; i++) await throttleExactLookup(db, user, `here-${i}`);
  assert.equal(await exactLookupsLeft(db, user), 0);
  await assert.rejects(throttleExactLookup(db, user, 'one-more'), refusedWith429);
  // The same number again is the same lookup (a page refetching its search); another user is apart.
  await throttleExactLookup(db, user, 'here-3');
  await throttleExactLookup(db, user, 'elsewhere-7');
  await throttleExactLookup(db, other, 'one-more');
  const [count] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from lookup_marks where user_id = ${user.userId}`,
  );
  assert.equal(count?.n, 30, 'a refused lookup leaves no mark');

  // Ten minutes on, the window has passed: the old marks are dropped and count no more.
  await db.execute(
    sql`update lookup_marks set at = now() - interval '11 minutes' where user_id = ${user.userId}`,
  );
  assert.equal(await exactLookupsLeft(db, user), 30);
  await throttleExactLookup(db, user, 'one-more');
});

test('a lookup checked inside a write that rolls back stays counted once its mark is kept', async () => {
  const db = database.db;
  const user = { userId: randomUUID() };
  const marks: Awaited<ReturnType<typeof checkExactLookup>>[] = [];
  await assert.rejects(
    db.transaction(async (tx) => {
      marks.push(await checkExactLookup(tx, user, 'in-a-refused-write'));
      throw new Error('refused: already registered');
    }),
  );
  assert.equal(await exactLookupsLeft(db, user), 30, 'nothing kept by the rolled-back write');
  await keepLookupMarks(db, marks);
  assert.equal(await exactLookupsLeft(db, user), 29);
});

test('ID numbers of one masked form: three a day per user, kept as keyed hashes only', async () => {
  const db = database.db;
  const user = { userId: randomUUID() };
  // Four valid numbers differing only in the birth day, with one check character: one masked
  // form (411602********123X with its age), as a guesser would try them.
  const ids: string[] = [];
  for (let day = new Date(Date.UTC(1990, 0, 1)); ids.length < 4; day.setUTCDate(day.getUTCDate() + 1)) {
    const first17 = `411602${day.toISOString().slice(0, 10).replace(/-/g, '')}123`;
    if (idCheckChar(first17) === 'X') ids.push(`${first17}X`);
  }
  for (const id of ids.slice(0, 3))
    await keepLookupMarks(db, await checkIdGuess(db, cipher, user, id, cipher.lookupHash(id), 'idNumber'));
  await assert.rejects(
    checkIdGuess(db, cipher, user, ids[3] as string, cipher.lookupHash(ids[3] as string), 'idNumber'),
    (error: unknown) => refusedWith429(error) && Boolean((error as AppError).fields?.idNumber),
  );
  // One tried before may be checked again.
  const again = await checkIdGuess(
    db,
    cipher,
    user,
    ids[0] as string,
    cipher.lookupHash(ids[0] as string),
    'q',
  );
  assert.equal(again.length, 1);
  const rows = await queryRows<{ mask: string; hash: string }>(
    db,
    sql`select mask, hash from lookup_marks where user_id = ${user.userId}`,
  );
  assert.equal(rows.length, 3);
  for (const row of rows) {
    assert.doesNotMatch(row.mask, /411602|1990|123X/, 'the masked form is not kept in the clear');
    assert.doesNotMatch(row.hash, /411602/);
  }

  // The hourly clean-up drops marks older than a day, and only those.
  await db.execute(
    sql`update lookup_marks set at = now() - interval '25 hours' where user_id = ${user.userId} and hash = ${cipher.lookupHash(ids[0] as string)}`,
  );
  await deleteOldLookupMarks(db);
  const [left] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from lookup_marks where user_id = ${user.userId}`,
  );
  assert.equal(left?.n, 2);
});
