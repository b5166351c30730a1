import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { and, eq, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { localDay } from '../../../domain/dates.ts';
import type { ResidenceStatus } from '../../../domain/residents.ts';
import { addDays, CROCKFORD_ALPHABET } from '../../../domain/testing.ts';
import { arrayParam, queryRows } from '../../db/rows.ts';
import { auditEvents, tubeMembers, tubes, workItems } from '../../db/schema.ts';
import { client, multipartFile } from '../../testing/http.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import {
  addLab,
  addPeople as addPeopleTo,
  importLabResults,
  labTime,
  labWithTeam,
} from '../../testing/testing-fixtures.ts';
import { mintLegacyPersonCode, mintPersonCode } from './person-code.ts';
import { releasePoolMembershipForRecheck } from './testing-repository.ts';

let t: TestApp;
let as: Record<'admin' | 'sampler' | 'lab' | 'workerA' | 'command', ReturnType<typeof client>>;
let round: { id: string };
let point: { id: string };
const today = localDay();
const addPeople = (grid: { id: string; path: string }, n: number, residenceStatus?: ResidenceStatus) =>
  addPeopleTo(t, grid, n, residenceStatus);
const code = (personId: string) => mintPersonCode(t.deps.cipher, personId);
let tubeSeq = 0;
const newTube = () => `R${String(++tubeSeq).padStart(6, '0')}`;
/** A person code, as scanned or typed, sent by the sampler's phone. */
const scanCode = (personCode: string, tubeCode: string, r = round, p = point) =>
  as.sampler.post('/api/v1/sampling/scans', {
    clientId: randomUUID(),
    roundId: r.id,
    pointId: p.id,
    personCode,
    tubeCode,
  });
const scan = (personId: string, tubeCode: string, r = round, p = point) =>
  scanCode(code(personId), tubeCode, r, p);
// The lab's file, named r.csv as the lab's system would; the lab user posts it.
const importResults = (csv: string | Buffer, dryRun: boolean) => importLabResults(t, csv, dryRun, 'r.csv');
const db = () => t.deps.database.db;
async function sealedTube(n: number, r = round, p = point) {
  const members = await addPeople(t.fx.gridA, n);
  const tube = newTube();
  for (const person of members) assert.equal((await scan(person, tube, r, p)).status, 201);
  assert.equal((await as.sampler.post(`/api/v1/sampling/tubes/${tube}/seal`, {})).status, 200);
  return { tube, members };
}

before(async () => {
  t = await createTestApp();
  await labWithTeam(t);
  as = {
    admin: client(t.app, await t.login('admin')),
    sampler: client(t.app, await t.login('sampler')),
    lab: client(t.app, await t.login('lab')),
    workerA: client(t.app, await t.login('worker-a')),
    command: client(t.app, await t.login('command')),
  };
  round = (
    await as.admin.post('/api/v1/test-rounds', {
      name: '复核轮',
      orgUnitId: t.fx.district.id,
      startsOn: today,
      endsOn: today,
      defaultMode: 'mix10',
    })
  ).body;
  point = (
    await as.admin.post(`/api/v1/test-rounds/${round.id}/points`, {
      name: '复核点',
      orgUnitId: t.fx.community.id,
      samplerUserIds: [t.fx.users.sampler.id],
    })
  ).body;
});
after(() => t.close());

