import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { parseDistrictDateTime } from '../../../domain/dates.ts';
import {
  CT_MAX,
  cleanTubeCode,
  parseCtValue,
  parseTestResult,
  type TestResult,
  TUBE_CODE_PATTERN,
} from '../../../domain/testing.ts';
import { AppError } from '../../platform/errors/app-error.ts';
import { type Text, text } from '../../platform/errors/i18n.ts';
import { cellProblem, cellText as sheetCellText } from '../../platform/http/sheet-cells.ts';

export interface ResultRow {
  row: number;
  tubeCode: string;
  result: TestResult;
  testedAt: Date;
  ct: string | null;
}

/** A row's problem, in both languages: the route says it in the caller's (a lab may read English). */
export interface RowError {
  row: number;
  column: string;
  message: Text;
}

/** Column names labs use, English (the contract) and Chinese. */
const HEADERS: Record<'tubeCode' | 'result' | 'testedAt' | 'ct', string[]> = {
  tubeCode: ['tubecode', '管号', '样本管号', '采样管号', '条码', '样本编号'],
  result: ['result', '结果', '检测结果'],
  testedAt: ['testedat', '检测时间', '报告时间', '结果时间'],
  ct: ['ct', 'ct值'],
};

/** A cell as text; a date cell as the wall-clock time Excel stores (exceljs hands it over in UTC). */
const cellText = (v: ExcelJS.CellValue) =>
  sheetCellText(v, (d) => d.toISOString().slice(0, 19).replace('T', ' '));

/**
 * A tube code cell. Excel turns a barcode of digits into a number and drops its leading zeros,
 * showing them again through a format of zeros (`0000000000`): the code is the number padded to
 * that format's width.
 */
function tubeCodeOf(row: ExcelJS.Row, col: number | undefined): string {
  if (!col) return '';
  const cell = row.getCell(col);
  const format = cell.numFmt ?? '';
  if (typeof cell.value === 'number' && Number.isInteger(cell.value) && /^0+$/.test(format))
    return String(cell.value).padStart(format.length, '0');
  return cellText(cell.value);
}

const unreadable = () =>
  new AppError(
    'VALIDATION',
    text(
      '无法读取结果文件：请上传 CSV 或 Excel（.xlsx）文件',
      'Unreadable results file: upload CSV or .xlsx',
    ),
    {
      file: text('文件不是有效的 CSV 或 xlsx', 'Not a CSV or xlsx file'),
    },
  );

