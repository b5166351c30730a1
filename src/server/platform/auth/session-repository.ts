import { and, eq, gt, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/database.ts';
import { arrayParam, queryRows } from '../../db/rows.ts';
import { loginFailures, sessions, users } from '../../db/schema.ts';
import { unitLabel } from '../../db/unit-label.ts';
import type { GrantRow } from '../access/actor.ts';

export async function insertSession(
  db: Executor,
  row: { tokenHash: string; userId: string; ip: string | null; userAgent: string | null },
) {
  await db.insert(sessions).values(row);
}

/** A user's grants with their role's permissions and their node's path, as one JSON array. */
const grantsOf = (userId: SQL) => sql`coalesce((
  select json_agg(json_build_object(
           'roleCode', g.role_code, 'roleName', r.name_zh, 'roleNameEn', r.name_en,
           'orgUnitId', g.org_unit_id, 'orgUnitName', ${unitLabel('o')}, 'orgPath', o.path,
           'permissions', coalesce((select array_agg(p.permission order by p.permission)
                                    from role_permissions p where p.role_code = g.role_code), '{}'))
         order by o.path, g.role_code)
  from role_grants g join roles r on r.code = g.role_code join org_units o on o.id = g.org_unit_id
  where g.user_id = ${userId}), '[]'::json)`;

export interface LiveSession {
  tokenHash: string;
  userId: string;
  username: string;
  displayName: string;
  lastSeenAt: Date | string;
  grants: GrantRow[];
}

/**
 * Sessions' users and their whole access in one query (it runs for every request; concurrent
 * requests share it): only sessions that exist, of active users, used within the idle limit.
 */
export async function findLiveSessions(db: Executor, tokenHashes: string[], idleMinutes: number) {
  return queryRows<LiveSession>(
    db,
    sql`select s.token_hash as "tokenHash", u.id as "userId", u.username, u.display_name as "displayName",
               s.last_seen_at as "lastSeenAt", ${grantsOf(sql`u.id`)} as grants
        from ${sessions} s join ${users} u on u.id = s.user_id
        where s.token_hash = any(${arrayParam(tokenHashes, 'text')}) and u.active
          and s.last_seen_at > now() - make_interval(mins => ${idleMinutes})`,
  );
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

export async function findGrantsOfUser(db: Executor, userId: string) {
  const [row] = await queryRows<{ grants: GrantRow[] }>(
    db,
    sql`select ${grantsOf(sql`${userId}::uuid`)} as grants`,
  );
  return row.grants;
}

export async function countRecentFailures(db: Executor, username: string, ip: string, minutes: number) {
  const since = sql`now() - make_interval(mins => ${minutes})`;
  const [row] = await db
    .select({
      byUser: sql<number>`count(*) filter (where ${loginFailures.username} = ${username})::int`,
      byIp: sql<number>`count(*) filter (where ${loginFailures.ip} = ${ip})::int`,
      pendingByIp: sql<number>`count(*) filter (where ${loginFailures.ip} = ${pendingFrom(ip)})::int`,
    })
    .from(loginFailures)
    .where(
      and(
        gt(loginFailures.at, since),
        or(
          eq(loginFailures.username, username),
          eq(loginFailures.ip, ip),
          eq(loginFailures.ip, pendingFrom(ip)),
        ),
      ),
    );
  return row;
}

/** How an attempt under way from an address is marked (counted apart from its failures). */
const pendingFrom = (ip: string) => `pending:${ip}`;

/**
 * An attempt under way, counted against its name at once (concurrent guesses at one account see
 * each other), and against its address apart from failures: an address is shared by every phone
 * behind one village router, which log in together at a point's start, so attempts under way get
 * a larger allowance there than failures. `failedFrom` turns it into a failure.
 */
export async function insertLoginAttempt(db: Executor, username: string, ip: string) {
  const [row] = await db
    .insert(loginFailures)
    .values({ username, ip: pendingFrom(ip) })
    .returning({ id: loginFailures.id });
  return row.id;
}

/** The attempt failed: it counts against the address too. */
export async function failedFrom(db: Executor, id: number, ip: string) {
  await db.update(loginFailures).set({ ip }).where(eq(loginFailures.id, id));
}

/** The attempt succeeded (or was refused before it was tried): it counts nowhere. */
export async function deleteLoginAttempt(db: Executor, id: number) {
  await db.delete(loginFailures).where(eq(loginFailures.id, id));
}

export async function deleteOldLoginFailures(db: Executor, minutes: number) {
  await db.delete(loginFailures).where(lt(loginFailures.at, sql`now() - make_interval(mins => ${minutes})`));
}
