import { and, eq, inArray, sql } from 'drizzle-orm';
import { parseIdNumber } from '../../../domain/id-number.ts';
import type { Db, Executor, Tx } from '../../db/database.ts';
import { lookupMarks } from '../../db/schema.ts';
import type { PersonalDataCipher } from '../crypto/personal-data-cipher.ts';
import { AppError } from '../errors/app-error.ts';
import { text } from '../errors/i18n.ts';
import type { Actor } from './actor.ts';

/**
 * The limits below are kept in the database (`lookup_marks`), so they hold across app servers
 * (GRIDWATCH_APP_SERVERS=2 had given each user twice as many) and restarts. A check and the mark
 * it makes are one short transaction under a lock of the user's own (`pg_advisory_xact_lock`):
 * requests of one user sent at once are judged one after another, so none slips past the limit.
 * Never called inside another transaction: the mark must stand when a write it was part of is
 * refused and rolls back (and the embedded database has one connection). Marks hold keyed hashes
 * under a purpose of their own, not the registry's lookup hashes: they say that a user looked a
 * number up, not whose it is.
 */
type Kind = 'number' | 'guess';

async function underUserLock<T>(db: Db, userId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`lookup-marks:${userId}`}, 0))`);
    return work(tx);
  });
}

const since = (windowMs: number) => sql`now() - make_interval(secs => ${windowMs / 1000})`;

/** The user's marks of a kind within its window (of these masked forms, for guesses). */
async function liveMarks(db: Executor, userId: string, kind: Kind, windowMs: number, masks?: string[]) {
  return db
    .select({ mask: lookupMarks.mask, hash: lookupMarks.hash })
    .from(lookupMarks)
    .where(
      and(
        eq(lookupMarks.userId, userId),
        eq(lookupMarks.kind, kind),
        sql`${lookupMarks.at} > ${since(windowMs)}`,
        masks ? inArray(lookupMarks.mask, masks) : undefined,
      ),
    );
}

/** Rows per insert: a file's thousands of marks stay far below a statement's 65,535 parameters. */
const MARKS_PER_INSERT = 1000;

/** Keeps marks (the same one again only moves its time). */
async function keepMarks(tx: Tx, userId: string, kind: Kind, marks: { mask: string; hash: string }[]) {
  const unique = [...new Map(marks.map((m) => [`${m.mask}|${m.hash}`, m])).values()];
  for (let i = 0; i < unique.length; i += MARKS_PER_INSERT)
    await tx
      .insert(lookupMarks)
      .values(unique.slice(i, i + MARKS_PER_INSERT).map((m) => ({ userId, kind, ...m, at: sql`now()` })))
      .onConflictDoUpdate({
        target: [lookupMarks.userId, lookupMarks.kind, lookupMarks.mask, lookupMarks.hash],
        set: { at: sql`now()` },
      });
}

/** Drops every mark older than the longest window (the hourly clean-up). */
export async function deleteOldLookupMarks(db: Db): Promise<void> {
  await db.delete(lookupMarks).where(sql`${lookupMarks.at} <= ${since(GUESS_WINDOW_MS)}`);
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
 * a page refetching its search is one lookup). Refused with 429.
 */
export async function throttleExactLookup(
  db: Db,
  cipher: PersonalDataCipher,
  actor: Pick<Actor, 'userId'>,
  hash: string,
): Promise<void> {
  await throttleExactLookups(db, cipher, actor, [hash], tooManyLookups);
}

/**
 * Lookups by whole numbers (their registry lookup hashes) counted all together and their marks
 * kept, or none: refused (`refusal()`, a 429) when they would take the user past the limit. A
 * file's numbers found outside the user's reach are refused whole so.
 */
export async function throttleExactLookups(
  db: Db,
  cipher: PersonalDataCipher,
  actor: Pick<Actor, 'userId'>,
  hashes: Iterable<string>,
  refusal: () => AppError,
): Promise<void> {
  const marks = [...new Set(hashes)].map((h) => ({ mask: '', hash: cipher.lookupHash(`lookup-mark:${h}`) }));
  if (marks.length === 0) return;
  await underUserLock(db, actor.userId, async (tx) => {
    const live = new Set((await liveMarks(tx, actor.userId, 'number', WINDOW_MS)).map((m) => m.hash));
    const fresh = marks.filter((m) => !live.has(m.hash)).length;
    if (live.size + fresh > LOOKUPS_PER_WINDOW) throw refusal();
    await keepMarks(tx, actor.userId, 'number', marks);
  });
}

/**
 * How many more different whole numbers the user may look up now, without counting one. For a
 * file of numbers: its check is refused whole when more would be found than are left, whatever
 * they are, so the refusal tells nothing of any one number.
 */
export async function exactLookupsLeft(db: Db, actor: Pick<Actor, 'userId'>): Promise<number> {
  const live = await liveMarks(db, actor.userId, 'number', WINDOW_MS);
  return Math.max(0, LOOKUPS_PER_WINDOW - live.length);
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
 * the numbers refused, not to be checked; the others are counted. `key` names each number for
 * the answer (the import's row hashes); other documents than ID cards are not counted.
 */
export async function idGuessesRefused<K>(
  db: Db,
  cipher: PersonalDataCipher,
  actor: Pick<Actor, 'userId'>,
  ids: { idNumber: string; key: K }[],
): Promise<Set<K>> {
  const refused = new Set<K>();
  const tries = ids.flatMap(({ idNumber, key }) => {
    const parsed = parseIdNumber(idNumber);
    const form = parsed.ok ? maskedIdentity(parsed.value) : null;
    if (!parsed.ok || !form) return [];
    // The masked form is kept as a keyed hash too: region, birth year and last four are nobody's business.
    return [
      {
        key,
        mask: cipher.lookupHash(`lookup-mask:${form}`),
        hash: cipher.lookupHash(`lookup-guess:${parsed.value}`),
      },
    ];
  });
  if (tries.length === 0) return refused;
  await underUserLock(db, actor.userId, async (tx) => {
    const masks = [...new Set(tries.map((t) => t.mask))];
    const tried = new Map<string, Set<string>>();
    for (let i = 0; i < masks.length; i += MARKS_PER_INSERT)
      for (const m of await liveMarks(
        tx,
        actor.userId,
        'guess',
        GUESS_WINDOW_MS,
        masks.slice(i, i + MARKS_PER_INSERT),
      ))
        tried.set(m.mask, (tried.get(m.mask) ?? new Set()).add(m.hash));
    const marks: { mask: string; hash: string }[] = [];
    for (const t of tries) {
      const ofMask = tried.get(t.mask) ?? new Set<string>();
      if (ofMask.has(t.hash) || ofMask.size < GUESSES_PER_MASK) {
        ofMask.add(t.hash);
        marks.push({ mask: t.mask, hash: t.hash });
      } else refused.add(t.key);
      tried.set(t.mask, ofMask);
    }
    await keepMarks(tx, actor.userId, 'guess', marks);
  });
  return refused;
}

export const ID_GUESS_REFUSED = text(
  '同一脱敏号码（仅出生月日不同）的证件号码今日已核验过多，未再核验：请核对号码，或联系上级处理',
  'Too many ID numbers differing only in the birth day checked today: not checked',
);

/** One number, as a search or a registration asks: refused with 429 naming the field. */
export async function throttleIdGuess(
  db: Db,
  cipher: PersonalDataCipher,
  actor: Pick<Actor, 'userId'>,
  idNumber: string,
  field: string,
): Promise<void> {
  const refused = await idGuessesRefused(db, cipher, actor, [{ idNumber, key: idNumber }]);
  if (refused.size > 0)
    throw new AppError('TOO_MANY_ATTEMPTS', ID_GUESS_REFUSED, { [field]: ID_GUESS_REFUSED });
}
