/**
 * The sampler's outbox. Every scan goes through it: stored first (so a scan made in a basement
 * with no signal, or while the server is down, is not lost on a reload), then sent in the order it
 * was made. A scan keeps its `clientId` across every try, so the server counts it once however
 * often it arrives. Nothing here knows React or the API: the page gives it a `send`.
 */

/** One scan waiting for the server: everything its POST needs. */
export interface PendingScan {
  /** Chosen on the phone at scan time; the server's idempotency key. */
  clientId: string;
  roundId: string;
  pointId: string;
  personCode: string;
  tubeCode: string;
  /** When it was scanned (ISO 8601, UTC); the server records this, not the upload time. */
  scannedAt: string;
  /** Failed tries so far (no network, server trouble). */
  attempts: number;
  /**
   * Of those, the tries the server itself failed (5xx, busy): only these make the scan look stuck
   * and offer to drop it. Hours without a network are no reason to give a scan up.
   */
  serverFailures?: number;
  /** Why the last try failed, for the list on the page. */
  lastError?: string;
}

/** A scan the server refused: kept, with why, until the sampler has seen it and dismisses it. */
export interface RefusedScan {
  scan: PendingScan;
  /** What the sampler is told (the server's words). */
  message: string;
  /** The server's reason code (ALREADY_SAMPLED, TUBE_FULL, …), when it gave one. */
  code?: string;
  /** When it was refused (ISO 8601). */
  refusedAt: string;
}

/** What became of one scan on a try. */
export type Delivery<Answer> =
  /** The server counted it (or had counted it on an earlier try whose answer was lost). */
  | { kind: 'recorded'; scan: PendingScan; answer: Answer }
  /** The server refused it (already sampled, tube full, …): it left the queue for the refused list. */
  | { kind: 'rejected'; scan: PendingScan; error: unknown }
  /** It could not reach the server, or the server failed: it stays for the next try. */
  | { kind: 'deferred'; scan: PendingScan; error: unknown };

/**
 * A reply that claimed success but is not the server's answer: a connection cut after the status
 * line, or a captive portal's page with a 200. The scan may or may not have been counted, so it
 * stays; its client id makes the next try safe either way.
 */
export class UnreadableAnswer extends Error {
  constructor() {
    super('unreadable answer');
    this.name = 'UnreadableAnswer';
  }
}

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface ScanQueueOptions<Answer> {
  storage: KeyValueStorage;
  /** The storage key; one queue per signed-in user, so nobody uploads another's scans. */
  key: string;
  send: (scan: PendingScan) => Promise<Answer>;
  /** Whether a reply is the server's answer to a scan (see UnreadableAnswer). */
  isAnswer?: (value: unknown) => boolean;
  /** A failure that may pass on a later try (offline, 5xx, session to renew): the scan stays. */
  isTransient: (error: unknown) => boolean;
  /** A transient failure that is the server's own (5xx, busy), counted in `serverFailures`. */
  isServerFailure?: (error: unknown) => boolean;
  /** False when the device knows it is offline: then no try is made at all. */
  isOnline?: () => boolean;
  describeError?: (error: unknown) => string;
  /** The server's reason code of a refusal, if any. */
  codeOf?: (error: unknown) => string | undefined;
}

const isPendingScan = (value: unknown): value is PendingScan => {
  const scan = value as Partial<PendingScan> | null;
  return (
    typeof scan === 'object' &&
    scan !== null &&
    typeof scan.clientId === 'string' &&
    typeof scan.roundId === 'string' &&
    typeof scan.pointId === 'string' &&
    typeof scan.personCode === 'string' &&
    typeof scan.tubeCode === 'string' &&
    typeof scan.scannedAt === 'string'
  );
};

const isRefusedScan = (value: unknown): value is RefusedScan => {
  const refused = value as Partial<RefusedScan> | null;
  return (
    typeof refused === 'object' &&
    refused !== null &&
    isPendingScan(refused.scan) &&
    typeof refused.message === 'string' &&
    typeof refused.refusedAt === 'string'
  );
};

function readList<T>(storage: KeyValueStorage, key: string, isItem: (value: unknown) => value is T): T[] {
  try {
    const stored: unknown = JSON.parse(storage.getItem(key) ?? '[]');
    return Array.isArray(stored) ? stored.filter(isItem) : [];
  } catch {
    return [];
  }
}

