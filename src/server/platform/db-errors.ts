/** The SQLSTATE of a database error, through Drizzle's wrapping, on PGlite and node-postgres alike. */
export function sqlState(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A loggable description of an error that never carries query parameters: Drizzle's message
 * repeats every bound value (names, sealed IDs), so only the statement and the database's own
 * message are kept.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.message.startsWith('Failed query:')) {
    const statement = err.message.slice('Failed query:'.length).split('\nparams:')[0].trim().slice(0, 300);
    const cause = err.cause instanceof Error ? withoutValues(err.cause.message) : 'unknown cause';
    return `${cause} [${sqlState(err) ?? '?'}] in: ${statement}`;
  }
  return sqlState(err) ? withoutValues(err.message) : err.message;
}

/**
 * PostgreSQL's own message quotes the value it refused (`invalid input syntax for type uuid:
 * "41160219900307123X"`), as it quotes the names of constraints and columns: the names are kept
 * (lower-case identifiers), any other quoted text is left out.
 */
function withoutValues(message: string): string {
  return message.replace(/"([^"]*)"/g, (quoted, inner: string) =>
    /^[a-z_][a-z0-9_$]*$/.test(inner) ? quoted : '"…"',
  );
}
