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

type Issue = z.core.$ZodIssue & { params?: { en?: string } };

function describe(issue: Issue): Text {
  if (issue.code === 'custom') return { zh: issue.message, en: issue.params?.en ?? issue.message };
  return {
    zh: zh.localeError(issue as never) as string,
    en: en.localeError(issue as never) as string,
  };
}

/** A custom zod check's message in both languages: `.refine(fn, bilingual('…', '…'))`. */
export const bilingual = (zhText: string, enText: string) => ({ message: zhText, params: { en: enText } });

export const validatorCompiler: FastifySchemaCompiler<ZodType> =
  ({ schema }) =>
  (data) => {
    const result = schema.safeParse(data, { reportInput: true });
    if (result.success) return { value: result.data };
    const fields: Record<string, Text> = {};
    for (const issue of result.error.issues as Issue[]) {
      const key = issue.path.length ? issue.path.join('.') : 'body';
      fields[key] ??= describe(issue);
    }
    return { error: new RequestValidationError(fields) };
  };
