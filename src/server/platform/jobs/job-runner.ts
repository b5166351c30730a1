import { and, eq, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/database.ts';
import { queryRows } from '../../db/rows.ts';
import { jobs } from '../../db/schema.ts';
import { newId } from '../ids.ts';

export interface JobDefinition {
  name: string;
  run(payload: unknown): Promise<void>;
  /** Recurring jobs re-enqueue themselves this long after each run. */
  everyMs?: number;
}

const MAX_ATTEMPTS = 5;
/** A job 'running' this long belongs to a dead process: give it back to the queue. */
const STALE_AFTER_MINUTES = 10;

/**
 * Scheduled work from a database-backed queue. A job is claimed with FOR UPDATE SKIP LOCKED, so
 * several app servers on one PostgreSQL share the queue and no job runs twice at once; on PGlite
 * the same SQL simply runs on its single connection.
 */
export class JobRunner {
  readonly #definitions = new Map<string, JobDefinition>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly database: Database,
    private readonly options: { pollMs?: number; onError?: (name: string, err: unknown) => void } = {},
  ) {}

  define(definition: JobDefinition) {
    this.#definitions.set(definition.name, definition);
  }

  async enqueue(name: string, options: { payload?: unknown; runAt?: Date; singletonKey?: string } = {}) {
    await this.database.db
      .insert(jobs)
      .values({
        id: newId(),
        name,
        payload: options.payload ?? null,
        runAt: options.runAt ?? new Date(),
        singletonKey: options.singletonKey ?? null,
      })
      .onConflictDoNothing();
  }

  /** Claims one due job, or none. */
  async claim() {
    const [job] = await queryRows<{ id: string; name: string; payload: unknown; attempts: number }>(
      this.database.db,
      sql`update ${jobs} set state = 'running', locked_at = now(), attempts = attempts + 1
          where id = (select id from ${jobs} where state = 'queued' and run_at <= now()
                      order by run_at limit 1 for update skip locked)
          returning id, name, payload, attempts`,
    );
    return job;
  }

  /** Runs due jobs until none is left; returns how many ran. */
  async runDue(): Promise<number> {
    let count = 0;
    await this.database.db
      .update(jobs)
      .set({ state: 'queued', lockedAt: null })
      .where(
        and(
          eq(jobs.state, 'running'),
          lt(jobs.lockedAt, sql`now() - make_interval(mins => ${STALE_AFTER_MINUTES})`),
        ),
      );
    for (let job = await this.claim(); job && !this.#stopped; job = await this.claim()) {
      count++;
      const definition = this.#definitions.get(job.name);
      try {
        if (!definition) throw new Error(`no handler for job ${job.name}`);
        await definition.run(job.payload);
        await this.database.db
          .update(jobs)
          .set({ state: 'done', finishedAt: new Date(), lockedAt: null })
          .where(eq(jobs.id, job.id));
        if (definition.everyMs) {
          await this.enqueue(job.name, {
            runAt: new Date(Date.now() + definition.everyMs),
            singletonKey: job.name,
          });
        }
      } catch (err) {
        this.options.onError?.(job.name, err);
        const failed = job.attempts >= MAX_ATTEMPTS;
        await this.database.db
          .update(jobs)
          .set({
            state: failed ? 'failed' : 'queued',
            lockedAt: null,
            lastError: err instanceof Error ? err.message : String(err),
            // Exponential backoff: 2, 4, 8, 16 s.
            runAt: new Date(Date.now() + 1000 * 2 ** job.attempts),
          })
          .where(eq(jobs.id, job.id));
        if (failed && definition?.everyMs)
          await this.enqueue(job.name, {
            singletonKey: job.name,
            runAt: new Date(Date.now() + definition.everyMs),
          });
      }
    }
    return count;
  }

  /** Makes sure each recurring job has its one queued row, then polls. */
  async start() {
    for (const d of this.#definitions.values()) {
      if (d.everyMs) await this.enqueue(d.name, { singletonKey: d.name });
    }
    const tick = () => {
      if (this.#stopped) return;
      this.#running = this.runDue()
        .catch((err) => this.options.onError?.('poll', err))
        .then(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.options.pollMs ?? 5000);
        });
    };
    tick();
  }

  async stop() {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }
}
