// IndexedDB, where the copies are kept, as a browser has it (in memory).
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { ApiError } from './apiError.ts';
import { MemoryStorage } from './memoryStorage.ts';
import { forgetKeptCopies, forgetLegacyCopies, lastGoodCopy, showsKeptCopy } from './offline.ts';

const storage = new MemoryStorage();
// Object.keys(localStorage) lists the stored keys in a browser: a proxy gives the same here.
Object.defineProperty(globalThis, 'localStorage', {
  configurable: true,
  value: new Proxy(storage, {
    ownKeys: () => [...storage.map.keys()],
    getOwnPropertyDescriptor: (_, key) =>
      typeof key === 'string' && storage.map.has(key)
        ? { configurable: true, enumerable: true, value: storage.map.get(key) }
        : undefined,
  }),
});

const noNetwork = () => Promise.reject(new ApiError(0, 'network', '网络不可用'));
/** Until the copies' store has done what it was given (it is not waited for). */
const settled = () => new Promise((resolve) => setTimeout(resolve, 20));
/** A call whose answer the test gives when it chooses. */
function pending<T>() {
  let answer: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => {
    answer = resolve;
  });
  return { promise, answer };
}
/** A call on a signal that passes nothing: it never answers. */
const hanging = <T>() => new Promise<T>(() => undefined);

describe('a page kept on the phone (lastGoodCopy)', () => {
  beforeEach(async () => {
    storage.map.clear();
    await forgetKeptCopies();
  });

  test('a fresh answer is kept, and stands in when the network is gone', async () => {
    assert.deepEqual(await lastGoodCopy('sweeps.r1', async () => ({ items: [1, 2] })), { items: [1, 2] });
    await settled();
    assert.deepEqual(await lastGoodCopy('sweeps.r1', noNetwork), { items: [1, 2] });
  });

  test('nothing kept: the failure is the page’s to show', async () => {
    await assert.rejects(lastGoodCopy('sweeps.r1', noNetwork), { status: 0 });
  });

  test('a refusal from the server is not hidden behind the copy', async () => {
    await lastGoodCopy('round.r1', async () => ({ name: '第3轮' }));
    await assert.rejects(
      lastGoodCopy('round.r1', () => Promise.reject(new ApiError(404, 'NOT_FOUND', '不存在'))),
      { status: 404 },
    );
  });

  test('a call that hangs gives way to the copy after the wait, and its late answer is kept', async () => {
    await lastGoodCopy('sweep.s1', async () => ({ visited: 3 }));
    await settled();
    const late = pending<{ visited: number }>();
    const started = Date.now();
    const shownLate: unknown[] = [];
    const shown = await lastGoodCopy('sweep.s1', () => late.promise, {
      waitMs: 50,
      onLate: (fresh) => shownLate.push(fresh),
    });
    assert.deepEqual(shown, { visited: 3 });
    assert.ok(Date.now() - started >= 45, 'the network was given its wait first');
    assert.equal(showsKeptCopy('sweep.s1'), true, 'the page is told it shows the copy');
    late.answer({ visited: 4 });
    await late.promise;
    assert.deepEqual(shownLate, [{ visited: 4 }], 'the page is handed the late answer');
    assert.equal(showsKeptCopy('sweep.s1'), false, 'and no longer shows the copy');
    await settled();
    assert.deepEqual(await lastGoodCopy('sweep.s1', noNetwork), { visited: 4 });
  });

  test('with nothing kept, a hanging call is waited for (there is nothing else to show)', async () => {
    const outcome = await Promise.race([
      lastGoodCopy('sweep.s2', hanging, { waitMs: 10 }).then(() => 'answered'),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 60)),
    ]);
    assert.equal(outcome, 'still waiting');
  });

  test('a copy that does not answer this call is not shown', async () => {
    await lastGoodCopy('sampling.tube', async () => ({ code: 'T1' }));
    await assert.rejects(
      lastGoodCopy<{ code: string }>('sampling.tube', noNetwork, { answers: (kept) => kept.code === 'T2' }),
      { status: 0 },
    );
  });

  test('an older call answering after a newer one does not replace its copy', async () => {
    const older = pending<{ n: number }>();
    const old = lastGoodCopy('sampling.tube', () => older.promise);
    await lastGoodCopy('sampling.tube', async () => ({ n: 2 }));
    older.answer({ n: 1 });
    await old;
    await settled();
    assert.deepEqual(await lastGoodCopy('sampling.tube', noNetwork), { n: 2 });
  });

  test('an answer coming after a sign-out is not kept for the next user', async () => {
    const late = pending<{ name: string }>();
    const call = lastGoodCopy('missing.r1', () => late.promise);
    await forgetKeptCopies();
    late.answer({ name: '张*丰' });
    await call;
    await settled();
    await assert.rejects(lastGoodCopy('missing.r1', noNetwork), { status: 0 });
  });

  test('copies an earlier version kept in localStorage are removed as the app starts', () => {
    storage.setItem('gridwatch.kept.sweep.s1', 'x'.repeat(1000));
    storage.setItem('gridwatch.sampling.round.r1', '{}');
    storage.setItem('gridwatch.sampling.tube', '"T-0001"'); // the tube in hand: not a copy
    storage.setItem('gridwatch.sampling.queue.u1', '[]');
    storage.setItem('gridwatch.field.outbox.u1', '[]');
    forgetLegacyCopies();
    assert.deepEqual([...storage.map.keys()].sort(), [
      'gridwatch.field.outbox.u1',
      'gridwatch.sampling.queue.u1',
      'gridwatch.sampling.tube',
    ]);
  });

  test('signing out forgets the copies, and keeps writes still waiting', async () => {
    await lastGoodCopy('sweeps.r1', async () => ({ items: [] }));
    storage.setItem('gridwatch.kept.sweeps.r0', '{"items":[]}'); // where an earlier version kept it
    storage.setItem('gridwatch.field.outbox.u1', '[{"clientId":"c1"}]');
    storage.setItem('gridwatch.field.outbox.u1.refused', '[{"clientId":"c0"}]');
    await forgetKeptCopies();
    assert.deepEqual([...storage.map.keys()], ['gridwatch.field.outbox.u1']);
    await assert.rejects(lastGoodCopy('sweeps.r1', noNetwork), { status: 0 });
  });

  test('a team’s households past localStorage’s 5 MB are kept all the same', async () => {
    const households = Array.from({ length: 10_000 }, (_, i) => ({
      id: `h${i}`,
      address: `郭河村第${Math.floor(i / 40) + 1}组${i}号`,
      members: ['张*', '李*', '王*'],
      note: '敲门无人应答'.repeat(90),
    }));
    assert.ok(JSON.stringify(households).length > 5_000_000, 'more than localStorage holds');
    await lastGoodCopy('sweep.s9', async () => ({ households }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const kept = await lastGoodCopy<{ households: unknown[] }>('sweep.s9', noNetwork);
    assert.equal(kept.households.length, 10_000);
  });
});
