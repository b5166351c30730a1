/**
 * The registry at scale.
 *   npm run bench -- residents-import [--rows 100000]   import an xlsx: dry run, then commit
 *   npm run bench -- residents-search [--residents 1000000] [--queries 200]   search p50/p95
 * Embedded PGlite unless DATABASE_URL is set (the search target is for PostgreSQL). Each prints
 * its figures and, last, one JSON line.
 */

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fakerZH_CN as faker } from '@faker-js/faker';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { idCheckChar } from '../src/domain/id-number.ts';
import { loadConfig } from '../src/server/config.ts';
import { queryRows } from '../src/server/db/rows.ts';
import { findGridsInScope } from '../src/server/modules/org/org-repository.ts';
import { importResidents } from '../src/server/modules/residents/resident-import-service.ts';
import * as residents from '../src/server/modules/residents/resident-repository.ts';
import { listResidents } from '../src/server/modules/residents/resident-service.ts';
import type { Actor } from '../src/server/platform/access/actor.ts';
import { actorOfUser } from '../src/server/platform/auth/auth-service.ts';
import { PersonalDataCipher } from '../src/server/platform/crypto/personal-data-cipher.ts';
import type { AppDeps } from '../src/server/platform/deps.ts';
import { EventBus } from '../src/server/platform/events/event-bus.ts';
import { bootstrap } from '../src/server/seed/bootstrap.ts';
import { generateDemoResidents } from '../src/server/seed/demo-residents.ts';
import { openDatabase } from '../src/server/server.ts';

