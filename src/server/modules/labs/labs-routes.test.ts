import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { localDay } from '../../../domain/dates.ts';
import { client, multipartFile } from '../../testing/http.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { addLab, addPeople, createUser, labTime, signedInAs } from '../../testing/testing-fixtures.ts';
import { mintPersonCode } from '../testing/person-code.ts';

let t: TestApp;
let as: Record<'admin' | 'sampler' | 'lab' | 'labB' | 'command', ReturnType<typeof client>>;
let round: { id: string };
let point: { id: string };
let labA: string;
let labB: string;
let tubeSeq = 0;
const newTube = () => `LAB${String(++tubeSeq).padStart(5, '0')}`;

/** A sealed tube of one person of grid A, by its code. */
async function sealedTube(): Promise<string> {
  const [person] = (await addPeople(t, t.fx.gridA, 1)) as [string];
  const tube = newTube();
  const scanned = await as.sampler.post('/api/v1/sampling/scans', {
    clientId: randomUUID(),
    roundId: round.id,
    pointId: point.id,
    personCode: mintPersonCode(t.deps.cipher, person),
    tubeCode: tube,
  });
  assert.equal(scanned.status, 201, JSON.stringify(scanned.body));
  // A single tube (单采单检) seals itself with its one person.
  assert.equal(scanned.body.sealed, true);
  return tube;
}

const handOver = (labId: string, tubeCodes: string[]) =>
  as.sampler.post('/api/v1/sampling/handovers', { roundId: round.id, labId, tubeCodes });

