import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { ageOn, localDay } from '../../../domain/dates.ts';
import {
  birthDateInId,
  DOCUMENT_TYPE_NAMES,
  DOCUMENT_TYPES,
  type DocumentType,
} from '../../../domain/id-number.ts';
import { maskIdNumber, maskPhone } from '../../../domain/masking.ts';
import { NOT_A_MOBILE, normalizeMobile } from '../../../domain/phone.ts';
import {
  RESIDENCE_STATUS_NAMES,
  RESIDENCE_STATUSES,
  type ResidenceStatus,
} from '../../../domain/residents.ts';
import type { PersonalDataCipher } from '../../platform/crypto/personal-data-cipher.ts';
import { describeError } from '../../platform/db-errors.ts';
import { AppError } from '../../platform/errors/app-error.ts';
import { type Text, text } from '../../platform/errors/i18n.ts';
import { cellProblem, cellText as sheetCellText } from '../../platform/http/sheet-cells.ts';
import type { PersonRow } from './resident-repository.ts';
import type { ResidentInput } from './resident-rules.ts';

/** The import template's columns, in order: Chinese headers are the contract with the people filling it. */
export const COLUMNS = [
  { key: 'name', header: '姓名', en: 'Name', width: 12 },
  { key: 'documentType', header: '证件类型', en: 'Document type', width: 16 },
  { key: 'idNumber', header: '证件号码', en: 'ID number', width: 22 },
  { key: 'phone', header: '手机号', en: 'Mobile', width: 15 },
  { key: 'grid', header: '网格', en: 'Grid', width: 24 },
  { key: 'address', header: '地址', en: 'Address', width: 30 },
  { key: 'residenceStatus', header: '居住状态', en: 'Residence status', width: 14 },
  { key: 'keyGroups', header: '重点人群', en: 'Key groups', width: 24 },
] as const;
export type ColumnKey = (typeof COLUMNS)[number]['key'];

const TEMPLATE_ROWS = 5000;
const statusByName = new Map(RESIDENCE_STATUSES.map((s) => [RESIDENCE_STATUS_NAMES[s].zh, s]));
const documentByName = new Map(DOCUMENT_TYPES.map((d) => [DOCUMENT_TYPE_NAMES[d].zh, d]));

/** A grid as import and template name it: `社区/网格`, since grid names repeat across communities. */
export interface GridChoice {
  label: string;
  id: string;
  path: string;
  districtCode: string;
}

