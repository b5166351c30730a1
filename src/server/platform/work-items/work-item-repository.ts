import { and, asc, desc, eq, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { ENTITIES_ABOUT_PEOPLE } from '../../../domain/audit.ts';
import type { Executor } from '../../db/database.ts';
import { arrayParam, idAsUuid } from '../../db/rows.ts';
import { orgUnits, persons, users, workItems } from '../../db/schema.ts';
import { awaitedTubeOfItem } from '../../modules/testing/testing-repository.ts';
import { inScope } from '../access/scope-sql.ts';

export type WorkItemRow = typeof workItems.$inferSelect;

const assigneeUnit = alias(orgUnits, 'assignee_unit');

/** An item's columns for a reader who may read residents in `personScope`. */
const columnsFor = (personScope: string[]) => ({
  item: workItems,
  assigneeUserName: users.displayName,
  assigneeOrgUnitName: assigneeUnit.name,
  /**
   * Whether the person an item is about has a phone registered (no call offered to nobody): the
   * person read, as every read of people is, within the reader's scope.
   */
  subjectHasPhone: sql<boolean>`exists (select 1 from ${persons} p
    where ${workItems.subjectEntity} = 'person'
      and p.id = ${idAsUuid(sql`${workItems.subjectId}`)}
      and ${inScope(sql`p.org_path`, personScope)}
      and p.phone_enc is not null)`,
  /** A recall whose person was found and sampled alone: the single tube whose result is awaited. */
  awaitedTube: awaitedTubeOfItem(sql`${workItems.id}`),
});

export interface WorkItemFilter {
  /** Mine: assigned to me, or to a node I hold a grant on. */
  mine?: { userId: string; orgUnitIds: string[] };
  state?: string;
  type?: string;
  /** Where the reader may read residents: items about a person only there (see `aboutPeopleIn`). */
  personScope: string[];
}

/**
 * Whether an item is about residents: a person (a recheck, a positive, with name and address) or
 * a household (核实搬离, with its address and what the team was told at the door).
 */
export const isAboutResidents = (subjectEntity: SQL) =>
  sql`coalesce(${subjectEntity}, '') = any(${arrayParam(ENTITIES_ABOUT_PEOPLE, 'text')})`;

/**
 * Items about residents only where the reader may read residents: a lab, sampler or pharmacy
 * account granted the whole district does not get the district's recalls, its households found
 * moved, nor its urgent positives as its own to do.
 */
function aboutPeopleIn(personScope: string[]): SQL {
  return sql`(not ${isAboutResidents(sql`${workItems.subjectEntity}`)} or ${inScope(workItems.orgPath, personScope)})`;
}

function whereOf(scope: string[], filter: WorkItemFilter): SQL | undefined {
  return and(
    inScope(workItems.orgPath, scope),
    aboutPeopleIn(filter.personScope),
    filter.mine
      ? or(
          eq(workItems.assigneeUserId, filter.mine.userId),
          filter.mine.orgUnitIds.length
            ? inArray(workItems.assigneeOrgUnitId, filter.mine.orgUnitIds)
            : undefined,
        )
      : undefined,
    filter.state ? eq(workItems.state, filter.state) : undefined,
    filter.type ? eq(workItems.type, filter.type) : undefined,
  );
}

export async function findWorkItems(
  db: Executor,
  scope: string[],
  filter: WorkItemFilter,
  page: { limit: number; offset: number },
) {
  const where = whereOf(scope, filter);
  const [items, [{ total }]] = await Promise.all([
    db
      .select(columnsFor(filter.personScope))
      .from(workItems)
      .leftJoin(users, eq(users.id, workItems.assigneeUserId))
      .leftJoin(assigneeUnit, eq(assigneeUnit.id, workItems.assigneeOrgUnitId))
      .where(where)
      // Overdue first, then the nearest deadline: what the worker should do next is on top.
      .orderBy(
        sql`case ${workItems.state} when 'overdue' then 0 when 'open' then 1 else 2 end`,
        asc(workItems.dueAt),
        desc(workItems.id),
      )
      .limit(page.limit)
      .offset(page.offset),
    db.select({ total: sql<number>`count(*)::int` }).from(workItems).where(where),
  ]);
  return { items, total };
}

export async function findWorkItemInScope(db: Executor, scope: string[], id: string, personScope = scope) {
  const [row] = await db
    .select(columnsFor(personScope))
    .from(workItems)
    .leftJoin(users, eq(users.id, workItems.assigneeUserId))
    .leftJoin(assigneeUnit, eq(assigneeUnit.id, workItems.assigneeOrgUnitId))
    .where(and(eq(workItems.id, id), inScope(workItems.orgPath, scope), aboutPeopleIn(personScope)));
  return row;
}

export async function insertWorkItems(db: Executor, rows: (typeof workItems.$inferInsert)[]) {
  if (rows.length) await db.insert(workItems).values(rows);
}

export async function updateWorkItemRow(
  db: Executor,
  id: string,
  patch: Partial<typeof workItems.$inferInsert>,
) {
  await db
    .update(workItems)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(workItems.id, id));
}

/** Open items past their due time become overdue; returns what changed, for audit and events. */
export async function markOverdue(db: Executor) {
  return db
    .update(workItems)
    .set({ state: 'overdue', updatedAt: sql`now()` })
    .where(and(eq(workItems.state, 'open'), lt(workItems.dueAt, sql`now()`)))
    .returning({ id: workItems.id, orgPath: workItems.orgPath });
}
