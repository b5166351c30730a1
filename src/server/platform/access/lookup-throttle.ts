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

/** Different ID numbers one user may try that share one masked form and one birth year, per day. */
const GUESSES_PER_MASK = 3;
const GUESS_WINDOW_MS = 24 * 60 * 60_000;
/** Per user, per masked form: each ID number tried (its keyed hash) and when. */
const guesses = new Map<string, Map<string, Map<string, number>>>();

/**
 * What a masked ID card number shows with the age beside it: the region, the birth year and the
 * last four (411602********123X, 34 years old). Null for other documents.
 */
export function maskedIdentity(idNumber: string): string | null {
  const id = idNumber.toUpperCase();
  if (/^\d{17}[\dX]$/.test(id)) return `${id.slice(0, 6)}|${id.slice(6, 10)}|${id.slice(-4)}`;
  if (/^\d{15}$/.test(id)) return `${id.slice(0, 6)}|19${id.slice(6, 8)}|${id.slice(-4)}`;
  return null;
}

/**
 * A masked ID with an age leaves only the birth month and day to guess: about 66 numbers pass the
 * check digit. Any duplicate check (a search, a registration, an import's dry run) answers whether
 * a number is someone's, so trying those 66 in one import file would give the full number away
 * without the unmask permission. Real files and forms almost never hold more than one number per
 * masked form and year (a typo corrected makes two), so each user may try three a day per form;
 * more is refused whole, before any number is checked. Held per app server, in memory.
 */
export function throttleIdGuesses(
  actor: Pick<Actor, 'userId'>,
  ids: { idNumber: string; hash: string }[],
  /** The input that carried the numbers, named in the error. */
  field: string,
): void {
  const now = Date.now();
  const mine = guesses.get(actor.userId) ?? new Map<string, Map<string, number>>();
  for (const [key, tried] of mine) {
    for (const [hash, at] of tried) if (at <= now - GUESS_WINDOW_MS) tried.delete(hash);
    if (tried.size === 0) mine.delete(key);
  }
  const wanted = new Map<string, Set<string>>();
  for (const { idNumber, hash } of ids) {
    const key = maskedIdentity(idNumber);
    if (!key) continue;
    const set = wanted.get(key) ?? new Set(mine.get(key)?.keys());
    set.add(hash);
    wanted.set(key, set);
  }
  if ([...wanted.values()].some((set) => set.size > GUESSES_PER_MASK)) {
    const refused = text(
      '多个证件号码仅出生月日不同（同一脱敏号码），疑似推测他人号码，已拒绝；如确属不同的人，请联系上级处理',
      'Several ID numbers differ only in the birth day (one masked number): refused as guessing',
    );
    throw new AppError('TOO_MANY_ATTEMPTS', refused, { [field]: refused });
  }
  for (const { idNumber, hash } of ids) {
    const key = maskedIdentity(idNumber);
    if (!key) continue;
    const tried = mine.get(key) ?? new Map<string, number>();
    tried.set(hash, now);
    mine.set(key, tried);
  }
  if (mine.size > 0) guesses.set(actor.userId, mine);
}
