import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { DEFAULT_ROLES, PERMISSION_CODES } from '../../domain/permissions.ts';
import type { Executor } from '../db/database.ts';
import { keyGroupClasses, orgUnits, roles, users } from '../db/schema.ts';
import { insertOrgUnit } from '../modules/org/org-repository.ts';
import { SYSTEM } from '../platform/access/actor.ts';
import { runWrite, type WriteDeps } from '../platform/audit/run-write.ts';
import { hashPassword } from '../platform/auth/passwords.ts';
import type { PersonalDataCipher } from '../platform/crypto/personal-data-cipher.ts';
import { newId } from '../platform/ids.ts';
import {
  addRolePermissions,
  findSeededPermissions,
  insertRole,
  markPermissionsSeeded,
} from '../platform/roles/role-repository.ts';
import { insertGrants, insertUser } from '../platform/users/user-repository.ts';
import { DEMO_DISTRICT, type OrgSeedNode } from './demo-district.ts';
import { seedDemoResidents } from './demo-residents.ts';
import { seedDemoRound } from './demo-testing.ts';
import { EXAMPLE_KEY_GROUPS } from './key-groups.ts';

async function count(
  db: Executor,
  table: typeof roles | typeof users | typeof orgUnits | typeof keyGroupClasses,
) {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(table);
  return row.n;
}

/** Inserts a seed subtree; returns how many units it made. */
async function insertTree(
  tx: Executor,
  node: OrgSeedNode,
  parent: { id: string; path: string; depth: number } | null,
  districtCode: string,
): Promise<number> {
  const id = newId();
  const path = await insertOrgUnit(tx, {
    id,
    parent,
    name: node.name,
    level: node.level,
    code: node.code ?? null,
    districtCode,
  });
  let total = 1;
  for (const child of node.children ?? []) {
    total += await insertTree(tx, child, { id, path, depth: (parent?.depth ?? -1) + 1 }, districtCode);
  }
  return total;
}

export interface BootstrapResult {
  adminPassword: string | null;
  createdDistrict: string | null;
  demoResidents: number;
}

/**
 * Makes a fresh database usable: default roles (only those missing, so an administrator's edits
 * stay), a root district (the demo district, or an empty one on a real server), and the `admin`
 * account. Each step is audited as the system's write; nothing happens on an initialised database.
 */
export async function bootstrap(
  deps: WriteDeps & { cipher: PersonalDataCipher },
  options: {
    demo: boolean;
    adminPassword?: string;
    districtName?: string;
    districtCode?: string;
    /** How many synthetic residents the demo district gets. */
    demoResidents?: number;
  },
): Promise<BootstrapResult> {
  const db = deps.database.db;
  await runWrite(deps, SYSTEM, 'role.seed', async (tx) => {
    const existing = new Set((await tx.select({ code: roles.code }).from(roles)).map((r) => r.code));
    const missing = DEFAULT_ROLES.filter((r) => !existing.has(r.code));
    for (const r of missing)
      await insertRole(tx, { code: r.code, nameZh: r.zh, nameEn: r.en }, r.permissions);
    // Permissions new in this release go to the default roles that have them, once.
    const seeded = await findSeededPermissions(tx);
    const fresh = PERMISSION_CODES.filter((p) => !seeded.has(p));
    const extended: string[] = [];
    for (const r of DEFAULT_ROLES.filter((r) => existing.has(r.code))) {
      const add = r.permissions.filter((p) => fresh.includes(p));
      if (add.length) {
        await addRolePermissions(tx, r.code, add);
        extended.push(`${r.code}+${add.join(',')}`);
      }
    }
    await markPermissionsSeeded(tx, fresh);
    const changed = missing.length > 0 || extended.length > 0;
    return {
      result: null,
      touched: changed
        ? {
            entity: 'role',
            entityId: null,
            orgPath: null,
            after: { seeded: missing.map((r) => r.code), extended },
          }
        : [],
    };
  });

  await runWrite(deps, SYSTEM, 'key-group.seed', async (tx) => {
    if ((await count(tx, keyGroupClasses)) > 0) return { result: null, touched: [] };
    await tx
      .insert(keyGroupClasses)
      .values(EXAMPLE_KEY_GROUPS.map((g, i) => ({ ...g, effectiveFrom: '2022-01-01', sortOrder: i })));
    return {
      result: null,
      touched: {
        entity: 'key-group',
        entityId: null,
        orgPath: null,
        after: { seeded: EXAMPLE_KEY_GROUPS.length },
      },
    };
  });

  let createdDistrict: string | null = null;
  let demoResidents = 0;
  if ((await count(db, orgUnits)) === 0) {
    const root: OrgSeedNode = options.demo
      ? DEMO_DISTRICT
      : { name: options.districtName ?? '本辖区', level: 'district', code: options.districtCode ?? '000000' };
    await runWrite(deps, SYSTEM, 'org-unit.seed', async (tx) => {
      const total = await insertTree(tx, root, null, root.code ?? '000000');
      return {
        result: null,
        touched: {
          entity: 'org-unit',
          entityId: null,
          orgPath: root.code ?? null,
          after: { name: root.name, units: total },
        },
      };
    });
    createdDistrict = root.name;
    if (options.demo) {
      demoResidents = await seedDemoResidents(deps, root.code ?? '000000', options.demoResidents);
      await seedDemoRound(deps, root.code ?? '000000');
    }
  }

  let adminPassword: string | null = null;
  if ((await count(db, users)) === 0) {
    const password = options.adminPassword ?? randomBytes(9).toString('base64url');
    const passwordHash = await hashPassword(password);
    await runWrite(deps, SYSTEM, 'user.create', async (tx) => {
      const [root] = await tx
        .select()
        .from(orgUnits)
        .where(sql`${orgUnits.parentId} is null`)
        .orderBy(orgUnits.serial)
        .limit(1);
      const id = newId();
      await insertUser(tx, { id, username: 'admin', displayName: '系统管理员', passwordHash });
      await insertGrants(tx, [{ id: newId(), userId: id, roleCode: 'admin', orgUnitId: root.id }]);
      return {
        result: null,
        touched: {
          entity: 'user',
          entityId: id,
          orgPath: root.path,
          after: { username: 'admin', grants: ['admin'] },
        },
      };
    });
    adminPassword = options.adminPassword ? null : password;
  }
  return { adminPassword, createdDistrict, demoResidents };
}
