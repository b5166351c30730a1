/**
 * Mass testing at the peak: a city round's scans, its results and its coverage.
 *   npm run bench -- testing [--residents 100000] [--concurrency 32] [--scans N] [--app-servers N]
 *                            [--warm-up 500]
 * Seeds N residents in ~200 grids, opens a round (10混1) with one collection point per sampler,
 * warms the app servers up (each phone's `--warm-up` scans into a round of their own, not timed),
 * then C samplers post scans over real HTTP sockets on loopback at full speed (each scan is the
 * whole path: session, validation, batching, transaction, audit, idempotency record). Then the
 * raw limit: single-row inserts of an equivalent row through the same driver and concurrency,
 * no HTTP. Then the lab imports results for every tube (0.1 % positive) over HTTP, and coverage is
 * asked for the district and for one grid. `--scans` caps the HTTP scans (default: everybody, at
 * most 200,000); people beyond it are put into tubes directly in SQL as seed data, so the result
 * import and coverage still see a full round. Embedded PGlite unless DATABASE_URL is set; on
 * PostgreSQL the scans go to 2 app servers (processes) unless `--app-servers` says otherwise.
 * Prints figures, then one JSON line. Where the CPU goes: BENCH_PROF=1 writes a V8 CPU profile of
 * the forked app server's scans (not its start-up) to /tmp/prof; BENCH_PERF=1 starts it with perf
 * maps for `perf record`.
 */
import { fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { districtWallClock, localDay } from '../src/domain/dates.ts';
import { addDays } from '../src/domain/testing.ts';
import { loadConfig } from '../src/server/config.ts';
import { arrayParam, queryRows } from '../src/server/db/rows.ts';
import { createLab } from '../src/server/modules/labs/labs-service.ts';
import { findGridsInScope, insertOrgUnit } from '../src/server/modules/org/org-repository.ts';
import * as residents from '../src/server/modules/residents/resident-repository.ts';
import { mintPersonCode } from '../src/server/modules/testing/person-code.ts';
import { recountRoundCoverage } from '../src/server/modules/testing/testing-repository.ts';
import { addPoint, createRound } from '../src/server/modules/testing/testing-service.ts';
import { actorOfUser } from '../src/server/platform/auth/auth-service.ts';
import { hashPassword } from '../src/server/platform/auth/passwords.ts';
import type { AppDeps } from '../src/server/platform/deps.ts';
import { newId } from '../src/server/platform/ids.ts';
import { insertGrants, insertUser } from '../src/server/platform/users/user-repository.ts';
import { generateDemoResidents } from '../src/server/seed/demo-residents.ts';
import { openDatabase, type Running, startGridwatch } from '../src/server/server.ts';
import type { LoadPlan, LoadResult } from './scan-load.ts';

const PASSWORD = 'Bench-pass-2022';
const GRIDS = 200;
/** The first seconds of the timed scans, left out of `warmScansPerSecond` (reported beside the whole run). */
const FIRST_SECONDS = 5;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round1 = (n: number) => Number(n.toFixed(1));

/**
 * Gridwatch as `npm start` starts it (migrations, first-run district, the event relay on
 * PostgreSQL), on a wiped database: the demo district without its residents (the bench seeds its own).
 */
async function startFresh(masterKey: Buffer): Promise<{ running: Running; cleanup: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-bench-'));
  const config = {
    ...loadConfig(),
    host: '127.0.0.1',
    port: 0,
    dataDir,
    key: masterKey.toString('hex'),
    demo: true,
    adminPassword: PASSWORD,
    demoResidents: 0,
    logLevel: 'warn',
  };
  if (config.databaseUrl) {
    const database = await openDatabase(config);
    await database.db.execute(sql`drop table if exists bench_raw_members`);
    await database.db.execute(
      sql`truncate persons, households, person_key_groups, person_statuses, audit_events, client_writes, sessions,
                   role_grants, users, org_units, key_group_classes, test_rounds, collection_points, tubes,
                   tube_members, test_exemptions, rechecks, work_items, lab_handovers, lab_result_imports, labs,
                   sweeps, sweep_households cascade`,
    );
    await database.close();
  }
  const running = await startGridwatch(config);
  return {
    running,
    cleanup: async () => {
      await running.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The demo district has 60 grids; a city-sized round wants ~200: more grids under its villages and communities. */
async function growGrids(deps: AppDeps) {
  const db = deps.database.db;
  let grids = await findGridsInScope(db, ['411600']);
  const parents = await queryRows<{ id: string; path: string; depth: number }>(
    db,
    sql`select id, path, depth from org_units where level in ('community', 'village') order by path`,
  );
  for (let i = 0; grids.length + i < GRIDS; i++) {
    const parent = parents[i % parents.length] as (typeof parents)[number];
    await insertOrgUnit(db, {
      id: newId(),
      parent,
      name: `压测网格${i + 1}`,
      level: 'grid',
      code: null,
      districtCode: grids[0]?.districtCode as string,
    });
  }
  grids = await findGridsInScope(db, ['411600']);
  return grids;
}

async function seedResidents(deps: AppDeps, grids: Awaited<ReturnType<typeof growGrids>>, target: number) {
  const db = deps.database.db;
  const taken = new Set<string>();
  for (let done = 0; done < target; done += 50_000) {
    const part = generateDemoResidents(deps.cipher, grids, Math.min(50_000, target - done), [], taken);
    for (let i = 0; i < part.households.length; i += 2000)
      await residents.insertHouseholds(db, part.households.slice(i, i + 2000));
    for (let i = 0; i < part.persons.length; i += 5000)
      await residents.insertPersons(db, part.persons.slice(i, i + 5000));
    process.stderr.write(`\rseeded ${Math.min(done + 50_000, target)}/${target} residents`);
  }
  process.stderr.write('\n');
  await db.execute(sql`analyze`);
}

/** A keep-alive HTTP client: one socket per sampler, as phones at a point would have. */
function httpClient(base: URL, sockets: number) {
  // Idle sockets are dropped after 30 s, before the server closes them (72 s): the admin's sockets
  // idle through the scans and the raw inserts, and one closed under a request is an ECONNRESET.
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, timeout: 30_000 });
  return (method: string, url: string, body: string | Buffer | null, headers: Record<string, string>) =>
    new Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      const req = http.request(
        { host: base.hostname, port: base.port, path: url, method, agent, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
              headers: res.headers,
            }),
          );
        },
      );
      req.on('error', reject);
      if (body !== null) req.write(body);
      req.end();
    });
}

