import { useSyncExternalStore } from 'react';
import { ApiError } from './api';

/** Pieces of the pages that keep working on a phone with a bad network (sampling, door to door). */

/**
 * What a field page reads rarely changes during a day (a sampler's rounds and points, a door-to-door
 * team's households): the last copy fetched stands in when the page is reloaded without network,
 * so the work (into the outbox) goes on.
 */
export async function lastGoodCopy<T>(
  /** Its name among the copies kept (see forgetKeptCopies). */
  name: string,
  fetchFresh: () => Promise<T>,
  /** Whether the copy kept answers this call (one key may keep the copy of another record). */
  answers: (kept: T) => boolean = () => true,
): Promise<T> {
  const key = `${KEPT_PREFIX}${name}`;
  try {
    const fresh = await fetchFresh();
    try {
      localStorage.setItem(key, JSON.stringify(fresh));
    } catch {
      // storage full: the page still works online
    }
    return fresh;
  } catch (error) {
    const kept = error instanceof ApiError && error.status === 0 ? localStorage.getItem(key) : null;
    if (kept && answers(JSON.parse(kept) as T)) return JSON.parse(kept) as T;
    throw error;
  }
}

const KEPT_PREFIX = 'gridwatch.kept.';

/**
 * Signing out forgets the copies kept for working offline (a team's addresses and names): the
 * next user of a shared phone finds none. Writes still waiting in an outbox are kept (their
 * owner's, sent when they sign in again).
 */
export function forgetKeptCopies() {
  try {
    for (const key of Object.keys(localStorage))
      if (key.startsWith(KEPT_PREFIX)) localStorage.removeItem(key);
  } catch {
    // storage disabled: nothing was kept
  }
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
