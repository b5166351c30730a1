import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';

/**
 * The scope condition every query on people, places and their records puts in its WHERE clause:
 * the row's org path lies in one of the actor's subtrees. An empty scope matches nothing, so an
 * out-of-scope row is never loaded. Paths are serial segments and dots only, so LIKE needs no escaping.
 */
export function inScope(pathColumn: SQLWrapper, scope: string[]): SQL {
  if (scope.length === 0) return sql`false`;
  return sql`(${sql.join(
    scope.map((p) => sql`${pathColumn} = ${p} or ${pathColumn} like ${`${p}.%`}`),
    sql` or `,
  )})`;
}
