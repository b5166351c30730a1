import { ADMIN_KEEPS, ADMIN_ROLE, PERMISSION_CODES, PERMISSIONS } from '../../../domain/permissions.ts';
import type { Actor } from '../access/actor.ts';
import { requireWholeTree } from '../access/require.ts';
import { runWrite } from '../audit/run-write.ts';
import type { AppDeps } from '../deps.ts';
import { invalidField, notFound } from '../errors/app-error.ts';
import { text } from '../errors/i18n.ts';
import * as repo from './role-repository.ts';

export async function listRoles(deps: AppDeps) {
  const items = (await repo.findRoles(deps.database.db)).map((r) => ({
    code: r.code,
    name: r.nameZh,
    nameEn: r.nameEn,
    permissions: r.permissions,
  }));
  return { items, total: items.length };
}

export function listPermissions() {
  const items = PERMISSION_CODES.map((code) => ({
    code,
    name: PERMISSIONS[code].zh,
    nameEn: PERMISSIONS[code].en,
  }));
  return { items, total: items.length };
}

/** Role permissions are district-wide policy: only a holder of role.write on a whole tree edits them. */
export async function updateRolePermissions(
  deps: AppDeps,
  actor: Actor,
  code: string,
  permissions: string[],
) {
  requireWholeTree(actor, 'role.write');
  const unknown = permissions.filter((p) => !(PERMISSION_CODES as string[]).includes(p));
  if (unknown.length)
    throw invalidField(
      'permissions',
      text(`未知权限：${unknown.join('、')}`, `Unknown: ${unknown.join(', ')}`),
    );
  const kept = ADMIN_KEEPS.filter((p) => !permissions.includes(p));
  if (code === ADMIN_ROLE && kept.length > 0) {
    const names = (lang: 'zh' | 'en') => kept.map((p) => PERMISSIONS[p][lang]);
    throw invalidField(
      'permissions',
      text(
        `系统管理员须保留“${names('zh').join('”“')}”：否则无人能再修改角色与授权`,
        `The administrator keeps “${names('en').join('”, “')}”: without them nobody could change roles or grants again`,
      ),
    );
  }
  return runWrite(deps, actor, 'role.update', async (tx) => {
    const [before] = await repo.findRoles(tx, [code]);
    if (!before) throw notFound();
    const sorted = [...new Set(permissions)].sort();
    await repo.replaceRolePermissions(tx, code, sorted);
    return {
      result: { code, name: before.nameZh, nameEn: before.nameEn, permissions: sorted },
      touched: {
        entity: 'role',
        entityId: code,
        orgPath: null,
        before: { permissions: before.permissions },
        after: { permissions: sorted },
      },
    };
  });
}
