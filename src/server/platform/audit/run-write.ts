import { eq, type SQL, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/database.ts';
import { arrayPlaceholder, arrayRows, compileStatement } from '../../db/rows.ts';
import { clientWrites } from '../../db/schema.ts';
import type { Actor, SystemActor } from '../access/actor.ts';
import { AppError, conflict } from '../errors/app-error.ts';
import { text } from '../errors/i18n.ts';
import type { EventBus } from '../events/event-bus.ts';
import {
  type AuditRecord,
  auditInsertTemplate,
  auditInsertValues,
  insertAuditEvents,
} from './audit-repository.ts';
import { diffSnapshots, type Snapshot } from './changes.ts';

/** What a write did to one record: the mechanism turns it into an audit event and a domain event. */
export interface Touched {
  entity: string;
  entityId: string | null;
  orgPath: string | null;
  before?: Snapshot;
  after?: Snapshot;
  /** Defaults to the write's action. */
  action?: string;
  /** False for writes that are nobody else's business (an unmask): audited, not broadcast. */
  publish?: boolean;
}

export interface WriteResult<T> {
  result: T;
  touched: Touched | Touched[];
}

export interface WriteDeps {
  database: Database;
  events: EventBus;
}

export interface WriteOptions {
  /** A field client's id for this write: a repeat returns the first answer and writes nothing. */
  clientId?: string;
}

type CommitListener = (touched: readonly Touched[]) => void;
const commitListeners: CommitListener[] = [];

/**
 * Called after each committed write with what it touched, published or not: for in-process
 * caches that must forget what a write changed (the session cache forgets on user, role, grant
 * and session writes).
 */
export function onCommitted(listener: CommitListener): () => void {
  commitListeners.push(listener);
  return () => {
    const at = commitListeners.indexOf(listener);
    if (at >= 0) commitListeners.splice(at, 1);
  };
}

/**
 * After a commit: the in-process caches hear everything touched, and one domain event goes out per
 * record touched and action, however many writes (of a batch) or parts of one write touched it.
 */
function announceCommitted(deps: WriteDeps, action: string, touched: readonly Touched[]): void {
  for (const listener of commitListeners) listener(touched);
  const at = new Date().toISOString();
  const seen = new Set<string>();
  for (const t of touched) {
    const key = `${t.action ?? action}|${t.entity}|${t.entityId}`;
    if (t.publish === false || seen.has(key)) continue;
    seen.add(key);
    deps.events.publish({
      type: t.action ?? action,
      entity: t.entity,
      entityId: t.entityId,
      orgPath: t.orgPath,
      at,
    });
  }
}

const clientIdTaken = () =>
  conflict(
    text('该客户端编号已被另一操作使用', 'This client id was used for another write'),
    undefined,
    'clientId',
  );

/** The audit event of one record a write touched, by its actor. */
function auditRecordOf(actor: Actor | SystemActor, action: string, t: Touched): AuditRecord {
  return {
    actorId: actor.userId,
    actorName: actor.displayName,
    action: t.action ?? action,
    entity: t.entity,
    entityId: t.entityId,
    orgPath: t.orgPath,
    changes: t.before === undefined && t.after === undefined ? null : diffSnapshots(t.before, t.after),
    ip: actor.ip,
  };
}

/**
 * The unit of work every write goes through: one transaction holding the change, its audit events
 * (actor, action, entity, masked before/after, IP, time) and, for field clients, the idempotency
 * record; domain events are published only after commit. Nobody has to remember to audit.
 */
export async function runWrite<T>(
  deps: WriteDeps,
  actor: Actor | SystemActor,
  action: string,
  work: (tx: Tx) => Promise<WriteResult<T>>,
  options: WriteOptions = {},
): Promise<T> {
  const { clientId } = options;
  const previousAnswer = async (db: Tx): Promise<T> => {
    const [previous] = await db
      .select()
      .from(clientWrites)
      .where(eq(clientWrites.clientId, clientId as string));
    if (!previous || previous.actorId !== actor.userId || previous.action !== action) throw clientIdTaken();
    return previous.response as T;
  };

  let touched: Touched[] = [];
  let replayed = false;
  const result = await deps.database.db.transaction(async (tx) => {
    if (clientId) {
      // Claim the client id first: a concurrent retry blocks on this row until we commit, then
      // finds it taken and answers with our result instead of doing the work again.
      const claimed = await tx
        .insert(clientWrites)
        .values({ clientId, actorId: actor.userId, action, response: null })
        .onConflictDoNothing()
        .returning({ clientId: clientWrites.clientId });
      if (claimed.length === 0) {
        replayed = true;
        return previousAnswer(tx);
      }
    }
    const outcome = await work(tx);
    touched = Array.isArray(outcome.touched) ? outcome.touched : [outcome.touched];
    await insertAuditEvents(
      tx,
      touched.map((t) => auditRecordOf(actor, action, t)),
    );
    if (!clientId) return outcome.result;
    // JSON round trip so the first answer and a replay are the same shape.
    const response = JSON.parse(JSON.stringify(outcome.result ?? null));
    await tx.update(clientWrites).set({ response }).where(eq(clientWrites.clientId, clientId));
    return response as T;
  });
  if (!replayed) announceCommitted(deps, action, touched);
  return result;
}

/** One field client's write inside a batch. */
export interface BatchedWrite<I> {
  actor: Actor;
  clientId: string;
  input: I;
}

/** What the work of a batch plans from its read: each fresh write's outcome if its statement goes through. */
export interface BatchPlan<O> {
  outcomes: Array<{ result: O; touched: Touched[] } | Error>;
  /**
   * The values of the placeholders of the work's statement parts: a fresh object for each plan, as
   * the mechanism sets its own parts' values on it (see `arrayRows`' values).
   */
  values: Record<string, unknown>;
}

export interface BatchWork<I, O, C> {
  /** Names the compiled statement (one per kind of batched write). */
  name: string;
  /**
   * The read, as one statement built once with named placeholders, answering one row. It selects
   * `earlier` (the mechanism's part: earlier answers of the batch's client ids) as a column beside
   * what the rules need, so both come from one snapshot: a write the work sees done, its claim
   * and first answer are seen too (they commit in one statement).
   */
  readStatement: (earlier: SQL) => SQL;
  /** The values of the read's placeholders for these writes. */
  readValues: (writes: BatchedWrite<I>[]) => Record<string, unknown>;
  /** What the rules need, from the read's row. */
  context: (row: Record<string, unknown>) => C;
  /** The rules, in memory: what each fresh write does, and the values of the statement's parts. */
  plan: (context: C, fresh: BatchedWrite<I>[]) => BatchPlan<O>;
  /**
   * The work's data-modifying parts, `name as (…)`, with named placeholders (built once), and a
   * boolean over them that is true when they did all that was planned.
   */
  statement: () => { ctes: SQL[]; holds: SQL };
}

interface EarlierAnswer {
  clientId: string;
  actorId: string | null;
  action: string;
  response: unknown;
}

/** The client ids a batch claims, each with the first answer it stores. */
const claimRows = arrayRows<{ clientId: string; actorId: string; response: string }>('claim', {
  client_id: ['uuid', (c) => c.clientId],
  actor_id: ['uuid', (c) => c.actorId],
  response: ['jsonb', (c) => c.response],
});

type Compiled = ReturnType<typeof compileStatement>;
const compiledStatements = new Map<string, { read: Compiled; write: Compiled }>();

/**
 * A kind of batched write's two statements, compiled once and prepared by the work's name. The read: the
 * work's, with the earlier answers of the client ids as its `earlier` column. The write: the
 * work's parts, then the claims of the client ids with their first answers and the audit events,
 * then the check that the work did all it planned and every claim went in (a concurrent retry of
 * the same client id holds its claim).
 */
function statementsOf(
  work: Pick<BatchWork<unknown, unknown, unknown>, 'name' | 'readStatement' | 'statement'>,
) {
  let compiled = compiledStatements.get(work.name);
  if (!compiled) {
    const read = compileStatement(
      () =>
        work.readStatement(
          sql`(select json_agg(json_build_object('clientId', c.client_id, 'actorId', c.actor_id,
                                                  'action', c.action, 'response', c.response))
               from ${clientWrites} c where c.client_id = any(${arrayPlaceholder('earlier_ids', 'uuid')}))`,
        ),
      `${work.name}_read`,
    );
    const write = compileStatement(() => {
      const { ctes, holds } = work.statement();
      return sql`with ${sql.join(
        [
          ...ctes,
          sql`claimed as (
            insert into ${clientWrites} (client_id, actor_id, action, response)
            select client_id, actor_id, ${sql.placeholder('action')}, response
            from ${claimRows.unnest('c')}
            order by client_id
            on conflict do nothing
            returning 1)`,
          sql`audit as (${auditInsertTemplate()})`,
        ],
        sql`, `,
      )}
      select gw_batch_holds(${holds} and (select count(*) from claimed) = ${sql.placeholder('claim_count')},
                            ${sql.placeholder('action')}) as holds`;
    }, `${work.name}_write`);
    compiled = { read, write };
    compiledStatements.set(work.name, compiled);
  }
  return compiled;
}

/** PostgreSQL's codes for "read again and retry": a serialization failure, a deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);
const ATTEMPTS = 5;

function isRetryable(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'string' && RETRYABLE.has(e.code)) return true;
  }
  return false;
}

/**
 * The same mechanism for many field writes at once (a point's phones scanning together), in two
 * round trips: one read (the work's, beside the earlier answers of the client ids), then ONE
 * statement holding the work's writes, the claims of the client ids with their first answers,
 * and an audit event per success with its own actor. A single statement is atomic, so nothing of
 * a batch is half-written, and it needs no transaction held open across round trips. The work
 * plans from its read; the statement checks that the plan still holds (`gw_batch_holds`) and
 * aborts otherwise, and the batch is read and planned again. Repeats answer with their first
 * answer; a client id repeated inside the batch gets the answer of its first occurrence; failed
 * writes write nothing, so their retry runs again. Events go out after the statement.
 */
export async function runWriteBatch<I, O, C>(
  deps: WriteDeps,
  action: string,
  writes: BatchedWrite<I>[],
  work: BatchWork<I, O, C>,
): Promise<Array<O | Error>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeBatchOnce(deps, action, writes, work);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      // Still changing under us after several reads (many phones on one tube): every write of
      // the batch answers BUSY (a 503) rather than the batch being retried write by write, which
      // would hold up the whole point; the phones keep the scans queued and send them again, and
      // their client ids make that safe.
      if (attempt >= ATTEMPTS) return writes.map(() => new AppError('BUSY'));
    }
  }
}

