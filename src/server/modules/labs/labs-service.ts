import type { Executor } from '../../db/database.ts';
import { type Actor, hasPermission, pathInScope, scopePaths } from '../../platform/access/actor.ts';
import { requireAnyScope, requireScope } from '../../platform/access/require.ts';
import { runWrite } from '../../platform/audit/run-write.ts';
import type { AppDeps } from '../../platform/deps.ts';
import { conflict, invalidField, notFound } from '../../platform/errors/app-error.ts';
import { text } from '../../platform/errors/i18n.ts';
import { newId } from '../../platform/ids.ts';
import { findDisplayNames, findUsersHoldingOver } from '../../platform/users/user-repository.ts';
import { findOrgUnitInScope } from '../org/org-repository.ts';
import * as repo from './labs-repository.ts';

/** Who reads the labs: organisers, samplers (to hand tubes over), labs themselves. */
const labsScope = (actor: Actor) =>
  requireAnyScope(actor, ['testing.manage', 'testing.read', 'sampling.scan', 'lab.results']);

function labView(lab: repo.LabRow, orgUnitName: string, names: Map<string, string>, actor: Actor) {
  return {
    id: lab.id,
    name: lab.name,
    orgUnitId: lab.orgUnitId,
    orgUnitName,
    active: lab.active,
    members: lab.memberUserIds.map((id) => ({ id, displayName: names.get(id) ?? '' })),
    /** The reader works for this lab: their receipts and results are for its tubes. */
    mine: lab.memberUserIds.includes(actor.userId),
    actions: { manage: pathInScope(lab.orgPath, scopePaths(actor, 'testing.manage')) },
  };
}

export async function listLabs(deps: AppDeps, actor: Actor) {
  const db = deps.database.db;
  const rows = await repo.findLabsVisible(db, labsScope(actor));
  const names = await findDisplayNames(db, [...new Set(rows.flatMap((r) => r.lab.memberUserIds))]);
  return { items: rows.map((r) => labView(r.lab, r.orgUnitName, names, actor)) };
}

export interface LabInput {
  name: string;
  orgUnitId: string;
  memberUserIds?: string[];
}

/** A lab's team: users who hold the lab's permission over its whole area (a sampler cannot be one). */
async function checkedMembers(db: Executor, ids: string[] | undefined, labPath: string) {
  const wanted = [...new Set(ids ?? [])];
  const workers = await findUsersHoldingOver(db, wanted, 'lab.results', labPath);
  if (workers.length !== wanted.length)
    throw invalidField(
      'memberUserIds',
      text(
        '检测人员须为对该机构整个服务范围有“接收样本、录入检测结果”权限的在用账号',
        'Team members must be active users with the lab permission over the lab’s area',
      ),
    );
  return wanted;
}

const nameTaken = () =>
  conflict(text('本区已有同名检测机构', 'A lab of this name exists in the district'), undefined, 'name');

/** The command centre registers a lab (检测机构) serving a unit's subtree, with its team. */
export async function createLab(deps: AppDeps, actor: Actor, input: LabInput) {
  const scope = requireScope(actor, 'testing.manage');
  const unit = await findOrgUnitInScope(deps.database.db, scope, input.orgUnitId);
  if (!unit) throw invalidField('orgUnitId', text('组织不存在或不在您的管辖范围内', 'Unknown org unit'));
  const members = await checkedMembers(deps.database.db, input.memberUserIds, unit.path);
  return runWrite(deps, actor, 'lab.create', async (tx) => {
    if (await repo.labNameTaken(tx, unit.districtCode, input.name)) throw nameTaken();
    const lab = await repo.insertLab(tx, {
      id: newId(),
      name: input.name,
      orgUnitId: unit.id,
      orgPath: unit.path,
      memberUserIds: members,
      districtCode: unit.districtCode,
      createdBy: actor.userId,
    });
    const view = labView(lab, unit.name, await findDisplayNames(tx, members), actor);
    return { result: view, touched: { entity: 'lab', entityId: lab.id, orgPath: lab.orgPath, after: view } };
  });
}

/**
 * Renamed, its team changed, or stopped (a lab no longer contracted takes no new hand-overs;
 * what it holds it may still test, and its history keeps its name).
 */
export async function updateLab(
  deps: AppDeps,
  actor: Actor,
  id: string,
  patch: { name?: string; active?: boolean; memberUserIds?: string[] },
) {
  const scope = requireScope(actor, 'testing.manage');
  return runWrite(deps, actor, 'lab.update', async (tx) => {
    const locked = await repo.lockLabInScope(tx, scope, id);
    if (!locked) throw notFound();
    const { lab, orgUnitName } = locked;
    if (patch.name !== undefined && (await repo.labNameTaken(tx, lab.districtCode, patch.name, lab.id)))
      throw nameTaken();
    const memberUserIds =
      patch.memberUserIds === undefined
        ? undefined
        : // In the transaction: the embedded database has one connection, which the write holds.
          await checkedMembers(tx, patch.memberUserIds, lab.orgPath);
    const updated = await repo.updateLab(tx, lab.id, {
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(patch.active === undefined ? {} : { active: patch.active }),
      ...(memberUserIds === undefined ? {} : { memberUserIds }),
    });
    const names = await findDisplayNames(tx, [...new Set([...lab.memberUserIds, ...updated.memberUserIds])]);
    const view = labView(updated, orgUnitName, names, actor);
    return {
      result: view,
      touched: {
        entity: 'lab',
        entityId: lab.id,
        orgPath: lab.orgPath,
        before: labView(lab, orgUnitName, names, actor),
        after: view,
      },
    };
  });
}

/**
 * Which labs' tubes an actor with the lab permission works on, for the WHERE clause of every lab
 * read of tubes: the labs whose team they are on; `null` (any lab of their scope) for an organiser
 * of testing on no lab's team, the command centre standing in for a lab; none for a lab account
 * on no team (a new account, one taken off its team, every account right after labs became records).
 */
export async function labsOfActor(deps: AppDeps, actor: Actor): Promise<string[] | null> {
  const ids = await repo.findLabIdsOfMember(deps.database.db, actor.userId);
  if (ids.length > 0) return ids;
  return hasPermission(actor, 'testing.manage') ? null : [];
}
