import { and, desc, eq, gte, ilike, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/database.ts';
import { arrayRows } from '../../db/rows.ts';
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

/** Rows per insert: ten columns each, under PostgreSQL's 65,535 parameters per statement. */
const AUDIT_ROWS_PER_INSERT = 5000;

export async function insertAuditEvents(db: Executor, records: AuditRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += AUDIT_ROWS_PER_INSERT)
    await db
      .insert(auditEvents)
      .values(records.slice(i, i + AUDIT_ROWS_PER_INSERT).map((r) => ({ id: newId(), ...r })));
}

const auditRows = arrayRows<AuditRecord>('audit', {
  id: ['uuid', () => newId()],
  actor_id: ['uuid', (r) => r.actorId],
  actor_name: ['text', (r) => r.actorName],
  action: ['text', (r) => r.action],
  entity: ['text', (r) => r.entity],
  entity_id: ['text', (r) => r.entityId],
  org_path: ['text', (r) => r.orgPath],
  changes: ['jsonb', (r) => (r.changes === null ? null : JSON.stringify(r.changes))],
  ip: ['text', (r) => r.ip],
});

/**
 * The same insert as one statement of array parameters (whatever the count), compiled once, to
 * run as a CTE beside the rest of a batched write's bookkeeping; `auditInsertValues` fills it.
 */
export function auditInsertTemplate(): SQL {
  return sql`insert into ${auditEvents} (${auditRows.names}) select * from ${auditRows.unnest('a')}`;
}

export const auditInsertValues = auditRows.values;

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
