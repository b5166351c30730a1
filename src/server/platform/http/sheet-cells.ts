import type ExcelJS from 'exceljs';
import { type Text, text } from '../errors/i18n.ts';

/**
 * Why a spreadsheet cell holds no value anyone typed, in both languages for the row's error; null
 * when it holds one. A formula's error result (#N/A from a VLOOKUP that found nothing), or a
 * formula never calculated: files written by programs (a LIS export, openpyxl) often carry
 * formulas without their cached result, which exceljs hands over as an object with no `result`.
 * A date out of any calendar's range (a serial of 1e12 in a date format) is no date; a NUL
 * character (`_x0000_` in the file) is refused by PostgreSQL in text, so it is named here, at its
 * cell, rather than failing the import that writes it.
 */
export function cellProblem(value: ExcelJS.CellValue): Text | null {
  if (value instanceof Date)
    return Number.isNaN(value.getTime())
      ? text('单元格的日期超出范围，请改为实际日期', 'The cell’s date is out of range: put in the real date')
      : null;
  if (typeof value === 'string' || (typeof value === 'object' && value !== null && 'richText' in value)) {
    const typed = typeof value === 'string' ? value : value.richText.map((r) => r.text).join('');
    return typed.includes('\u0000')
      ? text(
          '单元格含有不可见的空字符（\\0），请删除后重新填写',
          'The cell holds a NUL character: remove it and type the text again',
        )
      : null;
  }
  if (typeof value !== 'object' || value === null) return null;
  if ('error' in value)
    return text(
      `单元格是错误值（${String(value.error)}），请改为实际内容`,
      `The cell holds an error (${String(value.error)}): put in its real content`,
    );
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as { result?: unknown }).result;
    if (result === undefined || result === null)
      return text(
        '单元格是未计算的公式，请在 Excel 中打开后另存，或复制后“粘贴为数值”',
        'The cell is a formula never calculated: open and save the file in Excel, or paste as values',
      );
    if (typeof result === 'object' && 'error' in result)
      return text(
        `单元格的公式结果是错误（${String((result as { error: unknown }).error)}），请改为实际内容（复制后“粘贴为数值”）`,
        `The cell's formula gives an error (${String((result as { error: unknown }).error)}): put in its real content (paste as values)`,
      );
  }
  // What a formula gives or a hyperlink shows is read as the cell's text: judged the same way.
  if ('result' in value) return cellProblem(value.result as ExcelJS.CellValue);
  if ('text' in value) return cellProblem(value.text as ExcelJS.CellValue);
  return null;
}

/**
 * A cell's text as a person reads it: rich text joined, a hyperlink's text, a formula's result.
 * Dates are the caller's (each file means its own by them); a cell with a problem reads as empty.
 */
export function cellText(
  value: ExcelJS.CellValue,
  date: (d: Date) => string = (d) => d.toISOString(),
): string {
  if (value === null || value === undefined || cellProblem(value)) return '';
  if (value instanceof Date) return date(value);
  if (typeof value === 'object') {
    if ('richText' in value)
      return value.richText
        .map((r) => r.text)
        .join('')
        .trim();
    if ('text' in value) return cellText(value.text as ExcelJS.CellValue, date);
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue, date);
    // Any other shape (a checkbox, an image's anchor): nothing a person typed.
    return '';
  }
  return String(value).trim();
}
