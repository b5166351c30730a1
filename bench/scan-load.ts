/**
 * The samplers' phones for the testing benchmark, in a process of their own (as phones are other
 * machines): one keep-alive socket per sampler posting its scans one after another at full speed.
 *
 * The phones share the benchmark's two cores with the app server and PostgreSQL, so their own CPU
 * is kept as small as a load tool's (wrk, autocannon): the parent prepares the bodies, each
 * request's bytes are built before the clock starts, and an answer is read by its status line and
 * Content-Length only. Node's `http` client cost ~0.13 ms of CPU per scan here — a third of what
 * the app server spends — which the real phones would spend on their own processors.
 * Protocol: the parent sends one `LoadPlan`, this process answers one `LoadResult` and exits.
 */
import net from 'node:net';

export interface LoadPlan {
  /** Each sampler's app server (as a load balancer would spread the points' phones). */
  samplers: { base: string; cookie: string; bodies: string[] }[];
}

export interface LoadResult {
  seconds: number;
  /** CPU time of this process while posting (user + system), ms. */
  cpuMs: number;
  latencies: number[];
  /** Scans answered in each second of the run (warm-up shows in the first ones). */
  perSecond: number[];
  failures: number;
  firstFailures: string[];
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** The bytes of one scan's POST, ready to write. */
function requestBytes(host: string, cookie: string, body: string): Buffer {
  const payload = Buffer.from(body);
  return Buffer.concat([
    Buffer.from(
      `POST /api/v1/sampling/scans HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n` +
        `Content-Type: application/json\r\nCookie: ${cookie}\r\nContent-Length: ${payload.length}\r\n\r\n`,
    ),
    payload,
  ]);
}

/**
 * One phone's connection: sends a request, resolves with the answer's status and body. Answers
 * come back in order on a keep-alive socket, one at a time.
 */
function phoneConnection(host: string, port: number) {
  const socket = net.connect({ host, port, noDelay: true });
  let buffered: Buffer = Buffer.alloc(0);
  let waiting: { resolve: (a: { status: number; text: string }) => void; reject: (e: Error) => void } | null =
    null;
  // A connection that failed stays failed: later scans on it are refused at once, not left hanging.
  let dead: Error | undefined;
  const fail = (error: Error) => {
    dead ??= error;
    waiting?.reject(error);
    waiting = null;
  };
  socket.on('error', fail);
  socket.on('close', () => fail(new Error('connection closed by the server')));
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf(HEADER_END);
    if (end < 0 || !waiting) return;
    const head = buffered.subarray(0, end).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) {
      socket.destroy();
      return fail(new Error(`answer without Content-Length: ${head.split('\r\n')[0]}`));
    }
    const total = end + 4 + Number(length[1]);
    if (buffered.length < total) return;
    const status = Number(head.slice(9, 12));
    const text = buffered.subarray(end + 4, total).toString();
    buffered = buffered.subarray(total);
    const done = waiting;
    waiting = null;
    done.resolve({ status, text });
  });
  return (request: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      if (dead) return reject(dead);
      waiting = { resolve, reject };
      socket.write(request);
    });
}

async function runPlan(plan: LoadPlan): Promise<LoadResult> {
  const bases = plan.samplers.map((s) => new URL(s.base));
  const prepared = plan.samplers.map(({ cookie, bodies }, k) =>
    bodies.map((b) => requestBytes((bases[k] as URL).host, cookie, b)),
  );
  const connections = bases.map((base) => phoneConnection(base.hostname, Number(base.port)));

  const latencies: number[] = [];
  const perSecond: number[] = [];
  const firstFailures: string[] = [];
  let failures = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    prepared.map(async (requests, phone) => {
      const send = connections[phone] as ReturnType<typeof phoneConnection>;
      for (const request of requests) {
        const t = performance.now();
        const res = await send(request);
        const done = performance.now();
        latencies.push(done - t);
        const second = Math.floor((done - started) / 1000);
        perSecond[second] = (perSecond[second] ?? 0) + 1;
        if (res.status !== 201) {
          failures++;
          if (firstFailures.length < 3) firstFailures.push(`${res.status}: ${res.text}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    seconds,
    cpuMs: (used.user + used.system) / 1000,
    latencies,
    perSecond: Array.from(perSecond, (n) => n ?? 0),
    failures,
    firstFailures,
  };
}

process.once('message', (plan: LoadPlan) => {
  void runPlan(plan).then((result) => process.send?.(result, () => process.exit(0)));
});
