/**
 * The phone's outbox of field writes (a sampler's scans; a door-to-door team's outcomes and
 * exemptions). Every write goes through it: stored first (so one made in a basement with no
 * signal, or while the server is down, is not lost on a reload), then sent in the order it was
 * made. A write keeps its `clientId` across every try, so the server counts it once however often
 * it arrives. Nothing here knows React or the API: the page gives it a `send`.
 */

/** A write waiting for the server: its own fields, and how its tries went. */
export interface Queued {
  /** Chosen on the phone when the write was made; the server's idempotency key. */
  clientId: string;
  /** Failed tries so far (no network, server trouble). */
  attempts: number;
  /**
   * Of those, the tries the server itself failed (5xx, busy): only these make the write look stuck
   * and offer to drop it. Hours without a network are no reason to give a write up.
   */
  serverFailures?: number;
  /** Why the last try failed, for the list on the page. */
  lastError?: string;
}

/** A write the server refused: kept, with why, until the user has seen it and dismisses it. */
export interface Refused<Item> {
  item: Item;
  /** What the sampler is told (the server's words). */
  message: string;
  /** The server's reason code (ALREADY_SAMPLED, TUBE_FULL, …), when it gave one. */
  code?: string;
  /** When it was refused (ISO 8601). */
  refusedAt: string;
}

/** What became of one write on a try. */
export type Delivery<Item, Answer> =
  /** The server counted it (or had counted it on an earlier try whose answer was lost). */
  | { kind: 'recorded'; item: Item; answer: Answer }
  /** The server refused it (already sampled, tube full, …): it left the queue for the refused list. */
  | { kind: 'rejected'; item: Item; error: unknown }
  /** It could not reach the server, or the server failed: it stays for the next try. */
  | { kind: 'deferred'; item: Item; error: unknown };

/**
 * A reply that claimed success but is not the server's answer: a connection cut after the status
 * line, or a captive portal's page with a 200. The write may or may not have been counted, so it
 * stays; its client id makes the next try safe either way.
 */
export class UnreadableAnswer extends Error {
  constructor() {
    super('unreadable answer');
    this.name = 'UnreadableAnswer';
  }
}

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface OutboxOptions<Item extends Queued, Answer> {
  storage: KeyValueStorage;
  /** The storage key; one queue per signed-in user, so nobody uploads another's writes. */
  key: string;
  /** Whether a stored value is a write of this outbox (storage may hold anything). */
  isItem: (value: unknown) => value is Item;
  send: (item: Item) => Promise<Answer>;
  /** Whether a reply is the server's answer to a write (see UnreadableAnswer). */
  isAnswer?: (value: unknown) => boolean;
  /** A failure that may pass on a later try (offline, 5xx, session to renew): the write stays. */
  isTransient: (error: unknown) => boolean;
  /** A transient failure that is the server's own (5xx, busy), counted in `serverFailures`. */
  isServerFailure?: (error: unknown) => boolean;
  /** False when the device knows it is offline: then no try is made at all. */
  isOnline?: () => boolean;
  describeError?: (error: unknown) => string;
  /** The server's reason code of a refusal, if any. */
  codeOf?: (error: unknown) => string | undefined;
}

/** A stored refusal (one kept before the outbox was shared named its write `scan`). */
function refusedOf<Item>(value: unknown, isItem: (value: unknown) => value is Item): Refused<Item> | null {
  const refused = value as (Partial<Refused<Item>> & { scan?: unknown }) | null;
  if (typeof refused !== 'object' || refused === null) return null;
  const item = refused.item ?? refused.scan;
  if (!isItem(item) || typeof refused.message !== 'string' || typeof refused.refusedAt !== 'string')
    return null;
  return { item, message: refused.message, code: refused.code, refusedAt: refused.refusedAt };
}

function readList<T>(storage: KeyValueStorage, key: string, isItem: (value: unknown) => value is T): T[] {
  return readStored(storage, key).filter(isItem);
}

/** Everything stored under a key, understood or not. */
function readStored(storage: KeyValueStorage, key: string): unknown[] {
  try {
    const stored: unknown = JSON.parse(storage.getItem(key) ?? '[]');
    return Array.isArray(stored) ? stored : [];
  } catch {
    return [];
  }
}

/**
 * The queue lives in storage, not in this object: another tab of the app (or this page's own
 * earlier instance) may have changed it since, so every change starts from what is stored, and
 * what is held here is only the snapshot the page shows.
 */
