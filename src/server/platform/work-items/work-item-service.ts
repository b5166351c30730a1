import { type Permission, type WorkItemDetails, workItemTitle } from '../../../domain/permissions.ts';
import type { Executor } from '../../db/database.ts';
import { findOrgUnitInScope } from '../../modules/org/org-repository.ts';
import { findResidentInScope } from '../../modules/residents/resident-repository.ts';
import { type Actor, isWithin, pathInScope, type SystemActor, scopePaths } from '../access/actor.ts';
import { requireScope } from '../access/require.ts';
import { runWrite, type WriteDeps } from '../audit/run-write.ts';
import type { AppDeps } from '../deps.ts';
import { AppError, invalidField, notFound } from '../errors/app-error.ts';
import { text } from '../errors/i18n.ts';
import { newId } from '../ids.ts';
import { toLimitOffset } from '../pagination.ts';
import { findGrantsOfUsers, findUserInScope } from '../users/user-repository.ts';
import * as repo from './work-item-repository.ts';

type Listed = Awaited<ReturnType<typeof repo.findWorkItemInScope>> & {};

/**
 * The item's assignee: the user it names, or someone granted on the unit it names — with `needs`,
 * by a grant on that very unit holding it (a grid's worker, not whoever has another role there).
 */
function isAssignee(actor: Actor, item: repo.WorkItemRow, needs?: Permission) {
  return (
    item.assigneeUserId === actor.userId ||
    (item.assigneeOrgUnitId !== null &&
      actor.grants.some(
        (g) => g.orgUnitId === item.assigneeOrgUnitId && (needs === undefined || g.permissions.has(needs)),
      ))
  );
}

const isClosed = (state: string) => state === 'done' || state === 'cancelled';

/**
 * Work someone must reach a person for within hours (a pool's member recalled for a single-tube
 * recheck, a tube to swab again, a confirmed positive to transfer at once): its assignee may see
 * that person's phone to call them — that one number, while the item is open, each look audited —
 * where the registry shows it masked to anyone without 查看完整身份证号和手机号. (A positive's
 * urgent item is the command centre's: found from the item, not looked up again in the registry.)
 */
const CALL_BACK_TYPES = new Set(['recheck', 'resample', 'positive_case']);

/**
 * Whether the actor may see the phone of the person an item is about. Only items about people the
 * actor reads residents of are ever read (the repository's person scope), so that is not asked here.
 */
function mayCall(actor: Actor, item: repo.WorkItemRow) {
  return (
    !isClosed(item.state) &&
    item.subjectEntity === 'person' &&
    item.subjectId !== null &&
    CALL_BACK_TYPES.has(item.type) &&
    isAssignee(actor, item, 'resident.read') &&
    // A positive's item is the district's unit's: among those granted there, the command centre,
    // who may see full numbers anyway, not everyone on the unit who reads residents.
    (item.type !== 'positive_case' || pathInScope(item.orgPath, scopePaths(actor, 'personal.unmask')))
  );
}

function toView(actor: Actor, row: Listed) {
  const { item } = row;
  const closed = isClosed(item.state);
  const canAssign = pathInScope(item.orgPath, scopePaths(actor, 'work-item.assign'));
  return {
    id: item.id,
    type: item.type,
    title: item.title,
    // A recall's person found and sampled alone: said with its particulars, as it stands now (an
    // invalid single tube sends them back to be found, and the item says so no more).
    details: row.awaitedTube ? { ...item.details, resampledTube: row.awaitedTube } : (item.details ?? null),
    subjectEntity: item.subjectEntity,
    subjectId: item.subjectId,
    assigneeUserId: item.assigneeUserId,
    assigneeUserName: row.assigneeUserName,
    assigneeOrgUnitId: item.assigneeOrgUnitId,
    assigneeOrgUnitName: row.assigneeOrgUnitName,
    dueAt: item.dueAt?.toISOString() ?? null,
    state: item.state,
    feedback: item.feedback,
    createdAt: item.createdAt.toISOString(),
    actions: {
      feedback: !closed && (isAssignee(actor, item) || canAssign),
      cancel: !closed && canAssign,
      call: mayCall(actor, item) && row.subjectHasPhone,
    },
  };
}

