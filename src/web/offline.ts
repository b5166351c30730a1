import { clear, createStore, get, set, type UseStore } from 'idb-keyval';
import { useSyncExternalStore } from 'react';
import { ApiError } from './apiError';

/** Pieces of the pages that keep working on a phone with a bad network (sampling, door to door). */

/**
 * What a field page reads rarely changes during a day (a sampler's rounds and points, a door-to-door
 * team's households): the last copy fetched stands in when the page is reloaded without network,
 * or when the network has not answered in a few seconds (a signal that passes nothing: a call can
 * hang for minutes, and the page spun all that time), so the work (into the outbox) goes on. An
 * answer that comes late still replaces the copy, for the next time the page is opened.
 */
export async function lastGoodCopy<T>(
  /** Its name among the copies kept (see forgetKeptCopies). */
  name: string,
  fetchFresh: () => Promise<T>,
  /** Whether the copy kept answers this call (one key may keep the copy of another record). */
  answers: (kept: T) => boolean = () => true,
  /** How long the network is waited for while a copy is kept. */
  waitMs = KEPT_COPY_WAIT_MS,
): Promise<T> {
  const fresh = fetchFresh();
  // Kept whenever it comes, and not waited for: the page shows it at once.
  fresh.then(
    (value) => set(name, value, keptStore()).catch(() => undefined), // storage full or off: online only
    () => undefined, // a failure is the page's to hear (below), not the copy's
  );
  const kept = await keptCopy(name, answers);
  if (kept === undefined) return fresh;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), waitMs);
  });
  try {
    const first = await Promise.race([fresh, late]);
    return first === LATE ? kept : first;
  } catch (error) {
    if (error instanceof ApiError && error.status === 0) return kept;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** The copy kept under a name when it answers the call; undefined when none does. */
async function keptCopy<T>(name: string, answers: (kept: T) => boolean): Promise<T | undefined> {
  try {
    const kept = await get<T>(name, keptStore());
    return kept !== undefined && answers(kept) ? kept : undefined;
  } catch {
    return undefined; // no IndexedDB here (a private window of some browsers): nothing was kept
  }
}

const LATE = Symbol('late');
/** As long as the service worker waits for a page before its saved copy (SHELL_WAIT_MS). */
const KEPT_COPY_WAIT_MS = 4000;

/**
 * The copies live in IndexedDB, not localStorage: a door-to-door team's households run to
 * megabytes, and localStorage's 5 MB per site, shared with the outbox's waiting writes, filled up,
 * after which a copy silently stopped being kept and the page opened offline on an older one.
 * Opened on first use (not at import: the tests of the modules that import this run without it).
 */
let store: UseStore | undefined;
const keptStore = () => {
  store ??= createStore('gridwatch-kept', 'copies');
  return store;
};

/** Where earlier versions kept copies in localStorage (forgotten with the rest). */
const LEGACY_KEPT = ['gridwatch.kept.', 'gridwatch.sampling.round', 'gridwatch.sampling.tube'];
/** Where the field outbox keeps each user's writes (see fieldOutbox.ts). */
export const FIELD_OUTBOX_PREFIX = 'gridwatch.field.outbox.';

/**
 * Signing out (or another user signing in) forgets the copies kept for working offline (a team's
 * addresses and names) and the field writes refused: the next user of a shared phone finds none.
 * Writes still waiting in an outbox are kept (their owner's, sent when they sign in again: dropping
 * them would lose what was recorded at the door). Done when the promise settles.
 */
export async function forgetKeptCopies(): Promise<void> {
  try {
    for (const key of Object.keys(localStorage))
      if (
        LEGACY_KEPT.some((prefix) => key.startsWith(prefix)) ||
        // Refusals were said and listed; their names and addresses do not outlive the session.
        (key.startsWith(FIELD_OUTBOX_PREFIX) && key.endsWith('.refused'))
      )
        localStorage.removeItem(key);
  } catch {
    // storage disabled: nothing was kept
  }
  await clear(keptStore()).catch(() => undefined);
}

/** `navigator.onLine`, live. */
export function useOnline() {
  return useSyncExternalStore(
    (onChange) => {
      window.addEventListener('online', onChange);
      window.addEventListener('offline', onChange);
      return () => {
        window.removeEventListener('online', onChange);
        window.removeEventListener('offline', onChange);
      };
    },
    () => navigator.onLine,
  );
}

/** No network, a proxy's or the server's failure, a session to renew: worth another try. */
export const worthAnotherTry = (error: unknown) =>
  !(error instanceof ApiError) ||
  error.status === 0 ||
  error.status === 401 ||
  error.status === 408 ||
  error.status === 429 ||
  error.status >= 500;

/** The server's own failure (not the network's): what makes a queued write look stuck. */
export const isServerFailure = (error: unknown) => error instanceof ApiError && error.status >= 500;
