/**
 * A further app server for the testing benchmark, in a process of its own (app servers scale out
 * as processes; PostgreSQL is what they share), started as `npm start` starts one. Protocol: the
 * parent sends `{masterKeyHex}`, this process answers `{port}` once listening; later `'cpu-start'`
 * → `{ok}` and `'cpu'` → `{cpuMs}` since then; `'stop'` ends it.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/server/config.ts';
import { startGridwatch } from '../src/server/server.ts';

process.once('message', async (start: { masterKeyHex: string }) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-bench-app-'));
  const running = await startGridwatch({
    ...loadConfig(),
    host: '127.0.0.1',
    port: 0,
    dataDir,
    key: start.masterKeyHex,
    demo: true,
    logLevel: 'warn',
  });
  let cpu = process.cpuUsage();
  // BENCH_PROF: a CPU profile of the measured phase alone (not start-up), to /tmp/prof.
  const profiler = process.env.BENCH_PROF ? new Session() : null;
  profiler?.connect();
  process.on('message', async (message) => {
    if (message === 'cpu-start') {
      await profiler?.post('Profiler.enable');
      await profiler?.post('Profiler.start');
      cpu = process.cpuUsage();
      process.send?.({ ok: true });
    } else if (message === 'cpu') {
      const used = process.cpuUsage(cpu);
      if (profiler) {
        const { profile } = await profiler.post('Profiler.stop');
        fs.mkdirSync('/tmp/prof', { recursive: true });
        fs.writeFileSync(`/tmp/prof/scan-phase-${process.pid}.cpuprofile`, JSON.stringify(profile));
      }
      process.send?.({ cpuMs: (used.user + used.system) / 1000 });
    } else if (message === 'stop') {
      await running.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.send?.({ port: (running.app.server.address() as { port: number }).port });
});