export async function buildTemplate(grids: GridChoice[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('居民');
  const lists = wb.addWorksheet('选项', { state: 'veryHidden' });
  sheet.columns = COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }));
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  // ID and phone columns are text: Excel would otherwise turn an ID into 4.11602E+17 and lose digits.
  for (const key of ['idNumber', 'phone'] as const) sheet.getColumn(key).numFmt = '@';
  sheet.getCell('C1').note = '请按文本填写18位身份证号（末位X可大小写），或15位旧号码';
  sheet.getCell('E1').note = '从下拉列表选择“社区/网格”';

  grids.forEach((g, i) => {
    lists.getCell(i + 1, 1).value = g.label;
  });
  RESIDENCE_STATUSES.forEach((s, i) => {
    lists.getCell(i + 1, 2).value = RESIDENCE_STATUS_NAMES[s].zh;
  });
  DOCUMENT_TYPES.forEach((d, i) => {
    lists.getCell(i + 1, 3).value = DOCUMENT_TYPE_NAMES[d].zh;
  });
  const dropdown = (formula: string): ExcelJS.DataValidation => ({
    type: 'list',
    allowBlank: true,
    formulae: [formula],
    showErrorMessage: true,
    errorTitle: '请从列表中选择',
  });
  for (let row = 2; row <= TEMPLATE_ROWS + 1; row++) {
    sheet.getCell(row, 2).dataValidation = dropdown(`'选项'!$C$1:$C$${DOCUMENT_TYPES.length}`);
    sheet.getCell(row, 5).dataValidation = dropdown(`'选项'!$A$1:$A$${Math.max(grids.length, 1)}`);
    sheet.getCell(row, 7).dataValidation = dropdown(`'选项'!$B$1:$B$${RESIDENCE_STATUSES.length}`);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface ImportRow {
  row: number;
  input: ResidentInput;
  grid: GridChoice;
  keyGroups: string[];
}

/**
 * A bad row's cell: its column by the file's own (Chinese) header, which is what the person finds
 * in the sheet, with the English name beside it in English; the problem in both languages, said
 * in the caller's at the route.
 */
export interface RowError {
  row: number;
  column: Text;
  message: Text;
}

/** A column of the template as a row problem names it: 证件号码 / 证件号码 (ID number). */
export function columnOf(key: ColumnKey): Text {
  const c = COLUMNS.find((x) => x.key === key) as (typeof COLUMNS)[number];
  return text(c.header, `${c.header} (${c.en})`);
}

/** A cell as text; a date cell as its day (Excel's wall-clock day, which exceljs hands over in UTC). */
const cellText = (cell: ExcelJS.Cell) => sheetCellText(cell.value, (d) => d.toISOString().slice(0, 10));

/**
 * Reads an uploaded workbook into rows, reporting every bad cell with its row, column and reason. Only the shape is judged here; the registry's rules run on each row afterwards.
 */
export async function readImportFile(
  data: Buffer,
  grids: GridChoice[],
  keyGroupCodes: Map<string, string>,
): Promise<{ rows: ImportRow[]; errors: RowError[]; total: number }> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(data as unknown as ArrayBuffer);
  } catch {
    throw new AppError(
      'VALIDATION',
      text('文件不是有效的 Excel（.xlsx）文件，请使用下载的模板', 'Not an .xlsx file'),
      {
        file: text('无法读取该文件', 'Cannot read this file'),
      },
    );
  }
  const sheet = wb.worksheets.find((s) => s.state === 'visible' || s.state === undefined) ?? wb.worksheets[0];
  if (!sheet)
    throw new AppError('VALIDATION', text('文件中没有工作表', 'The file has no sheet'), {
      file: text('空文件', 'Empty'),
    });
  const header = sheet.getRow(1);
  const position = new Map<ColumnKey, number>();
  header.eachCell((cell, col) => {
    const c = COLUMNS.find((x) => x.header === cellText(cell));
    if (c) position.set(c.key, col);
  });
  const missing = COLUMNS.filter(
    (c) => c.key !== 'keyGroups' && c.key !== 'documentType' && !position.has(c.key),
  );
  if (missing.length) {
    throw new AppError(
      'VALIDATION',
      text(
        `缺少列：${missing.map((c) => c.header).join('、')}，请使用下载的模板`,
        `Missing columns: ${missing.map((c) => `${c.header} (${c.en})`).join(', ')}: use the downloaded template`,
      ),
      {
        file: text(
          `缺少列：${missing.map((c) => c.header).join('、')}`,
          `Missing columns: ${missing.map((c) => c.header).join(', ')}`,
        ),
      },
    );
  }
  const gridByLabel = new Map(grids.map((g) => [g.label, g]));
  const rows: ImportRow[] = [];
  const errors: RowError[] = [];
  let total = 0;
  sheet.eachRow((r, rowNumber) => {
    if (rowNumber === 1) return;
    const get = (key: ColumnKey) => {
      const col = position.get(key);
      return col ? r.getCell(col) : undefined;
    };
    const values = Object.fromEntries(
      COLUMNS.map((c) => [c.key, get(c.key) ? cellText(get(c.key) as ExcelJS.Cell) : '']),
    ) as Record<ColumnKey, string>;
    if (Object.values(values).every((v) => v === '')) return;
    total++;
    // One error per cell: the first says what is wrong with it.
    const fail = (key: ColumnKey, message: Text) => {
      const column = columnOf(key);
      if (!errors.some((e) => e.row === rowNumber && e.column.zh === column.zh))
        errors.push({ row: rowNumber, column, message });
    };
    const before = errors.length;
    for (const c of COLUMNS) {
      const cell = get(c.key);
      const problem = cell ? cellProblem(cell.value) : null;
      if (problem) {
        fail(c.key, problem);
        values[c.key] = '';
      }
    }
    if (!values.name) fail('name', text('姓名不能为空', 'Name is required'));
    const idCell = get('idNumber');
    // A 15-digit (old) ID survives as an Excel number: under 2^53, exact. An 18-digit one does not.
    if (
      idCell &&
      typeof idCell.value === 'number' &&
      Number.isSafeInteger(idCell.value) &&
      String(idCell.value).length === 15
    ) {
      values.idNumber = String(idCell.value);
    } else if (idCell && typeof idCell.value === 'number') {
      const shown = Number(idCell.value).toExponential(5).toUpperCase();
      fail(
        'idNumber',
        text(
          `证件号码被 Excel 存成了数字（显示为 ${shown}），号码已损坏：请将该列设为“文本”格式后重新填写`,
          `Excel stored the ID number as a number (shown as ${shown}), which lost digits: format the column as Text and type it again`,
        ),
      );
    } else if (!values.idNumber) fail('idNumber', text('证件号码不能为空', 'ID number is required'));
    const documentType: DocumentType | undefined = values.documentType
      ? documentByName.get(values.documentType)
      : 'id_card';
    if (!documentType)
      fail(
        'documentType',
        text(
          `未知证件类型「${values.documentType}」`,
          `Unknown document type “${values.documentType}”: choose one from the list`,
        ),
      );
    let phone: string | null = null;
    if (values.phone) {
      phone = normalizeMobile(values.phone);
      if (!phone) fail('phone', NOT_A_MOBILE);
    }
    const grid = gridByLabel.get(values.grid);
    if (!grid)
      fail(
        'grid',
        values.grid
          ? text(
              `网格「${values.grid}」不存在或不在您的管辖范围内`,
              `No grid “${values.grid}” within your area: choose one from the list`,
            )
          : text('网格不能为空', 'Grid is required'),
      );
    if (!values.address) fail('address', text('地址不能为空', 'Address is required'));
    const status = statusByName.get(values.residenceStatus) as ResidenceStatus | undefined;
    if (!status)
      fail(
        'residenceStatus',
        text(
          `居住状态应为：${RESIDENCE_STATUSES.map((s) => RESIDENCE_STATUS_NAMES[s].zh).join('、')}`,
          `Residence status must be one of: ${RESIDENCE_STATUSES.map((s) => `${RESIDENCE_STATUS_NAMES[s].zh} (${RESIDENCE_STATUS_NAMES[s].en})`).join(', ')}`,
        ),
      );
    const keyGroups: string[] = [];
    for (const name of values.keyGroups
      .split(/[、,，;；]/)
      .map((s) => s.trim())
      .filter(Boolean)) {
      const code = keyGroupCodes.get(name);
      if (code) keyGroups.push(code);
      else
        fail(
          'keyGroups',
          text(
            `未知或未生效的重点人群分类「${name}」`,
            `Unknown key group “${name}”, or not in effect today`,
          ),
        );
    }
    if (errors.length > before || !grid || !status || !documentType) return;
    rows.push({
      row: rowNumber,
      grid,
      keyGroups,
      input: {
        name: values.name,
        documentType,
        idNumber: values.idNumber,
        phone,
        address: values.address,
        residenceStatus: status,
      },
    });
  });
  return { rows, errors, total };
}

