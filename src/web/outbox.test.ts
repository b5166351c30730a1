import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryStorage } from './memoryStorage.ts';
import { Outbox, type OutboxOptions, type Queued } from './outbox.ts';

/** A scan, as the sampler's outbox holds one (the outbox itself knows nothing of scans). */
interface PendingScan extends Queued {
  roundId: string;
  pointId: string;
  personCode: string;
  tubeCode: string;
  scannedAt: string;
}
const isPendingScan = (value: unknown): value is PendingScan =>
  typeof (value as PendingScan | null)?.clientId === 'string' &&
  typeof (value as PendingScan).personCode === 'string';

/** A refusal or failure as the API wrapper reports it: a status and the server's reason code. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code = 'http',
  ) {
    super(`HTTP ${status} ${code}`);
  }
}

const scan = (n: number): Omit<PendingScan, 'attempts'> => ({
  clientId: `c${n}`,
  roundId: 'r',
  pointId: 'p',
  personCode: `GW1person${n}`,
  tubeCode: 'T0001',
  scannedAt: new Date().toISOString(),
});

type Answer = { tubeCode: string };

function queueOn(storage: MemoryStorage, send: OutboxOptions<PendingScan, Answer>['send']) {
  return new Outbox<PendingScan, Answer>({
    storage,
    key: 'q',
    isItem: isPendingScan,
    send,
    isAnswer: (value) => typeof (value as Answer | null)?.tubeCode === 'string',
    isTransient: (error) => !(error instanceof HttpError) || error.status === 0 || error.status >= 500,
    isServerFailure: (error) => error instanceof HttpError && error.status >= 500,
    codeOf: (error) => (error instanceof HttpError ? error.code : undefined),
    describeError: (error) => (error instanceof Error ? error.message : String(error)),
  });
}

const stored = (storage: MemoryStorage, key = 'q') =>
  (JSON.parse(storage.getItem(key) ?? '[]') as Array<{ clientId?: string; item?: { clientId: string } }>).map(
    (stored) => stored.clientId ?? stored.item?.clientId,
  );

describe('the sampler’s scan queue', () => {
  test('a write this version cannot read (a newer tab’s kind) is kept, not dropped, as the queue changes', async () => {
    const storage = new MemoryStorage();
    const future = { clientId: 'f1', kind: 'a-newer-kind', path: '/x' };
    storage.setItem('q', JSON.stringify([future]));
    const queue = queueOn(storage, async () => ({ tubeCode: 'T0001' }));
    assert.deepEqual(queue.getSnapshot(), [], 'not shown or sent here');
    queue.add(scan(1));
    await queue.upload();
    assert.deepEqual(queue.getSnapshot(), [], 'ours went');
    assert.deepEqual(JSON.parse(storage.getItem('q') ?? '[]'), [future], 'the newer write waits still');
  });

  test('a success reply that is not the answer (a cut connection, a captive portal’s page) keeps the scan', async () => {
    const storage = new MemoryStorage();
    let replies = 0;
    const queue = queueOn(storage, async () =>
      ++replies === 1 ? (null as unknown as Answer) : { tubeCode: 'T0001' },
    );
    const heard: string[] = [];
    queue.onDelivery((d) => heard.push(d.kind));
    queue.add(scan(1));
    await queue.upload();
    assert.deepEqual(heard, ['deferred']);
    assert.deepEqual(stored(storage), ['c1'], 'the scan stays for the next try');
    await queue.upload();
    assert.deepEqual(heard, ['deferred', 'recorded']);
    assert.deepEqual(stored(storage), []);
  });

  test('a listener that throws neither loses the scan it heard of nor stops the upload', async () => {
    const storage = new MemoryStorage();
    const queue = queueOn(storage, async (s) => ({ tubeCode: s.tubeCode }));
    const heard: string[] = [];
    queue.onDelivery((d) => {
      heard.push(d.item.clientId);
      throw new Error('a page’s bug');
    });
    const reported: unknown[] = [];
    const scope = globalThis as { reportError?: (error: unknown) => void };
    scope.reportError = (error) => reported.push(error);
    try {
      queue.add(scan(1));
      queue.add(scan(2));
      await queue.upload();
    } finally {
      delete scope.reportError;
    }
    assert.deepEqual(heard, ['c1', 'c2']);
    assert.deepEqual(stored(storage), []);
    assert.equal(reported.length, 2, 'the listener’s errors are reported, not swallowed');
  });

  test('refusals are kept in storage with the reason until dismissed, heard or not', async () => {
    const storage = new MemoryStorage();
    const queue = queueOn(storage, async (s) => {
      if (s.clientId === 'c1') return { tubeCode: 'T0001' };
      throw new HttpError(409, 'ALREADY_SAMPLED');
    });
    for (let i = 1; i <= 4; i++) queue.add(scan(i));
    await queue.upload(); // nobody listening: the page was left
    assert.deepEqual(stored(storage), []);
    assert.deepEqual(stored(storage, 'q.refused'), ['c4', 'c3', 'c2'], 'newest first');
    // A reload (a new queue on the same storage) still shows them.
    const reloaded = queueOn(storage, async () => ({ tubeCode: 'T0001' }));
    assert.deepEqual(
      reloaded.getRefused().map((r) => [r.item.clientId, r.code]),
      [
        ['c4', 'ALREADY_SAMPLED'],
        ['c3', 'ALREADY_SAMPLED'],
        ['c2', 'ALREADY_SAMPLED'],
      ],
    );
    reloaded.dismissRefused('c3');
    assert.deepEqual(stored(storage, 'q.refused'), ['c4', 'c2']);
    reloaded.clearRefused();
    assert.equal(storage.getItem('q.refused'), null);
  });

  test('two queues on one storage (two tabs) keep each other’s scans', async () => {
    const storage = new MemoryStorage();
    const sent: string[] = [];
    const tabA = queueOn(storage, async (s) => {
      sent.push(s.clientId);
      return { tubeCode: s.tubeCode };
    });
    const tabB = queueOn(storage, async () => ({ tubeCode: 'T0001' }));
    tabB.add(scan(1));
    tabA.add(scan(2));
    assert.deepEqual(stored(storage), ['c1', 'c2']);
    await tabA.upload();
    assert.deepEqual(sent, ['c1', 'c2'], 'tab A sends what tab B queued too, in order');
    assert.deepEqual(stored(storage), []);
  });

  test('only the server’s own failures count towards offering to drop a scan', async () => {
    const storage = new MemoryStorage();
    const failures = [new HttpError(0, 'network'), new HttpError(503, 'BUSY'), new HttpError(0, 'network')];
    const queue = queueOn(storage, async () => {
      throw failures.shift() ?? new HttpError(0, 'network');
    });
    queue.add(scan(1));
    for (let i = 0; i < 3; i++) await queue.upload();
    const [kept] = queue.getSnapshot();
    assert.equal(kept?.attempts, 3);
    assert.equal(kept?.serverFailures, 1);
    assert.equal(kept?.lastError, 'HTTP 0 network');
  });

  test('a scan refused keeps the scans behind it going; one that cannot get through holds them in order', async () => {
    const storage = new MemoryStorage();
    let online = false;
    const sent: string[] = [];
    const queue = queueOn(storage, async (s) => {
      if (!online) throw new HttpError(0, 'network');
      sent.push(s.clientId);
      if (s.clientId === 'c2') throw new HttpError(409, 'TUBE_FULL');
      return { tubeCode: s.tubeCode };
    });
    for (let i = 1; i <= 3; i++) queue.add(scan(i));
    await queue.upload();
    assert.deepEqual(sent, []);
    assert.deepEqual(stored(storage), ['c1', 'c2', 'c3']);
    online = true;
    await queue.upload();
    assert.deepEqual(sent, ['c1', 'c2', 'c3']);
    assert.deepEqual(stored(storage, 'q.refused'), ['c2']);
  });

  test('two tabs sending one refused scan at once file it once', async () => {
    const storage = new MemoryStorage();
    const slowRefusal = async (): Promise<Answer> => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new HttpError(409, 'TUBE_FULL');
    };
    const tabA = queueOn(storage, slowRefusal);
    const tabB = queueOn(storage, slowRefusal);
    const heard: string[] = [];
    tabA.onDelivery((d) => heard.push(`A:${d.kind}`));
    tabB.onDelivery((d) => heard.push(`B:${d.kind}`));
    tabA.add(scan(1));
    await Promise.all([tabA.upload(), tabB.upload()]);
    assert.deepEqual(stored(storage, 'q.refused'), ['c1']);
    assert.equal(heard.length, 1, `told once: ${heard}`);
  });
});

test('a refusal stored before the outbox was shared (its write named `scan`) is still read', () => {
  const storage = new MemoryStorage();
  const legacy = {
    scan: { ...scan(7), attempts: 1 },
    message: '此人本轮已采样',
    code: 'ALREADY_SAMPLED',
    refusedAt: new Date().toISOString(),
  };
  storage.setItem('q.refused', JSON.stringify([legacy, { nonsense: true }]));
  const queue = queueOn(storage, async () => ({ tubeCode: 'T0001' }));
  assert.deepEqual(
    queue.getRefused().map((r) => [r.item.clientId, r.code]),
    [['c7', 'ALREADY_SAMPLED']],
  );
});
