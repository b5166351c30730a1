/**
 * How many batches back a burst's size is remembered. Measured on 2 cores, 2 app servers, 32
 * phones against PostgreSQL: 16 kept the batches whole (15.8 of 16 calls); waiting for the last
 * batch's size only, a burst once split stayed split (13.3), costing more per call than it saved.
 */
const RECENT_BATCHES = 16;

/**
 * Group concurrent calls into one piece of work: calls arriving while batches run wait for the
 * next one, so under load each database round trip (or transaction) serves many requests, and
 * with no load a call runs at once. Up to `concurrency` batches run at a time (on PostgreSQL a
 * few transactions overlap their round trips; the embedded database has one connection, so one).
 *
 * With `gatherMs`, a batch about to start with fewer calls than the recent batches had waits for
 * the rest of them: until they are all there, or its first call is `gatherMs` old. Under a steady
 * load (a point's phones answering their scans as fast as they come back) the calls of one burst
 * then go together instead of in two alternating halves, halving the work per call that every
 * batch costs whatever its size. The wait ends the moment the burst is complete: a timer alone
 * kept a third of the batches waiting ~2 ms with every call already there. The size waited for is
 * the largest of the last batches, not the last one, so one late call (the batch leaves without
 * it) does not split the burst for good. A lone call after a run of lone calls never waits.
 *
 * `run` answers each item in order with a value or an Error (that item's own failure). If `run`
 * throws, the batch is retried item by item so one poisoned item cannot fail its neighbours.
 */
export function createBatcher<I, O>(
  run: (items: I[]) => Promise<Array<O | Error>>,
  options: { maxBatch: number; concurrency?: number; gatherMs?: number },
): (item: I) => Promise<O> {
  type Waiting = { item: I; resolve: (value: O) => void; reject: (error: unknown) => void; at: number };
  const slots = Math.max(1, options.concurrency ?? 1);
  const gatherMs = options.gatherMs ?? 0;
  let queue: Waiting[] = [];
  let running = 0;
  let scheduled = false;
  /** The sizes of the last batches: the largest is the burst a batch waits for. */
  const recentSizes: number[] = [];
  const burstSize = () => Math.min(options.maxBatch, Math.max(1, ...recentSizes));
  /** End the gathering waits early, once the burst is all there (one per waiting drain). */
  let gathered: Array<() => void> = [];

  const settle = (waiting: Waiting[], answers: Array<O | Error>) => {
    waiting.forEach((w, i) => {
      const answer = answers[i];
      if (answer instanceof Error) w.reject(answer);
      else w.resolve(answer as O);
    });
  };

  const runBatch = async (batch: Waiting[]) => {
    try {
      settle(batch, await run(batch.map((w) => w.item)));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const w of batch) {
        try {
          settle([w], await run([w.item]));
        } catch (single) {
          w.reject(single);
        }
      }
    }
  };

  const drain = async () => {
    running += 1;
    while (queue.length > 0) {
      const waited = performance.now() - (queue[0] as Waiting).at;
      if (queue.length < burstSize() && waited < gatherMs) {
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            gathered = gathered.filter((w) => w !== wake);
            resolve();
          };
          const timer = setTimeout(wake, gatherMs - waited);
          gathered.push(wake);
        });
        continue;
      }
      // With several slots, split what waits between the free ones rather than taking it all.
      const share = Math.ceil(queue.length / Math.max(1, slots - running + 1));
      const batch = queue.slice(0, Math.min(options.maxBatch, share));
      queue = queue.slice(batch.length);
      recentSizes.push(batch.length);
      if (recentSizes.length > RECENT_BATCHES) recentSizes.shift();
      if (queue.length > 0 && running < slots) startDrain();
      await runBatch(batch);
    }
    running -= 1;
  };

  const startDrain = () => {
    if (scheduled) return;
    scheduled = true;
    // On the next turn, so the calls of this turn (one burst of requests) share the batch.
    setImmediate(() => {
      scheduled = false;
      if (running < slots && queue.length > 0) void drain();
    });
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject, at: performance.now() });
      if (gathered.length > 0 && queue.length >= burstSize()) for (const wake of gathered) wake();
      if (running < slots) startDrain();
    });
}
