import { and, eq, sql } from 'drizzle-orm';
import { parseIdNumber } from '../../../domain/id-number.ts';
import type { Executor } from '../../db/database.ts';
import { lookupMarks } from '../../db/schema.ts';
import type { PersonalDataCipher } from '../crypto/personal-data-cipher.ts';
import { AppError } from '../errors/app-error.ts';
import { text } from '../errors/i18n.ts';
import type { Actor } from './actor.ts';

/**
 * The limits below are kept in the database (`lookup_marks`), so they hold across app servers
 * (GRIDWATCH_APP_SERVERS=2 had given each user twice as many) and restarts. A check reads the
 * user's marks; the marks it makes are kept apart (`keepLookupMarks`), after the write a check
 * may be part of: a refused registration rolls back, but the lookup it was stays counted. Two
 * requests of one user at the very same moment may both pass the last place: a limit of 30 is
 * then 31, which gives nothing away.
 */
export interface LookupMark {
  userId: string;
  kind: 'number' | 'guess';
  /** For a guess: the keyed hash of the masked form it shares (maskedIdentity). */
  mask: string;
  hash: string;
}

/** Keeps the marks of lookups made (the same one again only moves its time). */
export async function keepLookupMarks(db: Executor, marks: readonly LookupMark[]): Promise<void> {
  if (marks.length === 0) return;
  await db
    .insert(lookupMarks)
    .values(marks.map((m) => ({ ...m, at: sql`now()` })))
    .onConflictDoUpdate({
      target: [lookupMarks.userId, lookupMarks.kind, lookupMarks.mask, lookupMarks.hash],
      set: { at: sql`now()` },
    });
}

/** The user's marks of a kind within its window; older ones are dropped on the way. */
async function liveMarks(db: Executor, userId: string, kind: LookupMark['kind'], windowMs: number) {
  const mine = and(eq(lookupMarks.userId, userId), eq(lookupMarks.kind, kind));
  const since = sql`now() - make_interval(secs => ${windowMs / 1000})`;
  await db.delete(lookupMarks).where(and(mine, sql`${lookupMarks.at} <= ${since}`));
  return db.select({ mask: lookupMarks.mask, hash: lookupMarks.hash }).from(lookupMarks).where(mine);
}

/** Drops every mark older than the longest window (the hourly clean-up). */
export async function deleteOldLookupMarks(db: Executor): Promise<void> {
  await db
    .delete(lookupMarks)
    .where(sql`${lookupMarks.at} <= now() - make_interval(secs => ${GUESS_WINDOW_MS / 1000})`);
}

/** Different whole numbers one user may look up in the window below. */
const LOOKUPS_PER_WINDOW = 30;
const WINDOW_MS = 10 * 60_000;

const tooManyLookups = () =>
  new AppError(
    'TOO_MANY_ATTEMPTS',
    text(
      '按完整证件号或手机号查找过于频繁，请 10 分钟后再试',
      'Too many lookups by a whole ID or phone number: try again in 10 minutes',
    ),
  );

/**
 * A lookup by a whole ID or phone number (a search, a duplicate check) tells whether that number
 * is someone's. Beside a masked number (139****0001: four digits hidden) that is an oracle: ten
 * thousand lookups would give the number away without the unmask permission or its audit. So each
 * user may look up so many different numbers in ten minutes (the same number again counts once:
 * a page refetching its search is one lookup). Refused with 429; else the mark to keep.
 */
export async function checkExactLookup(
  db: Executor,
  actor: Pick<Actor, 'userId'>,
  hash: string,
): Promise<LookupMark> {
  const live = await liveMarks(db, actor.userId, 'number', WINDOW_MS);
  if (!live.some((m) => m.hash === hash) && live.length >= LOOKUPS_PER_WINDOW) throw tooManyLookups();
  return { userId: actor.userId, kind: 'number', mask: '', hash };
}

/** checkExactLookup, its mark kept at once (outside any write). */
export async function throttleExactLookup(
  db: Executor,
  actor: Pick<Actor, 'userId'>,
  hash: string,
): Promise<void> {
  await keepLookupMarks(db, [await checkExactLookup(db, actor, hash)]);
}

/**
 * How many more different whole numbers the user may look up now (see checkExactLookup),
 * without counting one. For a file of numbers: its check is refused whole when more would be
 * found than are left, whatever they are, so the refusal tells nothing of any one number.
 */
export async function exactLookupsLeft(db: Executor, actor: Pick<Actor, 'userId'>): Promise<number> {
  const live = await liveMarks(db, actor.userId, 'number', WINDOW_MS);
  return Math.max(0, LOOKUPS_PER_WINDOW - live.length);
}

/** The marks of numbers found outside the user's reach by a file, once it was judged within the limit. */
export function exactLookupMarks(actor: Pick<Actor, 'userId'>, hashes: Iterable<string>): LookupMark[] {
  return [...new Set(hashes)].map((hash) => ({ userId: actor.userId, kind: 'number', mask: '', hash }));
}

/** Different ID numbers one user may try that share one masked form and one birth year, per day. */
const GUESSES_PER_MASK = 3;
const GUESS_WINDOW_MS = 24 * 60 * 60_000;

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
 * the hashes refused, not to be checked, and the marks of the others, to keep.
 */
export async function checkIdGuesses(
  db: Executor,
  cipher: PersonalDataCipher,
  actor: Pick<Actor, 'userId'>,
  ids: { idNumber: string; hash: string }[],
): Promise<{ refused: Set<string>; marks: LookupMark[] }> {
  const refused = new Set<string>();
  const marks: LookupMark[] = [];
  const masked = ids.flatMap(({ idNumber, hash }) => {
    const form = maskedIdentity(idNumber);
    // The masked form is kept as a keyed hash: region, birth year and last four are no one's business.
    return form ? [{ hash, mask: cipher.lookupHash(`masked-id:${form}`) }] : [];
  });
  if (masked.length === 0) return { refused, marks };
  const tried = new Map<string, Set<string>>();
  for (const m of await liveMarks(db, actor.userId, 'guess', GUESS_WINDOW_MS))
    tried.set(m.mask, (tried.get(m.mask) ?? new Set()).add(m.hash));
  for (const { hash, mask } of masked) {
    const ofMask = tried.get(mask) ?? new Set<string>();
    if (ofMask.has(hash) || ofMask.size < GUESSES_PER_MASK) {
      ofMask.add(hash);
      marks.push({ userId: actor.userId, kind: 'guess', mask, hash });
    } else refused.add(hash);
    tried.set(mask, ofMask);
  }
  return { refused, marks };
}

export const ID_GUESS_REFUSED = text(
  '同一脱敏号码（仅出生月日不同）的证件号码今日已核验过多，未再核验：请核对号码，或联系上级处理',
  'Too many ID numbers differing only in the birth day checked today: not checked',
);

/** One number, as a search or a registration asks: refused with 429 naming the field; else its mark to keep. */
export async function checkIdGuess(
  db: Executor,
  cipher: PersonalDataCipher,
  actor: Pick<Actor, 'userId'>,
  idNumber: string,
  hash: string,
  field: string,
): Promise<LookupMark[]> {
  const { refused, marks } = await checkIdGuesses(db, cipher, actor, [{ idNumber, hash }]);
  if (refused.size > 0)
    throw new AppError('TOO_MANY_ATTEMPTS', ID_GUESS_REFUSED, { [field]: ID_GUESS_REFUSED });
  return marks;
}
