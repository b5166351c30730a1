/**
 * The test command. Node 20's `--test` finds no files by itself under tsx, so the files are listed
 * here; the migrated database template is made once, then each test file clones it.
 *   npm test                                      — every test on embedded PGlite
 *   TEST_DATABASE_URL=postgres://… npm test       — the same suite on a PostgreSQL server
 */
import fs from 'node:fs';
import path from 'node:path';
import { writePgliteTemplate, writeServerTemplate } from '../src/server/testing/test-database.ts';
import { runNodeTests } from './node-test.ts';

function findTests(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return findTests(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const filter = process.argv.slice(2);
// The web's tests are of its plain modules (no DOM, no React): they run here like the rest.
const files = findTests('src')
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const serverUrl = process.env.TEST_DATABASE_URL;
fs.mkdirSync('.tmp', { recursive: true });
const env = { ...process.env };
if (serverUrl) {
  await writeServerTemplate(serverUrl);
  console.log(`database: PostgreSQL (${new URL(serverUrl).host})`);
} else {
  const template = path.resolve('.tmp/pglite-template.tar.gz');
  await writePgliteTemplate(template);
  env.GRIDWATCH_TEST_PGLITE_TEMPLATE = template;
  console.log('database: PGlite (embedded)');
}

process.exit(await runNodeTests(files, { concurrency: 2, env }));
