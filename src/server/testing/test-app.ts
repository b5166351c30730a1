import { randomBytes } from 'node:crypto';
import { isNull } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { idCheckChar } from '../../domain/id-number.ts';
import { buildApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { orgUnits, users } from '../db/schema.ts';
import { insertOrgUnit } from '../modules/org/org-repository.ts';
import { insertHouseholds, insertPersons } from '../modules/residents/resident-repository.ts';
import { buildPersonRow } from '../modules/residents/resident-rules.ts';
import { hashPassword } from '../platform/auth/passwords.ts';
import { PersonalDataCipher } from '../platform/crypto/personal-data-cipher.ts';
import type { AppDeps } from '../platform/deps.ts';
import { EventBus } from '../platform/events/event-bus.ts';
import { newId } from '../platform/ids.ts';
import { insertGrants, insertUser } from '../platform/users/user-repository.ts';
import { bootstrap } from '../seed/bootstrap.ts';
import { createTestDatabase } from './test-database.ts';

export const ADMIN_PASSWORD = 'Admin-pass-2022';
export const USER_PASSWORD = 'Field-pass-2022';

/**
 * The small district every HTTP test stands on: a street with one community holding grids A and
 * B, and a village with grid C; users on each level. Ids and paths are returned for the tests.
 */
export interface Fixture {
  district: { id: string; path: string };
  street: { id: string; path: string };
  community: { id: string; path: string };
  gridA: { id: string; path: string };
  gridB: { id: string; path: string };
  village: { id: string; path: string };
  users: Record<
    'admin' | 'workerA' | 'workerB' | 'staff' | 'auditor' | 'command' | 'sampler' | 'lab',
    { id: string; username: string }
  >;
  /** One registered resident in each grid, with their household. */
  residentA: { id: string; householdId: string; idNumber: string; phone: string };
  residentB: { id: string; householdId: string; idNumber: string; phone: string };
}

/** A valid ID number (GB 11643 check character) from its first 17 characters. */
export const validId = (first17: string) => first17 + idCheckChar(first17);

export async function addResident(
  deps: AppDeps,
  grid: { id: string; path: string },
  name: string,
  idNumber: string,
  phone: string,
) {
  const householdId = newId();
  await insertHouseholds(deps.database.db, [
    { id: householdId, orgUnitId: grid.id, orgPath: grid.path, address: `${name}家`, districtCode: '411600' },
  ]);
  const built = buildPersonRow(
    deps.cipher,
    { name, idNumber, phone, address: `${name}家`, residenceStatus: 'at_home' },
    { orgUnitId: grid.id, orgPath: grid.path, districtCode: '411600', householdId },
  );
  if (!built.ok) throw new Error(built.reason.en);
  await insertPersons(deps.database.db, [built.row]);
  return { id: built.row.id as string, householdId, idNumber, phone };
}

export interface TestApp {
  app: FastifyInstance;
  deps: AppDeps;
  fx: Fixture;
  /** Logs in and returns the session cookie header value. */
  login(username: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

async function addUnit(
  deps: AppDeps,
  parent: { id: string; path: string; depth: number } | null,
  name: string,
  level: string,
) {
  const id = newId();
  const path = await insertOrgUnit(deps.database.db, {
    id,
    parent,
    name,
    level,
    code: null,
    districtCode: '411600',
  });
  return { id, path, depth: parent ? parent.depth + 1 : 0 };
}

async function addUser(
  deps: AppDeps,
  username: string,
  grants: { role: string; orgUnitId: string }[],
  phone?: string,
) {
  const id = newId();
  await insertUser(deps.database.db, {
    id,
    username,
    displayName: `测试${username}`,
    passwordHash: await hashPassword(USER_PASSWORD),
    phoneEnc: phone ? deps.cipher.seal(phone) : null,
    phoneHash: phone ? deps.cipher.lookupHash(phone) : null,
  });
  await insertGrants(
    deps.database.db,
    grants.map((g) => ({ id: newId(), userId: id, roleCode: g.role, orgUnitId: g.orgUnitId })),
  );
  return { id, username };
}

export async function createTestApp(options: { database?: Database } = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const config = { ...loadConfig({}), dataDir: '/nonexistent', webDir: '/nonexistent', demo: false };
  const deps: AppDeps = {
    config,
    database,
    events: new EventBus(),
    cipher: new PersonalDataCipher(randomBytes(32)),
  };
  await bootstrap(deps, {
    demo: false,
    adminPassword: ADMIN_PASSWORD,
    districtName: '测试区',
    districtCode: '411600',
  });
  const [root] = await database.db.select().from(orgUnits).where(isNull(orgUnits.parentId));
  const district = { id: root.id, path: root.path, depth: 0 };
  const street = await addUnit(deps, district, '测试街道', 'street');
  const community = await addUnit(deps, street, '幸福家园社区', 'community');
  const gridA = await addUnit(deps, community, '第一网格', 'grid');
  const gridB = await addUnit(deps, community, '第二网格', 'grid');
  const village = await addUnit(deps, street, '苑寨村', 'village');
  const [admin] = await database.db.select().from(users);
  const fx: Fixture = {
    district,
    street,
    community,
    gridA,
    gridB,
    village,
    users: {
      admin: { id: admin.id, username: 'admin' },
      workerA: await addUser(deps, 'worker-a', [{ role: 'grid_worker', orgUnitId: gridA.id }], '13800138001'),
      workerB: await addUser(deps, 'worker-b', [{ role: 'grid_worker', orgUnitId: gridB.id }], '13800138002'),
      staff: await addUser(deps, 'staff-c', [{ role: 'unit_staff', orgUnitId: community.id }], '13800138003'),
      auditor: await addUser(deps, 'auditor', [{ role: 'auditor', orgUnitId: district.id }]),
      command: await addUser(deps, 'command', [{ role: 'command', orgUnitId: district.id }], '13800138005'),
      sampler: await addUser(deps, 'sampler', [{ role: 'sampler', orgUnitId: community.id }]),
      lab: await addUser(deps, 'lab', [{ role: 'lab', orgUnitId: district.id }]),
    },
    residentA: await addResident(deps, gridA, '张三丰', validId('41160219900307123'), '13900000001'),
    residentB: await addResident(deps, gridB, '李四光', validId('41160219851111224'), '13900000002'),
  };
  const app = await buildApp(deps, { logger: false });
  await app.ready();
  return {
    app,
    deps,
    fx,
    async login(username, password) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: password ?? (username === 'admin' ? ADMIN_PASSWORD : USER_PASSWORD) },
      });
      if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
      return cookieOf(res);
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}

export function cookieOf(res: LightMyRequestResponse): string {
  const setCookie = res.headers['set-cookie'];
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  if (!first) throw new Error('no session cookie');
  return first.split(';')[0];
}
