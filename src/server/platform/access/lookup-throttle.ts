import { parseIdNumber } from '../../../domain/id-number.ts';
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

/**
 * How many more different whole numbers the user may look up now (see throttleExactLookup),
 * without counting one. For a file of numbers: its check is refused whole when more would be
 * found than are left, whatever they are, so the refusal tells nothing of any one number.
 */
export function exactLookupsLeft(actor: Pick<Actor, 'userId'>): number {
  const now = Date.now();
  const mine = lookups.get(actor.userId);
  if (!mine) return LOOKUPS_PER_WINDOW;
  let live = 0;
  for (const at of mine.values()) if (at > now - WINDOW_MS) live++;
  return Math.max(0, LOOKUPS_PER_WINDOW - live);
}

/** Different ID numbers one user may try that share one masked form and one birth year, per day. */
const GUESSES_PER_MASK = 3;
const GUESS_WINDOW_MS = 24 * 60 * 60_000;
/** Per user, per masked form: each ID number tried (its keyed hash) and when. */
const guesses = new Map<string, Map<string, Map<string, number>>>();

/**
 * What a masked ID card number shows with the age beside it: the region, the birth year and the
 * last four (411602********123X, 34 years old), of the number as the registry keeps it (spaces
 * gone, an old 15-digit one as its 18 digits). Null for anything else.
 */
export function maskedIdentity(idNumber: string): string | null {
  const parsed = parseIdNumber(idNumber);
  if (!parsed.ok) return null;
  const id = parsed.value;
  return `${id.slice(0, 6)}|${id.slice(6, 10)}|${id.slice(-4)}`;
}

/**
 * A masked ID with an age leaves only the birth month and day to guess: about 33 numbers a year
 * pass the check character. Any duplicate check (a search, a registration, an import's dry run)
 * answers whether a number is someone's, so trying them would give the full number away without
 * the unmask permission. Each user may have three numbers of one masked form and birth year
 * checked a day (a typo corrected makes two; people sharing a form in one file are rare). Answers
 * the hashes refused, not to be checked; the others are counted. Per app server, in memory.
 */
export function idGuessesRefused(
  actor: Pick<Actor, 'userId'>,
  ids: { idNumber: string; hash: string }[],
): Set<string> {
  const now = Date.now();
  const mine = guesses.get(actor.userId) ?? new Map<string, Map<string, number>>();
  for (const [key, tried] of mine) {
    for (const [hash, at] of tried) if (at <= now - GUESS_WINDOW_MS) tried.delete(hash);
    if (tried.size === 0) mine.delete(key);
  }
  const refused = new Set<string>();
  for (const { idNumber, hash } of ids) {
    const key = maskedIdentity(idNumber);
    if (!key) continue;
    const tried = mine.get(key) ?? new Map<string, number>();
    if (tried.has(hash) || tried.size < GUESSES_PER_MASK) tried.set(hash, now);
    else refused.add(hash);
    mine.set(key, tried);
  }
  if (mine.size > 0) guesses.set(actor.userId, mine);
  return refused;
}

export const ID_GUESS_REFUSED = text(
  '同一脱敏号码（仅出生月日不同）的证件号码今日已核验过多，未再核验：请核对号码，或联系上级处理',
  'Too many ID numbers differing only in the birth day checked today: not checked',
);

/** One number, as a search or a registration asks: refused with 429 naming the field. */
export function throttleIdGuess(
  actor: Pick<Actor, 'userId'>,
  idNumber: string,
  hash: string,
  field: string,
): void {
  if (idGuessesRefused(actor, [{ idNumber, hash }]).size > 0)
    throw new AppError('TOO_MANY_ATTEMPTS', ID_GUESS_REFUSED, { [field]: ID_GUESS_REFUSED });
}
