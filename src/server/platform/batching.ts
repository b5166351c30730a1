/**
 * Group concurrent calls into one piece of work: calls arriving while batches run wait for the
 * next one, so under load each database round trip (or transaction) serves many requests, and
 * with no load a call runs at once. Up to `concurrency` batches run at a time (on PostgreSQL a
 * few transactions overlap their round trips; the embedded database has one connection, so one).
 *
 * With `gatherMs`, a batch about to start with fewer calls than the previous one had waits, until
 * its first call is that old, for the rest of them: under a steady load (a point's phones
 * answering their scans as fast as they come back) the calls of one burst then go together
 * instead of in two alternating halves, halving the work per call that every batch costs
 * whatever its size; a lone call after a lone call never waits.
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
  let lastSize = 1;

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
      if (queue.length < Math.min(lastSize, options.maxBatch) && waited < gatherMs) {
        await new Promise((resolve) => setTimeout(resolve, gatherMs - waited));
        continue;
      }
      // With several slots, split what waits between the free ones rather than taking it all.
      const share = Math.ceil(queue.length / Math.max(1, slots - running + 1));
      const batch = queue.slice(0, Math.min(options.maxBatch, share));
      queue = queue.slice(batch.length);
      lastSize = batch.length;
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
      if (running < slots) startDrain();
    });
}
