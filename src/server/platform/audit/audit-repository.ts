import { and, desc, eq, gte, ilike, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/database.ts';
import { arrayPlaceholder } from '../../db/rows.ts';
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
 * The same insert as one statement of array parameters (whatever the count), compiled once, to
 * run as a CTE beside the rest of a batched write's bookkeeping; `auditInsertValues` fills it.
 */
export function auditInsertTemplate(): SQL {
  const col = (name: string, type: string) => arrayPlaceholder(`audit_${name}`, type);
  return sql`insert into ${auditEvents} (id, actor_id, actor_name, action, entity, entity_id, org_path, changes, ip)
    select * from unnest(${col('id', 'uuid')}, ${col('actor_id', 'uuid')}, ${col('actor_name', 'text')},
      ${col('action', 'text')}, ${col('entity', 'text')}, ${col('entity_id', 'text')}, ${col('org_path', 'text')},
      ${col('changes', 'jsonb')}, ${col('ip', 'text')})`;
}

export function auditInsertValues(records: AuditRecord[]): Record<string, unknown[]> {
  return {
    audit_id: records.map(() => newId()),
    audit_actor_id: records.map((r) => r.actorId),
    audit_actor_name: records.map((r) => r.actorName),
    audit_action: records.map((r) => r.action),
    audit_entity: records.map((r) => r.entity),
    audit_entity_id: records.map((r) => r.entityId),
    audit_org_path: records.map((r) => r.orgPath),
    audit_changes: records.map((r) => (r.changes === null ? null : JSON.stringify(r.changes))),
    audit_ip: records.map((r) => r.ip),
  };
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