/**
 * The machine's CPU counters (Linux /proc): all cores' busy and stolen time, and the CPU time of
 * the local PostgreSQL processes. With `since`, the difference. Undefined where /proc is missing.
 */
function machineCpu(since?: { ticks: number[]; postgres: Map<string, number> }) {
  try {
    const ticks = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] as string)
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const postgres = new Map<string, number>();
    for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (!stat.includes('(postgres)')) continue;
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        postgres.set(pid, Number(fields[11]) + Number(fields[12])); // utime + stime, in clock ticks
      } catch {
        // The process ended meanwhile.
      }
    }
    const now = { ticks, postgres };
    if (!since) return { ...now, postgresMs: 0, busyPercent: 0, stealPercent: 0 };
    const d = ticks.map((v, i) => v - (since.ticks[i] ?? 0));
    const total = d.reduce((a, b) => a + b, 0) || 1;
    const idle = (d[3] ?? 0) + (d[4] ?? 0);
    // Per process, so one that ended meanwhile (a seeding backend, a vacuum worker) is left out
    // rather than subtracted; clock ticks are 10 ms on Linux (USER_HZ = 100).
    let postgresTicks = 0;
    for (const [pid, t] of postgres) postgresTicks += t - (since.postgres.get(pid) ?? 0);
    return {
      ...now,
      postgresMs: postgresTicks * 10,
      busyPercent: Math.round((100 * (total - idle)) / total),
      stealPercent: Math.round((100 * (d[7] ?? 0)) / total),
    };
  } catch {
    return undefined;
  }
}

/** Runs the phones' scans in a child process and waits for its figures. */
function runLoad(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./scan-load.ts', import.meta.url)), {
      execArgv: process.execArgv,
    });
    child.once('message', (result) => resolve(result as LoadResult));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`scan load process exited with ${code}`));
    });
    child.send(plan);
  });
}

