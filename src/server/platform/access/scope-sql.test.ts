import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../db/rows.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { inScope } from './scope-sql.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

test('a scope takes its own subtree in SQL, never a sibling whose segment it begins (3 and 30)', async () => {
  const within = async (path: string, scope: string[]) => {
    const [row] = await queryRows<{ within: boolean }>(
      t.deps.database.db,
      sql`select ${inScope(sql`${path}::text`, scope)} as within`,
    );
    return row?.within;
  };
  assert.equal(await within('d.1.3', ['d.1.3']), true);
  assert.equal(await within('d.1.3.a', ['d.1.3']), true);
  assert.equal(await within('d.1.30', ['d.1.3']), false);
  assert.equal(await within('d.1.30.a', ['d.1.3']), false);
  assert.equal(await within('d.1', ['d.1.3']), false);
  assert.equal(await within('d.1.30', ['d.1.2', 'd.1.30']), true);
  assert.equal(await within('d.1.3', []), false);
});
