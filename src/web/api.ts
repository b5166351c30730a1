import { ApiError } from './apiError';
import i18n from './i18n';

export { ApiError };

const BASE = '/api/v1';

// On these two calls a 401 means "wrong password", not "session lost": no redirect.
// The session check too: its 401 is its answer (nobody is signed in), handled where it is asked,
// and a late one must not end a session begun since (see useMe).
const CREDENTIAL_CHECKS = new Set(['/auth/login', '/auth/password', '/auth/me']);

let onUnauthorized = () => {};

/** The app decides what a lost session means (back to /login); the wrapper only reports it. */
export function setUnauthorizedHandler(handler: () => void) {
  onUnauthorized = handler;
}

type QueryValue = string | number | boolean | null | undefined;
type Query = Record<string, QueryValue>;

/** Empty values are left out, so a cleared filter is no filter rather than `?q=`. */
function apiUrl(path: string, query?: Query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  return `${BASE}${path}${params.size > 0 ? `?${params}` : ''}`;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface Call {
  method: string;
  path: string;
  query?: Query;
  body?: BodyInit;
  contentType?: string;
  accept?: string;
  /**
   * Gives up after this long: on a connection that is up but passes nothing (a village's weak
   * signal) a fetch can hang for minutes, holding up whatever waits on it.
   */
  timeoutMs?: number;
}

/** Options of one call. */
export interface CallOptions {
  timeoutMs?: number;
}

/** Sends a call and returns the response when it succeeded; anything else becomes an ApiError. */
async function send({
  method,
  path,
  query,
  body,
  contentType,
  accept = 'application/json',
  timeoutMs,
}: Call) {
  const headers: Record<string, string> = { Accept: accept, 'Accept-Language': i18n.language };
  if (contentType) headers['Content-Type'] = contentType;

  let response: Response;
  const signal = timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined;
  try {
    response = await fetch(apiUrl(path, query), {
      method,
      headers,
      credentials: 'same-origin',
      body,
      signal,
    });
  } catch (error) {
    throw networkError(error);
  }
  if (response.ok) return response;

  if (response.status === 401 && !CREDENTIAL_CHECKS.has(path)) onUnauthorized();
  const payload: unknown = await response.json().catch(() => null);
  const error = (
    payload as {
      error?: {
        code?: string;
        message?: string;
        fields?: Record<string, string>;
        existingId?: string;
        [extra: string]: unknown;
      };
    } | null
  )?.error;
  throw new ApiError(
    response.status,
    error?.code ?? 'http',
    error?.message ?? i18n.t('errors.http', { status: response.status }),
    error?.fields,
    error?.existingId,
    error ?? {},
  );
}

/** No answer at all: no network, or none in time (the body's reading is under the same timeout). */
function networkError(error: unknown) {
  return (error as { name?: string } | null)?.name === 'TimeoutError'
    ? new ApiError(0, 'timeout', i18n.t('errors.timeout'))
    : new ApiError(0, 'network', i18n.t('errors.network'));
}

async function request<T>(call: Call): Promise<T> {
  const response = await send(call);
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch (error) {
    // A timeout while the body arrived is no answer; a body that is not JSON is an empty one.
    if ((error as { name?: string } | null)?.name === 'TimeoutError') throw networkError(error);
    return null as T;
  }
}

const json = (method: string, path: string, body: unknown) =>
  ({ method, path, body: JSON.stringify(body), contentType: 'application/json' }) satisfies Call;

// `filename*=UTF-8''…` (RFC 6266) carries Chinese names; plain `filename="…"` is the fallback.
function fileNameOf(response: Response) {
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  if (encoded) return decodeURIComponent(encoded);
  return /filename="?([^";]+)"?/i.exec(disposition)?.[1];
}

/**
 * Saves a file the server generates. Fetched rather than linked so a refusal (403, an expired
 * session) shows as a message on the page instead of replacing it or saving the error as a file.
 */
async function download(path: string, query?: Query) {
  const response = await send({ method: 'GET', path, query, accept: `${XLSX}, application/json` });
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = fileNameOf(response) ?? path.split('/').pop() ?? 'download';
  link.click();
  // The click only starts the download, and browsers read the blob later; a minute is ample.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export const api = {
  get: <T>(path: string, query?: Query, options: CallOptions = {}) =>
    request<T>({ method: 'GET', path, query, ...options }),
  // An empty JSON object rather than no body: a JSON content type with an empty body is a 400 in fastify.
  post: <T = void>(path: string, body?: unknown, options: CallOptions = {}) =>
    request<T>({ ...json('POST', path, body ?? {}), ...options }),
  patch: <T>(path: string, body: unknown) => request<T>(json('PATCH', path, body)),
  /** No body: a DELETE's content type would want one. */
  delete: <T = void>(path: string, query?: Query, options: CallOptions = {}) =>
    request<T>({ method: 'DELETE', path, query, ...options }),
  /** A multipart POST; the browser writes the Content-Type with its boundary. */
  upload: <T>(path: string, form: FormData, query?: Query) =>
    request<T>({ method: 'POST', path, query, body: form }),
  download,
};
