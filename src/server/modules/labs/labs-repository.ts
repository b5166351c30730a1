import { and, asc, desc, eq, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../db/database.ts';
import { queryRows } from '../../db/rows.ts';
import { labs, orgUnits } from '../../db/schema.ts';
import { inScope, overlapsScope } from '../../platform/access/scope-sql.ts';

export type LabRow = typeof labs.$inferSelect;

const withUnit = { lab: labs, orgUnitName: orgUnits.name };

/**
 * Labs an actor may hand tubes to or read: those serving an area overlapping their scope (a
 * sampler in a grid sees the district's labs; a street's organiser also those of its communities).
 */
export async function findLabsVisible(db: Executor, scope: string[]) {
  return db
    .select(withUnit)
    .from(labs)
    .innerJoin(orgUnits, eq(orgUnits.id, labs.orgUnitId))
    .where(overlapsScope(labs.orgPath, scope))
    .orderBy(desc(labs.active), asc(labs.name));
}

export async function findLabVisible(db: Executor, scope: string[], id: string) {
  const [row] = await db
    .select(withUnit)
    .from(labs)
    .innerJoin(orgUnits, eq(orgUnits.id, labs.orgUnitId))
    .where(and(eq(labs.id, id), overlapsScope(labs.orgPath, scope)));
  return row;
}

/**
 * A lab whose unit lies in the actor's scope (who may change it), locked for the change, with its
 * unit's name (a lab's unit never changes, so the join is not re-checked against a moved row).
 */
export async function lockLabInScope(db: Executor, scope: string[], id: string) {
  const [row] = await db
    .select(withUnit)
    .from(labs)
    .innerJoin(orgUnits, eq(orgUnits.id, labs.orgUnitId))
    .where(and(eq(labs.id, id), inScope(labs.orgPath, scope)))
    .for('update', { of: labs });
  return row;
}

export async function labNameTaken(db: Executor, districtCode: string, name: string, exceptId?: string) {
  const rows = await db
    .select({ id: labs.id })
    .from(labs)
    .where(
      and(
        eq(labs.districtCode, districtCode),
        eq(labs.name, name),
        exceptId ? ne(labs.id, exceptId) : undefined,
      ),
    );
  return rows.length > 0;
}

export async function insertLab(db: Executor, row: typeof labs.$inferInsert) {
  const [created] = await db.insert(labs).values(row).returning();
  return created as LabRow;
}

export async function updateLab(
  db: Executor,
  id: string,
  patch: Partial<Pick<LabRow, 'name' | 'active' | 'memberUserIds'>>,
) {
  const [updated] = await db
    .update(labs)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(labs.id, id))
    .returning();
  return updated as LabRow;
}

/** The labs whose team a user is on (a stopped one too: it may test what it holds). */
export async function findLabIdsOfMember(db: Executor, userId: string) {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select id from ${labs} where ${userId}::uuid = any(member_user_ids) order by id`,
  );
  return rows.map((r) => r.id);
}
