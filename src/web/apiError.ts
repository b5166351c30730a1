// Apart from the API wrapper (which loads the translations), so the plain modules that only tell
// failures apart (offline.ts) load, and are tested, without a browser.
import { fieldLabel } from '../domain/field-names';

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
 * What a pop-up says of a refusal. A refusal of input names its fields by their API keys
 * ("…（samplerUserIds：…）", for the tools calling the API); fields a form shows get their message
 * under the field, and the pop-up says the first of them. Fields no form shows are said here by
 * their names for a person (采样人员：…), or by their message alone when the field has no name
 * (never by its key). Other refusals say their message.
 */
export function refusalText(
  error: unknown,
  language: string,
  shownOnForm: (field: string) => boolean = () => false,
): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const fields = Object.entries(error.fields);
  if (error.code !== 'VALIDATION' || fields.length === 0) return error.message;
  const unshown = fields.filter(([field]) => !shownOnForm(field));
  if (unshown.length === 0) return fields[0][1];
  return unshown
    .map(([field, message]) => {
      const label = fieldLabel(field, language);
      return label ? `${label}${language === 'en' ? ': ' : '：'}${message}` : message;
    })
    .join(language === 'en' ? '; ' : '；');
}
