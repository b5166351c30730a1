import { hash, randomBytes } from 'node:crypto';
import { type Actor, allPermissions, type GrantRow, toGrant } from '../access/actor.ts';
import { onCommitted, runWrite } from '../audit/run-write.ts';
import { createBatcher } from '../batching.ts';
import type { AppDeps } from '../deps.ts';
import { AppError, invalidField } from '../errors/app-error.ts';
import { type Locale, text } from '../errors/i18n.ts';
import { findUserById, findUserByUsername, updateUserRow } from '../users/user-repository.ts';
import { decoyHash, hashPassword, verifyPassword } from './passwords.ts';
import * as sessions from './session-repository.ts';

const FAILURE_WINDOW_MINUTES = 15;
const MAX_FAILURES = 10;
/**
 * Logins under way at once from one address beyond its failures: the phones of a point behind one
 * router (32 in the benchmark) log in together; a burst of guesses gets no further than this.
 */
const ATTEMPTS_UNDER_WAY_PER_ADDRESS = 40;
/** Touching the session row on every request would make every read a write; once a minute is enough. */
const TOUCH_EVERY_MS = 60_000;

/** Sessions are stored by the hash of their token. One-shot `hash`: every request hashes its cookie. */
export const hashToken = (token: string) => hash('sha256', token, 'base64url');

export interface RequestInfo {
  ip: string;
  userAgent: string | null;
  locale: Locale;
}

export function describeActor(actor: Actor) {
  return {
    user: { id: actor.userId, username: actor.username, displayName: actor.displayName },
    grants: actor.grants.map((g) => ({
      role: g.roleCode,
      roleName: actor.locale === 'en' ? g.roleNameEn : g.roleName,
      orgUnitId: g.orgUnitId,
      orgUnitName: g.orgUnitName,
      orgUnitPath: g.orgPath,
    })),
    permissions: allPermissions(actor),
  };
}

function toActor(
  user: { userId: string; username: string; displayName: string },
  rows: GrantRow[],
  info: RequestInfo,
): Actor {
  return {
    userId: user.userId,
    username: user.username,
    displayName: user.displayName,
    grants: rows.map(toGrant),
    ip: info.ip,
    locale: info.locale,
  };
}

/** A user acting outside a web session (the command line, a benchmark), with their own grants. */
export async function actorOfUser(
  deps: Pick<AppDeps, 'database'>,
  username: string,
  ip: string,
): Promise<Actor | null> {
  const user = await findUserByUsername(deps.database.db, username);
  if (!user) return null;
  const grants = await sessions.findGrantsOfUser(deps.database.db, user.id);
  return toActor({ userId: user.id, username: user.username, displayName: user.displayName }, grants, {
    ip,
    userAgent: null,
    locale: 'zh',
  });
}

/**
 * Counts a password check before it is made (concurrent tries see each other) under a keyed hash
 * of what it is about, and refuses it once that (or, for logins, the address) has failed too often.
 * Returns the attempt, to be deleted on success or marked failed from its address.
 */
async function beginAttempt(deps: AppDeps, about: string, ip: string, options: { limitAddress: boolean }) {
  const db = deps.database.db;
  const key = deps.cipher.lookupHash(about);
  const attemptId = await sessions.insertLoginAttempt(db, key, ip);
  const recent = await sessions.countRecentFailures(db, key, ip, FAILURE_WINDOW_MINUTES);
  const addressRefused =
    options.limitAddress &&
    (recent.byIp >= MAX_FAILURES ||
      recent.byIp + recent.pendingByIp > MAX_FAILURES + ATTEMPTS_UNDER_WAY_PER_ADDRESS);
  if (recent.byUser > MAX_FAILURES || addressRefused) {
    await sessions.deleteLoginAttempt(db, attemptId);
    throw new AppError('TOO_MANY_ATTEMPTS');
  }
  return attemptId;
}

