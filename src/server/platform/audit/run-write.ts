import { eq, inArray, sql } from 'drizzle-orm';
import type { Database, Tx } from '../../db/database.ts';
import { arrayParam, queryRows } from '../../db/rows.ts';
import { clientWrites } from '../../db/schema.ts';
import type { Actor, SystemActor } from '../access/actor.ts';
import { conflict } from '../errors/app-error.ts';
import { text } from '../errors/i18n.ts';
import type { EventBus } from '../events/event-bus.ts';
import { auditInsertStatement, insertAuditEvents } from './audit-repository.ts';
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
export function onCommitted(listener: CommitListener): void {
  commitListeners.push(listener);
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
    if (!previous || previous.actorId !== actor.userId || previous.action !== action) {
      throw conflict(
        text('该客户端编号已被另一操作使用', 'This client id was used for another write'),
        undefined,
        'clientId',
      );
    }
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
      touched.map((t) => ({
        actorId: actor.userId,
        actorName: actor.displayName,
        action: t.action ?? action,
        entity: t.entity,
        entityId: t.entityId,
        orgPath: t.orgPath,
        changes: t.before === undefined && t.after === undefined ? null : diffSnapshots(t.before, t.after),
        ip: actor.ip,
      })),
    );
    if (!clientId) return outcome.result;
    // JSON round trip so the first answer and a replay are the same shape.
    const response = JSON.parse(JSON.stringify(outcome.result ?? null));
    await tx.update(clientWrites).set({ response }).where(eq(clientWrites.clientId, clientId));
    return response as T;
  });
  if (!replayed) {
    for (const listener of commitListeners) listener(touched);
    const at = new Date().toISOString();
    for (const t of touched) {
      if (t.publish === false) continue;
      deps.events.publish({
        type: t.action ?? action,
        entity: t.entity,
        entityId: t.entityId,
        orgPath: t.orgPath,
        at,
      });
    }
  }
  return result;
}

/** One field client's write inside a batch. */
export interface BatchedWrite<I> {
  actor: Actor;
  clientId: string;
  input: I;
}

/**
 * The same mechanism for many field writes at once (a point's phones scanning together): one
 * transaction claims every client id, runs the work for the fresh ones, audits each success with
 * its own actor, stores each first answer, and drops the claims of the ones that failed so their
 * retry runs again. Repeats answer with their first answer; a client id repeated inside the batch
 * gets the answer of its first occurrence. Events go out after commit.
 */
export async function runWriteBatch<I, O>(
  deps: WriteDeps,
  action: string,
  writes: BatchedWrite<I>[],
  work: (tx: Tx, fresh: BatchedWrite<I>[]) => Promise<Array<{ result: O; touched: Touched[] } | Error>>,
): Promise<Array<O | Error>> {
  const answers: Array<O | Error | undefined> = new Array(writes.length);
  const firstIndex = new Map<string, number>();
  writes.forEach((w, i) => {
    if (!firstIndex.has(w.clientId)) firstIndex.set(w.clientId, i);
  });
  // In client-id order, so overlapping batches claim in the same order (no lock cycles).
  const unique = [...firstIndex.values()].sort((a, b) => {
    const x = writes[a]?.clientId as string;
    const y = writes[b]?.clientId as string;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  let published: Touched[] = [];

  await deps.database.db
    .transaction(async (tx) => {
      const claimed = new Set(
        (
          await queryRows<{ clientId: string }>(
            tx,
            sql`insert into ${clientWrites} (client_id, actor_id, action)
              select id, actor, ${action} from unnest(${arrayParam(
                unique.map((i) => writes[i]?.clientId),
                'uuid',
              )}, ${arrayParam(
                unique.map((i) => writes[i]?.actor.userId),
                'uuid',
              )}) as c(id, actor)
              on conflict do nothing
              returning client_id as "clientId"`,
          )
        ).map((r) => r.clientId),
      );
      const replays = unique.filter((i) => !claimed.has(writes[i]?.clientId as string));
      if (replays.length > 0) {
        const previous = await tx
          .select()
          .from(clientWrites)
          .where(
            inArray(
              clientWrites.clientId,
              replays.map((i) => writes[i]?.clientId as string),
            ),
          );
        const byId = new Map(previous.map((p) => [p.clientId, p]));
        for (const i of replays) {
          const w = writes[i] as BatchedWrite<I>;
          const p = byId.get(w.clientId);
          answers[i] =
            p && p.actorId === w.actor.userId && p.action === action && p.response !== null
              ? (p.response as O)
              : conflict(
                  text('该客户端编号已被另一操作使用', 'This client id was used for another write'),
                  undefined,
                  'clientId',
                );
        }
      }
      const freshIndexes = unique.filter((i) => claimed.has(writes[i]?.clientId as string));
      if (freshIndexes.length === 0) return;
      const outcomes = await work(
        tx,
        freshIndexes.map((i) => writes[i] as BatchedWrite<I>),
      );
      const audit: Parameters<typeof insertAuditEvents>[1] = [];
      const stored: { clientId: string; response: unknown }[] = [];
      const failed: string[] = [];
      freshIndexes.forEach((i, k) => {
        const w = writes[i] as BatchedWrite<I>;
        const outcome = outcomes[k] as { result: O; touched: Touched[] } | Error;
        if (outcome instanceof Error) {
          answers[i] = outcome;
          failed.push(w.clientId);
          return;
        }
        // JSON round trip so the first answer and a replay are the same shape.
        const response = JSON.parse(JSON.stringify(outcome.result ?? null));
        answers[i] = response;
        stored.push({ clientId: w.clientId, response });
        for (const t of outcome.touched) {
          audit.push({
            actorId: w.actor.userId,
            actorName: w.actor.displayName,
            action: t.action ?? action,
            entity: t.entity,
            entityId: t.entityId,
            orgPath: t.orgPath,
            changes:
              t.before === undefined && t.after === undefined ? null : diffSnapshots(t.before, t.after),
            ip: w.actor.ip,
          });
          published.push(t);
        }
      });
      // The audit events and the first answers in one statement (every success has both).
      if (stored.length > 0)
        await tx.execute(
          sql`with audit as (${auditInsertStatement(audit)})
            update ${clientWrites} c set response = d.r
            from unnest(${arrayParam(
              stored.map((s) => s.clientId),
              'uuid',
            )}, ${arrayParam(
              stored.map((s) => JSON.stringify(s.response)),
              'jsonb',
            )}) as d(id, r)
            where c.client_id = d.id`,
        );
      if (failed.length > 0) await tx.delete(clientWrites).where(inArray(clientWrites.clientId, failed));
    })
    .catch((error) => {
      published = [];
      throw error;
    });

  const at = new Date().toISOString();
  // One event per record touched, however many writes of the batch touched it.
  const seen = new Set<string>();
  for (const t of published) {
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
  return writes.map((w, i) => {
    const own = answers[i];
    if (own !== undefined) return own;
    return answers[firstIndex.get(w.clientId) as number] as O | Error;
  });
}
