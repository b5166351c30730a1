import { loadConfig } from './config.ts';
import { DataDirLockedError } from './db/lock.ts';
import { describeError } from './platform/db-errors.ts';
import { startGridwatch } from './server.ts';

const config = loadConfig();

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
  console.log(`${lines.join('\n')}\n`);

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