/** Streams the residents of a search as xlsx, ID and phone masked unless the actor may and asked. */
export function writeExport(
  cipher: PersonalDataCipher,
  batches: AsyncIterable<{ person: PersonRow; gridName: string }[]>,
  unmasked: boolean,
): PassThrough {
  const out = new PassThrough();
  const today = localDay();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  const sheet = wb.addWorksheet('居民');
  sheet.columns = [
    ...COLUMNS.filter((c) => c.key !== 'keyGroups').map((c) => ({
      header: c.header,
      key: c.key,
      width: c.width,
    })),
    // Masked, the age: the birth date is the hidden middle of the ID number beside it.
    unmasked ? { header: '出生日期', key: 'birthDate', width: 12 } : { header: '年龄', key: 'age', width: 6 },
    { header: '性别', key: 'sex', width: 6 },
  ];
  for (const key of ['idNumber', 'phone'] as const) sheet.getColumn(key).numFmt = '@';
  (async () => {
    for await (const batch of batches) {
      for (const { person: p, gridName } of batch) {
        const id = cipher.open(p.idEnc);
        const phone = p.phoneEnc ? cipher.open(p.phoneEnc) : '';
        sheet
          .addRow({
            name: p.name,
            documentType: DOCUMENT_TYPE_NAMES[p.documentType as DocumentType]?.zh ?? p.documentType,
            idNumber: unmasked ? id : maskIdNumber(id),
            phone: unmasked || !phone ? phone : maskPhone(phone),
            grid: gridName,
            address: p.address,
            residenceStatus:
              RESIDENCE_STATUS_NAMES[p.residenceStatus as ResidenceStatus]?.zh ?? p.residenceStatus,
            birthDate: birthDateInId(p.documentType, id) ?? '',
            age: ageOn(birthDateInId(p.documentType, id), today) ?? '',
            sex: p.sex === 'male' ? '男' : p.sex === 'female' ? '女' : '',
          })
          .commit();
      }
    }
    sheet.commit();
    await wb.commit();
  })()
    // Fastify logs a stream's error itself, once the download has begun (not through our error
    // handler): a failed query's error carries its parameters (scope paths, the name or digits
    // searched for), so only its description, without them, goes on.
    .catch((err) => out.destroy(new Error(describeError(err))));
  return out;
}
