import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeError } from './db-errors.ts';

test('a failed query is described without its parameters (they hold personal data)', () => {
  const cause = Object.assign(
    new Error('duplicate key value violates unique constraint "persons_id_hash_key"'),
    { code: '23505' },
  );
  const err = new Error(
    'Failed query: insert into "persons" ("name") values ($1)\nparams: 张三丰,41160219900307123X',
    { cause },
  );
  const text = describeError(err);
  assert.match(text, /duplicate key/);
  assert.match(text, /23505/);
  assert.match(text, /insert into "persons"/);
  assert.ok(!text.includes('张三丰') && !text.includes('41160219900307123X'));
});

test("the database's message is kept without the value it quotes, with the names it quotes", () => {
  const cause = Object.assign(new Error('invalid input syntax for type uuid: "41160219900307123X"'), {
    code: '22P02',
  });
  const wrapped = describeError(new Error('Failed query: select 1 where id = $1\nparams: x', { cause }));
  assert.match(wrapped, /invalid input syntax for type uuid: "…" \[22P02\]/);
  assert.ok(!wrapped.includes('41160219900307123X'));
  // Straight from the driver (a statement prepared by name), the same.
  const direct = describeError(
    Object.assign(new Error('invalid input value for enum gw_state: "张三丰"'), { code: '22P02' }),
  );
  assert.equal(direct, 'invalid input value for enum gw_state: "…"');
  // Names are what one needs to find the fault: kept.
  const named = describeError(
    Object.assign(new Error('duplicate key value violates unique constraint "tubes_code_key"'), {
      code: '23505',
    }),
  );
  assert.match(named, /"tubes_code_key"/);
  // Not a database error: as it is.
  assert.equal(describeError(new Error('socket hang up "x y"')), 'socket hang up "x y"');
});
