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
  deleteOldLookupMarks,
  exactLookupsLeft,
  idGuessesRefused,
  throttleExactLookup,
  throttleExactLookups,
  throttleIdGuess,
} from './lookup-throttle.ts';

let database: Database;
const cipher = new PersonalDataCipher(randomBytes(32));
before(async () => {
  database = await createTestDatabase();
});
after(() => database.close());

const refusedWith429 = (error: unknown) => error instanceof AppError && error.code === 'TOO_MANY_ATTEMPTS';
const marksOf = async (userId: string) =>
  queryRows<{ kind: string; mask: string; hash: string }>(
    database.db,
    sql`select kind, mask, hash from lookup_marks where user_id = ${userId}`,
  );

/** Valid ID card numbers born in 1990 with one sequence code, day by day (with one check character if given). */
function idNumbers(count: number, options: { sequence?: string; checkChar?: string } = {}): string[] {
  const ids: string[] = [];
  for (let day = new Date(Date.UTC(1990, 0, 1)); ids.length < count; day.setUTCDate(day.getUTCDate() + 1)) {
    const first17 = `411602${day.toISOString().slice(0, 10).replace(/-/g, '')}${options.sequence ?? '123'}`;
    const check = idCheckChar(first17);
    if (!options.checkChar || check === options.checkChar) ids.push(`${first17}${check}`);
  }
  return ids;
}

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
  for (let i = 0; i < 5; i++) await throttleExactLookup(db, cipher, user, `here-${i}`);
  assert.equal(await exactLookupsLeft(db, user), 0);
  await assert.rejects(throttleExactLookup(db, cipher, user, 'one-more'), refusedWith429);
  // The same number again is the same lookup (a page refetching its search); another user is apart.
  await throttleExactLookup(db, cipher, user, 'here-3');
  await throttleExactLookup(db, cipher, other, 'one-more');
  const marks = await marksOf(user.userId);
  assert.equal(marks.length, 30, 'a refused lookup leaves no mark');
  // Marks are keyed hashes of their own purpose, not the registry's lookup hash of the number.
  assert.ok(!marks.some((m) => m.hash === 'here-3'));

  // Ten minutes on, the window has passed: the old marks count no more.
  await db.execute(
    sql`update lookup_marks set at = now() - interval '11 minutes' where user_id = ${user.userId}`,
  );
  assert.equal(await exactLookupsLeft(db, user), 30);
  await throttleExactLookup(db, cipher, user, 'one-more');
});

test('40 lookups of one user sent at once: 30 answered, 10 refused (judged one after another)', async () => {
  const user = { userId: randomUUID() };
  const outcomes = await Promise.allSettled(
    Array.from({ length: 40 }, (_, i) => throttleExactLookup(database.db, cipher, user, `at-once-${i}`)),
  );
  assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 30);
  assert.ok(outcomes.every((o) => o.status === 'fulfilled' || refusedWith429(o.reason)));
  assert.equal((await marksOf(user.userId)).length, 30);
});

test("a file's numbers are counted all together, or refused whole", async () => {
  const user = { userId: randomUUID() };
  const fileRefused = () => new AppError('TOO_MANY_ATTEMPTS');
  await throttleExactLookups(database.db, cipher, user, ['a', 'b', 'a'], fileRefused);
  assert.equal(await exactLookupsLeft(database.db, user), 28, 'a number twice in a file is one lookup');
  const many = Array.from({ length: 29 }, (_, i) => `n${i}`);
  await assert.rejects(throttleExactLookups(database.db, cipher, user, many, fileRefused), refusedWith429);
  assert.equal(await exactLookupsLeft(database.db, user), 28, 'nothing of a refused file is counted');
});

test('ID numbers of one masked form: three a day per user, kept as keyed hashes only', async () => {
  const db = database.db;
  const user = { userId: randomUUID() };
  // Four valid numbers differing only in the birth day, with one check character: one masked
  // form (411602********123X with its age), as a guesser would try them.
  const ids = idNumbers(4, { checkChar: 'X' });
  for (const id of ids.slice(0, 3)) await throttleIdGuess(db, cipher, user, id, 'idNumber');
  await assert.rejects(
    throttleIdGuess(db, cipher, user, ids[3] as string, 'idNumber'),
    (error: unknown) => refusedWith429(error) && Boolean((error as AppError).fields?.idNumber),
  );
  // One tried before may be checked again; numbers of another form are apart.
  await throttleIdGuess(db, cipher, user, ids[0] as string, 'q');
  await throttleIdGuess(db, cipher, user, idNumbers(1, { sequence: '456' })[0] as string, 'q');
  const rows = await marksOf(user.userId);
  assert.equal(rows.length, 4);
  for (const row of rows)
    for (const part of ['411602', '1990', '123X', ...ids])
      assert.ok(!row.mask.includes(part) && !row.hash.includes(part), 'kept in the clear');

  // The hourly clean-up drops marks older than a day, and only those.
  await db.execute(
    sql`update lookup_marks set at = now() - interval '25 hours'
        where user_id = ${user.userId} and hash = (select hash from lookup_marks where user_id = ${user.userId} limit 1)`,
  );
  await deleteOldLookupMarks(db);
  assert.equal((await marksOf(user.userId)).length, 3);
});

test('a file of 20,000 ID numbers is judged and its marks kept (far past one statement’s parameters)', async () => {
  const user = { userId: randomUUID() };
  // Every birth day of 55 years with one sequence code: 20,000 numbers, each its own masked form
  // or two or three sharing one; a fourth of a form is refused.
  const ids: string[] = [];
  for (let day = new Date(Date.UTC(1950, 0, 1)); ids.length < 20_000; day.setUTCDate(day.getUTCDate() + 1)) {
    const first17 = `411602${day.toISOString().slice(0, 10).replace(/-/g, '')}123`;
    ids.push(`${first17}${idCheckChar(first17)}`);
  }
  const refused = await idGuessesRefused(
    database.db,
    cipher,
    user,
    ids.map((idNumber, key) => ({ idNumber, key })),
  );
  const forms = new Map<string, number>();
  for (const id of ids) {
    const form = `${id.slice(6, 10)}|${id.slice(-4)}`;
    forms.set(form, (forms.get(form) ?? 0) + 1);
  }
  const expectedRefused = [...forms.values()].reduce((n, c) => n + Math.max(0, c - 3), 0);
  assert.equal(refused.size, expectedRefused);
  assert.equal((await marksOf(user.userId)).length, ids.length - expectedRefused);
});
