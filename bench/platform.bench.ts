/**
 * The platform's request path under load: C concurrent grid workers, each with its own session,
 * read their org subtree and their work items over real HTTP on loopback for D seconds. Every
 * request runs the whole path: session lookup, grants, scoped SQL, serialisation.
 *   npm run bench -- platform [--concurrency 32] [--seconds 10]      (DATABASE_URL → PostgreSQL)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/server/config.ts';
import { startGridwatch } from '../src/server/server.ts';

const PASSWORD = 'Bench-pass-2022';

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function run(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { concurrency: { type: 'string', default: '32' }, seconds: { type: 'string', default: '10' } },
  });
  const concurrency = Number(values.concurrency);
  const seconds = Number(values.seconds);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-bench-'));
  const config = {
    ...loadConfig(),
    host: '127.0.0.1',
    port: 0,
    dataDir,
    demo: true,
    adminPassword: PASSWORD,
    logLevel: 'warn',
  };
  const running = await startGridwatch(config);
  const base = running.url.replace('localhost', '127.0.0.1');
  try {
    const post = async (url: string, body: unknown, cookie?: string) => {
      const res = await fetch(base + url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
        body: JSON.stringify(body),
      });
      return { res, json: await res.json() };
    };
    const admin = String(
      (await post('/api/v1/auth/login', { username: 'admin', password: PASSWORD })).res.headers.get(
        'set-cookie',
      ),
    ).split(';')[0];
    const grids = (
      (await (
        await fetch(`${base}/api/v1/org-units?level=grid&pageSize=500`, { headers: { cookie: admin } })
      ).json()) as { items: unknown }
    ).items as { id: string }[];
    const workers: { cookie: string; gridId: string }[] = [];
    for (let i = 0; i < concurrency; i++) {
      const gridId = grids[i % grids.length].id;
      await post(
        '/api/v1/users',
        {
          username: `bench-${i}`,
          displayName: `压测${i}`,
          password: PASSWORD,
          grants: [{ role: 'grid_worker', orgUnitId: gridId }],
        },
        admin,
      );
      await post(
        '/api/v1/work-items',
        { type: 'bench', title: `压测任务${i}`, assigneeOrgUnitId: gridId },
        admin,
      );
      const login = await post('/api/v1/auth/login', { username: `bench-${i}`, password: PASSWORD });
      workers.push({ cookie: String(login.res.headers.get('set-cookie')).split(';')[0], gridId });
    }
    const latencies: number[] = [];
    let errors = 0;
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      workers.map(async (w, i) => {
        for (let n = 0; performance.now() < until; n++) {
          const url = (n + i) % 2 ? `/api/v1/org-units/${w.gridId}` : '/api/v1/work-items?mine=true';
          const start = performance.now();
          const res = await fetch(base + url, { headers: { cookie: w.cookie } });
          await res.arrayBuffer();
          latencies.push(performance.now() - start);
          if (res.status !== 200) errors++;
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const result = {
      bench: 'platform',
      database: running.deps.database.kind,
      concurrency,
      seconds,
      requests: latencies.length,
      requestsPerSecond: Math.round(latencies.length / seconds),
      p50Ms: Number(percentile(latencies, 50).toFixed(1)),
      p99Ms: Number(percentile(latencies, 99).toFixed(1)),
      errors,
    };
    console.log(`database ${result.database}, ${concurrency} concurrent sessions, ${seconds}s`);
    console.log(
      `${result.requestsPerSecond} scoped reads/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${errors} errors`,
    );
    console.log(JSON.stringify(result));
  } finally {
    await running.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
