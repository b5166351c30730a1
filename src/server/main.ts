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
 * One that dies is started again.
 */
async function runAppServers(count: number) {
  let stopping = false;
  const first = cluster.fork();
  await new Promise<void>((resolve, reject) => {
    first.once('listening', () => resolve());
    first.once('exit', (code) => reject(new Error(`app server 1 exited with ${code}`)));
  }).catch((err) => {
    console.error('无法启动 / cannot start:', describeError(err));
    process.exit(1);
  });
  for (let i = 1; i < count; i++) cluster.fork();
  const served = new Set<number>([first.id]);
  cluster.on('listening', (worker) => served.add(worker.id));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    // One that never served (a configuration error) would only fail again.
    if (!served.has(worker.id)) {
      console.error(`应用进程 ${worker.id} 未能启动 / an app server failed to start`);
      process.exit(1);
    }
    console.error(
      `应用进程 ${worker.id} 退出（${signal ?? code}），重新启动 / app server exited, restarting`,
    );
    cluster.fork();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
      cluster.disconnect(() => process.exit(0));
    });
  }
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

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
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
