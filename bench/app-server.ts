/**
 * A further app server for the testing benchmark, in a process of its own (app servers scale out
 * as processes; PostgreSQL is what they share). Protocol: the parent sends `{masterKeyHex}`, this
 * process answers `{port}` once listening; later `'cpu'` → `{cpuMs}` since listening; `'stop'` ends it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/server/app.ts';
import { loadConfig } from '../src/server/config.ts';
import { PersonalDataCipher } from '../src/server/platform/crypto/personal-data-cipher.ts';
import type { AppDeps } from '../src/server/platform/deps.ts';
import { EventBus } from '../src/server/platform/events/event-bus.ts';
import { relayEventsThroughPostgres } from '../src/server/platform/events/pg-relay.ts';
import { openDatabase } from '../src/server/server.ts';

process.once('message', async (start: { masterKeyHex: string }) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-bench-app-'));
  const config = { ...loadConfig(), dataDir, demo: true };
  const deps: AppDeps = {
    config,
    database: await openDatabase(config),
    events: new EventBus(),
    cipher: new PersonalDataCipher(Buffer.from(start.masterKeyHex, 'hex')),
  };
  const app = await buildApp(deps, { logger: false });
  const relay = await relayEventsThroughPostgres(deps.events, config.databaseUrl as string);
  await app.listen({ host: '127.0.0.1', port: 0 });
  let cpu = process.cpuUsage();
  process.on('message', async (message) => {
    if (message === 'cpu-start') {
      cpu = process.cpuUsage();
      process.send?.({ ok: true });
    } else if (message === 'cpu') {
      const used = process.cpuUsage(cpu);
      process.send?.({ cpuMs: (used.user + used.system) / 1000 });
    } else if (message === 'stop') {
      await app.close();
      await relay.close();
      await deps.database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.send?.({ port: (app.server.address() as { port: number }).port });
});
