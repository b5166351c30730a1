import fs from 'node:fs';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeError, sqlState } from '../db-errors.ts';
import { AppError, type ErrorCode } from '../errors/app-error.ts';
import { type Locale, pickLocale, rowsIn, text } from '../errors/i18n.ts';
import { RequestValidationError } from './validation.ts';

function send(reply: FastifyReply, locale: Locale, error: AppError) {
  const fields = error.fields
    ? Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [k, v[locale]]))
    : undefined;
  let message = error.text[locale];
  if (error.code === 'VALIDATION' && fields) {
    const [first] = Object.entries(fields);
    message =
      locale === 'zh' ? `${message}（${first[0]}：${first[1]}）` : `${message} (${first[0]}: ${first[1]})`;
  }
  // A refusal carrying a report's rows (a file refused whole) says them in the caller's language.
  const extra =
    error.extra && Array.isArray(error.extra.errors)
      ? { ...error.extra, errors: rowsIn(locale, error.extra.errors as object[]) }
      : error.extra;
  return reply
    .status(error.status)
    .send({ error: { code: error.code, message, ...(fields ? { fields } : {}), ...extra } });
}

/** Framework errors that are the client's fault, by Fastify's status, as our codes. */
function fromClientStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 429) return 'TOO_MANY_ATTEMPTS';
  return 'VALIDATION';
}

/**
 * A request Node's HTTP parser refuses (raw UTF-8 in the URL, a broken header): answered in our
 * shape and language on the socket, since no request object exists yet. The connection closes.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex) {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, error] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? // A slow upload on a weak network: said so, not blamed on the request.
        ['408 Request Timeout', { code: 'TIMEOUT', message: '请求超时（网络太慢），请稍后重试' }]
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? ['431 Request Header Fields Too Large', { code: 'PAYLOAD_TOO_LARGE', message: '请求头过大' }]
        : [
            '400 Bad Request',
            {
              code: 'VALIDATION',
              message: '请求格式有误（地址或请求头含有无效字符，请对地址中的中文进行编码）',
            },
          ];
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Errors the router raises before any route runs (a bad URL, an over-long id): the same shape. */
export function frameworkErrors(_err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const locale = pickLocale(req.headers['accept-language']);
  return send(reply, locale, new AppError('VALIDATION', text('请求地址格式有误', 'Malformed request URL')));
}

/**
 * One mapping from every error to `{error: {code, message, fields?}}`: domain errors by code,
 * malformed input as 4xx with the field named, database data errors as 400 (never 500), and
 * anything else as a 500 whose details stay in the log.
 */
export function installErrorHandlers(app: FastifyInstance, webDir: string) {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const locale = pickLocale(req.headers['accept-language']);
    if (err instanceof AppError) return send(reply, locale, err);
    if (err instanceof RequestValidationError)
      return send(reply, locale, new AppError('VALIDATION', undefined, err.fields));
    const state = sqlState(err);
    if (state === '23505') return send(reply, locale, new AppError('CONFLICT'));
    if (state?.startsWith('22')) {
      return send(
        reply,
        locale,
        new AppError('VALIDATION', text('输入的数据格式或取值无效', 'Invalid value')),
      );
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = fromClientStatus(status);
      // A body that is not the JSON it says it is: named, in the user's language.
      const badJson = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError;
      const appError = badJson
        ? new AppError('VALIDATION', text('请求内容不是有效的 JSON', 'The body is not valid JSON'), {
            body: text('不是有效的 JSON', 'Not valid JSON'),
          })
        : err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? new AppError('VALIDATION', text('请求内容为空', 'The body is empty'), {
              body: text(
                '声明为 JSON 却没有内容：请发送 {} 或去掉 Content-Type',
                'Empty, though said to be JSON',
              ),
            })
          : code === 'VALIDATION'
            ? // Fastify's own words are English: the user reads ours, the English keeps them for a developer.
              new AppError('VALIDATION', text('请求格式有误', `Malformed request: ${err.message}`))
            : new AppError(code);
      return send(reply, locale, appError);
    }
    req.log.error(
      { err: { message: describeError(err), code: err.code ?? sqlState(err) } },
      'request failed',
    );
    return send(reply, locale, new AppError('INTERNAL'));
  });

  // Unknown API paths answer JSON; any other GET gets the web app's shell (client-side routes).
  const hasWeb = fs.existsSync(path.join(webDir, 'index.html'));
  app.setNotFoundHandler((req, reply) => {
    // Client-side routes have no file extension; a missing asset is a 404, not the shell.
    const pathname = req.url.split('?')[0];
    if (hasWeb && req.method === 'GET' && !pathname.startsWith('/api/') && !/\.[a-z0-9]+$/i.test(pathname)) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return send(reply, pickLocale(req.headers['accept-language']), new AppError('NOT_FOUND'));
  });
}