describe('lab results, person codes and key groups: found in review', () => {
  test('a GBK-encoded CSV saved by Excel (zh-CN Windows) is read', async () => {
    const { tube } = await sealedTube(1);
    const csv = `管号,检测结果,检测时间\r\n${tube},阴性,${labTime(0)}\r\n`;
    // Node has no GBK encoder: the GBK bytes of the ten characters used.
    const table: Record<string, number[]> = {
      管: [0xb9, 0xdc],
      号: [0xba, 0xc5],
      检: [0xbc, 0xec],
      测: [0xb2, 0xe2],
      结: [0xbd, 0xe1],
      果: [0xb9, 0xfb],
      时: [0xca, 0xb1],
      间: [0xbc, 0xe4],
      阴: [0xd2, 0xf5],
      性: [0xd0, 0xd4],
    };
    const bytes: number[] = [];
    for (const ch of csv) bytes.push(...(table[ch] ?? [ch.charCodeAt(0)]));
    const file = Buffer.from(bytes);
    assert.equal(new TextDecoder('gbk').decode(file), csv, 'the test file is GBK');
    const res = await importResults(file, true);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.applied, 1);
  });

  test('a result time before the tube was sealed (a wrong year) is refused, not applied', async () => {
    const { tube } = await sealedTube(1);
    const res = await importResults(`tubeCode,result,testedAt\n${tube},阴性,2021-04-10 10:00\n`, false);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [row] = await db().select().from(tubes).where(eq(tubes.code, tube));
    assert.equal(
      res.body.applied,
      0,
      `applied; tube sealed ${row?.sealedAt?.toISOString()} tested ${row?.testedAt?.toISOString()}`,
    );
    assert.ok(res.body.errors.some((e: { column: string }) => e.column === 'testedAt'));
  });

  test('manual entry with testedAt before seal is refused', async () => {
    const { tube } = await sealedTube(1);
    const res = await as.lab.post('/api/v1/lab/results', {
      tubeCode: tube,
      result: 'negative',
      testedAt: '2021-04-10T10:00:00+08:00',
    });
    assert.equal(res.status, 400, JSON.stringify(res.body));
  });

  test('people of a tube found invalid (无效) are due again: missing, scannable, a resample item each', async () => {
    const coverage = async () =>
      (await as.command.get(`/api/v1/test-rounds/${round.id}/coverage?orgUnitId=${t.fx.gridA.id}`)).body;
    const { tube, members } = await sealedTube(2);
    const before = await coverage();
    const preview = await importResults(`tubeCode,result,testedAt\n${tube},无效,${labTime(5)}\n`, true);
    assert.equal(preview.body.invalids, 1, 'the dry run says an invalid tube is in the file');
    const res = await importResults(`tubeCode,result,testedAt\n${tube},无效,${labTime(5)}\n`, false);
    assert.equal(res.body.applied, 1, JSON.stringify(res.body));
    assert.equal(res.body.invalids, 1);
    const after = await coverage();
    assert.equal(after.sampled, before.sampled - 2, 'they leave the sampled count');
    assert.equal(after.missing, before.missing + 2);
    const items = (await db().select().from(workItems)).filter(
      (w) => members.includes(w.subjectId as string) && w.type === 'resample',
    );
    assert.equal(items.length, 2, 'a resample work item per member');
    assert.ok(items.every((w) => w.title.includes(tube)));
    const missing = await as.command.get(
      `/api/v1/test-rounds/${round.id}/missing?orgUnitId=${t.fx.gridA.id}&pageSize=200`,
    );
    const missingIds = missing.body.items.map((m: { id: string }) => m.id);
    assert.deepEqual(
      members.filter((m) => missingIds.includes(m)),
      members,
    );
    // Said on the list (and its printout), so the door-knocker is not told "I was swabbed already"
    // unprepared; nobody else on it is marked.
    const resample = (missing.body.items as { id: string; resample: boolean }[]).filter((m) => m.resample);
    assert.deepEqual(resample.map((m) => m.id).sort(), [...members].sort());
    const book = await t.app.inject({
      method: 'GET',
      url: `/api/v1/test-rounds/${round.id}/missing.xlsx?orgUnitId=${t.fx.gridA.id}`,
      headers: { cookie: await t.login('command') },
    });
    assert.equal(book.statusCode, 200, book.body.slice(0, 200));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(book.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('未检名单');
    const marked: string[] = [];
    sheet?.eachRow((row) => {
      if (String(row.getCell(6).value ?? '').includes('需重采')) marked.push(String(row.getCell(2).value));
    });
    assert.equal(marked.length, members.length, `marked in the workbook: ${marked.join('、')}`);
    const again = await scan(members[0] as string, newTube());
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.equal((await coverage()).sampled, before.sampled - 1);
    // Someone released from a positive pool for a recheck (and, the process dying, never scanned
    // again) is missing too, but not for an invalid tube: not marked so.
    const positive = await sealedTube(2);
    await importResults(`tubeCode,result,testedAt\n${positive.tube},阳性,${labTime(5)}\n`, false);
    const recalled = positive.members[0] as string;
    await releasePoolMembershipForRecheck(t.deps.database.db, round.id, recalled);
    const listed = (
      await as.command.get(`/api/v1/test-rounds/${round.id}/missing?orgUnitId=${t.fx.gridA.id}&pageSize=200`)
    ).body.items.find((m: { id: string }) => m.id === recalled);
    assert.equal(listed?.resample, false, JSON.stringify(listed));
    const [kept] = await db().select().from(tubes).where(eq(tubes.code, tube));
    assert.equal(kept?.memberCount, 2, 'the invalid tube still says how many were in it');
  });

  test('the audit of a result names the import, the tube and the result, under the tube’s unit', async () => {
    const { tube } = await sealedTube(1);
    const res = await as.lab.post('/api/v1/lab/results', {
      tubeCode: tube,
      result: 'positive',
      testedAt: new Date().toISOString(),
      ct: '28.4',
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const [row] = await db().select().from(tubes).where(eq(tubes.code, tube));
    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.action, 'lab-results.import'),
          eq(auditEvents.entityId, row?.resultImportId as string),
        ),
      );
    assert.ok(event, 'the event names the import record');
    assert.equal(event.orgPath, row?.orgPath);
    const changes = JSON.stringify(event.changes);
    for (const part of [tube, 'positive', '28.4']) assert.ok(changes.includes(part), `${part} in ${changes}`);
  });

  test('a code of a record merged into one later merged again reaches the live person, not a retired record', async () => {
    const [a, b, c] = (await addPeople(t.fx.gridA, 3)) as [string, string, string];
    assert.equal(
      (await as.admin.post(`/api/v1/residents/${b}/merge`, { duplicateId: a, confirmDifferences: true }))
        .status,
      200,
    );
    assert.equal(
      (await as.admin.post(`/api/v1/residents/${c}/merge`, { duplicateId: b, confirmDifferences: true }))
        .status,
      200,
    );
    const res = await scan(a, newTube());
    const [m] = await db()
      .select()
      .from(tubeMembers)
      .where(sql`${tubeMembers.personId} = any(${arrayParam([a, b, c], 'uuid')})`);
    assert.equal(
      m?.personId,
      c,
      `scan ${res.status}; membership on ${m?.personId === b ? 'retired record b' : m?.personId}`,
    );
  });

  test('joining a key group today after a test 10 days ago: due today, not overdue', async () => {
    const [p] = (await addPeople(t.fx.gridA, 1)) as [string];
    const tube = newTube();
    assert.equal((await scan(p, tube)).status, 201);
    await db().execute(
      sql`update tube_members set scanned_at = now() - interval '10 days' where person_id = ${p}`,
    );
    assert.equal((await as.workerA.patch(`/api/v1/residents/${p}`, { keyGroups: ['medical'] })).status, 200);
    const due = await as.workerA.get('/api/v1/key-group-testing/due');
    const item = due.body.items.find((i: { personId: string }) => i.personId === p);
    assert.equal(item.overdue, false, JSON.stringify(item));
  });

  test('a grid worker’s day summary counts their grid’s people sampled (as their coverage does)', async () => {
    const cov = await as.workerA.get(`/api/v1/test-rounds/${round.id}/coverage`);
    const sum = await as.workerA.get(`/api/v1/test-rounds/${round.id}/summary`);
    assert.equal(sum.status, 200, JSON.stringify(sum.body));
    const sampled = sum.body.days.reduce((n: number, d: { sampled: number }) => n + d.sampled, 0);
    assert.ok(cov.body.sampled > 0);
    // The summary counts swabs taken (those of invalid tubes too); coverage, the valid ones.
    const [released] = await queryRows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from released_tube_members r join persons p on p.id = r.person_id
          where r.round_id = ${round.id} and p.org_path like ${`${t.fx.gridA.path}%`}`,
    );
    assert.equal(
      sampled,
      cov.body.sampled + (released?.n ?? 0),
      `summary ${JSON.stringify(sum.body)} vs coverage sampled ${cov.body.sampled}`,
    );
  });

  test('a deceased person’s code is not sampled', async () => {
    const [p] = (await addPeople(t.fx.gridA, 1, 'deceased')) as [string];
    const res = await scan(p, newTube());
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'PERSON_DECEASED');
  });

  test('a Ct that is not a number of cycles is refused with a row error; a decimal comma is read', async () => {
    const bad = await sealedTube(1);
    const good = await sealedTube(1);
    const res = await importResults(
      `tubeCode,result,testedAt,ct\n${bad.tube},阴性,${labTime(5)},abc\n${good.tube},阳性,${labTime(5)},"32,5"\n`,
      false,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.errors.map((e: { row: number; column: string }) => [e.row, e.column]),
      [[2, 'ct']],
    );
    assert.equal(res.body.applied, 1);
    const [refused] = await db().select().from(tubes).where(eq(tubes.code, bad.tube));
    assert.equal(refused?.result, null, 'the row with the bad Ct is not applied');
    const [read] = await db().select().from(tubes).where(eq(tubes.code, good.tube));
    assert.equal(read?.ct, '32.5');
    const typed = await as.lab.post('/api/v1/lab/results', {
      tubeCode: bad.tube,
      result: 'negative',
      testedAt: new Date().toISOString(),
      ct: '99',
    });
    assert.equal(typed.status, 400, JSON.stringify(typed.body));
    assert.ok(typed.body.error.fields.ct, JSON.stringify(typed.body));
  });

  test('a tube code typed in full-width characters or with spaces is the same tube', async () => {
    const [p, q] = (await addPeople(t.fx.gridA, 2)) as [string, string];
    assert.equal((await scan(p, 'FW000777')).status, 201);
    const res = await scan(q, 'ＦＷ０００ ７７７');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.tubeCode, 'FW000777');
    assert.equal(res.body.memberCount, 2);
  });

  test('a hand-over retried after a lost answer answers as the first time (client id)', async () => {
    const { tube } = await sealedTube(1);
    const body = {
      clientId: randomUUID(),
      roundId: round.id,
      labId: await addLab(t, '周口市疾控中心实验室'),
      tubeCodes: [tube],
    };
    const first = await as.sampler.post('/api/v1/sampling/handovers', body);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const retry = await as.sampler.post('/api/v1/sampling/handovers', body);
    assert.equal(retry.status, 201, JSON.stringify(retry.body));
    assert.deepEqual(retry.body, first.body);
  });

  test('an xlsx whose tube codes are numbers shown with leading zeros (format 0000000000) finds the tubes', async () => {
    const [p] = (await addPeople(t.fx.gridA, 1)) as [string];
    assert.equal((await scan(p, '0012345678')).status, 201);
    assert.equal((await as.sampler.post('/api/v1/sampling/tubes/0012345678/seal', {})).status, 200);
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('结果');
    sheet.addRow(['管号', '结果', '检测时间']);
    sheet.addRow([12345678, '阴性', labTime(0)]);
    sheet.getCell('A2').numFmt = '0000000000';
    const { payload, contentType } = multipartFile(Buffer.from(await wb.xlsx.writeBuffer()), 'r.xlsx');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/lab/results/import?dryRun=true',
      payload,
      headers: { cookie: await t.login('lab'), 'content-type': contentType },
    });
    assert.equal(res.json().applied, 1, res.body);
  });

  test('an invalid result after the round ended leaves its figures; nobody is sent to sample again', async () => {
    const yesterday = addDays(today, -1);
    const old = (
      await as.admin.post('/api/v1/test-rounds', {
        name: '已结束轮',
        orgUnitId: t.fx.district.id,
        startsOn: today,
        endsOn: today,
        defaultMode: 'mix10',
      })
    ).body;
    const oldPoint = (
      await as.admin.post(`/api/v1/test-rounds/${old.id}/points`, {
        name: '已结束点',
        orgUnitId: t.fx.community.id,
        samplerUserIds: [t.fx.users.sampler.id],
      })
    ).body;
    const { tube, members } = await sealedTube(2, old, oldPoint);
    await db().execute(
      sql`update test_rounds set starts_on = ${yesterday}, ends_on = ${yesterday} where id = ${old.id}`,
    );
    await db().execute(
      sql`update tube_members set scanned_at = now() - interval '1 day' where round_id = ${old.id}`,
    );
    await db().execute(
      sql`update persons set created_at = now() - interval '3 days' where id = any(${arrayParam(members, 'uuid')})`,
    );
    const coverage = async () =>
      (await as.command.get(`/api/v1/test-rounds/${old.id}/coverage?orgUnitId=${t.fx.gridA.id}`)).body;
    const before = await coverage();
    const res = await importResults(`tubeCode,result,testedAt\n${tube},无效,${labTime(1)}\n`, false);
    assert.equal(res.body.applied, 1, JSON.stringify(res.body));
    assert.equal((await coverage()).sampled, before.sampled);
    const items = (await db().select().from(workItems)).filter(
      (w) => members.includes(w.subjectId as string) && w.type === 'resample',
    );
    assert.equal(items.length, 0);
  });

  test('an invalid tube still lists who was in it, and the day summary still counts it', async () => {
    const summary = async () =>
      (await as.command.get(`/api/v1/test-rounds/${round.id}/summary`)).body.days as {
        tubes: number;
        resultsIn: number;
        sampled: number;
      }[];
    const total = (
      days: { tubes: number; resultsIn: number; sampled: number }[],
      k: 'tubes' | 'resultsIn' | 'sampled',
    ) => days.reduce((n, d) => n + d[k], 0);
    const { tube } = await sealedTube(2);
    const before = await summary();
    assert.equal(
      (await importResults(`tubeCode,result,testedAt\n${tube},无效,${labTime(1)}\n`, false)).body.applied,
      1,
    );
    const view = await as.command.get(`/api/v1/sampling/tubes/${tube}`);
    assert.equal(view.body.memberCount, 2);
    assert.equal(view.body.members.length, 2, JSON.stringify(view.body.members));
    const after = await summary();
    assert.equal(total(after, 'resultsIn'), total(before, 'resultsIn') + 1);
    assert.equal(total(after, 'tubes'), total(before, 'tubes'));
    assert.equal(total(after, 'sampled'), total(before, 'sampled'));
  });

  test('a result dated by day only is taken for tubes sampled that day', async () => {
    const { tube } = await sealedTube(1);
    const res = await importResults(`tubeCode,result,testedAt\n${tube},阴性,${today}\n`, true);
    assert.equal(res.body.applied, 1, JSON.stringify(res.body.errors));
    const early = await importResults(`tubeCode,result,testedAt\n${tube},阴性,${addDays(today, -1)}\n`, true);
    assert.equal(early.body.applied, 0, 'the day before the sample is still refused');
  });

  test('Ct 0.00 is no amplification and many decimals are rounded', async () => {
    const zero = await sealedTube(1);
    const precise = await sealedTube(1);
    const res = await importResults(
      `tubeCode,result,testedAt,ct\n${zero.tube},阴性,${labTime(1)},0.00\n${precise.tube},阳性,${labTime(1)},36.5234\n`,
      false,
    );
    assert.equal(res.body.applied, 2, JSON.stringify(res.body.errors));
    const ct = async (code: string) => (await db().select().from(tubes).where(eq(tubes.code, code)))[0]?.ct;
    assert.equal(await ct(zero.tube), null);
    assert.equal(await ct(precise.tube), '36.52');
  });

  test('a resample item is done once the person sampled again has a result', async () => {
    const { tube, members } = await sealedTube(1);
    await importResults(`tubeCode,result,testedAt\n${tube},无效,${labTime(1)}\n`, false);
    const again = newTube();
    assert.equal((await scan(members[0] as string, again)).status, 201);
    assert.equal((await as.sampler.post(`/api/v1/sampling/tubes/${again}/seal`, {})).status, 200);
    assert.equal(
      (await importResults(`tubeCode,result,testedAt\n${again},阴性,${labTime(0)}\n`, false)).body.applied,
      1,
    );
    const [item] = (await db().select().from(workItems)).filter(
      (w) => w.subjectId === members[0] && w.type === 'resample',
    );
    assert.equal(item?.state, 'done');
  });

  test('a Ct refused in English is explained in English', async () => {
    const { tube } = await sealedTube(1);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/lab/results',
      payload: { tubeCode: tube, result: 'negative', testedAt: new Date().toISOString(), ct: '99' },
      headers: { cookie: await t.login('lab'), 'accept-language': 'en' },
    });
    assert.equal(res.statusCode, 400);
    assert.doesNotMatch(res.json().error.fields.ct, /[\u4e00-\u9fff]/);
  });

  test('a renewed person code: the new one scans, the old one is refused naming personCode', async () => {
    const [p, q] = (await addPeople(t.fx.gridA, 2)) as [string, string];
    const old = (await as.workerA.get(`/api/v1/residents/${p}/person-code`)).body.code;
    assert.equal(old, code(p), 'version 0: the code printed before');
    const renewed = await as.workerA.post(`/api/v1/residents/${p}/person-code/renew`, {});
    assert.equal(renewed.status, 200, JSON.stringify(renewed.body));
    assert.notEqual(renewed.body.code, old);
    // The renewed code carries its version (two bytes more).
    assert.match(renewed.body.code, /^GW2[0-9A-HJKMNP-TV-Z]{42}$/);
    assert.equal((await as.workerA.get(`/api/v1/residents/${p}/person-code`)).body.code, renewed.body.code);
    // Each showing is audited, by whom and of whom, never with the code itself (it stands for them).
    const shown = await t.deps.database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'resident.person-code.show'), eq(auditEvents.entityId, p)));
    assert.equal(shown.length, 2);
    assert.equal(shown[0]?.actorId, t.fx.users.workerA.id);
    assert.ok(!JSON.stringify(shown).includes(old) && !JSON.stringify(shown).includes(renewed.body.code));
    const tube = newTube();
    const scanWith = (personCode: string) => scanCode(personCode, tube);
    // The old code is refused, and so is the person's code as printed before GW2 (version 0 too).
    for (const stale of [old, mintLegacyPersonCode(t.deps.cipher, p)]) {
      const refused = await scanWith(stale);
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.ok(refused.body.error.fields.personCode);
    }
    assert.equal((await scanWith(renewed.body.code)).status, 201);
    // Out of scope: 404; a sampler may not renew.
    assert.equal((await as.sampler.post(`/api/v1/residents/${q}/person-code/renew`, {})).status, 403);
  });
});

describe('codes and files, from probing the API with bad input', () => {
  test('a tube code typed in small letters is the same tube (caps lock off opened a second one)', async () => {
    const [a, b] = await addPeople(t.fx.gridA, 2);
    const tube = newTube();
    assert.equal((await scan(a as string, tube)).status, 201);
    const lower = await scan(b as string, tube.toLowerCase());
    assert.equal(lower.status, 201, JSON.stringify(lower.body));
    assert.equal(lower.body.tubeCode, tube);
    assert.equal(lower.body.memberCount, 2);
    const found = await as.sampler.get(`/api/v1/sampling/tubes/${tube.toLowerCase()}`);
    assert.equal(found.body.tubeCode, tube);
  });

  test('a tube code’s own message names what a code is; an optional body may be left out', async () => {
    const [person] = await addPeople(t.fx.gridA, 1);
    const bad = await scan(person as string, 'AB');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.fields.tubeCode, /管号应为 4–40 位字母、数字或短横线/);
    const tube = newTube();
    assert.equal((await scan(person as string, tube)).status, 201);
    const bare = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sampling/tubes/${tube}/seal`,
      headers: { cookie: await t.login('sampler') },
    });
    assert.equal(bare.statusCode, 200, bare.body);
    assert.equal(bare.json().sealed, true);
  });

  test('one text per person code: another spelling of its last character is refused', async () => {
    const [person] = await addPeople(t.fx.gridA, 1);
    // GW1 (printed before GW2): the last character carries 4 bits and 2 unused ones (16 bytes +
    // MAC = 28 bytes → 38 chars): its neighbour in the alphabet decodes to the same bytes.
    const legacy = mintLegacyPersonCode(t.deps.cipher, person as string);
    const last = legacy.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const legacyTwin = legacy.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    assert.equal(
      Buffer.from(legacyTwin.slice(3), 'base64url').equals(Buffer.from(legacy.slice(3), 'base64url')),
      true,
    );
    // GW2: 24 bytes → 39 characters of 5 bits, the last one's 3 low bits unused (zero as minted).
    const good = code(person as string);
    const twin =
      good.slice(0, -1) + CROCKFORD_ALPHABET[CROCKFORD_ALPHABET.indexOf(good.at(-1) as string) ^ 1];
    for (const personCode of [legacyTwin, twin]) {
      const res = await scanCode(personCode, newTube());
      assert.equal(res.status, 400, personCode);
      assert.ok(res.body.error.fields.personCode);
    }
  });

  test('a person code typed by hand: small letters, O for 0, l for 1 and spaces scan as the code', async () => {
    const [a, b] = (await addPeople(t.fx.gridA, 2)) as [string, string];
    const minted = code(a);
    assert.match(minted, /^GW2[0-9A-HJKMNP-TV-Z]{39}$/);
    // What a sampler types from the sheet on a phone's keyboard: small letters, every 0 as the
    // letter o and every 1 as the letter l, in the sheet's groups of four.
    const typed = (
      minted
        .toLowerCase()
        .replace(/0/g, 'o')
        .replace(/1/g, 'l')
        .match(/.{1,4}/g) ?? []
    ).join(' ');
    const tube = newTube();
    const res = await scanCode(typed, tube);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.memberCount, 1);
    // Typed once more, the same person: sampled already (it is one code, not another person's).
    const again = await scanCode(minted, tube);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'ALREADY_SAMPLED');
    // A code printed before GW2 still scans, as printed; typed in other letters it does not.
    const legacy = mintLegacyPersonCode(t.deps.cipher, b);
    assert.match(legacy, /^GW1[A-Za-z0-9_-]{38}$/);
    const swapped = legacy.replace(/[a-zA-Z]/, (c) =>
      c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase(),
    );
    for (const [personCode, status] of [
      [swapped, 400],
      [legacy, 201],
    ] as const) {
      assert.equal((await scanCode(personCode, tube)).status, status, personCode);
    }
  });

  test('a round’s days within a year of today and a month long at most; its key groups once each', async () => {
    const post = (body: Record<string, unknown>) =>
      as.admin.post('/api/v1/test-rounds', {
        name: '日期检查',
        orgUnitId: t.fx.district.id,
        startsOn: today,
        endsOn: today,
        defaultMode: 'mix10',
        ...body,
      });
    const far = await post({ startsOn: '9999-12-31', endsOn: '9999-12-31' });
    assert.equal(far.status, 400);
    assert.ok(far.body.error.fields.startsOn, JSON.stringify(far.body));
    const zero = await post({ startsOn: '0000-01-01' });
    assert.equal(zero.status, 400);
    assert.ok(zero.body.error.fields.startsOn, JSON.stringify(zero.body));
    const long = await post({ endsOn: addDays(today, 40) });
    assert.equal(long.status, 400);
    assert.match(long.body.error.fields.endsOn, /31 天/);
    const twice = await post({ singleTubeKeyGroups: ['medical', 'medical'] });
    assert.equal(twice.status, 201, JSON.stringify(twice.body));
    assert.deepEqual(twice.body.singleTubeKeyGroups, ['medical']);
  });

  test('a result file’s uncalculated formula or error cell is named as such, not read as “[object Object]”', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('结果');
    sheet.addRow(['tubeCode', 'result', 'testedAt']);
    sheet.addRow([{ formula: 'A1&"X"' }, '阴性', labTime(5)]);
    sheet.addRow(['R999999', { formula: '1/0', result: { error: '#DIV/0!' } }, labTime(5)]);
    const report = await importResults(Buffer.from(await wb.xlsx.writeBuffer()), true);
    assert.equal(report.status, 200, JSON.stringify(report.body));
    const text = JSON.stringify(report.body.errors);
    assert.ok(!text.includes('object'), text);
    assert.match(text, /未计算的公式/);
    assert.match(text, /#DIV\/0!/);
  });
});

