import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBatcher } from './batching.ts';

test('concurrent calls share a batch; each gets its own answer or error', async () => {
  const sizes: number[] = [];
  const call = createBatcher<number, number>(
    async (items) => {
      sizes.push(items.length);
      await new Promise((r) => setTimeout(r, 5));
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
