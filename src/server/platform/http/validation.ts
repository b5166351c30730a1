import type { FastifySchemaCompiler } from 'fastify';
import { type ZodType, z } from 'zod';
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

function describe(issue: Issue): Text {
  const english = ENGLISH_OF.get(issue.message);
  if (english) return { zh: issue.message, en: english };
  if (issue.code === 'custom') return { zh: issue.message, en: issue.message };
  return {
    zh: zh.localeError(issue as never) as string,
    en: en.localeError(issue as never) as string,
  };
}

/** A schema's own message in both languages: `.min(8, bilingual('…', '…'))`, `.refine(fn, bilingual(…))`. */
export function bilingual(zhText: string, enText: string) {
  ENGLISH_OF.set(zhText, enText);
  return { message: zhText };
}

/** Where a NUL character hides in a request's part (PostgreSQL refuses it in text), if anywhere. */
function pathOfNul(value: unknown, path: string[] = []): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path.join('.') || 'body' : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, inner] of Object.entries(value)) {
    const found = pathOfNul(inner, [...path, key]);
    if (found !== null) return found;
  }
  return null;
}

export const validatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema }) =>
  (data) => {
    const nul = pathOfNul(data);
    if (nul !== null)
      return {
        error: new RequestValidationError({
          [nul]: { zh: '含有不可见的空字符（\\0），请删除后重试', en: 'Contains a NUL character: remove it' },
        }),
      };
    const result = schema.safeParse(data, { reportInput: true });
    if (result.success) return { value: result.data };
    const fields: Record<string, Text> = {};
    for (const issue of result.error.issues as Issue[]) {
      const key = issue.path.length ? issue.path.join('.') : 'body';
      fields[key] ??= describe(issue);
    }
    return { error: new RequestValidationError(fields) };
  };
