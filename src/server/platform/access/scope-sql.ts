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

/**
 * For records that cover an area (a testing round over a street): visible when the area lies in
 * the actor's scope or the actor's scope lies in the area (a grid worker sees the district's round).
 */
export function overlapsScope(pathColumn: SQLWrapper, scope: string[]): SQL {
  if (scope.length === 0) return sql`false`;
  return sql`(${inScope(pathColumn, scope)} or ${sql.join(
    scope.map((p) => sql`${p} like ${pathColumn} || '.%'`),
    sql` or `,
  )})`;
}
