// Apart from the API wrapper (which loads the translations), so the plain modules that only tell
// failures apart (offline.ts) load, and are tested, without a browser.
import { fieldLabel, INPUT_REFUSED } from '../domain/field-names';
import { clauses, labelled, noted } from '../domain/language';

/**
 * Every failure of a call, normalised: the server's `{error: {code, message, fields}}`, or a
 * network/proxy failure dressed the same way so callers handle one shape.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
    /** On a 409 about a record that already exists (a resident's ID number): the one to open instead. */
    readonly existingId?: string,
    /** Everything the server put in the error (a 409's reason `code`, the tube it names, …). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * A refusal's message without the field it names at its end (the API appends "（file：…）" so
 * that the tools calling it know which field), with that field's own message apart: for a page
 * that shows both itself instead of saying one thing twice with an API key in it.
 */
export function splitFieldMessage(error: unknown): { message: string; field?: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof ApiError)) return { message };
  const [first] = Object.entries(error.fields);
  if (!first) return { message };
  const [key, field] = first;
  for (const suffix of [`（${key}：${field}）`, ` (${key}: ${field})`])
    if (message.endsWith(suffix)) return { message: message.slice(0, -suffix.length), field };
  return { message, field };
}

/**
 * What a pop-up says of a refusal. A refusal of input names its first field by its API key at the
 * end of its message ("…（samplerUserIds：…）", for the tools calling the API). Fields a form shows
 * get their message under the field; the others are said here by their names for a person
 * (采样人员：…), or by their message alone when the field has no name (never by its key). A
 * message of its own (文件不是有效的 Excel…) is said first; the generic one (输入有误，请检查标出的
 * 字段) only when no field is left to say. Other refusals say their message.
 */
export function refusalText(
  error: unknown,
  language: string,
  shownOnForm: (field: string) => boolean = () => false,
): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const fields = Object.entries(error.fields);
  if (error.code !== 'VALIDATION' || fields.length === 0) return error.message;
  const { message } = splitFieldMessage(error);
  const generic = message === INPUT_REFUSED.zh || message === INPUT_REFUSED.en;
  const unshown = fields
    // A field whose message is the refusal's own message is not said twice.
    .filter(([field, text]) => !shownOnForm(field) && (generic || text !== message))
    .map(([field, text]) => {
      const label = fieldLabel(field, language);
      return label ? labelled(label, text, language) : text;
    });
  if (!generic) return unshown.length > 0 ? noted(message, clauses(unshown, language), language) : message;
  return unshown.length > 0 ? clauses(unshown, language) : fields[0][1];
}
