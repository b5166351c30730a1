import { and, asc, eq, exists, ilike, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/database.ts';
import { orgUnits, roleGrants, rolePermissions, roles, users } from '../../db/schema.ts';
import { unitLabel } from '../../db/unit-label.ts';
import { inScope, overlapsScope } from '../access/scope-sql.ts';

export type UserRow = typeof users.$inferSelect;

export async function findUserByUsername(db: Executor, username: string) {
  const [row] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.username})`, username.toLowerCase()));
  return row;
}

export async function findUserById(db: Executor, id: string) {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

/** A user with at least one grant on a unit whose path matches. */
const grantedWhere = (matches: (path: SQL) => SQL) =>
  exists(
    sql`(select 1 from ${roleGrants} join ${orgUnits} on ${orgUnits.id} = ${roleGrants.orgUnitId}
         where ${roleGrants.userId} = ${users.id} and ${matches(sql`${orgUnits.path}`)})`,
  );

/** A user is in scope when at least one of their grants sits inside the actor's subtrees. */
const grantedInScope = (scope: string[]) => grantedWhere((path) => inScope(path, scope));

export async function findUserInScope(db: Executor, scope: string[], id: string) {
  const [row] = await db
    .select()
    .from(users)
    .where(and(eq(users.id, id), grantedInScope(scope)));
  return row;
}

/**
 * The user, active, holds a permission over a place: a grant there or above it, of a role that
 * has it. One rule for a team's members checked (a point's samplers, a lab's staff) and for the
 * pickers that offer them.
 */
const activeHoldingOver = (permission: string, path: string) =>
  and(eq(users.active, true), holdsOver(permission, path));

const holdsOver = (permission: string, path: string) =>
  exists(
    sql`(select 1 from ${roleGrants}
         join ${rolePermissions} on ${rolePermissions.roleCode} = ${roleGrants.roleCode}
         join ${orgUnits} on ${orgUnits.id} = ${roleGrants.orgUnitId}
         where ${roleGrants.userId} = ${users.id} and ${rolePermissions.permission} = ${permission}
           and (${orgUnits.path} = ${path} or ${path} like ${orgUnits.path} || '.%'))`,
  );

export async function findUsersInScope(
  db: Executor,
  scope: string[],
  filter: { q?: string; phoneHash?: string; samplersAt?: string; labStaffAt?: string },
  page: { limit: number; offset: number },
) {
  const where = and(
    grantedInScope(scope),
    filter.samplersAt ? activeHoldingOver('sampling.scan', filter.samplersAt) : undefined,
    // A lab's team: whoever takes its results over its whole area, as the lab's rule asks.
    filter.labStaffAt ? activeHoldingOver('lab.results', filter.labStaffAt) : undefined,
    filter.q
      ? or(
          ilike(users.username, `%${filter.q}%`),
          ilike(users.displayName, `%${filter.q}%`),
          filter.phoneHash ? eq(users.phoneHash, filter.phoneHash) : undefined,
        )
      : undefined,
  );
  const [items, [{ total }]] = await Promise.all([
    db.select().from(users).where(where).orderBy(asc(users.username)).limit(page.limit).offset(page.offset),
    db.select({ total: sql<number>`count(*)::int` }).from(users).where(where),
  ]);
  return { items, total };
}

export async function findGrantsOfUsers(db: Executor, userIds: string[]) {
  if (userIds.length === 0) return [];
  return db
    .select({
      id: roleGrants.id,
      userId: roleGrants.userId,
      role: roleGrants.roleCode,
      roleName: roles.nameZh,
      roleNameEn: roles.nameEn,
      orgUnitId: roleGrants.orgUnitId,
      orgUnitName: unitLabel('org_units'),
      orgPath: orgUnits.path,
    })
    .from(roleGrants)
    .innerJoin(roles, eq(roles.code, roleGrants.roleCode))
    .innerJoin(orgUnits, eq(orgUnits.id, roleGrants.orgUnitId))
    .where(inArray(roleGrants.userId, userIds))
    .orderBy(orgUnits.path, roleGrants.roleCode);
}

export async function insertUser(db: Executor, row: typeof users.$inferInsert) {
  const [created] = await db.insert(users).values(row).returning();
  return created;
}

export async function updateUserRow(db: Executor, id: string, patch: Partial<typeof users.$inferInsert>) {
  const [updated] = await db
    .update(users)
    .set({ ...patch, updatedAt: sql`now()` })
    .where(eq(users.id, id))
    .returning();
  return updated;
}

export async function insertGrants(db: Executor, rows: (typeof roleGrants.$inferInsert)[]) {
  if (rows.length) await db.insert(roleGrants).values(rows);
}

export async function deleteGrants(db: Executor, ids: string[]) {
  if (ids.length) await db.delete(roleGrants).where(inArray(roleGrants.id, ids));
}

export async function usernameTaken(db: Executor, username: string, exceptId?: string) {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(sql`lower(${users.username})`, username.toLowerCase()),
        exceptId ? sql`${users.id} <> ${exceptId}` : undefined,
      ),
    );
  return Boolean(row);
}

/**
 * Of these users, the active ones holding a permission over a whole place: on it or above it, as
 * their scope must cover it (a point's team scans there; a lab's team works on all its tubes).
 */
export async function findUsersHoldingOver(db: Executor, ids: string[], permission: string, path: string) {
  if (ids.length === 0) return [];
  return db
    .select({ id: users.id, displayName: users.displayName })
    .from(users)
    .where(and(inArray(users.id, ids), activeHoldingOver(permission, path)));
}

/**
 * Display names of users by id (a team's, a point's samplers'), as a map; with `workingIn`, only of
 * users granted on that area, above it or within it: who works there, whom one organising there
 * may be told of (a refusal naming any user's id given would say whose it is).
 */
export async function findDisplayNames(
  db: Executor,
  ids: string[],
  workingIn?: string,
): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: users.id, displayName: users.displayName })
    .from(users)
    .where(
      and(
        inArray(users.id, ids),
        workingIn === undefined ? undefined : grantedWhere((path) => overlapsScope(path, [workingIn])),
      ),
    );
  return new Map(rows.map((r) => [r.id, r.displayName]));
}
