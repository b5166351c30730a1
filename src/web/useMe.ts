import { type QueryClient, type QueryFunctionContext, useQuery } from '@tanstack/react-query';
import type { Permission } from '../domain/permissions';
import { ApiError, api } from './api';
import { forgetKeptCopies, forgetLegacyCopies, within } from './offline';
import type { Session } from './types';

const ME_KEY = ['me'] as const;
/**
 * The last session the server confirmed, so a grid worker or sampler who reloads the page in a
 * village without signal still gets their pages (and the sampling queue) instead of an error.
 * It holds names and permissions only; the server still checks every request when it is reached.
 */
const LAST_SESSION_KEY = 'gridwatch.lastSession';

/** Settles when the copies of whoever was signed in before are forgotten (if they were). */
function rememberSession(session: Session | null): Promise<void> {
  // Signed out, or another user signed in on this phone: the copies kept for working offline
  // (a team's addresses and names) are not theirs.
  const forgotten =
    !session || lastSession()?.user.id !== session.user.id ? forgetKeptCopies() : Promise.resolve();
  try {
    if (session) localStorage.setItem(LAST_SESSION_KEY, JSON.stringify(session));
    else localStorage.removeItem(LAST_SESSION_KEY);
  } catch {
    // Storage full or disabled: nothing is remembered, nor is whoever was before (else the app
    // would open as them on the next weak signal).
    try {
      localStorage.removeItem(LAST_SESSION_KEY);
    } catch {
      // disabled: nothing was remembered either
    }
  }
  return forgotten;
}

/**
 * Changes each time someone signs in or out here: a check of the session that answers after one
 * (a weak signal's late answer) is about a session that is no longer this phone's, and is dropped.
 */
let sessionEpoch = 0;

// Nobody signed in as the app loads: a sign-out whose forgetting the page's unload cut short
// (IndexedDB's work is dropped with the page) is finished now.
if (typeof localStorage !== 'undefined') {
  // (Forgetting the copies removes the legacy ones too: one pass over localStorage either way.)
  if (lastSession() === null) void forgetKeptCopies();
  else forgetLegacyCopies();
}

if (typeof window !== 'undefined') {
  // Other tabs and the installed app's window follow a sign-out or a sign-in made in one of them:
  // else they stayed signed in as the user who left, on their cookie once online.
  window.addEventListener('storage', (event) => {
    if (event.key !== LAST_SESSION_KEY && event.key !== null) return;
    const was = event.oldValue ? (JSON.parse(event.oldValue) as Session).user.id : null;
    const now = lastSession()?.user.id ?? null;
    if (now === null) window.location.assign('/login');
    else if (was !== now) window.location.reload();
  });
  // A sign-out made without network reaches the server as soon as there is one.
  window.addEventListener('online', () => void sendPendingSignOut());
}

