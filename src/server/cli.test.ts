import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import { idCheckChar } from '../domain/id-number.ts';
import { openEmbedded } from './db/database.ts';
import { PersonalDataCipher } from './platform/crypto/personal-data-cipher.ts';
import { EventBus } from './platform/events/event-bus.ts';
import { bootstrap } from './seed/bootstrap.ts';

const onServer = Boolean(process.env.TEST_DATABASE_URL);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-cli-'));
const key = randomBytes(32).toString('hex');
const id = (first17: string) => first17 + idCheckChar(first17);

before(async () => {
  if (onServer) return;
  const database = await openEmbedded(dir);
  await bootstrap(
    { database, events: new EventBus(), cipher: new PersonalDataCipher(Buffer.from(key, 'hex')) },
    {
      demo: true,
      adminPassword: 'Admin-pass-2022',
      demoResidents: 0,
    },
  );
  await database.close();
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function file(rows: (string | number)[][]) {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('居民');
  sheet.addRow(['姓名', '证件类型', '证件号码', '手机号', '网格', '地址', '居住状态', '重点人群']);
  for (const r of rows) sheet.addRow(r);
  const out = path.join(dir, `f${Math.random()}.xlsx`);
  await wb.xlsx.writeFile(out);
  return out;
}

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli.ts', ...args], {
    env: { ...process.env, GRIDWATCH_DATA_DIR: dir, GRIDWATCH_KEY: key, DATABASE_URL: '' },
    encoding: 'utf8',
  });

test('the command-line import checks with --dry-run, reports bad rows, then imports', {
  skip: onServer && 'embedded data folder only',
}, async () => {
  const grid = '幸福家园社区/第一网格';
  const bad = await file([
    ['甲一', '', id('41160219900101111'), '', grid, '一号', '在家', ''],
    ['乙二', '', 4.11602199001011e17, '', grid, '二号', '在家', ''],
  ]);
  const checked = cli('import', 'residents', bad, '--dry-run');
  assert.equal(checked.status, 1);
  assert.match(checked.stdout, /共 2 行，有效 1 行/);
  assert.match(checked.stdout, /第3行 证件号码：.*文本/);

  const good = await file([['甲一', '', id('41160219900101111'), '13700001111', grid, '一号', '在家', '']]);
  const imported = cli('import', 'residents', good);
  assert.equal(imported.status, 0, imported.stderr);
  assert.match(imported.stdout, /导入 1 行/);
  assert.match(imported.stderr, /写入 \[#+\] 1\/1/, 'a progress bar');

  const again = cli('import', 'residents', good, '--dry-run');
  assert.match(again.stdout, /已在登记册/, 'the same validation as the web: duplicates against the registry');
  assert.equal(cli('import', 'nothing').status, 2);
});