export class Outbox<Item extends Queued, Answer> {
  private items: readonly Item[];
  private refused: readonly Refused<Item>[];
  private readonly listeners = new Set<() => void>();
  private readonly deliveryListeners = new Set<(delivery: Delivery<Item, Answer>) => void>();
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly options: OutboxOptions<Item, Answer>) {
    this.items = this.readItems();
    this.refused = this.readRefused();
  }

  /** Where the queue is stored: another tab writing there changed it. */
  get storageKey() {
    return this.options.key;
  }

  private get refusedKey() {
    return `${this.options.key}.refused`;
  }

  /** The scans waiting, oldest first (a stable array until the queue changes: for useSyncExternalStore). */
  readonly getSnapshot = (): readonly Item[] => this.items;

  /** The scans refused and not yet dismissed, newest first (stable like getSnapshot). */
  readonly getRefused = (): readonly Refused<Item>[] => this.refused;

  readonly subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Hears what became of every write tried, whoever started the upload. */
  onDelivery(listener: (delivery: Delivery<Item, Answer>) => void) {
    this.deliveryListeners.add(listener);
    return () => {
      this.deliveryListeners.delete(listener);
    };
  }

  /** Stores a new write at the end of the queue; `upload` sends it. */
  add(item: Omit<Item, 'attempts'>) {
    this.write([...this.readItems(), { ...item, attempts: 0 } as Item]);
  }

  /**
   * Drops a write the server keeps failing on (it would hold up every one behind it): made again
   * by hand if still wanted (a person scanned again).
   */
  discard(clientId: string) {
    this.remove(clientId);
  }

  /** The user has seen a refusal (and done it again, or knows why not). */
  dismissRefused(clientId: string) {
    this.writeRefused(this.readRefused().filter((r) => r.item.clientId !== clientId));
  }

  clearRefused() {
    this.writeRefused([]);
  }

  /** Picks up changes another tab of the app made to the stored queue. */
  reload() {
    this.items = this.readItems();
    this.refused = this.readRefused();
    this.notify();
  }

  /**
   * Sends the waiting writes one by one, oldest first, until the queue is empty or one cannot
   * get through (then the rest wait too, so writes arrive in the order they were made). Only one
   * upload runs at a time; asking during one makes it go round once more at its end.
   */
  upload(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.drain();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async drain() {
    const { send, isAnswer, isTransient, isOnline = () => true } = this.options;
    const { describeError = String, isServerFailure = () => false, codeOf = () => undefined } = this.options;
    for (;;) {
      // Another tab may have sent (or added) writes meanwhile.
      const [next] = this.readItems();
      if (!next || !isOnline()) {
        this.reload();
        return;
      }
      let answer: Answer;
      try {
        answer = await send(next);
        if (isAnswer && !isAnswer(answer)) throw new UnreadableAnswer();
      } catch (error) {
        if (error instanceof UnreadableAnswer || isTransient(error)) {
          const kept: Item = {
            ...next,
            attempts: next.attempts + 1,
            serverFailures: (next.serverFailures ?? 0) + (isServerFailure(error) ? 1 : 0),
            lastError: describeError(error),
          };
          this.write(this.readItems().map((queued) => (queued.clientId === next.clientId ? kept : queued)));
          this.emit({ kind: 'deferred', item: kept, error });
          return;
        }
        // Filed once: another tab sending the same write at the same time files it itself.
        if (this.remove(next.clientId)) {
          const refused: Refused<Item> = {
            item: next,
            message: describeError(error),
            code: codeOf(error),
            refusedAt: new Date().toISOString(),
          };
          this.writeRefused([
            refused,
            ...this.readRefused().filter((r) => r.item.clientId !== next.clientId),
          ]);
          this.emit({ kind: 'rejected', item: next, error });
        }
        continue;
      }
      this.remove(next.clientId);
      this.emit({ kind: 'recorded', item: next, answer });
    }
  }

  /** Takes a write out of the stored queue; false when it was not there (another tab took it). */
  private remove(clientId: string): boolean {
    const items = this.readItems();
    const left = items.filter((item) => item.clientId !== clientId);
    this.write(left);
    return left.length < items.length;
  }

  private readItems(): Item[] {
    return readList(this.options.storage, this.options.key, this.options.isItem);
  }

  private readRefused(): Refused<Item>[] {
    const { isItem } = this.options;
    return readList(this.options.storage, this.refusedKey, (_value): _value is unknown => true).flatMap(
      (value) => refusedOf(value, isItem) ?? [],
    );
  }

  private write(items: Item[]) {
    this.items = items;
    // Writes this version cannot read (a kind a newer version of the app queued in another tab)
    // stay, ahead of ours, for a tab that can send them: dropped here, what was recorded at a
    // door would be lost without a word.
    const foreign = readStored(this.options.storage, this.options.key).filter(
      (value) => !this.options.isItem(value),
    );
    const all = [...foreign, ...items];
    if (all.length === 0) this.options.storage.removeItem(this.options.key);
    else this.options.storage.setItem(this.options.key, JSON.stringify(all));
    this.notify();
  }

  private writeRefused(refused: Refused<Item>[]) {
    this.refused = refused;
    if (refused.length === 0) this.options.storage.removeItem(this.refusedKey);
    else this.options.storage.setItem(this.refusedKey, JSON.stringify(refused));
    this.notify();
  }

  private notify() {
    for (const listener of this.listeners) listener();
  }

  /** A listener's failure (a page's bug) must not stop the upload nor lose the write it was told about. */
  private emit(delivery: Delivery<Item, Answer>) {
    for (const listener of this.deliveryListeners) {
      try {
        listener(delivery);
      } catch (error) {
        // Reported as an uncaught error would be (the console, window's error event), not thrown.
        const report = (globalThis as { reportError?: (error: unknown) => void }).reportError;
        if (report) report(error);
        else console.error(error);
      }
    }
  }
}
