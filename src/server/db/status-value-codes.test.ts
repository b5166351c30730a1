import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'drizzle-orm';
import { RECORDABLE_STATUS_VALUES } from '../../domain/testing.ts';
import { createTestApp, type TestApp } from '../testing/test-app.ts';
import { MIGRATIONS_FOLDER } from './database.ts';
import { queryRows } from './rows.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

test('migration 0018 turns statuses typed before the lists into their codes, and leaves anything else as typed', async () => {
  const db = t.deps.database.db;
  const typed: [kind: string, value: string, code: string][] = [
    ['control_state', '集中隔离', 'central_quarantine'],
    ['control_state', ' 居家隔离 ', 'home_quarantine'],
    ['control_state', '解除隔离', 'released'],
    ['health_code', '绿码', 'green'],
    ['trip_star', '不带星', 'no_star'],
    ['test_result', '阴性', 'negative'],
    // Not a name of any code: kept as typed (it reads as typed on the page).
    ['health_code', '紫码啦啦啦', '紫码啦啦啦'],
    // A name of another kind's code: not this kind's.
    ['health_code', '集中隔离', '集中隔离'],
  ];
  for (const [kind, value] of typed)
    await db.execute(
      sql`insert into person_statuses (id, person_id, kind, value, observed_at, source, district_code)
          select gen_random_uuid(), p.id, ${kind}, ${value}, now(), '入户核验', p.district_code
          from persons p where p.id = ${t.fx.residentA.id}`,
    );
  const file = fs.readFileSync(path.join(MIGRATIONS_FOLDER, '0018_status_value_codes.sql'), 'utf8');
  await db.execute(sql.raw(file));
  const rows = await queryRows<{ kind: string; value: string }>(
    db,
    sql`select kind, value from person_statuses where person_id = ${t.fx.residentA.id} order by created_at, id`,
  );
  for (const [kind, , code] of typed)
    assert.ok(
      rows.some((r) => r.kind === kind && r.value === code),
      `${kind} ${code}: ${JSON.stringify(rows)}`,
    );
  // Every code it writes is one the lists know.
  for (const [kind, , code] of typed.slice(0, 6)) assert.ok(RECORDABLE_STATUS_VALUES[kind]?.includes(code));
});
