import { INPUT_REFUSED } from '../../../domain/field-names.ts';
import { type Text, text } from './i18n.ts';

export type ErrorCode =
  | 'VALIDATION'
  | 'UNAUTHENTICATED'
  | 'INVALID_CREDENTIALS'
  | 'TOO_MANY_ATTEMPTS'
  | 'FORBIDDEN'
  | 'BAD_ORIGIN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'BUSY'
  | 'INTERNAL';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION: 400,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  TOO_MANY_ATTEMPTS: 429,
  FORBIDDEN: 403,
  BAD_ORIGIN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  BUSY: 503,
  INTERNAL: 500,
};

const DEFAULT_MESSAGE: Record<ErrorCode, Text> = {
  VALIDATION: text(INPUT_REFUSED.zh, INPUT_REFUSED.en),
  UNAUTHENTICATED: text('请先登录', 'Please log in'),
  INVALID_CREDENTIALS: text('用户名或密码错误', 'Wrong username or password'),
  TOO_MANY_ATTEMPTS: text(
    '登录失败次数过多，请15分钟后再试',
    'Too many failed logins: try again in 15 minutes',
  ),
  FORBIDDEN: text('没有权限执行此操作', 'You do not have permission for this'),
  BAD_ORIGIN: text('拒绝来自其他站点的请求', 'Cross-site request refused'),
  NOT_FOUND: text('记录不存在或不在您的管辖范围内', 'Not found, or not within your area'),
  CONFLICT: text('与现有数据冲突', 'Conflicts with existing data'),
  PAYLOAD_TOO_LARGE: text('上传内容过大', 'Request too large'),
  UNSUPPORTED_MEDIA_TYPE: text('不支持的内容类型', 'Unsupported content type'),
  BUSY: text(
    '系统繁忙，请稍后重试（同一操作重试不会重复计入）',
    'Busy: please retry (a retried write never counts twice)',
  ),
  INTERNAL: text('服务器内部错误，请稍后重试', 'Internal error: please try again later'),
};

/** A domain error with a code, mapped once to an HTTP status and a bilingual message. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly text: Text = DEFAULT_MESSAGE[code],
    readonly fields?: Record<string, Text>,
    readonly extra?: Record<string, unknown>,
  ) {
    super(text.en);
    this.status = STATUS[code];
  }
}

export const notFound = () => new AppError('NOT_FOUND');
export const forbidden = () => new AppError('FORBIDDEN');

/** A 400 naming one field, for rules checked in services (the schema has checked the shape). */
export function invalidField(field: string, message: Text): AppError {
  return new AppError('VALIDATION', DEFAULT_MESSAGE.VALIDATION, { [field]: message });
}

export function conflict(message: Text, extra?: Record<string, unknown>, field?: string): AppError {
  return new AppError('CONFLICT', message, field ? { [field]: message } : undefined, extra);
}
