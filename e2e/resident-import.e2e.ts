/**
 * Issue 3's journey: a user downloads the import template, fills it with 3 good and 2 bad rows,
 * sees the error report, fixes the file, imports it, and finds a new resident by pinyin initials.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import ExcelJS from 'exceljs';
import { idCheckChar } from '../src/domain/id-number.ts';
import { ADMIN_PASSWORD, journey, login, screenshot } from './support.ts';

const j = journey();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-import-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const id = (first17: string) => first17 + idCheckChar(first17);
const GRID = '幸福家园社区/第一网格';

async function fill(template: string, rows: (string | number)[][], out: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(template);
  const sheet = wb.getWorksheet('居民');
  if (!sheet) throw new Error('template has no 居民 sheet');
  rows.forEach((r, i) => {
    r.forEach((v, j) => {
      sheet.getCell(i + 2, j + 1).value = v;
    });
  });
  await wb.xlsx.writeFile(out);
  return out;
}

test('import the template with 3 good and 2 bad rows, see the errors, fix, import, find by initials', async () => {
  const page = await j.browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  await login(page, j.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${j.base}/residents/import`);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('import-template').click(),
  ]);
  const template = path.join(dir, 'template.xlsx');
  await download.saveAs(template);

  const good = [
    [
      '欧阳靖宇',
      '居民身份证',
      id('41160219880606101'),
      '13766660001',
      GRID,
      '幸福家园1号楼1单元101室',
      '在家',
      '',
    ],
    ['司马如烟', '', id('41160219920202202'), '', GRID, '幸福家园1号楼1单元102室', '每日外出务工', ''],
    ['诸葛明远', '', id('41160220100101303'), '', GRID, '幸福家园1号楼1单元102室', '在家', ''],
  ];
  const bad = await fill(
    template,
    [
      ...good,
      ['上官晓', '', 411602199003071230, '', GRID, '幸福家园2号楼', '在家', ''],
      ['东方白', '', id('41160219900307404'), '123', '不存在的网格', '幸福家园3号楼', '在家', ''],
    ],
    path.join(dir, 'with-errors.xlsx'),
  );
  await page.locator('input[type="file"]').setInputFiles(bad);
  const errors = page.getByTestId('import-errors');
  await errors.waitFor();
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's Locator.innerText, not the DOM property (the text as shown is what we check)
  const errorText = await errors.innerText();
  assert.match(errorText, /文本/, 'the Excel-damaged ID is explained');
  assert.match(errorText, /不存在的网格/);
  assert.match(errorText, /手机号/);
  assert.equal(await page.getByTestId('import-confirm').count(), 0, 'no import while errors remain');
  await screenshot(page, 'import-errors');

  const fixed = await fill(template, good, path.join(dir, 'fixed.xlsx'));
  await page.locator('input[type="file"]').setInputFiles(fixed);
  await page.getByTestId('import-confirm').click();
  await page.getByTestId('import-done').waitFor();
  await screenshot(page, 'import-done');

  await page.goto(`${j.base}/residents?q=oyjy`);
  await page.getByText('欧阳靖宇').first().waitFor();
  const rows = await page.locator('table tbody tr').allInnerTexts();
  assert.ok(
    rows.some((r) => r.includes('欧阳靖宇') && r.includes('411602********')),
    'found, ID masked',
  );
  await screenshot(page, 'resident-found');
  await page.close();
});