/** A fresh database (embedded in a temporary folder, or the DATABASE_URL server emptied) with the demo district. */
async function freshDeps(): Promise<{ deps: AppDeps; admin: Actor; cleanup: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-bench-'));
  const config = { ...loadConfig(), dataDir, demo: true };
  const database = await openDatabase(config);
  if (database.kind === 'postgresql') {
    await database.db.execute(
      sql`truncate persons, households, person_key_groups, person_statuses, audit_events, client_writes, sessions, role_grants, users, org_units, key_group_classes cascade`,
    );
  }
  const deps: AppDeps = {
    config,
    database,
    events: new EventBus(),
    cipher: new PersonalDataCipher(randomBytes(32)),
  };
  await bootstrap(deps, { demo: true, adminPassword: 'Bench-pass-2022', demoResidents: 0 });
  const admin = await actorOfUser(deps, 'admin', 'bench');
  if (!admin) throw new Error('no admin');
  return {
    deps,
    admin,
    cleanup: async () => {
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function writeImportFile(file: string, rows: number, gridLabels: string[]) {
  faker.seed(2022);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file });
  const sheet = wb.addWorksheet('居民');
  sheet.addRow(['姓名', '证件类型', '证件号码', '手机号', '网格', '地址', '居住状态', '重点人群']).commit();
  const statuses = ['在家', '在家', '在家', '每日外出务工', '长期在外'];
  for (let i = 0; i < rows; i++) {
    const day = new Date(Date.UTC(1940, 0, 1) + Math.floor(i / 400) * 86_400_000);
    const first17 = `411602${day.toISOString().slice(0, 10).replaceAll('-', '')}${String((i % 400) * 2 + 1)
      .padStart(3, '0')
      .slice(-3)}`;
    sheet
      .addRow([
        faker.person.lastName() + faker.person.firstName(),
        '',
        first17 + idCheckChar(first17),
        `139${String(i).padStart(8, '0')}`,
        gridLabels[i % gridLabels.length],
        `港区${i % 500}号`,
        statuses[i % statuses.length],
        '',
      ])
      .commit();
  }
  sheet.commit();
  await wb.commit();
}

function peakRss() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

export async function runImport(args: string[]) {
  const { values } = parseArgs({ args, options: { rows: { type: 'string', default: '100000' } } });
  const rows = Number(values.rows);
  const { deps, admin, cleanup } = await freshDeps();
  const file = path.join(os.tmpdir(), `gridwatch-import-${rows}.xlsx`);
  try {
    const grids = await findGridsInScope(deps.database.db, ['411600']);
    await writeImportFile(
      file,
      rows,
      grids.map((g) => `${g.parentName}/${g.name}`),
    );
    const data = fs.readFileSync(file);
    const memory = peakRss();
    let t0 = performance.now();
    const dry = await importResidents(deps, admin, data, { dryRun: true });
    const drySeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const done = await importResidents(deps, admin, data, { dryRun: false });
    const commitSeconds = (performance.now() - t0) / 1000;
    const peak = memory.stop();
    const result = {
      bench: 'residents-import',
      database: deps.database.kind,
      rows,
      fileMB: Number((data.length / 1048576).toFixed(1)),
      dryRunErrors: dry.errors.length,
      imported: done.imported,
      dryRunSeconds: Number(drySeconds.toFixed(1)),
      commitSeconds: Number(commitSeconds.toFixed(1)),
      totalSeconds: Number((drySeconds + commitSeconds).toFixed(1)),
      peakRssMB: Math.round(peak / 1048576),
    };
    console.log(
      `${rows} rows (${result.fileMB} MB) on ${result.database}: dry run ${result.dryRunSeconds}s, commit ${result.commitSeconds}s, peak RSS ${result.peakRssMB} MB`,
    );
    console.log(JSON.stringify(result));
  } finally {
    fs.rmSync(file, { force: true });
    await cleanup();
  }
}

export async function runSearch(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      residents: { type: 'string', default: '1000000' },
      queries: { type: 'string', default: '200' },
    },
  });
  const target = Number(values.residents);
  const queries = Number(values.queries);
  const { deps, admin, cleanup } = await freshDeps();
  try {
    const db = deps.database.db;
    const grids = await findGridsInScope(db, ['411600']);
    const t0 = performance.now();
    // Generated in slices so a million rows never sit in memory at once.
    const slice = 50_000;
    const samples: { name: string; initials: string; id: string }[] = [];
    const taken = new Set<string>();
    for (let done = 0; done < target; done += slice) {
      const part = generateDemoResidents(deps.cipher, grids, Math.min(slice, target - done), [], taken);
      for (let i = 0; i < part.households.length; i += 2000)
        await residents.insertHouseholds(db, part.households.slice(i, i + 2000));
      for (let i = 0; i < part.persons.length; i += 1000)
        await residents.insertPersons(db, part.persons.slice(i, i + 1000));
      for (let i = 0; i < part.persons.length; i += Math.ceil(part.persons.length / 20)) {
        const p = part.persons[i];
        samples.push({ name: p.name.slice(0, 2), initials: p.nameInitials, id: deps.cipher.open(p.idEnc) });
      }
      process.stderr.write(`\rseeded ${Math.min(done + slice, target)}/${target}`);
    }
    process.stderr.write('\n');
    await db.execute(sql`analyze persons`);
    const seedSeconds = (performance.now() - t0) / 1000;
    const [{ n }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from persons`);

    const measure = async (make: (i: number) => string) => {
      const times: number[] = [];
      for (let i = 0; i < queries; i++) {
        const q = make(i);
        const start = performance.now();
        await listResidents(deps, admin, { q, page: 1, pageSize: 20 });
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return {
        p50: Number(times[Math.floor(times.length * 0.5)].toFixed(1)),
        p95: Number(times[Math.floor(times.length * 0.95)].toFixed(1)),
      };
    };
    const pick = (i: number) => samples[(i * 7) % samples.length];
    const name = await measure((i) => pick(i).name);
    const initials = await measure((i) => pick(i).initials);
    const idLookup = await measure((i) => pick(i).id);
    const result = {
      bench: 'residents-search',
      database: deps.database.kind,
      residents: n,
      seedSeconds: Number(seedSeconds.toFixed(0)),
      queries,
      nameP50Ms: name.p50,
      nameP95Ms: name.p95,
      initialsP50Ms: initials.p50,
      initialsP95Ms: initials.p95,
      idP50Ms: idLookup.p50,
      idP95Ms: idLookup.p95,
    };
    console.log(
      `${n} residents on ${result.database} (seeded in ${result.seedSeconds}s), ${queries} queries each, first page of 20 with total`,
    );
    console.log(
      `name prefix p50 ${name.p50} ms p95 ${name.p95} ms; initials p50 ${initials.p50} ms p95 ${initials.p95} ms; ID p50 ${idLookup.p50} ms p95 ${idLookup.p95} ms`,
    );
    console.log(JSON.stringify(result));
  } finally {
    await cleanup();
  }
}
