/**
 * The command line for large jobs on the server itself:
 *   npm run gridwatch -- import residents FILE.xlsx [--dry-run] [--as USERNAME]
 * Same validation as the web import (it calls the same service), a progress bar on stderr, the
 * report on stdout; exits 1 when the file has errors. On the embedded database the server must be
 * stopped first (one process per data folder).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from './config.ts';
import { DataDirLockedError } from './db/lock.ts';
import type { RowError } from './modules/residents/resident-excel.ts';
import { importResidents } from './modules/residents/resident-import-service.ts';
import { actorOfUser } from './platform/auth/auth-service.ts';
import { resolveMasterKey } from './platform/crypto/keys.ts';
import { PersonalDataCipher } from './platform/crypto/personal-data-cipher.ts';
import { describeError } from './platform/db-errors.ts';
import type { AppDeps } from './platform/deps.ts';
import { AppError } from './platform/errors/app-error.ts';
import { rowsIn } from './platform/errors/i18n.ts';
import { EventBus } from './platform/events/event-bus.ts';
import { openDatabase } from './server.ts';

const USAGE = 'usage: npm run gridwatch -- import residents FILE.xlsx [--dry-run] [--as USERNAME]';

function progressBar(done: number, total: number) {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r写入 [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done === total) process.stderr.write('\n');
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean', default: false }, as: { type: 'string', default: 'admin' } },
  });
  const [command, what, file] = positionals;
  if (command !== 'import' || what !== 'residents' || !file) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const data = fs.readFileSync(file);
  const database = await openDatabase(config);
  try {
    const deps: AppDeps = {
      config,
      database,
      events: new EventBus(),
      cipher: new PersonalDataCipher(resolveMasterKey(config).key),
    };
    const actor = await actorOfUser(deps, values.as, 'cli');
    if (!actor) {
      console.error(`用户 ${values.as} 不存在 / no such user`);
      return 2;
    }
    const started = performance.now();
    process.stderr.write(`检查 ${file} …\n`);
    try {
      const report = await importResidents(deps, actor, data, {
        dryRun: values['dry-run'],
        onProgress: progressBar,
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `共 ${report.total} 行，有效 ${report.valid} 行，错误 ${report.errors.length} 处，导入 ${report.imported} 行（${seconds} 秒）`,
      );
      printRowProblems(report.errors);
      if (report.errors.length > 100) console.log(`……另有 ${report.errors.length - 100} 处错误`);
      return report.errors.length ? 1 : 0;
    } catch (err) {
      if (err instanceof AppError) {
        console.error(err.text.zh);
        printRowProblems((err.extra?.errors ?? []) as RowError[]);
        return 1;
      }
      throw err;
    }
  } finally {
    await database.close();
  }
}

/** A file's row problems, the first hundred, in Chinese (the console's language, as the headers are). */
function printRowProblems(errors: RowError[]) {
  for (const e of rowsIn('zh', errors.slice(0, 100))) console.log(`第${e.row}行 ${e.column}：${e.message}`);
}

try {
  process.exit(await main());
} catch (err) {
  if (err instanceof DataDirLockedError)
    console.error(`${err.message}：请先停止服务，或用 DATABASE_URL 连接服务器数据库`);
  else console.error('失败 / failed:', describeError(err));
  process.exit(1);
}
