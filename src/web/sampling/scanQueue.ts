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
  /** Why the last try failed, for the list on the page. */
  lastError?: string;
}

/** What became of one scan on a try. */
export type Delivery<Answer> =
  /** The server counted it (or had counted it on an earlier try whose answer was lost). */
  | { kind: 'recorded'; scan: PendingScan; answer: Answer }
  /** The server refused it (already sampled, tube full, …): it left the queue. */
  | { kind: 'rejected'; scan: PendingScan; error: unknown }
  /** It could not reach the server, or the server failed: it stays for the next try. */
  | { kind: 'deferred'; scan: PendingScan; error: unknown };

type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface ScanQueueOptions<Answer> {
  storage: KeyValueStorage;
  /** The storage key; one queue per signed-in user, so nobody uploads another's scans. */
  key: string;
  send: (scan: PendingScan) => Promise<Answer>;
  /** A failure that may pass on a later try (offline, 5xx, session to renew): the scan stays. */
  isTransient: (error: unknown) => boolean;
  /** False when the device knows it is offline: then no try is made at all. */
  isOnline?: () => boolean;
  describeError?: (error: unknown) => string;
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

export class ScanQueue<Answer> {
  private items: readonly PendingScan[];
  private readonly listeners = new Set<() => void>();
  private readonly deliveryListeners = new Set<(delivery: Delivery<Answer>) => void>();
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly options: ScanQueueOptions<Answer>) {
    this.items = this.read();
  }

  /** Where the queue is stored: another tab writing there changed it. */
  get storageKey() {
    return this.options.key;
  }

  /** The scans waiting, oldest first (a stable array until the queue changes: for useSyncExternalStore). */
  readonly getSnapshot = (): readonly PendingScan[] => this.items;

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
    this.write([...this.items, { ...scan, attempts: 0 }]);
  }

  /**
   * Drops a scan the server keeps failing on (it would hold up every scan behind it); the person
   * has to be scanned again.
   */
  discard(clientId: string) {
    this.remove(clientId);
  }

  /** Picks up changes another tab of the app made to the stored queue. */
  reload() {
    this.items = this.read();
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
    const { send, isTransient, isOnline = () => true, describeError = String } = this.options;
    while (this.items.length > 0 && isOnline()) {
      const scan = this.items[0];
      try {
        const answer = await send(scan);
        this.remove(scan.clientId);
        this.emit({ kind: 'recorded', scan, answer });
      } catch (error) {
        if (isTransient(error)) {
          const kept = { ...scan, attempts: scan.attempts + 1, lastError: describeError(error) };
          this.write(this.items.map((item) => (item.clientId === scan.clientId ? kept : item)));
          this.emit({ kind: 'deferred', scan: kept, error });
          return;
        }
        this.remove(scan.clientId);
        this.emit({ kind: 'rejected', scan, error });
      }
    }
  }

  private remove(clientId: string) {
    this.write(this.items.filter((item) => item.clientId !== clientId));
  }

  private read(): PendingScan[] {
    try {
      const stored: unknown = JSON.parse(this.options.storage.getItem(this.options.key) ?? '[]');
      return Array.isArray(stored) ? stored.filter(isPendingScan) : [];
    } catch {
      return [];
    }
  }

  private write(items: PendingScan[]) {
    this.items = items;
    if (items.length === 0) this.options.storage.removeItem(this.options.key);
    else this.options.storage.setItem(this.options.key, JSON.stringify(items));
    this.notify();
  }

  private notify() {
    for (const listener of this.listeners) listener();
  }

  private emit(delivery: Delivery<Answer>) {
    for (const listener of this.deliveryListeners) listener(delivery);
  }
}
