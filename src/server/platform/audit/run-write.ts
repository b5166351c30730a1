import { eq } from 'drizzle-orm';
import type { Database, Tx } from '../../db/database.ts';
import { clientWrites } from '../../db/schema.ts';
import type { Actor, SystemActor } from '../access/actor.ts';
import { conflict } from '../errors/app-error.ts';
import { text } from '../errors/i18n.ts';
import type { EventBus } from '../events/event-bus.ts';
import { insertAuditEvents } from './audit-repository.ts';
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