export async function listWorkItems(
  deps: AppDeps,
  actor: Actor,
  query: { mine?: boolean; state?: string; type?: string; page: number; pageSize: number },
) {
  const scope = requireScope(actor, 'work-item.read');
  const { items, total } = await repo.findWorkItems(
    deps.database.db,
    scope,
    {
      mine: query.mine
        ? { userId: actor.userId, orgUnitIds: actor.grants.map((g) => g.orgUnitId) }
        : undefined,
      state: query.state,
      type: query.type,
      personScope: scopePaths(actor, 'resident.read'),
    },
    toLimitOffset(query),
  );
  return { items: items.map((r) => toView(actor, r)), total };
}

export interface NewWorkItem {
  type: string;
  /** A system item's title comes from its details (workItemTitle); a task by hand gives its own. */
  title?: string;
  details?: WorkItemDetails;
  subjectEntity?: string | null;
  subjectId?: string | null;
  assigneeUserId?: string | null;
  assigneeOrgUnitId?: string | null;
  /** Where the item lives in the tree (decides who sees it); for a user assignee, their grant's node. */
  orgPath: string;
  dueAt?: Date | null;
}

/**
 * Creates a work item inside another module's transaction, so a module's write and the tasks it
 * causes commit together (a positive pool and its recheck tasks, a fever buyer and the test task).
 */
export async function addWorkItem(tx: Executor, creator: Actor | SystemActor, item: NewWorkItem) {
  const [id] = await addWorkItems(tx, creator, [item]);
  return id as string;
}

/**
 * The title a work item is stored with: a task's own words, or a system item's made from its
 * details in Chinese, the system's first language (audit, search); the page says it in the reader's.
 */
export const storedTitle = (item: Pick<NewWorkItem, 'type' | 'title' | 'details'>) =>
  item.title ?? workItemTitle(item.type, item.details ?? {}, 'zh-CN') ?? item.type;

/** Many at once (a positive pool's recheck tasks): one statement per thousand. */
export async function addWorkItems(tx: Executor, creator: Actor | SystemActor, items: NewWorkItem[]) {
  const rows = items.map((item) => ({
    id: newId(),
    type: item.type,
    title: storedTitle(item),
    details: item.details ?? null,
    subjectEntity: item.subjectEntity ?? null,
    subjectId: item.subjectId ?? null,
    assigneeUserId: item.assigneeUserId ?? null,
    assigneeOrgUnitId: item.assigneeOrgUnitId ?? null,
    orgPath: item.orgPath,
    dueAt: item.dueAt ?? null,
    createdBy: creator.userId,
  }));
  for (let i = 0; i < rows.length; i += 1000) await repo.insertWorkItems(tx, rows.slice(i, i + 1000));
  return rows.map((r) => r.id);
}

/** A task assigned by hand (the command centre to a unit or a person). */
export async function assignWorkItem(
  deps: AppDeps,
  actor: Actor,
  input: { type: string; title: string; assigneeUserId?: string; assigneeOrgUnitId?: string; dueAt?: Date },
  clientId?: string,
) {
  const scope = requireScope(actor, 'work-item.assign');
  return runWrite(
    deps,
    actor,
    'work-item.create',
    async (tx) => {
      let orgPath: string | undefined;
      if (input.assigneeOrgUnitId) {
        const unit = await findOrgUnitInScope(tx, scope, input.assigneeOrgUnitId);
        if (!unit)
          throw invalidField(
            'assigneeOrgUnitId',
            text('单位不存在或不在您的管辖范围内', 'Unit not in your scope'),
          );
        orgPath = unit.path;
      }
      if (input.assigneeUserId) {
        const user = await findUserInScope(tx, scope, input.assigneeUserId);
        if (!user)
          throw invalidField(
            'assigneeUserId',
            text('人员不存在或不在您的管辖范围内', 'User not in your scope'),
          );
        const grants = await findGrantsOfUsers(tx, [user.id]);
        orgPath ??= grants.find((g) => scope.some((s) => isWithin(g.orgPath, s)))?.orgPath;
      }
      if (!orgPath)
        throw invalidField('assigneeUserId', text('请指定负责人或负责单位', 'Name a person or a unit'));
      const id = await addWorkItem(tx, actor, { ...input, orgPath });
      const row = await repo.findWorkItemInScope(tx, [orgPath], id);
      if (!row) throw notFound();
      return {
        result: toView(actor, row),
        touched: {
          entity: 'work-item',
          entityId: id,
          orgPath,
          after: { type: input.type, title: input.title, state: 'open' },
        },
      };
    },
    { clientId },
  );
}

