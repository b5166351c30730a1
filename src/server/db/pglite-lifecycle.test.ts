import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { inArray, sql } from 'drizzle-orm';
import { openEmbedded } from './database.ts';
import { queryRows } from './rows.ts';
import { clientWrites } from './schema.ts';

const onServer = Boolean(process.env.TEST_DATABASE_URL);
const tmpDirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-life-'));
  tmpDirs.push(d);
  return d;
};
after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string>) {
  return spawn(process.execPath, ['--import', 'tsx', ...args], {
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: '0',
      GRIDWATCH_WEB_DIR: '/nonexistent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function output(child: ChildProcess) {
  let text = '';
  child.stdout?.on('data', (c) => (text += c));
  child.stderr?.on('data', (c) => (text += c));
  return () => text;
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });

async function waitFor(read: () => string, pattern: RegExp, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!pattern.test(read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; got: ${read()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('embedded PGlite lifecycle', { skip: onServer && 'PGlite only' }, () => {
  test('a second process on the same data folder is refused and exits non-zero; SIGTERM closes cleanly', async () => {
    const dataDir = tmp();
    const first = run(['src/server/main.ts'], {
      GRIDWATCH_DATA_DIR: dataDir,
      GRIDWATCH_ADMIN_PASSWORD: 'Admin-pass-2022',
    });
    const firstOut = output(first);
    await waitFor(firstOut, /started/);
    assert.match(firstOut(), /PGlite/);
    assert.ok(fs.existsSync(path.join(dataDir, 'gridwatch.lock')));

    const second = run(['src/server/main.ts'], { GRIDWATCH_DATA_DIR: dataDir });
    const secondOut = output(second);
    const code = await exited(second);
    assert.notEqual(code, 0);
    assert.match(secondOut(), /正被另一个 Gridwatch 进程/);

    first.kill('SIGTERM');
    assert.equal(await exited(first), 0);
    assert.ok(!fs.existsSync(path.join(dataDir, 'gridwatch.lock')), 'lock released on clean shutdown');
  });

  test('kill -9 mid-write loses no committed row, and the stale lock is taken over', async () => {
    const dataDir = tmp();
    const writer = run(['src/server/db/testing/pglite-writer.ts', dataDir], {});
    const read = output(writer);
    await waitFor(read, /ready\n(?:[0-9a-f-]{36}\n){200}/);
    writer.kill('SIGKILL');
    await exited(writer);
    const committed = read()
      .split('\n')
      .filter((l) => /^[0-9a-f-]{36}$/.test(l));
    assert.ok(committed.length >= 200);

    const database = await openEmbedded(dataDir);
    try {
      const found = await database.db
        .select({ id: clientWrites.clientId })
        .from(clientWrites)
        .where(inArray(clientWrites.clientId, committed));
      assert.equal(found.length, committed.length, 'every row whose commit returned is there');
      const [{ n }] = await queryRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from client_writes`,
      );
      assert.ok(n >= committed.length);
    } finally {
      await database.close();
    }
  });

  test('an interrupted first creation leaves no broken folder: the next start creates it afresh', async () => {
    const dataDir = tmp();
    const writer = run(['src/server/db/testing/pglite-writer.ts', dataDir], {});
    // Kill it while the first creation is still under way (it takes seconds).
    await new Promise((r) => setTimeout(r, 1200));
    writer.kill('SIGKILL');
    await exited(writer);
    const database = await openEmbedded(dataDir);
    try {
      await database.db
        .insert(clientWrites)
        .values({ clientId: '01900000-0000-7000-8000-000000000001', action: 'x', response: {} });
      assert.deepEqual(
        fs.readdirSync(dataDir).filter((f) => f.startsWith('pgdata')),
        ['pgdata'],
        'no half-made folder remains',
      );
    } finally {
      await database.close();
    }
  });
});

test('production refuses to start without an encryption key', async () => {
  const child = run(['src/server/main.ts'], {
    NODE_ENV: 'production',
    GRIDWATCH_DATA_DIR: tmp(),
    GRIDWATCH_KEY: '',
    GRIDWATCH_KEY_FILE: '',
  });
  const read = output(child);
  assert.notEqual(await exited(child), 0);
  assert.match(read(), /GRIDWATCH_KEY/);
});
