import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { acquireDataDirLock, type DataDirLock } from './lock.ts';
import * as schema from './schema.ts';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** Repositories take either the pool-level handle or a transaction. */
export type Executor = Db | Tx;

export type DatabaseKind = 'pglite' | 'postgresql';

export interface Database {
  db: Db;
  kind: DatabaseKind;
  /**
   * Runs a statement's text with its numbered parameters, outside any transaction: for the hot
   * paths, with statements compiled once (`compileStatement`). With a `name` (one per text), on
   * PostgreSQL the statement is prepared once per connection and runs one generic plan, on
   * connections of their own (`plan_cache_mode = force_generic_plan`, `enable_seqscan = off`):
   * parsing and planning the two statements of a batch of scans for every call cost PostgreSQL a
   * third of its time for them (measured 0.6–0.7 ms each a batch). Such a plan is made once, maybe
   * while a round's tables are still empty, so a named statement must find every row through a
   * key (a test holds the scans' statements to that); seq scans off keeps the planner from
   * choosing a whole-table scan because the table was small when it planned. The embedded
   * database runs every statement as given.
   */
  query<T>(text: string, params: unknown[], name?: string): Promise<T[]>;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export async function migratePgliteDb(client: PGlite): Promise<void> {
  await migratePglite(drizzlePglite(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
}

export function wrapPglite(client: PGlite, onClose?: () => void): Database {
  return {
    db: drizzlePglite(client, { schema }) as unknown as Db,
    kind: 'pglite',
    async query<T>(text: string, params: unknown[]) {
      return (await client.query<T>(text, params)).rows;
    },
    async close() {
      await client.close();
      onClose?.();
    },
  };
}

/**
 * Opens the embedded database in `dataDir/pgdata`. A lock file keeps a second process out (two
 * processes on one PGlite folder corrupt it); the first creation happens in a temporary folder
 * that is renamed into place only once migrated, so an interrupted first start leaves no broken
 * folder behind.
 */
export async function openEmbedded(dataDir: string): Promise<Database> {
  fs.mkdirSync(dataDir, { recursive: true });
  const lock: DataDirLock = acquireDataDirLock(dataDir);
  try {
    const pgdata = path.join(dataDir, 'pgdata');
    if (!fs.existsSync(pgdata)) {
      const tmp = path.join(dataDir, `pgdata.creating-${process.pid}-${Date.now()}`);
      const fresh = await PGlite.create(tmp);
      await migratePgliteDb(fresh);
      await fresh.close();
      fs.renameSync(tmp, pgdata);
    }
    for (const leftover of fs.readdirSync(dataDir).filter((f) => f.startsWith('pgdata.creating-'))) {
      fs.rmSync(path.join(dataDir, leftover), { recursive: true, force: true });
    }
    const client = await PGlite.create(pgdata);
    await migratePgliteDb(client);
    return wrapPglite(client, () => lock.release());
  } catch (err) {
    lock.release();
    throw err;
  }
}

/** A PostgreSQL server. Migrations run under an advisory lock so app servers may start together. */
export async function openServer(databaseUrl: string, options: { max?: number } = {}): Promise<Database> {
  const max = options.max ?? 10;
  const pool = new pg.Pool({ connectionString: databaseUrl, max });
  // The named statements' connections (see `Database.query`): a batch of scans runs one at a
  // time per app server, so two are plenty.
  const prepared = new pg.Pool({
    connectionString: databaseUrl,
    max: Math.min(2, max),
    options: '-c plan_cache_mode=force_generic_plan -c enable_seqscan=off',
  });
  // An idle connection the server ends (a restart, a failover, an administrator) is an 'error'
  // event on the pool; unheard, it would crash the process. The pool drops that connection and
  // opens a new one for the next query, so there is nothing else to do here.
  pool.on('error', () => {});
  prepared.on('error', () => {});
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock(41160001)');
    await migratePg(drizzlePg(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    await client.query('select pg_advisory_unlock(41160001)');
  } finally {
    client.release();
  }
  return {
    db: drizzlePg(pool, { schema }) as unknown as Db,
    kind: 'postgresql',
    async query<T>(text: string, params: unknown[], name?: string) {
      return (
        name
          ? await prepared.query({ name, text, values: params })
          : await pool.query({ text, values: params })
      ).rows as T[];
    },
    close: async () => {
      await Promise.all([pool.end(), prepared.end()]);
    },
  };
}
