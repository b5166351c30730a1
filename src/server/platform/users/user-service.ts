import { maskPhone } from '../../../domain/masking.ts';
import type { Permission } from '../../../domain/permissions.ts';
import { normalizeMobile } from '../../../domain/phone.ts';
import type { Executor } from '../../db/database.ts';
import { findOrgUnitInScope, findOrgUnitsInScope } from '../../modules/org/org-repository.ts';
import { type Actor, pathInScope, scopePaths } from '../access/actor.ts';
import { throttleExactLookup } from '../access/lookup-throttle.ts';
import { requireScope } from '../access/require.ts';
import { runWrite } from '../audit/run-write.ts';
import { hashPassword } from '../auth/passwords.ts';
import { deleteSessionsOfUser } from '../auth/session-repository.ts';
import type { AppDeps } from '../deps.ts';
import { conflict, forbidden, invalidField, notFound } from '../errors/app-error.ts';
import { text } from '../errors/i18n.ts';
import { newId } from '../ids.ts';
import { toLimitOffset } from '../pagination.ts';
import { findRoles } from '../roles/role-repository.ts';
import * as repo from './user-repository.ts';

type GrantRow = Awaited<ReturnType<typeof repo.findGrantsOfUsers>>[number];

function toView(deps: AppDeps, actor: Actor, user: repo.UserRow, grants: GrantRow[]) {
  const writeScope = scopePaths(actor, 'user.write');
  const unmaskScope = scopePaths(actor, 'personal.unmask');
  const readScope = scopePaths(actor, 'user.read');
  const own = grants.filter((g) => g.userId === user.id);
  // Their work elsewhere in the tree is not the reader's business (and an edit leaves it as it is).
  const shown = own.filter((g) => pathInScope(g.orgPath, readScope) || pathInScope(g.orgPath, writeScope));
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    phone: user.phoneEnc ? maskPhone(deps.cipher.open(user.phoneEnc)) : null,
    active: user.active,
    grants: shown.map((g) => ({
      role: g.role,
      roleName: actor.locale === 'en' ? g.roleNameEn : g.roleName,
      orgUnitId: g.orgUnitId,
      orgUnitName: g.orgUnitName,
    })),
    createdAt: user.createdAt.toISOString(),
    actions: {
      update: own.some((g) => pathInScope(g.orgPath, writeScope)),
      /** Name, password, phone, activity: only with every grant of the user in reach. */
      updateAccount: own.length > 0 && own.every((g) => pathInScope(g.orgPath, writeScope)),
      unmask: Boolean(user.phoneEnc) && own.some((g) => pathInScope(g.orgPath, unmaskScope)),
    },
  };
}

/** The audit view of a user: what changed, never a hash or the password. */
const snapshot = (user: repo.UserRow, grants: { role: string; orgUnitId: string }[]) => ({
  username: user.username,
  displayName: user.displayName,
  phone: user.phoneEnc ? 'set' : null,
  active: user.active,
  grants: grants.map((g) => `${g.role}@${g.orgUnitId}`).sort(),
});

