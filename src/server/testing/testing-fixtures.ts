/** Helpers of the testing module's HTTP tests: residents straight into the registry, lab files. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { districtWallClock, localDay } from '../../domain/dates.ts';
import type { ResidenceStatus } from '../../domain/residents.ts';
import { arrayParam } from '../db/rows.ts';
import { insertHouseholds, insertPersons } from '../modules/residents/resident-repository.ts';
import { buildPersonRow } from '../modules/residents/resident-rules.ts';
import { mintPersonCode } from '../modules/testing/person-code.ts';
import { newId } from '../platform/ids.ts';
import { client, multipartFile } from './http.ts';
import { type TestApp, validId } from './test-app.ts';

/**
 * A lab's result time on the district's clocks, minutes ago: always in the past, whatever the hour
 * the tests run (a fixed "today 10:00" is in the future until 10:00 in 周口).
 */
export const labTime = (minutesAgo: number) => districtWallClock(new Date(Date.now() - minutesAgo * 60_000));

let personSeq = 0;
/**
 * Residents straight into the registry (fast): n people in one grid, each in a household of
 * their own unless one is given. Names, ID numbers and phones follow one sequence per process.
 */
/** Makes people a year old (born last year): 婴幼儿 exempts the youngest only. */
export async function makeInfants(t: TestApp, personIds: string[]) {
  await t.deps.database.db.execute(
    sql`update persons set birth_year = ${new Date().getUTCFullYear() - 1} where id = any(${arrayParam(personIds, 'uuid')})`,
  );
}

export async function addPeople(
  t: TestApp,
  grid: { id: string; path: string },
  n: number,
  residenceStatus: ResidenceStatus = 'at_home',
  householdId?: string,
): Promise<string[]> {
  const rows = [];
  const homes = [];
  for (let i = 0; i < n; i++) {
    personSeq += 1;
    const birth = new Date(Date.UTC(1960, 0, 1) + personSeq * 86_400_000)
      .toISOString()
      .slice(0, 10)
      .replace(/-/g, '');
    const hh = householdId ?? newId();
    if (!householdId)
      homes.push({
        id: hh,
        orgUnitId: grid.id,
        orgPath: grid.path,
        address: `测试路${personSeq}号`,
        districtCode: '411600',
      });
    const built = buildPersonRow(
      t.deps.cipher,
      {
        name: `测试${personSeq}`,
        idNumber: validId(`411602${birth}${String(personSeq % 1000).padStart(3, '0')}`),
        phone: `139${String(10_000_000 + personSeq).slice(-8)}`,
        address: `测试路${personSeq}号`,
        residenceStatus,
      },
      { orgUnitId: grid.id, orgPath: grid.path, districtCode: '411600', householdId: hh },
    );
    if (!built.ok) throw new Error(built.reason.en);
    rows.push(built.row);
  }
  if (homes.length) await insertHouseholds(t.deps.database.db, homes);
  await insertPersons(t.deps.database.db, rows);
  return rows.map((r) => r.id as string);
}

