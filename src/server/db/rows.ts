import { fillPlaceholders, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Database, Executor } from './database.ts';

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

/** An array parameter by name, in a statement compiled once (`compileStatement`). */
export function arrayPlaceholder(name: string, type: string): SQL {
  return sql`${sql.placeholder(name)}::${sql.raw(type)}[]`;
}

const dialect = new PgDialect();

/**
 * A hot statement, built with drizzle's `sql` once (its parameters as named placeholders) and
 * run many times: each call only fills the values. Building a large statement with `sql` costs
 * more CPU than the database spends on it at a city round's scan rate. A `name`, unique to the
 * statement, keeps it parsed on PostgreSQL's connections (`Database.query`).
 */
export function compileStatement(build: () => SQL, name?: string) {
  let compiled: { text: string; params: unknown[] } | undefined;
  return <T>(database: Database, values: Record<string, unknown>): Promise<T[]> => {
    if (!compiled) {
      const query = dialect.sqlToQuery(build());
      compiled = { text: query.sql, params: query.params };
    }
    return database.query<T>(compiled.text, fillPlaceholders(compiled.params, values), name);
  };
}
