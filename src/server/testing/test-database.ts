import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { type Database, migratePgliteDb, openServer, wrapPglite } from '../db/database.ts';

/**
 * A fresh migrated database for one test file. On PGlite (the default) it is loaded from a dump
 * of a migrated template made once per run, which takes a fraction of migrating; with
 * TEST_DATABASE_URL set, a new database is copied from a migrated template on that PostgreSQL server.
 */
export const TEMPLATE_DB = 'gridwatch_test_template';

export const testDatabaseKind = () => (process.env.TEST_DATABASE_URL ? 'postgresql' : 'pglite');

export async function createTestDatabase(): Promise<Database> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) return createServerDatabase(serverUrl);
  const templateFile = process.env.GRIDWATCH_TEST_PGLITE_TEMPLATE;
  if (templateFile && fs.existsSync(templateFile)) {
    const client = await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(templateFile)]) });
    return wrapPglite(client);
  }
  const client = await PGlite.create();
  await migratePgliteDb(client);
  return wrapPglite(client);
}

/** Writes the PGlite template dump the test files load (called once by the test runner). */
export async function writePgliteTemplate(file: string) {
  const client = await PGlite.create();
  await migratePgliteDb(client);
  const dump = await client.dumpDataDir('gzip');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await client.close();
}

function withDatabase(url: string, name: string) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** (Re)creates the migrated template database on the server (called once by the test runner). */
export async function writeServerTemplate(serverUrl: string) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE_DB} with (force)`);
  await admin.query(`create database ${TEMPLATE_DB}`);
  await admin.end();
  const db = await openServer(withDatabase(serverUrl, TEMPLATE_DB), { max: 1 });
  await db.close();
}

async function createServerDatabase(serverUrl: string): Promise<Database> {
  const name = `gw_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${TEMPLATE_DB}`);
        break;
      } catch (err) {
        // Another test file copying the template at this instant holds it: wait and retry.
        if ((err as { code?: string }).code !== '55006' || attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const database = await openServer(withDatabase(serverUrl, name), { max: 10 });
  return {
    ...database,
    async close() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** The URL of a test database on the PostgreSQL server (TEST_DATABASE_URL with its name). */
export async function urlOfTestDatabase(database: Database): Promise<string> {
  const [current] = await database.query<{ name: string }>('select current_database() as name', []);
  return withDatabase(process.env.TEST_DATABASE_URL as string, current?.name as string);
}

/**
 * Another handle on the same test database (PostgreSQL), with pools of its own: what another app
 * server would have. With `max: 1`, its named statements all run on one connection.
 */
export async function openTestDatabaseAgain(database: Database, options: { max?: number } = {}) {
  return openServer(await urlOfTestDatabase(database), options);
}
