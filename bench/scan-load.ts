/**
 * The samplers' phones for the testing benchmark, in a process of their own (as phones are other
 * machines): one keep-alive socket per sampler posting its scans one after another at full speed.
 * The bodies are prepared by the parent, so this process only speaks HTTP and times the answers.
 * Protocol: the parent sends one `LoadPlan`, this process answers one `LoadResult` and exits.
 */
import http from 'node:http';

export interface LoadPlan {
  base: string;
  samplers: { cookie: string; bodies: string[] }[];
}

export interface LoadResult {
  seconds: number;
  /** CPU time of this process while posting (user + system), ms. */
  cpuMs: number;
  latencies: number[];
  failures: number;
  firstFailures: string[];
}

async function runPlan(plan: LoadPlan): Promise<LoadResult> {
  const base = new URL(plan.base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.samplers.length });
  const post = (body: string, cookie: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          path: '/api/v1/sampling/scans',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', cookie, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  const latencies: number[] = [];
  const firstFailures: string[] = [];
  let failures = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    plan.samplers.map(async ({ cookie, bodies }) => {
      for (const body of bodies) {
        const t = performance.now();
        const res = await post(body, cookie);
        latencies.push(performance.now() - t);
        if (res.status !== 201) {
          failures++;
          if (firstFailures.length < 3) firstFailures.push(`${res.status}: ${res.text}`);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  return { seconds, cpuMs: (used.user + used.system) / 1000, latencies, failures, firstFailures };
}

process.once('message', (plan: LoadPlan) => {
  void runPlan(plan).then((result) => process.send?.(result, () => process.exit(0)));
});