/** A lab's result file posted as the lab user (multipart `file`). */
export async function importLabResults(
  t: TestApp,
  file: string | Buffer,
  dryRun: boolean,
  filename = 'results.csv',
  language?: 'en',
) {
  const { payload, contentType } = multipartFile(Buffer.isBuffer(file) ? file : Buffer.from(file), filename);
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/lab/results/import?dryRun=${dryRun}`,
    payload,
    headers: {
      cookie: await t.login('lab'),
      'content-type': contentType,
      ...(language ? { 'accept-language': language } : {}),
    },
  });
  return { status: res.statusCode, body: res.json() };
}

/** A lab (检测机构) registered by the admin, serving `orgUnitId` (the district by default). */
export async function addLab(
  t: TestApp,
  name: string,
  options: { memberUserIds?: string[]; orgUnitId?: string } = {},
): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/labs',
    payload: {
      name,
      orgUnitId: options.orgUnitId ?? t.fx.district.id,
      memberUserIds: options.memberUserIds ?? [],
    },
    headers: { cookie: await t.login('admin') },
  });
  if (res.statusCode !== 201) throw new Error(`lab ${name}: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

/** The fixture's lab account on a lab's team (a lab account on no team works on no tubes). */
export const labWithTeam = (t: TestApp) =>
  addLab(t, '测试区检测实验室', { memberUserIds: [t.fx.users.lab.id] });

/** One admin session per test app for creating users (a login per user would be counted). */
const adminCookies = new WeakMap<TestApp, string>();

/** A user created through the API by the admin, as an administrator would: must answer 201. */
export async function createUser(
  t: TestApp,
  user: {
    username: string;
    displayName: string;
    password: string;
    grants: { role: string; orgUnitId: string }[];
  },
) {
  let cookie = adminCookies.get(t);
  if (!cookie) {
    cookie = await t.login('admin');
    adminCookies.set(t, cookie);
  }
  const res = await client(t.app, cookie).post('/api/v1/users', user);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res;
}

/** A user created as `createUser` does, then signed in: their client. */
export async function signedInAs(t: TestApp, user: Parameters<typeof createUser>[1]) {
  await createUser(t, user);
  return client(t.app, await t.login(user.username, user.password));
}

let roundSeq = 0;

/**
 * A round over the district (today, 10混1 unless told) with one point, 幸福家园广场, in the
 * community and the fixture's sampler on its team, set up by the admin: each must answer 201.
 */
export async function roundWithPoint(
  t: TestApp,
  admin: ReturnType<typeof client>,
  /**
   * `orgUnitId`: the round over that unit and its point there (the district's, at the community,
   * unless given); `samplerUserIds`: the point's team (the fixture's sampler unless given).
   */
  options: {
    defaultMode?: string;
    startsOn?: string;
    endsOn?: string;
    orgUnitId?: string;
    samplerUserIds?: string[];
  } = {},
) {
  const round = await admin.post('/api/v1/test-rounds', {
    name: `第${++roundSeq}轮`,
    orgUnitId: options.orgUnitId ?? t.fx.district.id,
    defaultMode: options.defaultMode ?? 'mix10',
    startsOn: options.startsOn ?? localDay(),
    endsOn: options.endsOn ?? localDay(),
  });
  assert.equal(round.status, 201, JSON.stringify(round.body));
  const point = await admin.post(`/api/v1/test-rounds/${round.body.id}/points`, {
    name: '幸福家园广场',
    orgUnitId: options.orgUnitId ?? t.fx.community.id,
    samplerUserIds: options.samplerUserIds ?? [t.fx.users.sampler.id],
  });
  assert.equal(point.status, 201, JSON.stringify(point.body));
  return { roundId: round.body.id as string, pointId: point.body.id as string };
}

/** A person scanned at a round's point into a tube, as a sampler's phone sends it. */
export function scanAt(
  t: TestApp,
  sampler: ReturnType<typeof client>,
  at: { roundId: string; pointId: string },
  personId: string,
  tubeCode: string,
  extra: Record<string, unknown> = {},
) {
  return sampler.post('/api/v1/sampling/scans', {
    clientId: randomUUID(),
    roundId: at.roundId,
    pointId: at.pointId,
    personCode: mintPersonCode(t.deps.cipher, personId),
    tubeCode,
    ...extra,
  });
}

/**
 * A person of a grid (grid A unless given) scanned at a new round's point into a tube of their
 * own, which is sealed: ready for the lab. The person is registered first unless one is given.
 */
export async function sealedTube(
  t: TestApp,
  as: { admin: ReturnType<typeof client>; sampler: ReturnType<typeof client> },
  tubeCode: string,
  options: { personId?: string; grid?: { id: string; path: string } } = {},
) {
  const at = await roundWithPoint(t, as.admin);
  const personId = options.personId ?? ((await addPeople(t, options.grid ?? t.fx.gridA, 1))[0] as string);
  const scanned = await scanAt(t, as.sampler, at, personId, tubeCode);
  assert.equal(scanned.status, 201, JSON.stringify(scanned.body));
  const sealed = await as.sampler.post(`/api/v1/sampling/tubes/${tubeCode}/seal`, {});
  assert.equal(sealed.status, 200, JSON.stringify(sealed.body));
  return { ...at, personId };
}

/** A result typed in by the lab for a tube, minutes ago (it must answer 200). */
export async function enterResult(
  lab: ReturnType<typeof client>,
  tubeCode: string,
  result: 'negative' | 'positive' | 'invalid',
  minutesAgo = 1,
) {
  const res = await lab.post('/api/v1/lab/results', {
    tubeCode,
    result,
    testedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

export type Session = ReturnType<typeof client>;

/**
 * A signed-in client for each fixture user asked for, by the name the test calls them:
 * `signedIn(t, { admin: 'admin', workerA: 'worker-a' })` → `as.workerA.get(…)`.
 */
export async function signedIn<K extends string>(
  t: TestApp,
  users: Record<K, string>,
): Promise<Record<K, Session>> {
  const sessions = {} as Record<K, Session>;
  for (const [name, username] of Object.entries(users) as [K, string][])
    sessions[name] = client(t.app, await t.login(username));
  return sessions;
}

/**
 * A door-to-door team of a round over a unit (with its members when given), set up by whoever is
 * asked to (an organiser): it must answer 201. Its answer: `{id, households}`.
 */
export async function newSweep(
  organiser: Session,
  roundId: string,
  team: { name: string; orgUnitId: string; samplerUserIds?: string[] },
): Promise<{ id: string; households: number }> {
  const sweep = await organiser.post(`/api/v1/test-rounds/${roundId}/sweeps`, team);
  assert.equal(sweep.status, 201, JSON.stringify(sweep.body));
  return sweep.body;
}

/**
 * A round, or a door-to-door team, as if set up a day ago (or `hours`): what a phone did at a
 * door since may carry that time, and one done before it was set up is refused.
 */
export async function setUpHoursAgo(t: TestApp, what: { roundId?: string; sweepId?: string }, hours = 24) {
  const at = new Date(Date.now() - hours * 3600_000).toISOString();
  if (what.roundId)
    await t.deps.database.db.execute(
      sql`update test_rounds set created_at = ${at} where id = ${what.roundId}`,
    );
  if (what.sweepId)
    await t.deps.database.db.execute(sql`update sweeps set created_at = ${at} where id = ${what.sweepId}`);
}
