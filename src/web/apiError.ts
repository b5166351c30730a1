// Apart from the API wrapper (which loads the translations), so the plain modules that only tell
// failures apart (offline.ts) load, and are tested, without a browser.

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