async function writeBatchOnce<I, O, C>(
  deps: WriteDeps,
  action: string,
  writes: BatchedWrite<I>[],
  work: BatchWork<I, O, C>,
): Promise<Array<O | Error>> {
  const answers: Array<O | Error | undefined> = new Array(writes.length);
  const firstIndex = new Map<string, number>();
  writes.forEach((w, i) => {
    if (!firstIndex.has(w.clientId)) firstIndex.set(w.clientId, i);
  });
  const unique = [...firstIndex.values()];
  const readValues = work.readValues(unique.map((i) => writes[i] as BatchedWrite<I>));
  readValues.earlier_ids = unique.map((i) => writes[i]?.clientId as string);
  const [row = {}] = await statementsOf(work).read<Record<string, unknown>>(deps.database, readValues);
  const earlier = (row.earlier ?? []) as EarlierAnswer[];
  const context = work.context(row);
  const earlierById = new Map(earlier.map((p) => [p.clientId, p]));
  const answerEarlier = (i: number, p: EarlierAnswer) => {
    const w = writes[i] as BatchedWrite<I>;
    answers[i] =
      // A batched claim is stored with its answer in one statement, so any answer here is final.
      p.actorId === w.actor.userId && p.action === action ? (p.response as O) : clientIdTaken();
  };
  const freshIndexes: number[] = [];
  for (const i of unique) {
    const p = earlierById.get(writes[i]?.clientId as string);
    if (p) answerEarlier(i, p);
    else freshIndexes.push(i);
  }

  const published: Touched[] = [];
  if (freshIndexes.length > 0) {
    const plan = work.plan(
      context,
      freshIndexes.map((i) => writes[i] as BatchedWrite<I>),
    );
    const audit: AuditRecord[] = [];
    const claims: { clientId: string; actorId: string; response: string }[] = [];
    const successes: Array<[number, O]> = [];
    freshIndexes.forEach((i, k) => {
      const w = writes[i] as BatchedWrite<I>;
      const outcome = plan.outcomes[k] as { result: O; touched: Touched[] } | Error;
      if (outcome instanceof Error) {
        answers[i] = outcome;
        return;
      }
      // JSON round trip so the first answer and a replay are the same shape.
      const response = JSON.stringify(outcome.result ?? null);
      successes.push([i, JSON.parse(response) as O]);
      claims.push({ clientId: w.clientId, actorId: w.actor.userId, response });
      for (const t of outcome.touched) {
        audit.push(auditRecordOf(w.actor, action, t));
        published.push(t);
      }
    });
    if (claims.length > 0) {
      // The mechanism's parts beside the work's, in one object (see `arrayRows`' values).
      const values = plan.values;
      claimRows.values(claims, values);
      auditInsertValues(audit, values);
      values.claim_count = claims.length;
      values.action = action;
      await statementsOf(work).write(deps.database, values);
      for (const [i, answer] of successes) answers[i] = answer;
    }
  }

  if (published.length > 0) announceCommitted(deps, action, published);
  return writes.map((w, i) => {
    const own = answers[i];
    if (own !== undefined) return own;
    const first = firstIndex.get(w.clientId) as number;
    // The same client id twice in one batch: the same write only if the same actor sent it.
    return writes[first]?.actor.userId === w.actor.userId ? (answers[first] as O | Error) : clientIdTaken();
  });
}