/**
 * Logs a user in. Wrong username and wrong password answer the same message in the same time;
 * more than ten failures for one username or one IP within 15 minutes lock further tries out.
 */
export async function login(deps: AppDeps, input: { username: string; password: string }, info: RequestInfo) {
  const db = deps.database.db;
  const username = input.username.trim();
  // Failures are counted by a keyed hash of the name typed, never the name: people type their
  // password into the username field, and it must not sit in a table (nor in the audit, below).
  const attemptId = await beginAttempt(deps, `login:${username.toLowerCase()}`, info.ip, {
    limitAddress: true,
  });
  const user = await findUserByUsername(db, username);
  const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), input.password);
  if (!user || !ok || !user.active) {
    await sessions.failedFrom(db, attemptId, info.ip);
    // A name that is nobody's is not recorded: it may be a password typed in the wrong field.
    const named = user ? user.username : '（不存在的用户名）';
    const failureActor = { userId: null, displayName: named, ip: info.ip };
    await runWrite(deps, failureActor, 'session.login-failed', async () => ({
      result: null,
      touched: {
        entity: 'session',
        entityId: null,
        orgPath: null,
        after: { username: named },
        publish: false,
      },
    }));
    throw new AppError('INVALID_CREDENTIALS');
  }
  await sessions.deleteLoginAttempt(db, attemptId);
  const token = randomBytes(32).toString('base64url');
  const grants = await sessions.findGrantsOfUser(db, user.id);
  const actor = toActor(
    { userId: user.id, username: user.username, displayName: user.displayName },
    grants,
    info,
  );
  await runWrite(deps, actor, 'session.create', async (tx) => {
    await sessions.insertSession(tx, {
      tokenHash: hashToken(token),
      userId: user.id,
      ip: info.ip,
      userAgent: info.userAgent,
    });
    // Named here (not only by the write) so commit listeners can tell a login from a logout.
    return {
      result: null,
      touched: {
        entity: 'session',
        entityId: user.id,
        orgPath: null,
        publish: false,
        action: 'session.create',
      },
    };
  });
  return { token, actor };
}

/**
 * A session looked up stays good for this long in this process, so a point's phones scanning
 * many times a second do not each ask the database who they are. Any write to users, roles,
 * grants, org units or sessions in this process empties the cache at once; on another app server
 * such a change takes effect within this time.
 */
const SESSION_CACHE_MS = 2000;
/**
 * A session in use is looked up again, in the background, once its copy is this old, so a phone
 * scanning steadily never waits for the lookup, and a session ended on another app server is
 * refused within about this time of its end while in use. Waiting for the lookup held a scan back
 * from its burst every time a copy ran out (each phone every 2 s), and the burst's batch then
 * waited for it or left without it. Measured on stock PostgreSQL 15, 2 app servers, 32 phones:
 * copies that never ran out (the ceiling) gave 7,087 → 7,512 scans/s in three interleaved pairs;
 * this background lookup's own gain could not be told from the machine's noise (±8 % run to run).
 */
const SESSION_REFRESH_MS = 1000;
interface SessionCache {
  /** `refreshing`: its background lookup has begun (the lookup's answer replaces the entry). */
  entries: Map<string, { session: sessions.LiveSession; at: number; refreshing?: boolean }>;
  /** Raised on every emptying: a lookup begun before it must not put back what it read. */
  generation: number;
}
const sessionCaches = new Set<SessionCache>();
onCommitted((touched) => {
  if (touched.some((t) => ['user', 'role', 'session', 'org-unit'].includes(t.entity)))
    for (const cache of sessionCaches) {
      cache.entries.clear();
      cache.generation += 1;
    }
});

const sessionLookups = new WeakMap<
  AppDeps['database'],
  (tokenHash: string) => Promise<sessions.LiveSession | null>
>();

/**
 * Concurrent requests look their sessions up in one query, and a session found is kept briefly
 * (above), looked up again in the background while in use. An unknown session is never cached,
 * and one found gone (ended, its user disabled) leaves the cache at once.
 */
