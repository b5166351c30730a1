import { and, eq, gt, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../../db/database.ts';
import {
  loginFailures,
  orgUnits,
  roleGrants,
  rolePermissions,
  roles,
  sessions,
  users,
} from '../../db/schema.ts';

export async function insertSession(
  db: Executor,
  row: { tokenHash: string; userId: string; ip: string | null; userAgent: string | null },
) {
  await db.insert(sessions).values(row);
}

/** The session's user if the session exists, the user is active and it was used within the idle limit. */
export async function findLiveSession(db: Executor, tokenHash: string, idleMinutes: number) {
  const [row] = await db
    .select({
      userId: users.id,
      username: users.username,
      displayName: users.displayName,
      lastSeenAt: sessions.lastSeenAt,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(
      and(
        eq(sessions.tokenHash, tokenHash),
        eq(users.active, true),
        gt(sessions.lastSeenAt, sql`now() - make_interval(mins => ${idleMinutes})`),
      ),
    );
  return row;
}

export async function touchSession(db: Executor, tokenHash: string) {
  await db.update(sessions).set({ lastSeenAt: sql`now()` }).where(eq(sessions.tokenHash, tokenHash));
}

export async function deleteSession(db: Executor, tokenHash: string) {
  const deleted = await db
    .delete(sessions)
    .where(eq(sessions.tokenHash, tokenHash))
    .returning({ userId: sessions.userId });
  return deleted[0];
}

export async function deleteSessionsOfUser(db: Executor, userId: string) {
  await db.delete(sessions).where(eq(sessions.userId, userId));
}

export async function deleteIdleSessions(db: Executor, idleMinutes: number) {
  const rows = await db
    .delete(sessions)
    .where(lt(sessions.lastSeenAt, sql`now() - make_interval(mins => ${idleMinutes})`))
    .returning({ userId: sessions.userId });
  return rows.length;
}

/** Grants with their role's permissions and their node's path: the actor's whole access, in one query. */
export async function findGrantsOfUser(db: Executor, userId: string) {
  return db
    .select({
      roleCode: roleGrants.roleCode,
      roleName: roles.nameZh,
      roleNameEn: roles.nameEn,
      orgUnitId: roleGrants.orgUnitId,
      orgUnitName: orgUnits.name,
      orgPath: orgUnits.path,
      permissions: sql<
        string[]
      >`coalesce((select array_agg(${rolePermissions.permission}) from ${rolePermissions} where ${rolePermissions.roleCode} = ${roleGrants.roleCode}), '{}')`,
    })
    .from(roleGrants)
    .innerJoin(roles, eq(roles.code, roleGrants.roleCode))
    .innerJoin(orgUnits, eq(orgUnits.id, roleGrants.orgUnitId))
    .where(eq(roleGrants.userId, userId))
    .orderBy(orgUnits.path, roleGrants.roleCode);
}

export async function countRecentFailures(db: Executor, username: string, ip: string, minutes: number) {
  const since = sql`now() - make_interval(mins => ${minutes})`;
  const [row] = await db
    .select({
      byUser: sql<number>`count(*) filter (where ${loginFailures.username} = ${username})::int`,
      byIp: sql<number>`count(*) filter (where ${loginFailures.ip} = ${ip})::int`,
    })
    .from(loginFailures)
    .where(
      and(gt(loginFailures.at, since), or(eq(loginFailures.username, username), eq(loginFailures.ip, ip))),
    );
  return row;
}

export async function insertLoginFailure(db: Executor, username: string, ip: string) {
  await db.insert(loginFailures).values({ username, ip });
}

export async function deleteOldLoginFailures(db: Executor, minutes: number) {
  await db.delete(loginFailures).where(lt(loginFailures.at, sql`now() - make_interval(mins => ${minutes})`));
}
