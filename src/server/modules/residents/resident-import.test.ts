import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { client, multipartFile } from '../../testing/http.ts';
import { createTestApp, type TestApp, validId } from '../../testing/test-app.ts';

let t: TestApp;
let cookies: Record<string, string>;
before(async () => {
  t = await createTestApp();
  cookies = {
    workerA: await t.login('worker-a'),
    workerB: await t.login('worker-b'),
    admin: await t.login('admin'),
    command: await t.login('command'),
  };
});
after(() => t.close());

async function upload(cookie: string, file: Buffer, dryRun: boolean, filename?: string, language = 'zh-CN') {
  const { payload, contentType } = multipartFile(file, filename);
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/residents/import?dryRun=${dryRun}`,
    payload,
    headers: { cookie, 'content-type': contentType, 'accept-language': language },
  });
  return { status: res.statusCode, body: res.json() };
}

/** A workbook as a grid worker fills it in: the template's headers, then rows (a number where Excel made one). */
async function workbook(rows: (string | number | null)[][]) {
  const template = await t.app.inject({
    method: 'GET',
    url: '/api/v1/residents/import-template.xlsx',
    headers: { cookie: cookies.admin },
  });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template.rawPayload as unknown as ArrayBuffer);
  const sheet = wb.getWorksheet('居民');
  if (!sheet) throw new Error('no sheet');
  rows.forEach((r, i) => {
    r.forEach((v, j) => {
      sheet.getCell(i + 2, j + 1).value = v;
    });
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const GRID_A = '幸福家园社区/第一网格';
const GRID_B = '幸福家园社区/第二网格';

describe('the import template', () => {
  test('has Chinese headers, a text ID column and dropdowns for grid and residence status', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/residents/import-template.xlsx',
      headers: { cookie: cookies.workerA },
    });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('居民');
    assert.ok(sheet);
    assert.deepEqual((sheet.getRow(1).values as string[]).slice(1), [
      '姓名',
      '证件类型',
      '证件号码',
      '手机号',
      '网格',
      '地址',
      '居住状态',
      '重点人群',
    ]);
    assert.equal(sheet.getColumn(3).numFmt, '@');
    assert.equal(sheet.getCell('E2').dataValidation?.type, 'list');
    assert.equal(sheet.getCell('G2').dataValidation?.type, 'list');
    const options = wb.getWorksheet('选项');
    const gridLabels = (options?.getColumn(1).values ?? []).filter(Boolean);
    assert.deepEqual(gridLabels, [GRID_A], 'a grid worker’s template lists their grid only');
  });
});

describe('POST /api/v1/residents/import', () => {
  test('a dry run reports every bad row with row, column and a Chinese reason, and writes nothing', async () => {
    const file = await workbook([
      [
        '周一',
        '居民身份证',
        validId('41160219900101011'),
        '13700000011',
        GRID_A,
        '一号院',
        '在家',
        '商超从业人员（示例）',
      ],
      ['吴二', '', validId('41160219900101022'), '', GRID_A, '二号院', '每日外出务工', ''],
      ['郑三', '', 411602199001010300, '', GRID_A, '三号院', '在家', ''],
      ['王四', '', '411602199002300411', '', GRID_A, '四号院', '在家', ''],
      ['冯五', '', validId('41160219900101055'), '12345', GRID_B, '五号院', '出差', '宇航员'],
      ['陈六', '', validId('41160219900101011'), '', GRID_A, '六号院', '在家', ''],
      ['褚七', '', t.fx.residentA.idNumber, '', GRID_A, '七号院', '在家', ''],
    ]);
    const res = await upload(cookies.workerA, file, true);
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 7);
    assert.equal(res.body.valid, 2);
    assert.equal(res.body.imported, 0);
    const at = (row: number, column: string) =>
      res.body.errors.find((e: { row: number; column: string }) => e.row === row && e.column === column);
    assert.match(at(4, '证件号码').message, /文本/, 'the numeric ID cell is named for what it is');
    assert.match(at(5, '证件号码').message, /出生日期/);
    assert.ok(at(6, '手机号') && at(6, '网格') && at(6, '居住状态') && at(6, '重点人群'));
    assert.match(at(6, '网格').message, /不在您的管辖范围/, 'grid B is not the worker’s to import into');
    assert.match(at(7, '证件号码').message, /第2行/, 'a duplicate within the file');
    assert.match(at(8, '证件号码').message, /已在登记册/, 'a duplicate against the registry');
    const search = await client(t.app, cookies.workerA).get('/api/v1/residents?q=周一');
    assert.equal(search.body.total, 0);
  });

  test('in English, each problem is said in English and its column named by the file’s header and in English', async () => {
    const file = await workbook([
      ['', '', validId('41160219900101066'), '12345', '某社区/某网格', '', '出差', '宇航员'],
      ['许七', '', '411602199002300411', '', GRID_A, '七号院', '在家', ''],
    ]);
    const dry = await upload(cookies.workerA, file, true, undefined, 'en-US,en;q=0.9');
    assert.equal(dry.status, 200);
    const said = Object.fromEntries(
      dry.body.errors.map((e: { row: number; column: string; message: string }) => [
        `${e.row} ${e.column}`,
        e.message,
      ]),
    );
    assert.deepEqual(Object.keys(said).sort(), [
      '2 地址 (Address)',
      '2 姓名 (Name)',
      '2 居住状态 (Residence status)',
      '2 手机号 (Mobile)',
      '2 网格 (Grid)',
      '2 重点人群 (Key groups)',
      '3 证件号码 (ID number)',
    ]);
    assert.equal(said['2 姓名 (Name)'], 'Name is required');
    assert.match(said['2 网格 (Grid)'], /^No grid “某社区\/某网格” within your area/);
    assert.match(said['2 重点人群 (Key groups)'], /^Unknown key group “宇航员”/);
    assert.match(said['3 证件号码 (ID number)'], /birth/i, 'the registry’s own rule, said in English');
    // Every message is an English sentence; Chinese only in what the file holds or must hold.
    for (const message of Object.values(said) as string[]) assert.match(message, /^[A-Z][a-z]/, message);
    assert.match(said['2 居住状态 (Residence status)'], /在家 \(At home\)/);
    // A confirmed import refused whole says its rows in English too, and in Chinese by default.
    const refused = await upload(cookies.workerA, file, false, undefined, 'en');
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.message, /^7 problems: nothing imported/);
    assert.equal(refused.body.error.errors[0].message, 'Name is required');
    const zh = await upload(cookies.workerA, file, false);
    assert.equal(zh.body.error.errors[0].column, '姓名');
    assert.equal(zh.body.error.errors[0].message, '姓名不能为空');
  });

  test('“already registered” outside the importer’s reach counts as a lookup by a whole number: a file is no unthrottled oracle', async () => {
    const ids = Array.from({ length: 32 }, (_, i) =>
      validId(`41160219850101${String(100 + i).padStart(3, '0')}`),
    );
    const rows = (grid: string) => ids.map((id, i) => [`甲${i}`, '', id, '', grid, `甲${i}号院`, '在家', '']);
    // Registered in grid A, by who may import there.
    const registered = await upload(cookies.admin, await workbook(rows(GRID_A)), false);
    assert.equal(registered.status, 200, JSON.stringify(registered.body));
    assert.equal(registered.body.imported, 32);
    // The grid worker of grid B, who cannot read grid A, checks the same numbers as theirs.
    const first30 = await upload(cookies.workerB, await workbook(rows(GRID_B).slice(0, 30)), true);
    assert.equal(first30.status, 200, JSON.stringify(first30.body));
    assert.equal(first30.body.errors.length, 30, 'each said to be registered, as the form would');
    const more = await upload(cookies.workerB, await workbook(rows(GRID_B)), true);
    assert.equal(more.status, 429, JSON.stringify(more.body));
    assert.match(more.body.error.message, /管辖范围以外登记的证件号码过多/);
    assert.ok(more.body.error.fields.file, 'the file is named');
    // Past the limit, whether a file is refused tells nothing of its numbers: one registered
    // elsewhere and one registered nowhere are refused alike.
    const one = (id: string) => workbook([['乙', '', id, '', GRID_B, '乙号院', '在家', '']]);
    const registeredOne = await upload(cookies.workerB, await one(ids[31] as string), true);
    const unknownOne = await upload(cookies.workerB, await one(validId('41160219850101999')), true);
    assert.equal(registeredOne.status, 429);
    assert.equal(unknownOne.status, registeredOne.status);
    // Numbers within one's reach are not lookups of anyone else's: the admin is not held up.
    const again = await upload(cookies.admin, await workbook(rows(GRID_A)), true);
    assert.equal(again.status, 200);
    assert.equal(again.body.errors.length, 32);
  });

  test('a formula whose result is an error is a bad cell; a 15-digit old ID kept as a number is read', async () => {
    const file = await workbook([
      ['蒋八', '', '411602500101211', '', GRID_A, '八号院', '在家', ''],
      ['沈九', '', validId('41160219900101099'), '', GRID_A, '九号院', '在家', ''],
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('居民') as ExcelJS.Worksheet;
    // The old ID as Excel keeps a 15-digit number (exact); the name as a VLOOKUP that found nothing.
    sheet.getCell(2, 3).value = 411602500101211;
    sheet.getCell(3, 1).value = { formula: 'VLOOKUP(A9,名单!A:B,2,FALSE)', result: { error: '#N/A' } };
    const res = await upload(cookies.workerA, Buffer.from(await wb.xlsx.writeBuffer()), true);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const at = (row: number, column: string) =>
      res.body.errors.filter((e: { row: number; column: string }) => e.row === row && e.column === column);
    assert.deepEqual(at(2, '证件号码'), [], 'the 15-digit number is the ID as typed');
    assert.equal(at(3, '姓名').length, 1, 'one error for the cell');
    assert.match(at(3, '姓名')[0].message, /#N\/A/);
    assert.equal(res.body.valid, 1);
  });

  test('a date out of range and a hidden NUL character are bad cells named at their column (never a 500, never a failed import)', async () => {
    const file = await workbook([
      ['王五', '', validId('41160219900101111'), '', GRID_A, '十三号院', '在家', ''],
      ['赵六', '', validId('41160219900101112'), '', GRID_A, '十四号院', '在家', ''],
      ['钱七', '', validId('41160219900101113'), '', GRID_A, '十五号院', '在家', ''],
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('居民') as ExcelJS.Worksheet;
    // A serial no calendar holds, in a date format: exceljs reads it as an invalid Date.
    sheet.getCell(2, 6).value = 1e12;
    sheet.getCell(2, 6).numFmt = 'yyyy-mm-dd';
    // Excel's escape for a control character, as a program that wrote the file left it.
    sheet.getCell(3, 1).value = '赵_x0000_六';
    sheet.getCell(4, 1).value = { richText: [{ text: '钱' }, { text: '_x0000_七' }] };
    const data = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await upload(cookies.workerA, data, true);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const at = (row: number, column: string) =>
      res.body.errors.filter((e: { row: number; column: string }) => e.row === row && e.column === column);
    assert.match(at(2, '地址')[0]?.message ?? '', /日期超出范围/);
    assert.match(at(3, '姓名')[0]?.message ?? '', /空字符/);
    assert.match(at(4, '姓名')[0]?.message ?? '', /空字符/);
    assert.equal(res.body.valid, 0);
    const confirmed = await upload(cookies.workerA, data, false);
    assert.equal(confirmed.status, 400);
    assert.equal(confirmed.body.error.errors.length, 3, 'refused with its rows named, not a database error');
  });

  test('an uncalculated formula and an over-long name or address are bad cells, as the form would say', async () => {
    const file = await workbook([
      ['x', '', validId('41160219900101101'), '', GRID_A, '十号院', '在家', ''],
      ['长'.repeat(80), '', validId('41160219900101102'), '', GRID_A, '十一号院', '在家', ''],
      ['魏十二', '', validId('41160219900101103'), '', GRID_A, '地'.repeat(300), '在家', ''],
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('居民') as ExcelJS.Worksheet;
    // As openpyxl and LIS exports write them: a formula with no cached result.
    sheet.getCell(2, 1).value = { formula: 'B2&C2' } as ExcelJS.CellFormulaValue;
    const res = await upload(cookies.workerA, Buffer.from(await wb.xlsx.writeBuffer()), true);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const at = (row: number, column: string) =>
      res.body.errors.filter((e: { row: number; column: string }) => e.row === row && e.column === column);
    assert.match(at(2, '姓名')[0]?.message ?? '', /未计算的公式/);
    assert.match(at(3, '姓名')[0]?.message ?? '', /50/);
    assert.match(at(4, '地址')[0]?.message ?? '', /200/);
    assert.equal(res.body.valid, 0);
    assert.ok(!JSON.stringify(res.body).includes('[object Object]'));
  });

  test('a confirmed import with errors writes nothing; a clean one writes every row at once', async () => {
    const bad = await workbook([
      ['蒋八', '', validId('41160219800101081'), '', GRID_A, '八号院', '在家', ''],
      ['沈九', '', '123', '', GRID_A, '九号院', '在家', ''],
    ]);
    const imports = async () =>
      (await client(t.app, cookies.admin).get('/api/v1/audit-events?action=resident.import')).body.total;
    const importsBefore = await imports();
    const refused = await upload(cookies.workerA, bad, false);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.errors.length, 1);
    assert.equal((await client(t.app, cookies.workerA).get('/api/v1/residents?q=蒋八')).body.total, 0);

    const good = await workbook([
      [
        '蒋八',
        '',
        validId('41160219800101081'),
        '13700000081',
        GRID_A,
        '八号院',
        '在家',
        '外地返乡人员（示例）',
      ],
      ['韩九', '护照', 'E99887766', '', GRID_A, '九号院', '长期在外', ''],
    ]);
    const dry = await upload(cookies.workerA, good, true);
    assert.deepEqual(dry.body.errors, []);
    const done = await upload(cookies.workerA, good, false);
    assert.equal(done.status, 200);
    assert.equal(done.body.imported, 2);
    const found = await client(t.app, cookies.workerA).get('/api/v1/residents?q=jb');
    assert.deepEqual(
      found.body.items.map((r: { name: string }) => r.name),
      ['蒋八'],
    );
    assert.deepEqual(
      found.body.items[0].keyGroups.map((g: { code: string }) => g.code),
      ['returnee'],
    );
    assert.equal(
      await imports(),
      importsBefore + 1,
      'one audit event for the import, none for the refused one',
    );
  });

  test('an empty file, a file that is not xlsx, a missing file → clear 400; an oversized file → 413', async () => {
    const empty = await upload(cookies.workerA, await workbook([]), true);
    assert.equal(empty.status, 400);
    assert.match(empty.body.error.message, /没有数据行/);
    const fake = await upload(cookies.workerA, Buffer.from('姓名,证件号码\n张三,123'), true, 'renamed.xlsx');
    assert.equal(fake.status, 400);
    assert.match(fake.body.error.message, /不是有效的 Excel/);
    const noFile = await t.app.inject({
      method: 'POST',
      url: '/api/v1/residents/import',
      payload: {},
      headers: { cookie: cookies.workerA },
    });
    assert.equal(noFile.statusCode, 400);
    const huge = await upload(cookies.workerA, Buffer.alloc(31 * 1024 * 1024, 1), true);
    assert.equal(huge.status, 413);
    const anon = await upload('', await workbook([]), true);
    assert.equal(anon.status, 401);
    const noRight = await upload(cookies.command, await workbook([]), true);
    assert.equal(noRight.status, 403);
  });
});

describe('GET /api/v1/residents/export.xlsx', () => {
  async function rowsOf(cookie: string, query = '') {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/residents/export.xlsx${query}`,
      headers: { cookie },
    });
    if (res.statusCode !== 200) return { status: res.statusCode, rows: [] as string[][] };
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0];
    const rows: string[][] = [];
    sheet.eachRow((r, n) => {
      if (n > 1) rows.push((r.values as string[]).slice(1).map(String));
    });
    return { status: 200, rows };
  }

  test('masked by default and scoped; unmasked only with the permission; every export audited', async () => {
    const mine = await rowsOf(cookies.workerA);
    assert.ok(mine.rows.length >= 1);
    assert.ok(
      mine.rows.every((r) => r[4] === '幸福家园社区/第一网格'),
      'only grid A',
    );
    const zhang = mine.rows.find((r) => r[0] === '张三丰');
    assert.equal(zhang?.[2], `411602********${t.fx.residentA.idNumber.slice(-4)}`);
    assert.equal(zhang?.[3], '139****0001');
    assert.equal((await rowsOf(cookies.workerA, '?unmasked=true')).status, 403);
    const full = await rowsOf(cookies.command, `?orgUnitId=${t.fx.gridA.id}&unmasked=true`);
    assert.equal(full.rows.find((r) => r[0] === '张三丰')?.[2], t.fx.residentA.idNumber);
    const audit = await client(t.app, cookies.admin).get('/api/v1/audit-events?action=resident.export');
    assert.equal(audit.body.total, 2, 'the two exports made; the refused one made none');
    assert.ok(
      audit.body.items.some(
        (e: { changes: { unmasked?: { to: boolean } } }) => e.changes.unmasked?.to === true,
      ),
    );
  });
});
