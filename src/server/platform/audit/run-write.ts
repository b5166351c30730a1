import { eq } from 'drizzle-orm';
import type { Database, Tx } from '../../db/database.ts';
import { clientWrites } from '../../db/schema.ts';
import type { Actor, SystemActor } from '../access/actor.ts';
import { conflict } from '../errors/app-error.ts';
import { text } from '../errors/i18n.ts';
import type { EventBus } from '../events/event-bus.ts';
import { isUniqueViolation } from '../db-errors.ts';
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
  const replay = async (tx: Tx | Database['db']): Promise<T | undefined> => {
    if (!clientId) return undefined;
    const [previous] = await tx.select().from(clientWrites).where(eq(clientWrites.clientId, clientId));
    if (!previous) return undefined;
    if (previous.actorId !== actor.userId || previous.action !== action) {
      throw conflict(text('该客户端编号已被另一操作使用', 'This client id was used for another write'), undefined, 'clientId');
    }
    return previous.response as T;
  };

  let touched: Touched[] = [];
  let replayed = false;
  let result: T;
  try {
    result = await deps.database.db.transaction(async (tx) => {
      const previous = await replay(tx);
      if (previous !== undefined) {
        replayed = true;
        return previous;
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
      if (clientId) {
        // JSON round trip so the first answer and a replay are byte-for-byte the same shape.
        const response = JSON.parse(JSON.stringify(outcome.result ?? null));
        await tx.insert(clientWrites).values({ clientId, actorId: actor.userId, action, response });
        return response as T;
      }
      return outcome.result;
    });
  } catch (err) {
    // Two retries of one field write racing each other: the loser answers with the winner's result.
    if (clientId && isUniqueViolation(err)) {
      const previous = await replay(deps.database.db);
      if (previous !== undefined) return previous;
    }
    throw err;
  }
  if (!replayed) {
    const at = new Date().toISOString();
    for (const t of touched) {
      if (t.publish === false) continue;
      deps.events.publish({ type: t.action ?? action, entity: t.entity, entityId: t.entityId, orgPath: t.orgPath, at });
    }
  }
  return result;
}
