/**
 * Group concurrent calls into one piece of work: calls arriving while a batch runs wait for the
 * next one, so under load each database round trip (or transaction) serves many requests, and
 * with no load a call runs at once. One batch runs at a time per batcher.
 *
 * `run` answers each item in order with a value or an Error (that item's own failure). If `run`
 * throws, the batch is retried item by item so one poisoned item cannot fail its neighbours.
 */
export function createBatcher<I, O>(
  run: (items: I[]) => Promise<Array<O | Error>>,
  options: { maxBatch: number },
): (item: I) => Promise<O> {
  type Waiting = { item: I; resolve: (value: O) => void; reject: (error: unknown) => void };
  let queue: Waiting[] = [];
  let running = false;

  const settle = (waiting: Waiting[], answers: Array<O | Error>) => {
    waiting.forEach((w, i) => {
      const answer = answers[i];
      if (answer instanceof Error) w.reject(answer);
      else w.resolve(answer as O);
    });
  };

  const drain = async () => {
    running = true;
    while (queue.length > 0) {
      const batch = queue.slice(0, options.maxBatch);
      queue = queue.slice(batch.length);
      try {
        settle(batch, await run(batch.map((w) => w.item)));
      } catch (error) {
        if (batch.length === 1) {
          batch[0]?.reject(error);
          continue;
        }
        for (const w of batch) {
          try {
            settle([w], await run([w.item]));
          } catch (single) {
            w.reject(single);
          }
        }
      }
    }
    running = false;
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      // Start on the next turn so the calls of this turn (one burst of requests) share the batch.
      if (!running) {
        running = true;
        setImmediate(() => void drain());
      }
    });
}
