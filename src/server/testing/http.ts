import type { FastifyInstance, InjectOptions } from 'fastify';

export interface Call {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers of every shape
  body: any;
  headers: Record<string, unknown>;
}

/** A tiny HTTP client over `inject`, as one user (a session cookie) or nobody. */
export function client(app: FastifyInstance, cookie?: string, extraHeaders: Record<string, string> = {}) {
  const send = async (method: InjectOptions['method'], url: string, payload?: unknown): Promise<Call> => {
    const res = await app.inject({
      method,
      url,
      payload: payload as InjectOptions['payload'],
      headers: { ...(cookie ? { cookie } : {}), ...extraHeaders },
    });
    let body: unknown = res.body;
    try {
      body = res.body ? JSON.parse(res.body) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.statusCode, body, headers: res.headers };
  };
  return {
    get: (url: string) => send('GET', url),
    post: (url: string, payload?: unknown) => send('POST', url, payload ?? {}),
    patch: (url: string, payload?: unknown) => send('PATCH', url, payload ?? {}),
    send,
  };
}

/** A multipart/form-data body holding one file in the field `file`, as a browser's upload sends it. */
export function multipartFile(file: Buffer, filename = 'residents.xlsx') {
  const boundary = '----gridwatch-test-boundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n`,
  );
  return {
    payload: Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