async function loadSheet(data: Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  const isZip = data.length > 4 && data[0] === 0x50 && data[1] === 0x4b;
  try {
    if (isZip) await wb.xlsx.load(data as unknown as ArrayBuffer);
    else {
      // Text must decode as UTF-8 (strip a BOM); binary garbage is refused before parsing.
      let body = data.toString('utf8');
      // Excel on Chinese Windows saves "CSV (逗号分隔)" in GBK: read it as GB18030 (a superset).
      if (body.includes('\uFFFD')) {
        try {
          body = new TextDecoder('gb18030', { fatal: true }).decode(data);
        } catch {
          throw unreadable();
        }
      }
      body = body.replace(/^\uFEFF/, '');
      if (body.includes('\u0000')) throw unreadable();
      // Keep every value as written: tube codes keep their leading zeros.
      await wb.csv.read(Readable.from([body]), { map: (value: unknown) => value } as never);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw unreadable();
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw unreadable();
  return sheet;
}

/**
 * Reads a lab's result list (CSV or xlsx; columns tubeCode, result, testedAt and optional ct, in
 * English or Chinese), judging each cell; the rules against the tubes come after.
 */
export async function readResultsFile(data: Buffer): Promise<{ rows: ResultRow[]; errors: RowError[] }> {
  const sheet = await loadSheet(data);
  const position = new Map<keyof typeof HEADERS, number>();
  sheet.getRow(1).eachCell((cell, col) => {
    const name = cellText(cell.value)
      .toLowerCase()
      .replace(/[\s_（）()]/g, '');
    for (const [key, names] of Object.entries(HEADERS) as [keyof typeof HEADERS, string[]][])
      if (names.includes(name) && !position.has(key)) position.set(key, col);
  });
  const missing = (['tubeCode', 'result', 'testedAt'] as const).filter((k) => !position.has(k));
  if (missing.length > 0) {
    // Named as a lab names them (管号 or tubeCode): its system may export either.
    const zh = missing.map((k) => `${HEADERS[k][1]}（${k}）`).join('、');
    const names = missing.join(', ');
    throw new AppError(
      'VALIDATION',
      text(
        `结果文件缺少列：${zh}。表头应为 管号,检测结果,检测时间 或 tubeCode,result,testedAt`,
        `The results file lacks columns: ${names}. Headers are tubeCode,result,testedAt or 管号,检测结果,检测时间`,
      ),
      {
        file: text(`缺少列：${zh}`, `Missing columns: ${names}`),
      },
    );
  }
  const rows: ResultRow[] = [];
  const errors: RowError[] = [];
  sheet.eachRow((r, rowNumber) => {
    if (rowNumber === 1) return;
    const get = (key: keyof typeof HEADERS) => {
      const col = position.get(key);
      return col ? cellText(r.getCell(col).value) : '';
    };
    const tubeCode = cleanTubeCode(tubeCodeOf(r, position.get('tubeCode')));
    const resultText = get('result');
    const testedAtText = get('testedAt');
    // A cell with an error or an uncalculated formula says so, not "“” is not a tube code".
    const problems = [...position].flatMap(([key, col]) => {
      const problem = cellProblem(r.getCell(col).value);
      return problem ? [{ row: rowNumber, column: key, message: problem }] : [];
    });
    if (problems.length > 0) {
      errors.push(...problems);
      return;
    }
    if (!tubeCode && !resultText && !testedAtText) return;
    let ok = true;
    if (!TUBE_CODE_PATTERN.test(tubeCode)) {
      errors.push({
        row: rowNumber,
        column: 'tubeCode',
        message: text(
          `管号“${tubeCode.slice(0, 40)}”格式不对（4–40 位字母、数字或短横线）`,
          `Tube code "${tubeCode.slice(0, 40)}" is malformed (4–40 letters, digits or hyphens)`,
        ),
      });
      ok = false;
    }
    const result = parseTestResult(resultText);
    if (!result) {
      errors.push({
        row: rowNumber,
        column: 'result',
        message: text(
          `结果“${resultText.slice(0, 20)}”无法识别，应为 阴性、阳性 或 无效`,
          `Result "${resultText.slice(0, 20)}" not recognised: negative, positive or invalid (阴性, 阳性, 无效)`,
        ),
      });
      ok = false;
    }
    const testedAt = parseDistrictDateTime(testedAtText);
    if (!testedAt || testedAt.getTime() > Date.now() + 5 * 60_000) {
      errors.push({
        row: rowNumber,
        column: 'testedAt',
        // A time read but later than now is said so: its format is right, its day or hour is not.
        message: testedAt
          ? text(
              `检测时间“${testedAtText.slice(0, 30)}”晚于现在，请核对日期和时间`,
              `Tested at "${testedAtText.slice(0, 30)}" is later than now: check the date and time`,
            )
          : text(
              `检测时间“${testedAtText.slice(0, 30)}”无效，应为 2022-04-10 08:30 这样的时间`,
              `Tested at "${testedAtText.slice(0, 30)}" is not a time: write it as 2022-04-10 08:30`,
            ),
      });
      ok = false;
    }
    const ctText = get('ct');
    const ct = parseCtValue(ctText);
    if (ct === undefined) {
      errors.push({
        row: rowNumber,
        column: 'ct',
        message: text(
          `Ct 值“${ctText.slice(0, 20)}”无效，应为 0–${CT_MAX} 之间的数字（无扩增可留空）`,
          `Ct "${ctText.slice(0, 20)}" is not a number from 0 to ${CT_MAX} (leave it empty for no amplification)`,
        ),
      });
      ok = false;
    }
    if (ok && ct !== undefined)
      rows.push({ row: rowNumber, tubeCode, result: result as TestResult, testedAt: testedAt as Date, ct });
  });
  if (rows.length === 0 && errors.length === 0)
    throw new AppError('VALIDATION', text('结果文件没有数据行', 'The results file has no rows'), {
      file: text('没有数据行', 'No rows'),
    });
  return { rows, errors };
}
