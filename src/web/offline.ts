import type { QueryFunctionContext } from '@tanstack/react-query';
import { clear, createStore, get, set, type UseStore } from 'idb-keyval';
import { useSyncExternalStore } from 'react';
import { ApiError } from './apiError';

/** Pieces of the pages that keep working on a phone with a bad network (sampling, door to door). */

/**
 * What a field page reads rarely changes during a day (a sampler's rounds and points, a door-to-door
 * team's households): the last copy fetched stands in when the page is reloaded without network,
 * or when the network has not answered in a few seconds (a signal that passes nothing: a call can
 * hang for minutes, and the page spun all that time), so the work (into the outbox) goes on. An
 * answer that comes late replaces the copy, and is handed to `onLate` for the page to show.
 */
export async function lastGoodCopy<T>(
  /** Its name among the copies kept (see forgetKeptCopies). */
  name: string,
  fetchFresh: () => Promise<T>,
  {
    answers = () => true,
    waitMs = KEPT_COPY_WAIT_MS,
    onLate,
  }: {
    /** Whether the copy kept answers this call (one name may keep the copy of another record). */
    answers?: (kept: T) => boolean;
    /** How long the network is waited for while a copy is kept. */
    waitMs?: number;
    /** The fresh answer, when it came after the copy was shown. */
    onLate?: (fresh: T) => void;
  } = {},
): Promise<T> {
  const call = { generation, seq: ++calls };
  const fresh = fetchFresh();
  let shownCopy = false;
  fresh.then(
    (value) => {
      if (!keepsNewest(name, call)) return;
      void keep(name, value);
      if (shownCopy) {
        markShownCopy(name, false);
        onLate?.(value);
      }
    },
    () => undefined, // a failure is the page's to hear (below), not the copy's
  );
  // Read beside the call, not before it: a store that is slow to open delays only the copy.
  const kept = keptCopy(name, answers);
  const first = await within(
    fresh.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    waitMs,
    LATE,
  );
  if (first !== LATE && 'value' in first) {
    markShownCopy(name, false);
    return first.value;
  }
  const noNetwork = first === LATE || (first.error instanceof ApiError && first.error.status === 0);
  const copy = noNetwork ? await kept : undefined;
  if (copy !== undefined) {
    shownCopy = true;
    markShownCopy(name, true);
    return copy;
  }
  // Nothing kept: a call still running is waited for after all (there is nothing else to show).
  if (first === LATE) return fresh;
  throw first.error;
}

/**
 * The names whose kept copy is what the page shows now (the network failed, or had not answered
 * in time): the page says so, whatever the browser says of its connection (on a link that
 * passes nothing the browser still says it is online).
 */
const shownCopies = new Set<string>();
const shownCopyListeners = new Set<() => void>();
function markShownCopy(name: string, shown: boolean) {
  if (shownCopies.has(name) === shown) return;
  if (shown) shownCopies.add(name);
  else shownCopies.delete(name);
  for (const listener of shownCopyListeners) listener();
}

/** Whether the page shows the kept copy of this name now, rather than the server's answer. */
export const showsKeptCopy = (name: string) => shownCopies.has(name);

/** showsKeptCopy, live. */
export function useShowsKeptCopy(name: string) {
  return useSyncExternalStore(
    (onChange) => {
      shownCopyListeners.add(onChange);
      return () => shownCopyListeners.delete(onChange);
    },
    () => showsKeptCopy(name),
  );
}

/**
 * A query's function answered by lastGoodCopy: an answer that comes after the copy was shown
 * replaces what the query shows (else the page kept the copy until its next refetch).
 */
export const keptQueryFn =
  <T>(name: string, fetchFresh: () => Promise<T>) =>
  ({ client, queryKey }: QueryFunctionContext) =>
    lastGoodCopy(name, fetchFresh, { onLate: (fresh) => client.setQueryData(queryKey, fresh) });

/**
 * Copies are forgotten on sign-out (`generation`), and two calls for one name may answer out of
 * order (`calls`): an answer is kept only if nothing was forgotten since its call went out (a
 * user's names kept for the next user) and no later call's answer was kept (older over newer).
 */
let generation = 0;
let calls = 0;
const newestKept = new Map<string, number>();
function keepsNewest(name: string, call: { generation: number; seq: number }) {
  if (call.generation !== generation || call.seq < (newestKept.get(name) ?? 0)) return false;
  newestKept.set(name, call.seq);
  return true;
}

/** Stores a copy; storage full, or none on this browser: the page then works online only. */
const keep = (name: string, value: unknown) =>
  Promise.resolve()
    .then(() => set(name, value, keptStore()))
    .catch(() => undefined);

/** The copy kept under a name when it answers the call; undefined when none does (or none is readable in time). */
async function keptCopy<T>(name: string, answers: (kept: T) => boolean): Promise<T | undefined> {
  try {
    const kept = await withinStoreWait(Promise.resolve().then(() => get<T>(name, keptStore())));
    return kept !== undefined && answers(kept) ? kept : undefined;
  } catch {
    return undefined; // no IndexedDB here (a private window of some browsers): nothing was kept
  }
}

/**
 * IndexedDB can fail to open and never say so (a blocked upgrade, a browser bug): what waits on
 * the store waits this long at most, then goes on as if nothing were kept.
 */
const STORE_WAIT_MS = 1500;
const withinStoreWait = <T>(work: Promise<T>) => within(work, STORE_WAIT_MS, undefined);

/** What work settles to, or `late` if it has not in `ms` (the work goes on; its timer does not). */
export function within<T, L>(work: Promise<T>, ms: number, late: L): Promise<T | L> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    work,
    new Promise<L>((resolve) => {
      timer = setTimeout(() => resolve(late), ms);
    }),
  ]).finally(() => clearTimeout(timer));
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

/**
 * Where earlier versions kept copies in localStorage. Exactly those: `gridwatch.sampling.tube` is
 * not one (it is the sampler's tube in hand now; its copy was kept under the same name once).
 */
const LEGACY_KEPT = ['gridwatch.kept.', 'gridwatch.sampling.rounds', 'gridwatch.sampling.round.'];
/** Where the field outbox keeps each user's writes (see fieldOutbox.ts). */
export const FIELD_OUTBOX_PREFIX = 'gridwatch.field.outbox.';

/** Removes from localStorage the keys that match; storage disabled: there are none. */
function removeStored(matches: (key: string) => boolean) {
  try {
    for (const key of Object.keys(localStorage)) if (matches(key)) localStorage.removeItem(key);
  } catch {
    // storage disabled: nothing was kept
  }
}

/**
 * Copies earlier versions kept in localStorage are read by nobody now, and their megabytes would
 * leave the outbox no room: removed as the app starts, signed in or not.
 */
export function forgetLegacyCopies() {
  removeStored((key) => LEGACY_KEPT.some((prefix) => key.startsWith(prefix)));
}

/**
 * Signing out (or another user signing in) forgets the copies kept for working offline (a team's
 * addresses and names) and the field writes refused: the next user of a shared phone finds none.
 * Writes still waiting in an outbox are kept (their owner's, sent when they sign in again: dropping
 * them would lose what was recorded at the door). Done when the promise settles (within the
 * store's wait).
 */
export async function forgetKeptCopies(): Promise<void> {
  generation += 1; // answers to calls made before are not kept
  forgetLegacyCopies();
  // Refusals were said and listed; their names and addresses do not outlive the session.
  removeStored((key) => key.startsWith(FIELD_OUTBOX_PREFIX) && key.endsWith('.refused'));
  await withinStoreWait(Promise.resolve().then(() => clear(keptStore()))).catch(() => undefined);
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
