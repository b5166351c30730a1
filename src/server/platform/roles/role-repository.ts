import { asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/database.ts';
import { permissionSeeds, rolePermissions, roles } from '../../db/schema.ts';

export async function findRoles(db: Executor, codes?: string[]) {
  const rows = await db
    .select()
    .from(roles)
    .where(codes ? inArray(roles.code, codes.length ? codes : ['']) : undefined)
    .orderBy(asc(roles.createdAt), asc(roles.code));
  const perms = await db.select().from(rolePermissions);
  return rows.map((r) => ({
    ...r,
    permissions: perms
      .filter((p) => p.roleCode === r.code)
      .map((p) => p.permission)
      .sort(),
  }));
}

export async function replaceRolePermissions(db: Executor, code: string, permissions: string[]) {
  await db.delete(rolePermissions).where(eq(rolePermissions.roleCode, code));
  if (permissions.length)
    await db
      .insert(rolePermissions)
      .values(permissions.map((permission) => ({ roleCode: code, permission })));
}

export async function insertRole(
  db: Executor,
  role: { code: string; nameZh: string; nameEn: string },
  permissions: string[],
) {
  await db.insert(roles).values(role);
  if (permissions.length)
    await db
      .insert(rolePermissions)
      .values(permissions.map((permission) => ({ roleCode: role.code, permission })));
}

export async function addRolePermissions(db: Executor, code: string, permissions: string[]) {
  if (permissions.length === 0) return;
  await db
    .insert(rolePermissions)
    .values(permissions.map((permission) => ({ roleCode: code, permission })))
    .onConflictDoNothing();
}

export async function findSeededPermissions(db: Executor) {
  return new Set((await db.select().from(permissionSeeds)).map((r) => r.permission));
}

export async function markPermissionsSeeded(db: Executor, permissions: string[]) {
  if (permissions.length)
    await db
      .insert(permissionSeeds)
      .values(permissions.map((permission) => ({ permission })))
      .onConflictDoNothing();
}
