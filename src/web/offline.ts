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
/** Copies kept under other names by earlier versions (the sampler's rounds and tube). */
const LEGACY_COPIES = ['gridwatch.sampling.round', 'gridwatch.sampling.tube'];
/** Where the field outbox keeps each user's writes (see fieldOutbox.ts). */
export const FIELD_OUTBOX_PREFIX = 'gridwatch.field.outbox.';

/**
 * Signing out (or another user signing in) forgets the copies kept for working offline (a team's
 * addresses and names) and the field writes refused: the next user of a shared phone finds none.
 * Writes still waiting in an outbox are kept (their owner's, sent when they sign in again: dropping
 * them would lose what was recorded at the door).
 */
export function forgetKeptCopies() {
  try {
    for (const key of Object.keys(localStorage))
      if (
        key.startsWith(KEPT_PREFIX) ||
        LEGACY_COPIES.some((prefix) => key.startsWith(prefix)) ||
        // Refusals were said and listed; their names and addresses do not outlive the session.
        (key.startsWith(FIELD_OUTBOX_PREFIX) && key.endsWith('.refused'))
      )
        localStorage.removeItem(key);
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
