import { and, desc, eq, gte, ilike, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/database.ts';
import { arrayParam } from '../../db/rows.ts';
import { auditEvents } from '../../db/schema.ts';
import { inScope } from '../access/scope-sql.ts';
import { newId } from '../ids.ts';
import type { Changes } from './changes.ts';

export interface AuditRecord {
  actorId: string | null;
  actorName: string | null;
  action: string;
  entity: string;
  entityId: string | null;
  orgPath: string | null;
  changes: Changes | null;
  ip: string | null;
}

export async function insertAuditEvents(db: Executor, records: AuditRecord[]): Promise<void> {
  if (records.length === 0) return;
  await db.insert(auditEvents).values(records.map((r) => ({ id: newId(), ...r })));
}

/**
 * The same insert as one statement of array parameters (whatever the count), to run as a CTE
 * beside the rest of a batched write's bookkeeping.
 */
export function auditInsertStatement(records: AuditRecord[]): SQL {
  const col = (values: unknown[], type: string) => arrayParam(values, type);
  return sql`insert into ${auditEvents} (id, actor_id, actor_name, action, entity, entity_id, org_path, changes, ip)
    select * from unnest(${col(
      records.map(() => newId()),
      'uuid',
    )}, ${col(
      records.map((r) => r.actorId),
      'uuid',
    )}, ${col(
      records.map((r) => r.actorName),
      'text',
    )}, ${col(
      records.map((r) => r.action),
      'text',
    )}, ${col(
      records.map((r) => r.entity),
      'text',
    )}, ${col(
      records.map((r) => r.entityId),
      'text',
    )}, ${col(
      records.map((r) => r.orgPath),
      'text',
    )}, ${col(
      records.map((r) => (r.changes === null ? null : JSON.stringify(r.changes))),
      'jsonb',
    )}, ${col(
      records.map((r) => r.ip),
      'text',
    )})`;
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  entity?: string;
  entityId?: string;
  from?: Date;
  to?: Date;
}

export async function findAuditEvents(
  db: Executor,
  scope: { paths: string[]; wholeTree: boolean },
  filter: AuditFilter,
  page: { limit: number; offset: number },
) {
  const conditions: (SQL | undefined)[] = [
    scope.wholeTree ? undefined : inScope(auditEvents.orgPath, scope.paths),
    filter.actor
      ? or(
          eq(sql`${auditEvents.actorId}::text`, filter.actor),
          ilike(auditEvents.actorName, `%${filter.actor}%`),
        )
      : undefined,
    filter.action
      ? or(eq(auditEvents.action, filter.action), ilike(auditEvents.action, `${filter.action}%`))
      : undefined,
    filter.entity ? eq(auditEvents.entity, filter.entity) : undefined,
    filter.entityId ? eq(auditEvents.entityId, filter.entityId) : undefined,
    filter.from ? gte(auditEvents.at, filter.from) : undefined,
    filter.to ? lte(auditEvents.at, filter.to) : undefined,
  ];
  const where = and(...conditions);
  const [items, [{ total }]] = await Promise.all([
    db
      .select()
      .from(auditEvents)
      .where(where)
      .orderBy(desc(auditEvents.at), desc(auditEvents.id))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ total: sql<number>`count(*)::int` }).from(auditEvents).where(where),
  ]);
  return { items, total };
}
