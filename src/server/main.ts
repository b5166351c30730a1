import cluster from 'node:cluster';
import { loadConfig } from './config.ts';
import { DataDirLockedError } from './db/lock.ts';
import { describeError } from './platform/db-errors.ts';
import { startGridwatch } from './server.ts';

const config = loadConfig();

if (cluster.isPrimary && config.appServers > 1) {
  if (!config.databaseUrl) {
    console.error(
      '无法启动：多个应用进程（GRIDWATCH_APP_SERVERS）需要 PostgreSQL（DATABASE_URL）/ several app servers need DATABASE_URL',
    );
    process.exit(2);
  }
  await runAppServers(config.appServers);
} else {
  await startOne();
}

/**
 * Several app server processes on one port (one per core: a Node process uses one), sharing the
 * PostgreSQL database; their events reach each other through it. The first starts alone — it runs
 * the migrations, creates a fresh district and prints the first password once — then the others.
 * One that dies is started again, after a pause that doubles while they keep dying (the database
 * restarting, say) up to half a minute; a stop waits for every one to close.
 */
async function runAppServers(count: number) {
  let stopping = false;
  const first = cluster.fork();
  await new Promise<void>((resolve, reject) => {
    first.once('listening', () => resolve());
    first.once('exit', (code) => reject(new Error(`app server 1 exited with ${code}`)));
  }).catch((err) => {
    // At the first start a failure is a configuration error: it would only fail again.
    console.error('无法启动 / cannot start:', describeError(err));
    process.exit(1);
  });
  for (let i = 1; i < count; i++) cluster.fork();

  let pauseMs = 1000;
  let lastRestart = 0;
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    // Calm for a minute since the last restart: the next one starts from a short pause again.
    if (Date.now() - lastRestart > 60_000) pauseMs = 1000;
    console.error(
      `应用进程 ${worker.id} 退出（${signal ?? code}），${pauseMs / 1000} 秒后重新启动 / app server exited, restarting`,
    );
    setTimeout(() => {
      if (stopping) return;
      lastRestart = Date.now();
      cluster.fork();
    }, pauseMs);
    pauseMs = Math.min(30_000, pauseMs * 2);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const worker of workers) {
      worker.once('exit', () => {
        left -= 1;
        if (left === 0) process.exit(0);
      });
      // A terminal's Ctrl-C reaches the workers by itself; they close once however often told.
      worker.process.kill(signal);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));
}

async function startOne() {
  try {
    const running = await startGridwatch(config);
    const db =
      running.deps.database.kind === 'pglite'
        ? `PGlite（嵌入式，${config.dataDir}）`
        : 'PostgreSQL（DATABASE_URL）';
    const lines = ['', `  网格防控 Gridwatch 已启动 / started: ${running.url}`, `  数据库 / database: ${db}`];
    if (running.bootstrap.createdDistrict)
      lines.push(`  已创建辖区 / district created: ${running.bootstrap.createdDistrict}`);
    if (running.bootstrap.demoResidents) {
      lines.push(`  演示居民 / demo residents: ${running.bootstrap.demoResidents}（合成数据 / synthetic）`);
    }
    if (running.bootstrap.adminPassword) {
      lines.push(`  管理员 / administrator: admin  密码 / password: ${running.bootstrap.adminPassword}`);
      lines.push('  （仅显示这一次，请登录后修改 / shown once only: change it after logging in）');
    }
    // With several app servers, the first speaks for them all.
    if (!cluster.isWorker || cluster.worker?.id === 1) console.log(`${lines.join('\n')}\n`);

    // Told more than once (Ctrl-C reaches an app server of several from the terminal and from
    // the primary), it closes once: `close` is the same promise each time.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        running.app.log.info(`${signal}: closing`);
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      });
    }
  } catch (err) {
    if (err instanceof DataDirLockedError) {
      console.error(`无法启动：${err.message}`);
      process.exit(2);
    }
    console.error('无法启动 / cannot start:', describeError(err));
    process.exit(1);
  }
}