function sessionLookup(deps: AppDeps) {
  let lookup = sessionLookups.get(deps.database);
  if (!lookup) {
    const cache: SessionCache = { entries: new Map(), generation: 0 };
    sessionCaches.add(cache);
    const fetchBatch = createBatcher<string, sessions.LiveSession | null>(
      async (hashes) => {
        const generation = cache.generation;
        const now = Date.now();
        const rows = await sessions.findLiveSessions(
          deps.database.db,
          [...new Set(hashes)],
          deps.config.sessionIdleMinutes,
        );
        const byHash = new Map(rows.map((r) => [r.tokenHash, r]));
        if (cache.generation === generation) {
          if (cache.entries.size > 10_000) cache.entries.clear();
          for (const h of hashes) {
            const found = byHash.get(h);
            if (found) cache.entries.set(h, { session: found, at: now });
            else cache.entries.delete(h);
          }
        }
        return hashes.map((h) => byHash.get(h) ?? null);
      },
      { maxBatch: 200 },
    );
    lookup = async (tokenHash) => {
      const hit = cache.entries.get(tokenHash);
      if (!hit || Date.now() - hit.at >= SESSION_CACHE_MS) return fetchBatch(tokenHash);
      if (!hit.refreshing && Date.now() - hit.at >= SESSION_REFRESH_MS) {
        hit.refreshing = true;
        // A failed one leaves the copy to run out, and the next lookup after it to wait: this
        // request has its answer.
        fetchBatch(tokenHash).catch(() => null);
      }
      return hit.session;
    };
    sessionLookups.set(deps.database, lookup);
  }
  return lookup;
}

/** The actor behind a session cookie, or null when the session is unknown, idle too long or its user disabled. */
export async function authenticate(
  deps: AppDeps,
  token: string,
  info: RequestInfo,
  /** False for a check the user did not make (an open event stream's): it must not keep an idle session alive. */
  options: { touch?: boolean } = {},
): Promise<Actor | null> {
  const db = deps.database.db;
  const tokenHash = hashToken(token);
  const session = await sessionLookup(deps)(tokenHash);
  if (!session) return null;
  if (options.touch !== false && Date.now() - new Date(session.lastSeenAt).getTime() > TOUCH_EVERY_MS) {
    await sessions.touchSession(db, tokenHash);
    // The cached copy too, so the next requests do not touch again.
    session.lastSeenAt = new Date();
  }
  return toActor(session, session.grants, info);
}

export async function logout(deps: AppDeps, actor: Actor, token: string) {
  await runWrite(deps, actor, 'session.delete', async (tx) => {
    await sessions.deleteSession(tx, hashToken(token));
    return {
      result: null,
      touched: { entity: 'session', entityId: actor.userId, orgPath: null, publish: false },
    };
  });
}

/** Changing one's password ends every session of the user, this one included. */
export async function changeOwnPassword(
  deps: AppDeps,
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
) {
  const db = deps.database.db;
  // Limited like logins: a session left open on a shared phone must not guess the password.
  const attemptId = await beginAttempt(deps, `password:${actor.userId}`, actor.ip, { limitAddress: false });
  const user = await findUserById(db, actor.userId);
  if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw invalidField('currentPassword', text('当前密码不正确', 'The current password is wrong'));
  }
  await sessions.deleteLoginAttempt(db, attemptId);
  const passwordHash = await hashPassword(input.newPassword);
  await runWrite(deps, actor, 'user.change-password', async (tx) => {
    await updateUserRow(tx, actor.userId, { passwordHash, passwordChangedAt: new Date() });
    await sessions.deleteSessionsOfUser(tx, actor.userId);
    return {
      result: null,
      touched: {
        entity: 'user',
        entityId: actor.userId,
        orgPath: null,
        after: { password: 'changed' },
        publish: false,
      },
    };
  });
}