/** Starts one more app server on the same database (bench/app-server.ts). */
function startAppServer(masterKey: Buffer) {
  const child = fork(fileURLToPath(new URL('./app-server.ts', import.meta.url)), {
    execArgv: [
      ...process.execArgv,
      ...(process.env.BENCH_PERF ? ['--perf-basic-prof', '--interpreted-frames-native-stack'] : []),
    ],
  });
  const next = () => new Promise<Record<string, unknown>>((resolve) => child.once('message', resolve));
  return new Promise<{ base: URL; ask: (m: string) => Promise<unknown>; stop: () => Promise<void> }>(
    (resolve, reject) => {
      child.once('error', reject);
      void next().then((m) =>
        resolve({
          base: new URL(`http://127.0.0.1:${m.port}`),
          ask: (message) => {
            const answer = next();
            child.send(message);
            return answer;
          },
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.send('stop');
            }),
        }),
      );
      child.send({ masterKeyHex: masterKey.toString('hex') });
    },
  );
}

export async function run(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      residents: { type: 'string', default: '100000' },
      concurrency: { type: 'string', default: '32' },
      'app-servers': { type: 'string' },
      scans: { type: 'string' },
      'warm-up': { type: 'string', default: '500' },
    },
  });
  const target = Number(values.residents);
  const concurrency = Number(values.concurrency);
  const scanCap = Number(values.scans ?? Math.min(target, 200_000));
  const masterKey = randomBytes(32);
  const { running, cleanup } = await startFresh(masterKey);
  const { deps, app } = running;
  const db = deps.database.db;
  try {
    const t0 = performance.now();
    const grids = await growGrids(deps);
    await seedResidents(deps, grids, target);
    console.log(
      `seeded ${target} residents in ${grids.length} grids in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
    );

    // The round, a point and a sampler per phone, a lab.
    const admin = await actorOfUser(deps, 'admin', '127.0.0.1');
    if (!admin) throw new Error('no admin');
    const [district] = await queryRows<{ id: string }>(
      db,
      sql`select id from org_units where parent_id is null`,
    );
    const today = localDay();
    /** A round over the district (10混1) with a point per phone, one in each grid in turn. */
    const roundWithPoints = async (name: string, pointName: string) => {
      const opened = await createRound(deps, admin, {
        name,
        orgUnitId: district?.id as string,
        startsOn: today,
        // Through tomorrow: a run that crosses midnight in 周口 keeps scanning.
        endsOn: addDays(today, 1),
        defaultMode: 'mix10',
      });
      const pointIds: string[] = [];
      for (let i = 0; i < concurrency; i++) {
        const grid = grids[i % grids.length] as (typeof grids)[number];
        const point = await addPoint(deps, admin, opened.id, {
          name: `${pointName}${i + 1}（${grid.name}）`,
          orgUnitId: grid.id,
        });
        pointIds.push(point.id);
      }
      return { round: opened, pointIds };
    };
    const { round, pointIds } = await roundWithPoints('第5轮全员核酸检测（压测）', '采样点');
    const passwordHash = await hashPassword(PASSWORD);
    const samplers: { username: string; pointId: string }[] = [];
    for (let i = 0; i < concurrency; i++) {
      const id = newId();
      await insertUser(db, { id, username: `sampler-${i}`, displayName: `采样员${i}`, passwordHash });
      await insertGrants(db, [
        { id: newId(), userId: id, roleCode: 'sampler', orgUnitId: district?.id as string },
      ]);
      samplers.push({ username: `sampler-${i}`, pointId: pointIds[i] as string });
    }
    const labId = newId();
    await insertUser(db, { id: labId, username: 'lab', displayName: '实验室', passwordHash });
    await insertGrants(db, [
      { id: newId(), userId: labId, roleCode: 'lab', orgUnitId: district?.id as string },
    ]);
    // On a lab's team: a lab account works on its lab's tubes (and those handed to no lab yet).
    await createLab(deps, admin, {
      name: '基准测试实验室',
      orgUnitId: district?.id as string,
      memberUserIds: [labId],
    });

    const base = new URL(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`);
    const request = httpClient(base, concurrency + 4);
    const login = async (username: string) => {
      const res = await request(
        'POST',
        '/api/v1/auth/login',
        JSON.stringify({ username, password: PASSWORD }),
        {
          'content-type': 'application/json',
        },
      );
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${res.text}`);
      return String(res.headers['set-cookie']?.[0]).split(';')[0] as string;
    };

    // The person code of everybody who can come to a point, as the phones would scan them (the
    // deceased are refused, and those moved away are not there).
    const people = (
      await queryRows<{ id: string }>(
        db,
        sql`select id from persons where residence_status not in ('deceased', 'moved_out')
            order by org_path, household_id`,
      )
    ).map((r) => r.id);
    const scanned = people.slice(0, scanCap);
    const perSampler = Math.ceil(scanned.length / concurrency);
    const cookies = await Promise.all(samplers.map((s) => login(s.username)));
    // BENCH_TRACE=1: time every statement the scans send, by its first words (where to tune next).
    const qt = new Map<string, [number, number]>();
    if (process.env.BENCH_TRACE) {
      const client = (db as unknown as { $client: Record<string, (...a: unknown[]) => Promise<unknown>> })
        .$client;
      for (const m of ['query', 'exec', 'transaction']) {
        const orig = client[m]?.bind(client);
        if (!orig) continue;
        client[m] = async (...a: unknown[]) => {
          const t = performance.now();
          if (m === 'transaction') {
            const cb = a[0] as (
              tx: Record<string, (...b: unknown[]) => Promise<unknown>>,
            ) => Promise<unknown>;
            a[0] = (tx: Record<string, (...b: unknown[]) => Promise<unknown>>) => {
              for (const tm of ['query', 'exec']) {
                const o = tx[tm]?.bind(tx);
                if (!o) continue;
                tx[tm] = async (...b: unknown[]) => {
                  const t2 = performance.now();
                  try {
                    return await o(...b);
                  } finally {
                    const k = `tx.${tm}:${String(b[0]).replace(/\s+/g, ' ').slice(0, 70)}`;
                    const v = qt.get(k) ?? [0, 0];
                    v[0]++;
                    v[1] += performance.now() - t2;
                    qt.set(k, v);
                  }
                };
              }
              return cb(tx);
            };
          }
          try {
            return await orig(...a);
          } finally {
            const k = `${m}:${String(a[0]).replace(/\s+/g, ' ').slice(0, 60)}`;
            const v = qt.get(k) ?? [0, 0];
            v[0]++;
            v[1] += performance.now() - t;
            qt.set(k, v);
          }
        };
      }
    }
    // App servers as processes of their own (`--app-servers N`; on PostgreSQL 2 by default, one per
    // core, as `GRIDWATCH_APP_SERVERS` runs them; the embedded database serves one process); the
    // samplers are spread over them as a load balancer would.
    const appServers =
      deps.database.kind === 'postgresql' ? Math.max(1, Number(values['app-servers'] ?? 2)) : 1;
    const extraServers = await Promise.all(
      Array.from({ length: appServers - 1 }, () => startAppServer(masterKey)),
    );
    const bases = [base, ...extraServers.map((x) => x.base)];
    // The phones: prepared bodies, posted from a process of its own (see scan-load.ts). Each
    // sampler at its point scans its people ten to a tube (tubes named `<prefix><sampler>-<n>`).
    const phonesScanning = (
      roundId: string,
      pointOf: (k: number) => string,
      peopleOf: (k: number) => string[],
      prefix: string,
    ): LoadPlan => ({
      samplers: samplers.map((_, k) => ({
        base: (bases[k % bases.length] as URL).toString(),
        cookie: cookies[k] as string,
        bodies: peopleOf(k).map((personId, i) =>
          JSON.stringify({
            clientId: randomUUID(),
            roundId,
            pointId: pointOf(k),
            personCode: mintPersonCode(deps.cipher, personId),
            tubeCode: `${prefix}${k}-${Math.floor(i / 10)}`,
          }),
        ),
      })),
    });
    const plan = phonesScanning(
      round.id,
      (k) => samplers[k]?.pointId as string,
      (k) => scanned.slice(k * perSampler, (k + 1) * perSampler),
      'S',
    );
    // Warm servers, as a city round's are after a morning of scanning: each phone first posts
    // `--warm-up` scans (not timed) into a round of their own, so V8 has compiled the scan's path
    // before the clock starts (a cold server runs its first seconds in the interpreter; the rate
    // of those seconds is start-up's, not the scans'). The timed round is untouched by them.
    const warmUpEach = Math.min(Number(values['warm-up']), Math.floor(people.length / concurrency));
    if (warmUpEach > 0) {
      const { round: warmUpRound, pointIds: warmUpPoints } = await roundWithPoints(
        '预热轮（压测，不计时）',
        '预热点',
      );
      const warmUp = await runLoad(
        phonesScanning(
          warmUpRound.id,
          (k) => warmUpPoints[k] as string,
          // Fewer each when the registry is smaller than the warm-up would take (each person once).
          (k) => people.slice(k * warmUpEach, (k + 1) * warmUpEach),
          'W',
        ),
      );
      if (warmUp.failures > 0) throw new Error(`warm-up scans failed: ${warmUp.firstFailures.join('; ')}`);
      console.log(
        `warm-up: ${warmUp.latencies.length} scans (not timed) in ${warmUp.seconds.toFixed(1)} s, on a round of their own`,
      );
      qt.clear();
    }
    const machineBefore = machineCpu();
    const serverCpu = process.cpuUsage();
    await Promise.all(extraServers.map((x) => x.ask('cpu-start')));
    const load = await runLoad(plan);
    const serverUsed = process.cpuUsage(serverCpu);
    const extraCpuMs = (await Promise.all(extraServers.map((x) => x.ask('cpu')))).reduce<number>(
      (n, r) => n + Number((r as { cpuMs: number }).cpuMs),
      0,
    );
    // Before the further servers stop: their database connections end with them.
    const machine = machineCpu(machineBefore);
    await Promise.all(extraServers.map((x) => x.stop()));
    const { latencies, failures } = load;
    for (const f of load.firstFailures) console.error(`scan answered ${f}`);
    const scanSeconds = load.seconds;
    for (const [k, v] of [...qt.entries()].sort((a, b) => b[1][1] - a[1][1]).slice(0, 25))
      console.log(`Q ${v[0]} ${(v[1] / v[0]).toFixed(2)}ms ${(v[1] / 1000).toFixed(1)}s ${k}`);
    latencies.sort((a, b) => a - b);
    const scansPerSecond = Math.round(latencies.length / scanSeconds);
    console.log(
      `${latencies.length} scans over HTTP by ${concurrency} samplers in ${scanSeconds.toFixed(1)} s: ${scansPerSecond}/s, p50 ${round1(percentile(latencies, 50))} ms, p99 ${round1(percentile(latencies, 99))} ms, ${failures} failed`,
    );
    // Second by second, and after the first 5 s: with `--warm-up 0` the servers start cold (V8's
    // interpreter and compiler in the first seconds), and this shows them warm beside the whole
    // run (whose rate stays the figure the ratio is taken on).
    const fullSeconds = load.perSecond.slice(0, -1);
    const warm = fullSeconds.slice(FIRST_SECONDS);
    const warmScansPerSecond =
      warm.length >= 5 ? Math.round(warm.reduce((a, b) => a + b, 0) / warm.length) : null;
    console.log(
      `scans answered second by second: ${fullSeconds.join(' ')}; after the first ${FIRST_SECONDS} s: ${warmScansPerSecond ?? '—'}/s`,
    );
    // Where the machine's time went during the scans (CPU ms per scan), to see what limits them.
    const perScan = (ms: number) => Number((ms / latencies.length).toFixed(3));
    const cpuPerScan = {
      appServerMs: perScan((serverUsed.user + serverUsed.system) / 1000 + extraCpuMs),
      phonesMs: perScan(load.cpuMs),
      ...(machine
        ? {
            postgresMs: perScan(machine.postgresMs),
            machineBusyPercent: machine.busyPercent,
            stealPercent: machine.stealPercent,
          }
        : {}),
    };
    console.log(`CPU per scan: ${JSON.stringify(cpuPerScan)}`);

    // The raw limit: the same number of single-row inserts of a membership-like row, same driver, same concurrency.
    await db.execute(sql`create table bench_raw_members (like tube_members including all)`);
    const rawRows = Math.min(scanned.length, 50_000);
    const rawTube = newId();
    const rawInserts = async (rows: number) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < rows; i = next++) {
            await db.execute(
              sql`insert into bench_raw_members (round_id, person_id, tube_id, sampler_id, scanned_at)
                  values (${round.id}, ${people[i]}, ${rawTube}, ${admin.userId}, now())`,
            );
          }
        }),
      );
    };
    // Warmed up too, as the scans were, on every connection: the first inserts (not timed) go to
    // the table, emptied after.
    await rawInserts(Math.min(4000, rawRows));
    await db.execute(sql`truncate bench_raw_members`);
    const rawStarted = performance.now();
    await rawInserts(rawRows);
    const rawInsertsPerSecond = Math.round(rawRows / ((performance.now() - rawStarted) / 1000));
    await db.execute(sql`drop table bench_raw_members`);
    console.log(
      `raw limit: ${rawRows} single-row inserts at concurrency ${concurrency}: ${rawInsertsPerSecond}/s`,
    );

    // People beyond the HTTP scans go into tubes directly (seed data), so the round is whole.
    const rest = people.slice(scanned.length);
    if (rest.length > 0) {
      const [point] = samplers;
      for (let i = 0; i < rest.length; i += 100_000) {
        const slice = rest.slice(i, i + 100_000);
        const tubeIds = Array.from({ length: Math.ceil(slice.length / 10) }, () => newId());
        await db.execute(
          sql`insert into tubes (id, code, round_id, point_id, org_path, mode, capacity, member_count, state, sealed_at, district_code)
              select id, 'P' || ${i} || '-' || n, ${round.id}, ${point?.pointId}, '411600', 'mix10', 10, 10, 'sealed', now(), ${grids[0]?.districtCode}
              from unnest(${arrayParam(tubeIds, 'uuid')}) with ordinality as t(id, n)`,
        );
        await db.execute(
          sql`insert into tube_members (round_id, person_id, tube_id, sampler_id, scanned_at)
              select ${round.id}, p.id, (${arrayParam(tubeIds, 'uuid')})[(p.n - 1) / 10 + 1], ${admin.userId}, now()
              from unnest(${arrayParam(slice, 'uuid')}) with ordinality as p(id, n)`,
        );
      }
      await recountRoundCoverage(db, round.id);
      await db.execute(sql`analyze tubes`);
      await db.execute(sql`analyze tube_members`);
      console.log(`seeded ${rest.length} more sampled people into tubes directly (not timed)`);
    }

    // The lab's results for every tube, 0.1 % positive, over HTTP.
    const tubeCodes = (
      await queryRows<{ code: string }>(db, sql`select code from tubes where round_id = ${round.id}`)
    ).map((r) => r.code);
    // A minute ago on the district's clocks: a result time is never in the future.
    const at = districtWallClock(new Date(Date.now() - 60_000));
    const csv = Buffer.from(
      `tubeCode,result,testedAt\n${tubeCodes.map((c, i) => `${c},${i % 1000 === 500 ? '阳性' : '阴性'},${at}`).join('\n')}\n`,
    );
    const boundary = `----bench${randomUUID()}`;
    const multipart = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="results.csv"\r\nContent-Type: text/csv\r\n\r\n`,
      ),
      csv,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const labCookie = await login('lab');
    const importStarted = performance.now();
    const imported = await request('POST', '/api/v1/lab/results/import?dryRun=false', multipart, {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      cookie: labCookie,
    });
    const resultImportSeconds = (performance.now() - importStarted) / 1000;
    if (imported.status !== 200) throw new Error(`import ${imported.status}: ${imported.text.slice(0, 300)}`);
    const report = JSON.parse(imported.text) as {
      applied: number;
      positives: number;
      rechecksCreated: number;
    };
    console.log(
      `results for ${tubeCodes.length} tubes imported in ${resultImportSeconds.toFixed(1)} s: ${report.applied} applied, ${report.positives} positive, ${report.rechecksCreated} rechecks created`,
    );

    // Coverage: the whole district, and one grid.
    const adminCookie = await login('admin');
    const timeGet = async (url: string) => {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const res = await request('GET', url, null, { cookie: adminCookie });
        times.push(performance.now() - t);
        if (res.status !== 200) throw new Error(`${url}: ${res.status} ${res.text.slice(0, 200)}`);
      }
      times.sort((a, b) => a - b);
      return round1(percentile(times, 50));
    };
    const coverageDistrictMs = await timeGet(`/api/v1/test-rounds/${round.id}/coverage`);
    const grid = grids[Math.floor(grids.length / 2)] as (typeof grids)[number];
    const coverageGridMs = await timeGet(`/api/v1/test-rounds/${round.id}/coverage?orgUnitId=${grid.id}`);
    console.log(`coverage (median of 5): district ${coverageDistrictMs} ms, one grid ${coverageGridMs} ms`);

    const result = {
      database: deps.database.kind,
      residents: target,
      concurrency,
      appServers,
      scans: latencies.length,
      scanFailures: failures,
      scansPerSecond,
      warmScansPerSecond,
      p50Ms: round1(percentile(latencies, 50)),
      p99Ms: round1(percentile(latencies, 99)),
      rawInsertsPerSecond,
      ratio: Number((scansPerSecond / rawInsertsPerSecond).toFixed(2)),
      tubes: tubeCodes.length,
      resultImportSeconds: round1(resultImportSeconds),
      rechecksCreated: report.rechecksCreated,
      coverageDistrictMs,
      coverageGridMs,
      cpuPerScan,
    };
    console.log(JSON.stringify(result));
  } finally {
    await cleanup();
  }
}
