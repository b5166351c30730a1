import { type SQL, sql } from 'drizzle-orm';

/**
 * A unit's name as people tell units apart: a grid or building with its parent's name before it
 * (苑寨村/第一网格), since every community and village has its 第一网格; higher units by their name.
 * `alias` is the org_units row's name in the query (`org_units`, or an alias like `o`).
 */
export function unitLabel(alias: string): SQL<string> {
  const o = sql.raw(alias);
  return sql<string>`(case when ${o}.level in ('grid', 'building')
      then coalesce((select p.name || '/' from org_units p where p.id = ${o}.parent_id), '') || ${o}.name
      else ${o}.name end)`;
}
