import { ORG_CHILD_LEVELS, type OrgLevel } from '../../../domain/permissions.ts';
import { type Actor, pathInScope, scopePaths, scopeWithin } from '../../platform/access/actor.ts';
import { requireScope } from '../../platform/access/require.ts';
import { runWrite } from '../../platform/audit/run-write.ts';
import type { AppDeps } from '../../platform/deps.ts';
import { conflict, forbidden, invalidField, notFound } from '../../platform/errors/app-error.ts';
import { text } from '../../platform/errors/i18n.ts';
import { newId } from '../../platform/ids.ts';
import { toLimitOffset } from '../../platform/pagination.ts';
import * as repo from './org-repository.ts';

export type OrgUnitView = Omit<repo.OrgUnitListRow, 'depth' | 'districtCode'> & {
  actions: { update: boolean; createChild: boolean };
};

/** What the actor may do with a node, so the web shows buttons from the server's answer. */
function toView(actor: Actor, row: repo.OrgUnitListRow): OrgUnitView {
  const writable = pathInScope(row.path, scopePaths(actor, 'org.write'));
  const { depth: _depth, districtCode: _districtCode, ...rest } = row;
  return {
    ...rest,
    actions: {
      update: writable,
      createChild: writable && ORG_CHILD_LEVELS[row.level as OrgLevel]?.length > 0,
    },
  };
}

const snapshot = (u: { name: string; level: string; code: string | null; parentId: string | null }) => ({
  name: u.name,
  level: u.level,
  code: u.code,
  parentId: u.parentId,
});

export async function listOrgUnits(
  deps: AppDeps,
  actor: Actor,
  query: {
    roots?: boolean;
    parentId?: string;
    q?: string;
    level?: string;
    within?: string;
    page: number;
    pageSize: number;
  },
) {
  const db = deps.database.db;
  let scope = requireScope(actor, 'org.read');
  // Units within one subtree only (a round's points lie within the round): the picker offers no
  // unit outside it. A unit the actor's tree does not meet is unknown to them (404).
  if (query.within) {
    const root = await repo.findOrgUnitPathOverlapping(db, scope, query.within);
    if (!root) throw notFound();
    scope = scopeWithin(scope, root);
  }
  if (query.roots) {
    // The tops of the actor's subtrees: where their tree view starts.
    const items = await repo.findOrgUnitsByPaths(db, scope);
    return { items: items.map((r) => toView(actor, r)), total: items.length };
  }
  const { items, total } = await repo.findChildrenInScope(db, scope, query, toLimitOffset(query));
  return { items: items.map((r) => toView(actor, r)), total };
}

export async function getOrgUnit(deps: AppDeps, actor: Actor, id: string) {
  const scope = requireScope(actor, 'org.read');
  const row = await repo.findOrgUnitInScope(deps.database.db, scope, id);
  if (!row) throw notFound();
  return { ...toView(actor, row), ancestors: await repo.findAncestors(deps.database.db, row.path) };
}

export async function createOrgUnit(
  deps: AppDeps,
  actor: Actor,
  input: { parentId: string; name: string; level: OrgLevel; code?: string | null },
) {
  const writeScope = requireScope(actor, 'org.write');
  return runWrite(deps, actor, 'org-unit.create', async (tx) => {
    const parent = await repo.findOrgUnitInScope(tx, scopePaths(actor, 'org.read'), input.parentId);
    if (!parent)
      throw invalidField('parentId', text('上级单位不存在或不在您的管辖范围内', 'Parent unit not found'));
    if (!pathInScope(parent.path, writeScope)) throw forbidden();
    const allowed = ORG_CHILD_LEVELS[parent.level as OrgLevel] ?? [];
    if (!allowed.includes(input.level)) {
      throw invalidField(
        'level',
        text(
          `「${parent.name}」下不能新增该层级的单位`,
          `A ${input.level} cannot sit under a ${parent.level}`,
        ),
      );
    }
    if (await repo.siblingNameTaken(tx, parent.id, input.name)) {
      throw conflict(
        text(`「${parent.name}」下已有同名单位`, 'A unit with this name already exists here'),
        undefined,
        'name',
      );
    }
    const id = newId();
    const path = await repo.insertOrgUnit(tx, {
      id,
      parent: { id: parent.id, path: parent.path, depth: parent.depth },
      name: input.name,
      level: input.level,
      code: input.code ?? null,
      districtCode: parent.districtCode,
    });
    const created = await repo.findOrgUnitInScope(tx, [path], id);
    if (!created) throw notFound();
    return {
      result: toView(actor, created),
      touched: { entity: 'org-unit', entityId: id, orgPath: path, after: snapshot(created) },
    };
  });
}

export async function updateOrgUnit(
  deps: AppDeps,
  actor: Actor,
  id: string,
  patch: { name?: string; code?: string | null },
) {
  const writeScope = requireScope(actor, 'org.write');
  return runWrite(deps, actor, 'org-unit.update', async (tx) => {
    const before = await repo.findOrgUnitInScope(tx, scopePaths(actor, 'org.read'), id);
    if (!before) throw notFound();
    if (!pathInScope(before.path, writeScope)) throw forbidden();
    if (patch.name && before.parentId && (await repo.siblingNameTaken(tx, before.parentId, patch.name, id))) {
      throw conflict(
        text('同一上级下已有同名单位', 'A unit with this name already exists here'),
        undefined,
        'name',
      );
    }
    await repo.updateOrgUnitRow(tx, id, patch);
    const after = await repo.findOrgUnitInScope(tx, [before.path], id);
    if (!after) throw notFound();
    return {
      result: toView(actor, after),
      touched: {
        entity: 'org-unit',
        entityId: id,
        orgPath: before.path,
        before: snapshot(before),
        after: snapshot(after),
      },
    };
  });
}
