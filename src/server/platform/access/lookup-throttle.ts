import { AppError } from '../errors/app-error.ts';
import { text } from '../errors/i18n.ts';
import type { Actor } from './actor.ts';

/** Different whole numbers one user may look up in the window below. */
const LOOKUPS_PER_WINDOW = 30;
const WINDOW_MS = 10 * 60_000;
/** Per user: each number looked up (its keyed hash) and when, within the window. */
const lookups = new Map<string, Map<string, number>>();

/**
 * A lookup by a whole ID or phone number (a search, a duplicate check) tells whether that number
 * is someone's. Beside a masked number (139****0001: four digits hidden) that is an oracle: ten
 * thousand lookups would give the number away without the unmask permission or its audit. So each
 * user may look up so many different numbers in ten minutes (the same number again counts once:
 * a page refetching its search is one lookup). Held per app server, in memory.
 */
export function throttleExactLookup(actor: Pick<Actor, 'userId'>, hash: string): void {
  const now = Date.now();
  const mine = lookups.get(actor.userId) ?? new Map<string, number>();
  for (const [seen, at] of mine) if (at <= now - WINDOW_MS) mine.delete(seen);
  if (!mine.has(hash) && mine.size >= LOOKUPS_PER_WINDOW) {
    lookups.set(actor.userId, mine);
    throw new AppError(
      'TOO_MANY_ATTEMPTS',
      text(
        '按完整证件号或手机号查找过于频繁，请 10 分钟后再试',
        'Too many lookups by a whole ID or phone number: try again in 10 minutes',
      ),
    );
  }
  mine.set(hash, now);
  if (mine.size > 0) lookups.set(actor.userId, mine);
  else lookups.delete(actor.userId);
}