/** Each granted node must lie in the actor's user.write scope, and each role must exist. */
async function checkGrants(
  db: Executor,
  actor: Actor,
  scope: string[],
  grants: { role: string; orgUnitId: string }[],
) {
  const units = await findOrgUnitsInScope(db, scope, [...new Set(grants.map((g) => g.orgUnitId))]);
  const pathOf = new Map(units.map((u) => [u.id, u.path]));
  const roles = new Map(
    (await findRoles(db, [...new Set(grants.map((g) => g.role))])).map((r) => [r.code, r.permissions]),
  );
  grants.forEach((g, i) => {
    const permissions = roles.get(g.role);
    if (!permissions) throw invalidField(`grants.${i}.role`, text('角色不存在', 'Unknown role'));
    const path = pathOf.get(g.orgUnitId);
    if (!path) {
      throw invalidField(
        `grants.${i}.orgUnitId`,
        text('单位不存在或不在您的管辖范围内', 'Org unit not found in your scope'),
      );
    }
    const lacking = permissions.filter((p) => !pathInScope(path, scopePaths(actor, p as Permission)));
    if (lacking.length) {
      throw invalidField(
        `grants.${i}.role`,
        text(`不能授予您在该单位没有的权限：${lacking.join('、')}`, `You lack: ${lacking.join(', ')}`),
      );
    }
  });
  const seen = new Set<string>();
  return grants.filter((g) => {
    const key = `${g.role}@${g.orgUnitId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export async function listUsers(
  deps: AppDeps,
  actor: Actor,
  query: { q?: string; samplersFor?: string; labStaffFor?: string; page: number; pageSize: number },
) {
  const scope = requireScope(actor, 'user.read');
  const db = deps.database.db;
  // Who may sample at a unit (a point's or a door-to-door team's picker), or work a lab over a
  // unit's whole area (a lab's team picker): a unit where the actor reads users (elsewhere, who
  // holds what there is not theirs to learn); another is not found.
  const pathOf = async (unitId: string | undefined, within: string[]) => {
    if (!unitId) return undefined;
    const unit = await findOrgUnitInScope(db, within, unitId);
    if (!unit) throw notFound();
    return unit.path;
  };
  const samplersAt = await pathOf(query.samplersFor, scope);
  // A lab is kept by who organises testing, whose reach may be wider than the users they read:
  // its unit may be any of theirs; who is listed is still only users they may read.
  const labStaffAt = await pathOf(query.labStaffFor, [...scope, ...scopePaths(actor, 'testing.manage')]);
  const phone = query.q ? normalizeMobile(query.q) : null;
  const phoneHash = phone ? deps.cipher.lookupHash(phone) : undefined;
  if (phoneHash) await throttleExactLookup(db, deps.cipher, actor, phoneHash);
  const { items, total } = await repo.findUsersInScope(
    db,
    scope,
    { q: query.q, phoneHash, samplersAt, labStaffAt },
    toLimitOffset(query),
  );
  const grants = await repo.findGrantsOfUsers(
    db,
    items.map((u) => u.id),
  );
  return { items: items.map((u) => toView(deps, actor, u, grants)), total };
}

export async function getUser(deps: AppDeps, actor: Actor, id: string) {
  const scope = requireScope(actor, 'user.read');
  const user = await repo.findUserInScope(deps.database.db, scope, id);
  if (!user) throw notFound();
  return toView(deps, actor, user, await repo.findGrantsOfUsers(deps.database.db, [id]));
}

export async function createUser(
  deps: AppDeps,
  actor: Actor,
  input: {
    username: string;
    displayName: string;
    password: string;
    phone?: string | null;
    grants: { role: string; orgUnitId: string }[];
  },
) {
  const scope = requireScope(actor, 'user.write');
  const passwordHash = await hashPassword(input.password);
  return runWrite(deps, actor, 'user.create', async (tx) => {
    const grants = await checkGrants(tx, actor, scope, input.grants);
    if (await repo.usernameTaken(tx, input.username)) {
      throw conflict(text('用户名已被使用', 'Username already taken'), undefined, 'username');
    }
    const id = newId();
    const user = await repo.insertUser(tx, {
      id,
      username: input.username,
      displayName: input.displayName,
      passwordHash,
      phoneEnc: input.phone ? deps.cipher.seal(input.phone) : null,
      phoneHash: input.phone ? deps.cipher.lookupHash(input.phone) : null,
    });
    await repo.insertGrants(
      tx,
      grants.map((g) => ({ id: newId(), userId: id, roleCode: g.role, orgUnitId: g.orgUnitId })),
    );
    const grantRows = await repo.findGrantsOfUsers(tx, [id]);
    return {
      result: toView(deps, actor, user, grantRows),
      touched: {
        entity: 'user',
        entityId: id,
        orgPath: grantRows[0]?.orgPath ?? null,
        after: snapshot(user, grants),
      },
    };
  });
}

export async function updateUser(
  deps: AppDeps,
  actor: Actor,
  id: string,
  patch: {
    displayName?: string;
    password?: string;
    phone?: string | null;
    active?: boolean;
    grants?: { role: string; orgUnitId: string }[];
  },
) {
  const scope = requireScope(actor, 'user.write');
  const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
  return runWrite(deps, actor, 'user.update', async (tx) => {
    const before = await repo.findUserInScope(tx, scopePaths(actor, 'user.read'), id);
    if (!before) throw notFound();
    const beforeGrants = await repo.findGrantsOfUsers(tx, [id]);
    if (!beforeGrants.some((g) => pathInScope(g.orgPath, scope))) throw notFound();
    // The account itself (password, active, phone, name) only when all of the user is in reach:
    // otherwise a community's admin could take over a district admin who also works a grid there.
    // A form sends the name and activity as they were: unchanged, they are no change.
    const changesAccount =
      (patch.displayName !== undefined && patch.displayName !== before.displayName) ||
      (patch.active !== undefined && patch.active !== before.active) ||
      patch.password !== undefined ||
      patch.phone !== undefined;
    if (changesAccount && !beforeGrants.every((g) => pathInScope(g.orgPath, scope))) throw forbidden();

    const changes: Parameters<typeof repo.updateUserRow>[2] = {};
    if (patch.displayName !== undefined) changes.displayName = patch.displayName;
    if (patch.active !== undefined) changes.active = patch.active;
    if (patch.phone !== undefined) {
      changes.phoneEnc = patch.phone ? deps.cipher.seal(patch.phone) : null;
      changes.phoneHash = patch.phone ? deps.cipher.lookupHash(patch.phone) : null;
    }
    if (passwordHash) {
      changes.passwordHash = passwordHash;
      changes.passwordChangedAt = new Date();
    }
    const after = Object.keys(changes).length ? await repo.updateUserRow(tx, id, changes) : before;
    // A new password or a disabled account ends the user's sessions at once.
    if (passwordHash || patch.active === false) await deleteSessionsOfUser(tx, id);

    if (patch.grants) {
      // Only grants the actor can see are replaced; grants elsewhere in the tree stay. The form
      // sends back what it showed, which may hold grants one can read but not write: kept as they are.
      const key = (g: { role: string; orgUnitId: string }) => `${g.role}@${g.orgUnitId}`;
      const outOfReach = new Set(beforeGrants.filter((g) => !pathInScope(g.orgPath, scope)).map(key));
      const wanted = await checkGrants(
        tx,
        actor,
        scope,
        patch.grants.filter((g) => !outOfReach.has(key(g))),
      );
      const inReach = beforeGrants.filter((g) => pathInScope(g.orgPath, scope));
      const wantedKeys = new Set(wanted.map(key));
      const haveKeys = new Set(inReach.map(key));
      await repo.deleteGrants(
        tx,
        inReach.filter((g) => !wantedKeys.has(key(g))).map((g) => g.id),
      );
      await repo.insertGrants(
        tx,
        wanted
          .filter((g) => !haveKeys.has(key(g)))
          .map((g) => ({ id: newId(), userId: id, roleCode: g.role, orgUnitId: g.orgUnitId })),
      );
    }
    const afterGrants = await repo.findGrantsOfUsers(tx, [id]);
    const beforeSnap = snapshot(before, beforeGrants);
    const afterSnap = snapshot(after, afterGrants);
    return {
      result: toView(deps, actor, after, afterGrants),
      touched: {
        entity: 'user',
        entityId: id,
        orgPath: afterGrants[0]?.orgPath ?? beforeGrants[0]?.orgPath ?? null,
        before: beforeSnap,
        after: passwordHash ? { ...afterSnap, password: 'changed' } : afterSnap,
      },
    };
  });
}

/** Shows a user's full phone number to a holder of personal.unmask: audited, never broadcast. */
export async function unmaskUser(deps: AppDeps, actor: Actor, id: string) {
  const scope = requireScope(actor, 'personal.unmask');
  return runWrite(deps, actor, 'user.unmask', async (tx) => {
    const user = await repo.findUserInScope(tx, scope, id);
    if (!user) throw notFound();
    const grants = await repo.findGrantsOfUsers(tx, [id]);
    return {
      result: { phone: user.phoneEnc ? deps.cipher.open(user.phoneEnc) : null },
      touched: {
        entity: 'user',
        entityId: id,
        orgPath: grants[0]?.orgPath ?? null,
        after: { fields: ['phone'] },
        publish: false,
      },
    };
  });
}
