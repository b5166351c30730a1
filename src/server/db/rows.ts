import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from './database.ts';

/** Rows of a raw statement: PGlite and node-postgres both answer `{rows}`. */
export async function queryRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/** A round trip to the database, for the health check. */
export async function pingDatabase(db: Executor): Promise<void> {
  await db.execute(sql`select 1`);
}

/** One array parameter of a SQL type, for `unnest` and `= any(...)`: one parameter whatever the length. */
export function arrayParam(values: readonly unknown[], type: string): SQL {
  return sql`${sql.param(values)}::${sql.raw(type)}[]`;
}
