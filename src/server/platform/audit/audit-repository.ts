import { and, desc, eq, gte, ilike, inArray, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/database.ts';
import { arrayRows, idAsUuid } from '../../db/rows.ts';
import { auditEvents } from '../../db/schema.ts';
import { unitLabel } from '../../db/unit-label.ts';
import { inScope } from '../access/scope-sql.ts';
import { newId } from '../ids.ts';
import { isAboutResidents } from '../work-items/work-item-repository.ts';
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

/**
 * What an event is about, as its reader knows it: a person's name, a tube's code, a unit's,
 * round's or point's name, a work item's title, a household's address — read now, by the record's
 * key (an auditor asks "who exempted whom", not which uuid). Null for a record since deleted.
 */
const entityName = (scope: { paths: string[]; wholeTree: boolean }): SQL<string | null> => {
  const id = idAsUuid(sql`${auditEvents.entityId}`);
  const household = idAsUuid(sql`split_part(${auditEvents.entityId}, '/', 2)`);
  // People and households are named only while they live within the reader's scope (one who
  // moved away since is the uuid the event holds), as every read of people takes the scope.
  const within = (path: SQL) => (scope.wholeTree ? sql`true` : inScope(path, scope.paths));
  const person = sql`(select p.name from persons p where p.id = ${id} and ${within(sql`p.org_path`)})`;
  return sql<string | null>`(case ${auditEvents.entity}
      when 'resident' then ${person}
      when 'person' then ${person}
      when 'test_exemption' then ${person}
      when 'household' then (select h.address from households h where h.id = ${id} and ${within(sql`h.org_path`)})
      when 'sweep_household' then (select h.address from households h
                                   where h.id = ${household} and ${within(sql`h.org_path`)})
      when 'tube' then (select t.code from tubes t where t.id = ${id})
      -- A work item's title names the person it is about (单管复核：张三…), or the household's
      -- address (核实搬离：…): under the same rule.
      when 'work-item' then (select w.title from work_items w
                             where w.id = ${id} and ${within(sql`w.org_path`)}
                               and (not ${isAboutResidents(sql`w.subject_entity`)}
                                    or exists (select 1 from persons p
                                               where w.subject_entity = 'person'
                                                 and p.id = ${idAsUuid(sql`w.subject_id`)}
                                                 and ${within(sql`p.org_path`)})
                                    or exists (select 1 from households h
                                               where w.subject_entity = 'household'
                                                 and h.id = ${idAsUuid(sql`w.subject_id`)}
                                                 and ${within(sql`h.org_path`)})))
      when 'user' then (select u.display_name from users u where u.id = ${id})
      when 'org-unit' then (select ${unitLabel('o')} from org_units o where o.id = ${id})
      when 'test_round' then (select r.name from test_rounds r where r.id = ${id})
      when 'collection_point' then (select c.name from collection_points c where c.id = ${id})
      when 'sweep' then (select s.name from sweeps s where s.id = ${id})
      when 'lab' then (select l.name from labs l where l.id = ${id})
    end)`;
};

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
  const [rows, [{ total }]] = await Promise.all([
    db
      .select()
      .from(auditEvents)
      .where(where)
      .orderBy(desc(auditEvents.at), desc(auditEvents.id))
      .limit(page.limit)
      .offset(page.offset),
    db.select({ total: sql<number>`count(*)::int` }).from(auditEvents).where(where),
  ]);
  // Named for the page's rows alone (a deep page's skipped rows are never looked up).
  const names = new Map(
    rows.length === 0
      ? []
      : (
          await db
            .select({ id: auditEvents.id, entityName: entityName(scope) })
            .from(auditEvents)
            .where(
              inArray(
                auditEvents.id,
                rows.map((r) => r.id),
              ),
            )
        ).map((n) => [n.id, n.entityName]),
  );
  return { items: rows.map((r) => ({ ...r, entityName: names.get(r.id) ?? null })), total };
}
