import type { FastifySchemaCompiler } from 'fastify';
import { type ZodType, z } from 'zod';
import { notFound } from '../errors/app-error.ts';
import type { Text } from '../errors/i18n.ts';

const zh = z.locales.zhCN();
const en = z.locales.en();

/** Zod's failure, kept with every issue in both languages so the error handler picks per request. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  validationContext?: string;
  constructor(readonly fields: Record<string, Text>) {
    super('validation failed');
  }
}

type Issue = z.core.$ZodIssue;

/** Our own messages (Chinese) with their English, registered where a schema declares them. */
const ENGLISH_OF = new Map<string, string>();

const CHINESE = /[\u4e00-\u9fff]/;

function describe(issue: Issue): Text {
  const english = ENGLISH_OF.get(issue.message);
  if (english) return { zh: issue.message, en: english };
  if (issue.code === 'custom') return { zh: issue.message, en: issue.message };
  const plain = plainLength(issue);
  if (plain) return plain;
  // A schema's own Chinese message (`.regex(re, '管号应为…')`) says more than Zod's generic one.
  if (CHINESE.test(issue.message)) return { zh: issue.message, en: en.localeError(issue as never) as string };
  return {
    zh: zh.localeError(issue as never) as string,
    en: en.localeError(issue as never) as string,
  };
}

/**
 * Lengths said as people count them: Zod's own words ("数值过大：期望 string <=60 字符", "Too big:
 * expected string to have <=30 characters") are a programmer's.
 */
function plainLength(issue: Issue): Text | null {
  if (issue.code === 'too_big' && issue.origin === 'string')
    return { zh: `不能超过 ${issue.maximum} 个字`, en: `At most ${issue.maximum} characters` };
  if (issue.code === 'too_small' && issue.origin === 'string')
    return Number(issue.minimum) <= 1
      ? { zh: '不能为空', en: 'Required' }
      : { zh: `至少 ${issue.minimum} 个字`, en: `At least ${issue.minimum} characters` };
  if (issue.code === 'too_big' && issue.origin === 'array')
    return { zh: `最多 ${issue.maximum} 项`, en: `At most ${issue.maximum} items` };
  return null;
}

/** A schema's own message in both languages: `.min(8, bilingual('…', '…'))`, `.refine(fn, bilingual(…))`. */
export function bilingual(zhText: string, enText: string) {
  ENGLISH_OF.set(zhText, enText);
  return { message: zhText };
}

/**
 * The years a date given to us may fall in. Zod takes any four digits, but PostgreSQL refuses year
 * 0 (a 400 that named no field), and year 9999 is no day anyone meant.
 */
const inYears = (d: Date) => d.getUTCFullYear() >= 1900 && d.getUTCFullYear() <= 2199;
const outOfRange = () => bilingual('日期超出范围（应在 1900—2199 年之间）', 'Date out of range (1900–2199)');

/** A day as ISO text (2022-04-10). */
export const isoDay = z.iso.date().refine((day) => inYears(new Date(`${day}T12:00:00Z`)), outOfRange());
/** An instant as ISO text with its offset (2022-04-10T08:30:00+08:00). */
export const isoInstant = z.iso
  .datetime({ offset: true })
  .refine((at) => inYears(new Date(at)), outOfRange());
/** A day or an instant, as a Date (a query's from/to). */
export const dateInRange = z.coerce.date().refine(inYears, outOfRange());

/**
 * A string refused by a rule of the domain, which says why in both languages: the web's forms
 * check the same rule as it is typed. `z.string().superRefine(byRule(passwordProblem))`.
 */
export function byRule(problem: (value: string) => Text | null) {
  return (value: string, ctx: z.RefinementCtx) => {
    const reason = problem(value);
    if (reason) ctx.addIssue({ code: 'custom', ...bilingual(reason.zh, reason.en) });
  };
}

/** No request of ours nests this deep; a body that does is refused before anything walks it. */
const MAX_DEPTH = 32;

/**
 * Where a NUL character hides in a request's part (PostgreSQL refuses it in text), or where it
 * nests too deep (a recursive walk of 10,000 levels would overflow the stack: a 500), if anywhere.
 */
function pathOfTrouble(value: unknown, path: string[] = []): { path: string; why: Text } | null {
  if (typeof value === 'string')
    return value.includes('\u0000')
      ? {
          path: path.join('.') || 'body',
          why: { zh: '含有不可见的空字符（\\0），请删除后重试', en: 'Contains a NUL character: remove it' },
        }
      : null;
  if (value === null || typeof value !== 'object') return null;
  if (path.length >= MAX_DEPTH)
    return { path: path.join('.'), why: { zh: '内容嵌套层级过深', en: 'Nested too deep' } };
  for (const [key, inner] of Object.entries(value)) {
    const found = pathOfTrouble(inner, [...path, key]);
    if (found !== null) return found;
  }
  return null;
}

export const validatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema, httpPart }) =>
  (raw) => {
    // A request with no body reaches the body's schema as null: an optional body is then absent.
    const data = httpPart === 'body' && raw === null ? undefined : raw;
    const trouble = pathOfTrouble(data);
    if (trouble !== null) return { error: new RequestValidationError({ [trouble.path]: trouble.why }) };
    const result = schema.safeParse(data, { reportInput: true });
    if (result.success) return { value: result.data };
    // A record's id in the path that is no id at all is a record that does not exist: 404, as an
    // id out of the actor's reach answers (not "请检查标出的字段（id：无效UUID）" on a link).
    if (
      httpPart === 'params' &&
      (result.error.issues as Issue[]).every((i) => i.code === 'invalid_format' && i.format === 'uuid')
    )
      return { error: notFound() };
    const fields: Record<string, Text> = {};
    for (const issue of result.error.issues as Issue[]) {
      const key = issue.path.length ? issue.path.join('.') : 'body';
      fields[key] ??= describe(issue);
    }
    return { error: new RequestValidationError(fields) };
  };