/**
 * The queue lives in storage, not in this object: another tab of the app (or this page's own
 * earlier instance) may have changed it since, so every change starts from what is stored, and
 * what is held here is only the snapshot the page shows.
 */
export class ScanQueue<Answer> {
  private items: readonly PendingScan[];
  private refused: readonly RefusedScan[];
  private readonly listeners = new Set<() => void>();
  private readonly deliveryListeners = new Set<(delivery: Delivery<Answer>) => void>();
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly options: ScanQueueOptions<Answer>) {
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
  readonly getSnapshot = (): readonly PendingScan[] => this.items;

  /** The scans refused and not yet dismissed, newest first (stable like getSnapshot). */
  readonly getRefused = (): readonly RefusedScan[] => this.refused;

  readonly subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Hears what became of every scan tried, whoever started the upload. */
  onDelivery(listener: (delivery: Delivery<Answer>) => void) {
    this.deliveryListeners.add(listener);
    return () => {
      this.deliveryListeners.delete(listener);
    };
  }

  /** Stores a new scan at the end of the queue; `upload` sends it. */
  add(scan: Omit<PendingScan, 'attempts'>) {
    this.write([...this.readItems(), { ...scan, attempts: 0 }]);
  }

  /**
   * Drops a scan the server keeps failing on (it would hold up every scan behind it); the person
   * has to be scanned again.
   */
  discard(clientId: string) {
    this.remove(clientId);
  }

  /** The sampler has seen a refusal (and scanned the person again, or knows why not). */
  dismissRefused(clientId: string) {
    this.writeRefused(this.readRefused().filter((r) => r.scan.clientId !== clientId));
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
   * Sends the waiting scans one by one, oldest first, until the queue is empty or a scan cannot
   * get through (then the rest wait too, so scans arrive in the order they were made). Only one
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
      // Another tab may have sent (or added) scans meanwhile.
      const [scan] = this.readItems();
      if (!scan || !isOnline()) {
        this.reload();
        return;
      }
      let answer: Answer;
      try {
        answer = await send(scan);
        if (isAnswer && !isAnswer(answer)) throw new UnreadableAnswer();
      } catch (error) {
        if (error instanceof UnreadableAnswer || isTransient(error)) {
          const kept: PendingScan = {
            ...scan,
            attempts: scan.attempts + 1,
            serverFailures: (scan.serverFailures ?? 0) + (isServerFailure(error) ? 1 : 0),
            lastError: describeError(error),
          };
          this.write(this.readItems().map((item) => (item.clientId === scan.clientId ? kept : item)));
          this.emit({ kind: 'deferred', scan: kept, error });
          return;
        }
        // Filed once: another tab sending the same scan at the same time files it itself.
        if (this.remove(scan.clientId)) {
          const refused: RefusedScan = {
            scan,
            message: describeError(error),
            code: codeOf(error),
            refusedAt: new Date().toISOString(),
          };
          this.writeRefused([
            refused,
            ...this.readRefused().filter((r) => r.scan.clientId !== scan.clientId),
          ]);
          this.emit({ kind: 'rejected', scan, error });
        }
        continue;
      }
      this.remove(scan.clientId);
      this.emit({ kind: 'recorded', scan, answer });
    }
  }

  /** Takes a scan out of the stored queue; false when it was not there (another tab took it). */
  private remove(clientId: string): boolean {
    const items = this.readItems();
    const left = items.filter((item) => item.clientId !== clientId);
    this.write(left);
    return left.length < items.length;
  }

  private readItems(): PendingScan[] {
    return readList(this.options.storage, this.options.key, isPendingScan);
  }

  private readRefused(): RefusedScan[] {
    return readList(this.options.storage, this.refusedKey, isRefusedScan);
  }

  private write(items: PendingScan[]) {
    this.items = items;
    if (items.length === 0) this.options.storage.removeItem(this.options.key);
    else this.options.storage.setItem(this.options.key, JSON.stringify(items));
    this.notify();
  }

  private writeRefused(refused: RefusedScan[]) {
    this.refused = refused;
    if (refused.length === 0) this.options.storage.removeItem(this.refusedKey);
    else this.options.storage.setItem(this.refusedKey, JSON.stringify(refused));
    this.notify();
  }

  private notify() {
    for (const listener of this.listeners) listener();
  }

  /** A listener's failure (a page's bug) must not stop the upload nor lose the scan it was told about. */
  private emit(delivery: Delivery<Answer>) {
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