async function importAs(username: string, csv: string, dryRun = false) {
  const { payload, contentType } = multipartFile(Buffer.from(csv), 'results.csv');
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/lab/results/import?dryRun=${dryRun}`,
    payload,
    headers: {
      cookie: await t.login(username, username === 'lab-b' ? 'Lab-pass-2022' : undefined),
      'content-type': contentType,
    },
  });
  return { status: res.statusCode, body: res.json() };
}

before(async () => {
  t = await createTestApp();
  const admin = client(t.app, await t.login('admin'));
  const created = await createUser(t, {
    username: 'lab-b',
    displayName: '第三方实验室检测员',
    password: 'Lab-pass-2022',
    grants: [{ role: 'lab', orgUnitId: t.fx.district.id }],
  });
  as = {
    admin,
    sampler: client(t.app, await t.login('sampler')),
    lab: client(t.app, await t.login('lab')),
    labB: client(t.app, await t.login('lab-b', 'Lab-pass-2022')),
    command: client(t.app, await t.login('command')),
  };
  labA = await addLab(t, '周口市疾控中心实验室', { memberUserIds: [t.fx.users.lab.id] });
  labB = await addLab(t, '港区第三方检测机构', { memberUserIds: [created.body.id] });
  const today = localDay();
  const r = await admin.post('/api/v1/test-rounds', {
    name: '第6轮',
    orgUnitId: t.fx.district.id,
    startsOn: today,
    endsOn: today,
    defaultMode: 'single',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  round = r.body;
  const p = await admin.post(`/api/v1/test-rounds/${round.id}/points`, {
    name: '广场',
    orgUnitId: t.fx.community.id,
  });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  point = p.body;
});
after(() => t.close());

describe('labs as records', () => {
  test('the command centre registers labs; names are unique; a team takes lab accounts only', async () => {
    const again = await as.admin.post('/api/v1/labs', {
      name: '港区第三方检测机构',
      orgUnitId: t.fx.district.id,
    });
    assert.equal(again.status, 409);
    assert.ok(again.body.error.fields.name, JSON.stringify(again.body));
    const sampler = await as.admin.post('/api/v1/labs', {
      name: '采样员不是检测员',
      orgUnitId: t.fx.district.id,
      memberUserIds: [t.fx.users.sampler.id],
    });
    assert.equal(sampler.status, 400);
    assert.match(sampler.body.error.fields.memberUserIds, /权限/);
    const blank = await as.admin.post('/api/v1/labs', { name: '  ', orgUnitId: t.fx.district.id });
    assert.equal(blank.status, 400);
    assert.ok(blank.body.error.fields.name);
    // Those without the testing organiser's permission cannot.
    assert.equal(
      (await as.lab.post('/api/v1/labs', { name: '自封', orgUnitId: t.fx.district.id })).status,
      403,
    );
  });

  test('everyone of testing sees the labs; a lab account sees which one is theirs', async () => {
    const forSampler = await as.sampler.get('/api/v1/labs');
    assert.equal(forSampler.status, 200);
    assert.deepEqual(
      forSampler.body.items.map((l: { name: string }) => l.name).sort(),
      ['周口市疾控中心实验室', '港区第三方检测机构'].sort(),
    );
    assert.ok(
      forSampler.body.items.every(
        (l: { mine: boolean; actions: { manage: boolean } }) => !l.mine && !l.actions.manage,
      ),
    );
    const forLab = await as.lab.get('/api/v1/labs');
    const mine = forLab.body.items.filter((l: { mine: boolean }) => l.mine).map((l: { id: string }) => l.id);
    assert.deepEqual(mine, [labA]);
    const forAdmin = await as.admin.get('/api/v1/labs');
    const a = forAdmin.body.items.find((l: { id: string }) => l.id === labA);
    assert.equal(a.actions.manage, true);
    assert.deepEqual(a.members, [{ id: t.fx.users.lab.id, displayName: '测试lab' }]);
  });

  test('a tube handed to one lab is not another lab’s: it cannot receive it or enter its result', async () => {
    const tube = await sealedTube();
    const sent = await handOver(labB, [tube]);
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    assert.equal(sent.body.labName, '港区第三方检测机构');
    assert.equal(sent.body.labId, labB);

    // Lab A: the tube is unknown to it, by receipt, by file and by hand.
    const receipt = await as.lab.post('/api/v1/lab/receipts', { tubeCodes: [tube] });
    assert.equal(receipt.status, 400, JSON.stringify(receipt.body));
    const file = await importAs('lab', `tubeCode,result,testedAt\n${tube},阳性,${labTime(5)}\n`);
    assert.equal(file.status, 200);
    assert.deepEqual(file.body.unknownTubes, [tube]);
    assert.equal(file.body.applied, 0);
    const typed = await as.lab.post('/api/v1/lab/results', {
      tubeCode: tube,
      result: 'positive',
      testedAt: new Date(Date.now() - 60_000).toISOString(),
    });
    assert.equal(typed.status, 404);
    assert.equal((await as.admin.get(`/api/v1/sampling/tubes/${tube}`)).body.state, 'sent');

    // The batch waits for lab B only, with its tube codes.
    const waitingB = await as.labB.get('/api/v1/lab/handovers');
    assert.equal(waitingB.status, 200);
    const batch = waitingB.body.items.find((h: { id: string }) => h.id === sent.body.id);
    assert.deepEqual(batch?.tubeCodes, [tube]);
    assert.equal(batch?.waiting, 1);
    assert.equal(batch?.labName, '港区第三方检测机构');
    const waitingA = await as.lab.get('/api/v1/lab/handovers');
    assert.ok(!waitingA.body.items.some((h: { id: string }) => h.id === sent.body.id));

    // Lab B: its own.
    const received = await as.labB.post('/api/v1/lab/receipts', { tubeCodes: [tube] });
    assert.equal(received.body.received, 1);
    // Received: no longer waiting.
    const after = await as.labB.get('/api/v1/lab/handovers');
    assert.ok(!after.body.items.some((h: { id: string }) => h.id === sent.body.id));
    const applied = await importAs('lab-b', `tubeCode,result,testedAt\n${tube},阴性,${labTime(5)}\n`);
    assert.equal(applied.body.applied, 1, JSON.stringify(applied.body));
  });

  test('a tube handed to no lab goes to the first lab that receives it', async () => {
    const tube = await sealedTube();
    assert.equal((await as.lab.post('/api/v1/lab/receipts', { tubeCodes: [tube] })).body.received, 1);
    const other = await importAs('lab-b', `tubeCode,result,testedAt\n${tube},阴性,${labTime(5)}\n`);
    assert.deepEqual(other.body.unknownTubes, [tube]);
    const own = await importAs('lab', `tubeCode,result,testedAt\n${tube},阴性,${labTime(5)}\n`);
    assert.equal(own.body.applied, 1, JSON.stringify(own.body));
  });

  test('a tube handed to no lab goes to the lab whose result comes first', async () => {
    const tube = await sealedTube();
    const own = await importAs('lab-b', `tubeCode,result,testedAt\n${tube},阴性,${labTime(5)}\n`);
    assert.equal(own.body.applied, 1, JSON.stringify(own.body));
    // Lab A's later receipt of it finds nothing of its own.
    assert.equal((await as.lab.post('/api/v1/lab/receipts', { tubeCodes: [tube] })).status, 400);
  });

  test('a lab account on no lab’s team works on no tubes: it sees no batch, receives and enters nothing', async () => {
    const labC = await signedInAs(t, {
      username: 'lab-c',
      displayName: '未入队检测员',
      password: 'Lab-pass-2022',
      grants: [{ role: 'lab', orgUnitId: t.fx.district.id }],
    });
    const handed = await sealedTube();
    const sent = await handOver(labA, [handed]);
    const loose = await sealedTube();
    assert.deepEqual((await labC.get('/api/v1/lab/handovers')).body.items, []);
    assert.equal((await labC.post('/api/v1/lab/receipts', { tubeCodes: [handed, loose] })).status, 400);
    const typed = await labC.post('/api/v1/lab/results', {
      tubeCode: loose,
      result: 'positive',
      testedAt: new Date(Date.now() - 60_000).toISOString(),
    });
    assert.equal(typed.status, 404);
    // The lab's own team still has the batch.
    const waiting = await as.lab.get('/api/v1/lab/handovers');
    assert.ok(waiting.body.items.some((h: { id: string }) => h.id === sent.body.id));
  });

  test('an organiser of testing on no lab’s team (the command centre) stands in for any lab', async () => {
    const tube = await sealedTube();
    assert.equal((await handOver(labA, [tube])).status, 201);
    const typed = await as.admin.post('/api/v1/lab/results', {
      tubeCode: tube,
      result: 'negative',
      testedAt: new Date(Date.now() - 60_000).toISOString(),
    });
    assert.equal(typed.status, 200, JSON.stringify(typed.body));
    assert.equal(typed.body.applied, 1);
  });

  test('a stopped lab takes no hand-over; a lab serving another area takes none of its tubes', async () => {
    const stopped = await addLab(t, '已停用实验室');
    const patch = await as.admin.patch(`/api/v1/labs/${stopped}`, { active: false });
    assert.equal(patch.status, 200);
    assert.equal(patch.body.active, false);
    const tube = await sealedTube();
    const refused = await handOver(stopped, [tube]);
    assert.equal(refused.status, 400);
    assert.match(refused.body.error.fields.labId, /停用/);
    // A lab serving one grid, inside the sampler's community, does not take the community point's tubes.
    const gridLab = await addLab(t, '第二网格检测点', { orgUnitId: t.fx.gridB.id });
    const elsewhere = await handOver(gridLab, [tube]);
    assert.equal(elsewhere.status, 400);
    assert.match(elsewhere.body.error.fields.labId, /不承接/);
    // One serving a village outside the sampler's area is not theirs to see.
    const villageLab = await addLab(t, '苑寨村卫生室', { orgUnitId: t.fx.village.id });
    assert.match((await handOver(villageLab, [tube])).body.error.fields.labId, /不存在/);
    const unknown = await handOver(randomUUID(), [tube]);
    assert.equal(unknown.status, 400);
    assert.ok(unknown.body.error.fields.labId);
    // Nothing was half-written: the tube is still sealed, to be handed to a lab that takes it.
    assert.equal((await as.admin.get(`/api/v1/sampling/tubes/${tube}`)).body.state, 'sealed');
    assert.equal((await handOver(labA, [tube])).status, 201);
  });

  test('renaming a lab keeps the name its earlier hand-overs were written with; the team can change', async () => {
    const lab = await addLab(t, '旧名实验室', { memberUserIds: [t.fx.users.lab.id] });
    const tube = await sealedTube();
    const sent = await handOver(lab, [tube]);
    assert.equal(sent.body.labName, '旧名实验室');
    // A team given with the change is checked in the write's own transaction (the embedded
    // database has one connection: checked beside it, the request waited for itself forever).
    const withTeam = await as.admin.patch(`/api/v1/labs/${lab}`, {
      name: '新名实验室',
      memberUserIds: [t.fx.users.lab.id],
    });
    assert.equal(withTeam.status, 200, JSON.stringify(withTeam.body));
    assert.deepEqual(
      withTeam.body.members.map((m: { id: string }) => m.id),
      [t.fx.users.lab.id],
    );
    const renamed = await as.admin.patch(`/api/v1/labs/${lab}`, { name: '新名实验室', memberUserIds: [] });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.name, '新名实验室');
    assert.deepEqual(renamed.body.members, []);
    const clash = await as.admin.patch(`/api/v1/labs/${lab}`, { name: '周口市疾控中心实验室' });
    assert.equal(clash.status, 409);
    // The lab account left its team: still on lab A's, the tube of the renamed lab is not theirs.
    const file = await importAs('lab', `tubeCode,result,testedAt\n${tube},阴性,${labTime(5)}\n`, true);
    assert.deepEqual(file.body.unknownTubes, [tube]);
  });
});