/** The assignee (or whoever assigns in that subtree) answers an item, and may close it. */
export async function giveFeedback(
  deps: AppDeps,
  actor: Actor,
  id: string,
  input: { clientId: string; feedback: string; done?: boolean; cancel?: boolean },
) {
  const scope = requireScope(actor, 'work-item.read');
  return runWrite(
    deps,
    actor,
    'work-item.feedback',
    async (tx) => {
      const readable = scopePaths(actor, 'resident.read');
      const row = await repo.findWorkItemInScope(tx, scope, id, readable);
      if (!row) throw notFound();
      const view = toView(actor, row);
      if (input.cancel ? !view.actions.cancel : !view.actions.feedback) {
        if (isClosed(row.item.state)) {
          throw new AppError('CONFLICT', text('该待办已结束', 'This item is already closed'));
        }
        throw new AppError('FORBIDDEN');
      }
      const state = input.cancel ? 'cancelled' : input.done ? 'done' : row.item.state;
      await repo.updateWorkItemRow(tx, id, {
        feedback: input.feedback,
        state,
        doneAt: isClosed(state) ? new Date() : null,
      });
      const after = await repo.findWorkItemInScope(tx, scope, id, readable);
      if (!after) throw notFound();
      return {
        result: toView(actor, after),
        touched: {
          entity: 'work-item',
          entityId: id,
          orgPath: row.item.orgPath,
          before: { state: row.item.state, feedback: row.item.feedback },
          after: { state, feedback: input.feedback },
        },
      };
    },
    { clientId: input.clientId },
  );
}

/**
 * The phone of the person an open call-back item is about, for its assignee (see CALL_BACK_TYPES):
 * audited as an unmask naming the item. The person is read within the actor's resident scope.
 */
export async function contactForWorkItem(deps: AppDeps, actor: Actor, id: string) {
  const scope = requireScope(actor, 'work-item.read');
  const readable = requireScope(actor, 'resident.read');
  return runWrite(deps, actor, 'resident.unmask', async (tx) => {
    const row = await repo.findWorkItemInScope(tx, scope, id, readable);
    if (row?.item.subjectEntity !== 'person' || !row.item.subjectId) throw notFound();
    if (!mayCall(actor, row.item))
      throw new AppError(
        'FORBIDDEN',
        isClosed(row.item.state)
          ? text('该待办已结束，不能再查看电话', 'This item is closed')
          : text('只有负责此待办的人可查看此人的电话', 'Only the assignee of this item may see the phone'),
      );
    const person = await findResidentInScope(tx, readable, row.item.subjectId);
    if (!person) throw notFound();
    // No phone registered: nothing is shown, so nothing is recorded as shown.
    if (!person.person.phoneEnc) return { result: { phone: null as string | null }, touched: [] };
    return {
      result: { phone: deps.cipher.open(person.person.phoneEnc) as string | null },
      touched: {
        entity: 'resident',
        entityId: person.person.id,
        orgPath: person.person.orgPath,
        after: { fields: ['phone'], workItemId: id },
        publish: false,
      },
    };
  });
}

/** Job: open items past their due time turn overdue; one audit event per item, as for any write. */
export async function markOverdueWorkItems(deps: WriteDeps, system: SystemActor) {
  return runWrite(deps, system, 'work-item.overdue', async (tx) => {
    const changed = await repo.markOverdue(tx);
    return {
      result: changed.length,
      touched: changed.map((c) => ({
        entity: 'work-item',
        entityId: c.id,
        orgPath: c.orgPath,
        before: { state: 'open' },
        after: { state: 'overdue' },
      })),
    };
  });
}