function lastSession(): Session | null {
  try {
    const raw = localStorage.getItem(LAST_SESSION_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

/**
 * A sign-out made without network: the phone forgot the user at once, and the server's session
 * (whose cookie the page cannot delete) is ended the next time the server is reached. Until then
 * nobody is signed in here, even where the server would still answer for the user who left.
 */
const SIGN_OUT_PENDING_KEY = 'gridwatch.signOutPending';

const signOutPending = () => {
  try {
    return localStorage.getItem(SIGN_OUT_PENDING_KEY) !== null;
  } catch {
    return false;
  }
};

/** False when the flag could not be kept (storage full or disabled). */
function setSignOutPending(pending: boolean): boolean {
  try {
    if (pending) localStorage.setItem(SIGN_OUT_PENDING_KEY, new Date().toISOString());
    else localStorage.removeItem(SIGN_OUT_PENDING_KEY);
    return signOutPending() === pending;
  } catch {
    return false;
  }
}

/**
 * Marks a sign-out the server is to hear of later; false when that cannot be kept on the phone,
 * and the user must then stay signed in (signed out here alone, the next load would find the
 * session still open on the server and open as them).
 */
export const markSignOutPending = () => setSignOutPending(true);

/** How long a sign-out waits for the server before signing out on the phone alone. */
const SIGN_OUT_TIMEOUT_MS = 5000;

/**
 * Ends this phone's session on the server: `done` (or it had ended already: expired, or ended
 * from another device), `offline` when there is no network or none that answers in time; any
 * other failure is thrown.
 */
export async function endSessionOnServer(): Promise<'done' | 'offline'> {
  try {
    await api.post('/auth/logout', undefined, { timeoutMs: SIGN_OUT_TIMEOUT_MS });
  } catch (error) {
    if (error instanceof ApiError && error.status === 0) return 'offline';
    if (!(error instanceof ApiError && error.status === 401)) throw error;
  }
  return 'done';
}

/** Ends on the server a session signed out of without network; true when it is done (or was). */
export async function sendPendingSignOut(): Promise<boolean> {
  if (!signOutPending()) return true;
  const ended = await endSessionOnServer().catch(() => 'failed' as const);
  if (ended !== 'done') return false;
  setSignOutPending(false);
  return true;
}

/**
 * How long the check of who is signed in waits: every page waits on it, and on a link that passes
 * nothing it hung, and the app stayed a grey spinner, its kept pages never shown.
 */
const SESSION_CHECK_TIMEOUT_MS = 5000;

/**
 * With a session confirmed before, the app opens on it after this long without the server's
 * answer (a weak signal), as it does with none; the check goes on behind, and the app follows
 * its answer when it comes (to the login page if the session has ended).
 */
const SESSION_QUICK_MS = 1500;

const STALE: unique symbol = Symbol('stale');

/**
 * The server's word on who is signed in: null when nobody is (401); `stale` when someone signed in
 * or out here while it was on its way.
 */
async function checkSession(): Promise<Session | null | typeof STALE> {
  const epoch = sessionEpoch;
  let session: Session | null;
  try {
    session = await api.get<Session>('/auth/me', undefined, { timeoutMs: SESSION_CHECK_TIMEOUT_MS });
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error;
    session = null;
  }
  if (epoch !== sessionEpoch) return STALE;
  await rememberSession(session);
  return session;
}

const QUICK = Symbol('quick');

async function fetchSession({ client }: QueryFunctionContext): Promise<Session | null> {
  if (signOutPending()) {
    await sendPendingSignOut();
    return null;
  }
  const last = lastSession();
  const checked = checkSession();
  // Someone signed in or out here while the check was on its way: whoever is remembered now.
  const settled = checked.then((session) => (session === STALE ? lastSession() : session));
  if (!last) return settled;
  const first = await within(
    settled.then(
      (session) => ({ session }),
      (error: unknown) => ({ error }),
    ),
    SESSION_QUICK_MS,
    QUICK,
  );
  if (first === QUICK) {
    checked.then(
      (session) => {
        if (session === STALE) return;
        // Another user answered (the cookie changed under this page): nothing read for the last
        // one stays on screen, as when someone signs in.
        if (session && session.user.id !== last.user.id) clearUserQueries(client);
        client.setQueryData(ME_KEY, session);
      },
      () => undefined, // no network after all: the last confirmed user stands
    );
    return last;
  }
  if ('session' in first) return first.session;
  // No network at all, or none that answers in time: carry on as the last confirmed user.
  if (first.error instanceof ApiError && first.error.status === 0) return last;
  throw first.error;
}

/** The signed-in user: `session` is null when signed out, undefined only while the first check runs. */
export function useMe() {
  const query = useQuery({
    queryKey: ME_KEY,
    queryFn: fetchSession,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  const session = query.data;
  return {
    session,
    error: query.error,
    refetch: query.refetch,
    can: (permission: Permission) => session?.permissions.includes(permission) ?? false,
  };
}

/** A new session replaces everything cached for the previous user. */
/** Everything read for a user, but who is signed in. */
const clearUserQueries = (queryClient: QueryClient) =>
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_KEY[0] });

export function startSession(queryClient: QueryClient, session: Session) {
  sessionEpoch += 1;
  // The new sign-in replaced the cookie of a session signed out of offline: nobody holds it now.
  setSignOutPending(false);
  void rememberSession(session);
  clearUserQueries(queryClient);
  queryClient.setQueryData(ME_KEY, session);
}

/** The session expired: the signed-in layout sends the user to /login, and back here after. */
export function endSession(queryClient: QueryClient) {
  sessionEpoch += 1;
  void rememberSession(null);
  queryClient.setQueryData(ME_KEY, null);
}

/**
 * The user signed out (or changed their password): a full load of /login drops everything held in
 * memory for them, and does not offer to return to the page they left, which the next user may
 * not be allowed to see.
 */
export function signOutLocally() {
  sessionEpoch += 1;
  // The copies are forgotten before the page goes: its unload would drop the work half done.
  void rememberSession(null).finally(() => window.location.assign('/login'));
}

export function refreshSession(queryClient: QueryClient) {
  return queryClient.invalidateQueries({ queryKey: ME_KEY });
}
