import i18n from './i18n';

const BASE = '/api/v1';

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
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isUnauthorized = (error: unknown) => error instanceof ApiError && error.status === 401;

// On these two calls a 401 means "wrong password", not "session lost": no redirect.
const CREDENTIAL_CHECKS = new Set(['/auth/login', '/auth/password']);

let onUnauthorized = () => {};

/** The app decides what a lost session means (back to /login); the wrapper only reports it. */
export function setUnauthorizedHandler(handler: () => void) {
  onUnauthorized = handler;
}

type QueryValue = string | number | boolean | null | undefined;

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  query?: Record<string, QueryValue>,
): Promise<T> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const url = `${BASE}${path}${params.size > 0 ? `?${params}` : ''}`;
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': i18n.language };
  if (body !== undefined) headers['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', i18n.t('errors.network'));
  }

  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => null);
  if (response.ok) return payload as T;

  if (response.status === 401 && !CREDENTIAL_CHECKS.has(path)) onUnauthorized();
  const error = (
    payload as { error?: { code?: string; message?: string; fields?: Record<string, string> } } | null
  )?.error;
  throw new ApiError(
    response.status,
    error?.code ?? 'http',
    error?.message ?? i18n.t('errors.http', { status: response.status }),
    error?.fields,
  );
}

export const api = {
  get: <T>(path: string, query?: Record<string, QueryValue>) => request<T>('GET', path, undefined, query),
  // An empty JSON object rather than no body: a JSON content type with an empty body is a 400 in fastify.
  post: <T = void>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
};
