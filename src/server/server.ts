import fs from 'node:fs';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config.ts';
import { type Database, openEmbedded, openServer } from './db/database.ts';
import { SYSTEM } from './platform/access/actor.ts';
import { deleteOldLookupMarks } from './platform/access/lookup-throttle.ts';
import { deleteIdleSessions, deleteOldLoginFailures } from './platform/auth/session-repository.ts';
import { resolveMasterKey } from './platform/crypto/keys.ts';
import { PersonalDataCipher } from './platform/crypto/personal-data-cipher.ts';
import { describeError } from './platform/db-errors.ts';
import type { AppDeps } from './platform/deps.ts';
import { EventBus } from './platform/events/event-bus.ts';
import { relayEventsThroughPostgres } from './platform/events/pg-relay.ts';
import { JobRunner } from './platform/jobs/job-runner.ts';
import { markOverdueWorkItems } from './platform/work-items/work-item-service.ts';
import { type BootstrapResult, bootstrap } from './seed/bootstrap.ts';

export interface Running {
  app: FastifyInstance;
  deps: AppDeps;
  jobs: JobRunner;
  bootstrap: BootstrapResult;
  url: string;
  close(): Promise<void>;
}

export function openDatabase(config: Config): Promise<Database> {
  return config.databaseUrl ? openServer(config.databaseUrl) : openEmbedded(config.dataDir);
}

/** Scheduled work of the platform; modules add theirs beside these. */
export function defineJobs(jobs: JobRunner, deps: AppDeps) {
  jobs.define({
    name: 'work-items.mark-overdue',
    everyMs: 60_000,
    run: () => markOverdueWorkItems(deps, SYSTEM).then(() => undefined),
  });
  if (deps.database.kind === 'pglite') {
    // The embedded database has no autovacuum worker: without this its planner would plan a
    // round's millionth scan with the statistics of an empty table.
    jobs.define({
      name: 'db.analyze',
      everyMs: 5 * 60_000,
      run: async () => {
        await deps.database.db.execute(sql`analyze`);
      },
    });
  }
  jobs.define({
    name: 'sessions.cleanup',
    everyMs: 3_600_000,
    run: async () => {
      await deleteIdleSessions(deps.database.db, deps.config.sessionIdleMinutes);
      await deleteOldLoginFailures(deps.database.db, 24 * 60);
      // The marks of lookups (keyed hashes) of users who looked nothing up since their window.
      await deleteOldLookupMarks(deps.database.db);
    },
  });
}

/** Opens the database, prepares a fresh one, and serves: the one start sequence for every entry point. */
export async function startGridwatch(config: Config): Promise<Running> {
  // The key first: production without one must refuse before touching anything.
  const { key } = resolveMasterKey(config);
  const database = await openDatabase(config);
  try {
    const deps: AppDeps = { config, database, events: new EventBus(), cipher: new PersonalDataCipher(key) };
    const seeded = await bootstrap(deps, {
      demo: config.demo,
      adminPassword: config.adminPassword,
      demoResidents: config.demoResidents,
    });
    const https =
      config.tlsCert && config.tlsKey
        ? { cert: fs.readFileSync(config.tlsCert), key: fs.readFileSync(config.tlsKey) }
        : null;
    const app = await buildApp(deps, { logger: { level: config.logLevel }, https });
    // Other app servers on the same PostgreSQL hear this one's events, and this one theirs.
    const relay = config.databaseUrl
      ? await relayEventsThroughPostgres(deps.events, config.databaseUrl, (err) =>
          app.log.warn({ err: describeError(err) }, 'event relay'),
        )
      : undefined;
    const jobs = new JobRunner(database, {
      onError: (name, err) => app.log.error({ job: name, err: describeError(err) }, 'job failed'),
    });
    defineJobs(jobs, deps);
    await app.listen({ port: config.port, host: config.host });
    await jobs.start();
    const url = `${https ? 'https' : 'http'}://localhost:${(app.server.address() as { port: number }).port}`;
    let closing: Promise<void> | undefined;
    return {
      app,
      deps,
      jobs,
      bootstrap: seeded,
      url,
      close: () => {
        closing ??= (async () => {
          await jobs.stop();
          await app.close();
          await relay?.close();
          await database.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