describe('correcting a negative a retest found positive (更正)', () => {
  const correct = (tubeCode: string, extra: Record<string, unknown> = {}) =>
    as.lab.post('/api/v1/lab/results/correct', {
      tubeCode,
      result: 'positive',
      testedAt: new Date().toISOString(),
      reason: '复检阳性（原结果录入错误）',
      ...extra,
    });

  test('a pool recorded negative is followed up as positive: members recalled under control; audited with why', async () => {
    const { tube, members } = await sealedTube(3);
    const negative = await importResults(`tubeCode,result,testedAt\n${tube},阴性,${labTime(0)}\n`, false);
    assert.equal(negative.body.applied, 1, JSON.stringify(negative.body));
    const early = await correct(tube, { testedAt: new Date(Date.now() - 3 * 3600_000).toISOString() });
    assert.equal(early.status, 400, 'a retest comes after the result');
    assert.ok(early.body.error.fields.testedAt);
    const corrected = await correct(tube);
    assert.equal(corrected.status, 200, JSON.stringify(corrected.body));
    assert.equal(corrected.body.positives, 1);
    assert.equal(corrected.body.rechecksCreated, 3);
    for (const person of members) {
      const resident = await as.admin.get(`/api/v1/residents/${person}`);
      assert.equal(resident.body.statuses.control_state?.value, 'temporary_control');
    }
    const [audit] = await db()
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.action, 'lab-results.import'),
          sql`${auditEvents.changes}::text like '%"corrected"%'`,
        ),
      );
    assert.match(JSON.stringify(audit?.changes), /复检阳性/);
    assert.match(JSON.stringify(audit?.changes), /"result":"negative"/, 'with what it wrote over');
    // Positive now: the same correction again is as recorded; never back to negative.
    const again = await correct(tube);
    assert.equal(again.status, 200);
    assert.equal(again.body.alreadyRecorded, 1);
    const back = await correct(tube, { result: 'negative' });
    assert.equal(back.status, 409);
    assert.match(back.body.error.message, /只能把阴性结果更正为阳性/);
  });

  test('a single tube recorded negative becomes a handed-over person with the urgent item; a tube with no result is entered, not corrected', async () => {
    const single = await as.admin.post('/api/v1/test-rounds', {
      name: '单采轮',
      orgUnitId: t.fx.district.id,
      startsOn: today,
      endsOn: today,
      defaultMode: 'single',
    });
    const [person] = await addPeople(t.fx.gridA, 1);
    const tube = newTube();
    assert.equal(
      (await scan(person as string, tube, single.body, point)).status,
      404,
      'the point is another round’s',
    );
    const singlePoint = await as.admin.post(`/api/v1/test-rounds/${single.body.id}/points`, {
      name: '单采点',
      orgUnitId: t.fx.community.id,
    });
    const scanned = await scan(person as string, tube, single.body, singlePoint.body);
    assert.equal(scanned.body.sealed, true, JSON.stringify(scanned.body));
    const none = await correct(tube);
    assert.equal(none.status, 409);
    assert.match(none.body.error.message, /尚无结果/);
    await importResults(`tubeCode,result,testedAt\n${tube},阴性,${labTime(0)}\n`, false);
    const corrected = await correct(tube);
    assert.equal(corrected.status, 200, JSON.stringify(corrected.body));
    assert.equal(corrected.body.singlePositives, 1);
    const resident = await as.admin.get(`/api/v1/residents/${person}`);
    assert.equal(resident.body.statuses.control_state?.value, 'handed_over');
    const urgent = await db()
      .select()
      .from(workItems)
      .where(and(eq(workItems.type, 'positive_case'), eq(workItems.subjectId, person as string)));
    assert.equal(urgent.length, 1);
  });
});
