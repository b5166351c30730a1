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
