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
/**
 * A text id as a uuid when it is one, else null: a record's id kept as text (an audit event's
 * entity id, a work item's subject, a sweep's household as `sweep/household`) compared with a
 * uuid key without an invalid-uuid error, and by the key's index.
 */
export const idAsUuid = (text: SQL) =>
  sql`(case when ${text} ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then (${text})::uuid end)`;

export function arrayParam(values: readonly unknown[], type: string): SQL {
  return sql`${sql.param(values)}::${sql.raw(type)}[]`;
}

/** An array parameter by name, in a statement compiled once (`compileStatement`). */
export function arrayPlaceholder(name: string, type: string): SQL {
  return sql`${sql.placeholder(name)}::${sql.raw(type)}[]`;
}

/** A column of `arrayRows`: its SQL type and how a row gives its value. */
export type ArrayColumn<T> = readonly [type: string, value: (row: T) => unknown];

/**
 * Rows sent as one array parameter per column, for `unnest` in a statement compiled once: the
 * columns are declared once (snake_case name, SQL type, value of a row) and give both the
 * statement's `unnest(…) as alias(…)` (placeholders `<prefix>_<name>`) and each call's values.
 */
export function arrayRows<T>(prefix: string, columns: Record<string, ArrayColumn<T>>) {
  // Each column's placeholder, worked out once: `values` runs on the hot path.
  const entries = Object.entries(columns).map(([name, [type, value]]) => ({
    name,
    type,
    value,
    placeholder: `${prefix}_${name}`,
  }));
  const names = entries.map((c) => c.name).join(', ');
  return {
    /** The column names, in order, for an insert's column list. */
    names: sql.raw(names),
    unnest: (alias: string) =>
      sql`unnest(${sql.join(
        entries.map((c) => arrayPlaceholder(c.placeholder, c.type)),
        sql`, `,
      )}) as ${sql.raw(alias)}(${sql.raw(names)})`,
    /**
     * Each column's array literal, set on `into` (a fresh object unless given): a batch's parts fill
     * one object. Built by spreads and `Object.fromEntries` instead, the values of one batch of scans
     * cost ~20 µs on Node 20, twenty times this: V8 adds a property after a spread the slow way.
     */
    values: (rows: readonly T[], into: Record<string, unknown> = {}): Record<string, unknown> => {
      for (const c of entries) into[c.placeholder] = arrayLiteral(rows.map(c.value));
      return into;
    },
  };
}

/** An element that needs no quotes in an array literal (ids, numbers, dates, codes). */
const BARE_ELEMENT = /^[0-9A-Za-z_.:+-]+$/;
/** Characters JSON would write as escapes an array literal does not read: see `arrayLiteral`. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const QUOTED_ALIKE = /[\u0000-\u001f\ud800-\udfff]/;

/**
 * Values as PostgreSQL's text form of an array (`{a,"b c",NULL}`), which both drivers pass as
 * they are. Built here because the driver's own conversion (a few regular-expression replaces
 * per element) was ~5 % of an app server's CPU at a city round's scan rate: a batch's statement
 * sends some thirty arrays. Strings that are not plainly bare are quoted and escaped.
 */
export function arrayLiteral(values: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    if (v === null || v === undefined) {
      out += 'NULL';
      continue;
    }
    let text: string;
    if (typeof v === 'string') text = v;
    else if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') text = String(v);
    // An instant, for timestamptz columns (a date or a timestamp without zone goes as a string).
    else if (v instanceof Date) text = v.toISOString();
    // A document, for jsonb; arrays, bytes and the like would not mean what the driver made of them.
    else if (Object.getPrototypeOf(v) === Object.prototype) text = JSON.stringify(v);
    else throw new TypeError(`arrayLiteral: an element of type ${typeof v} is not supported`);
    // A bare NULL (any case) would read as a null: only four letters can be one.
    if (BARE_ELEMENT.test(text) && (text.length !== 4 || text.toLowerCase() !== 'null')) out += text;
    // Quoted, a quote and a backslash escaped by a backslash. JSON quotes a string the same way
    // when it holds no control character or surrogate (which JSON writes as \n or \uXXXX), and
    // natively: a quarter of the time of the replace for a batch's JSON documents (audit changes,
    // first answers), each full of quotes.
    else out += QUOTED_ALIKE.test(text) ? `"${text.replace(/[\\"]/g, '\\$&')}"` : JSON.stringify(text);
  }
  return `${out}}`;
}

const dialect = new PgDialect();

/**
 * A hot statement, built with drizzle's `sql` once (its parameters as named placeholders) and
 * run many times: each call only fills the values. Building a large statement with `sql` costs
 * more CPU than the database spends on it at a city round's scan rate. A `name`, unique to the
 * statement, makes it a prepared statement on PostgreSQL's connections for named statements,
 * planned once, generically, with seq scans off (`Database.query`): it must reach every row
 * through a key.
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
