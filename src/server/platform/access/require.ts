import type { Permission } from '../../../domain/permissions.ts';
import { forbidden } from '../errors/app-error.ts';
import { type Actor, coversWholeTree, hasPermission, scopePaths } from './actor.ts';

/**
 * Every service starts here: no grant with the permission at all → 403; otherwise the subtrees
 * where it holds, for the query's WHERE clause (rows outside answer 404, so ids do not leak).
 */
export function requireScope(actor: Actor, permission: Permission): string[] {
  if (!hasPermission(actor, permission)) throw forbidden();
  return scopePaths(actor, permission);
}

/** District-wide policy (role permissions, taxonomies): only a holder of the permission on a whole tree. */
export function requireWholeTree(actor: Actor, permission: Permission): void {
  if (!coversWholeTree(requireScope(actor, permission))) throw forbidden();
}

/**
 * Where the actor holds any of these permissions (a page several roles share, such as a testing
 * round: organisers, samplers, grid workers); 403 when none.
 */
export function requireAnyScope(actor: Actor, permissions: Permission[]): string[] {
  const paths = [...new Set(permissions.flatMap((p) => scopePaths(actor, p)))];
  if (paths.length === 0) throw forbidden();
  return paths;
}
