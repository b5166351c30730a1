import type { Permission } from '../../../domain/permissions.ts';
import type { Locale } from '../errors/i18n.ts';

/** A role on an org node, as the database answers it. */
export interface GrantRow {
  roleCode: string;
  roleName: string;
  roleNameEn: string;
  orgUnitId: string;
  orgUnitName: string;
  orgPath: string;
  permissions: string[];
}

export interface Grant extends Omit<GrantRow, 'permissions'> {
  permissions: ReadonlySet<string>;
}

export const toGrant = (row: GrantRow): Grant => ({ ...row, permissions: new Set(row.permissions) });

/** Who is acting: the user, their grants (each a role on an org node covering its subtree), the request. */
export interface Actor {
  userId: string;
  username: string;
  displayName: string;
  grants: Grant[];
  ip: string;
  locale: Locale;
}

/** The system itself (jobs, seeding), or an anonymous caller (a failed login): audited with no user. */
export interface SystemActor {
  userId: null;
  displayName: string;
  ip: string | null;
}

export const SYSTEM: SystemActor = { userId: null, displayName: '系统', ip: null };

export function hasPermission(actor: Actor, permission: Permission): boolean {
  return actor.grants.some((g) => g.permissions.has(permission));
}

export function allPermissions(actor: Actor): string[] {
  const all = new Set<string>();
  for (const g of actor.grants) for (const p of g.permissions) all.add(p);
  return [...all].sort();
}

/**
 * The subtrees where the actor holds a permission, as org paths with nested ones dropped
 * (a grant on a street already covers its grids).
 */
export function scopePaths(actor: Actor, permission: Permission): string[] {
  const paths = [
    ...new Set(actor.grants.filter((g) => g.permissions.has(permission)).map((g) => g.orgPath)),
  ].sort();
  return paths.filter((p, i) => !paths.slice(0, i).some((q) => isWithin(p, q)));
}

/** Whether `path` lies in the subtree rooted at `root`. */
export function isWithin(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}.`);
}

/**
 * A scope cut down to one subtree (a picker of units within a round): the parts of the scope in
 * it, or the subtree itself where the scope holds it whole. Never more than the scope.
 */
export function scopeWithin(scope: string[], root: string): string[] {
  if (scope.some((s) => isWithin(root, s))) return [root];
  return scope.filter((s) => isWithin(s, root));
}

export function pathInScope(path: string, scope: string[]): boolean {
  return scope.some((root) => isWithin(path, root));
}

/** A root path (depth 0) covers records that belong to no org node, such as role changes. */
export function coversWholeTree(scope: string[]): boolean {
  return scope.some((p) => !p.includes('.'));
}
