import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBatcher } from './batching.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A batcher whose batch takes `workMs` and answers each call with its item; `sizes` records the batches. */
function recordingBatcher(options: { maxBatch: number; gatherMs?: number }, workMs: number) {
  const sizes: number[] = [];
  const call = createBatcher<number, number>(async (items) => {
    sizes.push(items.length);
    await sleep(workMs);
    return items;
  }, options);
  return { call, sizes };
}

/**
 * `phones` callers each making `rounds` calls one after another, as a point's phones scan; `before`
 * may hold a phone up before a call. Resolves when every call is answered.
 */
function phonesCalling(
  call: (n: number) => Promise<number>,
  phones: number,
  rounds: number,
  before: (phone: number, round: number) => Promise<unknown> | undefined,
) {
  return Promise.all(
    Array.from({ length: phones }, async (_, phone) => {
      for (let round = 0; round < rounds; round++) {
        await before(phone, round);
        await call(round);
      }
    }),
  );
}

test('concurrent calls share a batch; each gets its own answer or error', async () => {
  const sizes: number[] = [];
  const call = createBatcher<number, number>(
    async (items) => {
      sizes.push(items.length);
      await sleep(5);
      return items.map((n) => (n < 0 ? new Error(`negative ${n}`) : n * 2));
    },
    { maxBatch: 4 },
  );
  const answers = await Promise.allSettled([1, 2, -3, 4, 5, 6].map((n) => call(n)));
  assert.deepEqual(sizes, [4, 2]);
  assert.deepEqual(
    answers.map((a) => (a.status === 'fulfilled' ? a.value : (a.reason as Error).message)),
    [2, 4, 'negative -3', 8, 10, 12],
  );
  // A call made after the burst starts its own batch at once.
  assert.equal(await call(7), 14);
  assert.deepEqual(sizes, [4, 2, 1]);
});

test('a batch that throws is retried one by one, so one poisoned item fails alone', async () => {
  const call = createBatcher<string, string>(
    async (items) => {
      if (items.includes('poison')) throw new Error('boom');
      return items.map((s) => s.toUpperCase());
    },
    { maxBatch: 10 },
  );
  const answers = await Promise.allSettled(['a', 'poison', 'b'].map((s) => call(s)));
  assert.deepEqual(
    answers.map((a) => (a.status === 'fulfilled' ? a.value : 'failed')),
    ['A', 'failed', 'B'],
  );
});

test('with gathering, the calls of a steady burst go together rather than in alternating halves', async () => {
  const { call, sizes } = recordingBatcher({ maxBatch: 100, gatherMs: 50 }, 5);
  // Eight phones, each sending its next call a little after its answer, at different moments
  // (as answers over a network come back): without gathering each batch would leave early.
  const phones = 8;
  const rounds = 6;
  await phonesCalling(call, phones, rounds, (phone, round) => (round > 0 ? sleep(phone % 4) : undefined));
  assert.equal(
    sizes.reduce((n, s) => n + s, 0),
    phones * rounds,
  );
  // One batch per round at best; a stall of the machine may split one, not many.
  assert.ok(sizes.length <= rounds + 3, `batches: ${sizes.join(',')}`);
});

test('a lone call after a lone call does not wait for company', { timeout: 10_000 }, async () => {
  const call = createBatcher<number, number>(async (items) => items, { maxBatch: 10, gatherMs: 60_000 });
  // Were it to wait, the minute would outlast the test's time limit.
  assert.equal(await call(1), 1);
  assert.equal(await call(2), 2);
});

test('a gathering batch leaves as soon as its burst is complete, not when the wait runs out', {
  timeout: 10_000,
}, async () => {
  // A minute's gathering: a batch that waited for the timer would outlast the test's time limit.
  const { call, sizes } = recordingBatcher({ maxBatch: 100, gatherMs: 60_000 }, 2);
  const phones = 6;
  await Promise.all(Array.from({ length: phones }, (_, phone) => call(phone)));
  // Each phone's next call a moment after its answer, at different moments.
  await Promise.all(
    Array.from({ length: phones }, async (_, phone) => {
      await sleep(phone * 3);
      return call(phone);
    }),
  );
  assert.deepEqual(sizes, [phones, phones]);
});

test('one late call does not split the burst for good: the next batches wait for all again', async () => {
  const { call, sizes } = recordingBatcher({ maxBatch: 100, gatherMs: 100 }, 2);
  const phones = 6;
  const rounds = 5;
  // In the second round the last phone is held up longer than the batch waits.
  await phonesCalling(call, phones, rounds, (phone, round) =>
    round === 1 && phone === phones - 1 ? sleep(250) : undefined,
  );
  assert.equal(
    sizes.reduce((n, s) => n + s, 0),
    phones * rounds,
  );
  // Two batches leave without the late phone (each after waiting 100 ms for it); once it is back
  // the burst goes whole again, though the batches before had fewer: waiting for the last
  // batch's size only, the five would have left without it ([6, 5, 5, 5, 5, 1, …]). The late
  // phone's last two calls are alone, each after a wait for company that never comes.
  assert.deepEqual(sizes, [6, 5, 5, 6, 6, 1, 1]);
});
