import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase } from '../testing/test-database.ts';
import type { Database } from './database.ts';
import { arrayLiteral } from './rows.ts';

let database: Database;
before(async () => {
  database = await createTestDatabase();
});
after(() => database.close());

test('an array literal reads back element for element, whatever the text holds', async () => {
  const texts = [
    'T000123',
    '',
    'NULL',
    'null',
    'a,b',
    '{x}',
    'say "hi"',
    'back\\slash',
    '  spaced  ',
    '港区 第5轮',
    'line\nbreak',
    'tab\there',
    '王😀五',
    'line\u2028separator',
    // A document as text: quoted the way JSON quotes a string (see arrayLiteral), escapes and all.
    JSON.stringify({ note: 'line\nbreak, "quoted", back\\slash', name: '张三' }),
    '2022-04-12T08:00:00.000Z',
    null,
  ];
  // As a statement compiled once sends it: the literal as the parameter (named on PostgreSQL).
  const [row] = await database.query<{ back: (string | null)[] }>(
    'select $1::text[] as back',
    [arrayLiteral(texts)],
    'rows_test_text',
  );
  assert.deepEqual(row?.back, texts);

  const [typed] = await database.query<{ ids: string[]; n: number[]; doc: unknown[]; at: string[] }>(
    `select $1::uuid[]::text[] as ids, $2::int[] as n, $3::jsonb[] as doc,
            (select array_agg(to_char(t at time zone 'UTC', 'YYYY-MM-DD HH24:MI')) from unnest($4::timestamptz[]) t) as at`,
    [
      arrayLiteral(['0f8fad5b-d9cb-469f-a165-70867728950e', '7c9e6679-7425-40de-944b-e07fc1f90ae7']),
      arrayLiteral([0, -3, 10]),
      arrayLiteral([{ result: '阳性', note: 'a "quoted", \\ value' }, { list: ['x', 1] }, null]),
      arrayLiteral([new Date('2022-04-12T08:00:00Z'), '2022-04-13T09:30:00+08:00']),
    ],
  );
  assert.deepEqual(typed?.ids, [
    '0f8fad5b-d9cb-469f-a165-70867728950e',
    '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  ]);
  assert.deepEqual(typed?.n, [0, -3, 10]);
  assert.deepEqual(
    typed?.doc.map((d) => (typeof d === 'string' ? JSON.parse(d) : d)),
    [{ result: '阳性', note: 'a "quoted", \\ value' }, { list: ['x', 1] }, null],
  );
  assert.deepEqual(typed?.at, ['2022-04-12 08:00', '2022-04-13 01:30']);
  assert.equal(arrayLiteral([]), '{}');
  // What would not mean what the driver made of it is refused, not sent as something else.
  for (const odd of [['a', 'b'], Buffer.from('x'), new Map()])
    assert.throws(() => arrayLiteral([odd]), TypeError);
});
