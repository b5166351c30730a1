/**
 * The sampling journey: a sampler scans a person code from a (fake) camera into a typed tube
 * code, goes offline, scans two more, comes back online, and the tube holds them once each. Then
 * a repeat is refused, a photo scans a fourth person, and a resident's person code is shown and
 * printed on its public page.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import QRCode from 'qrcode';
import { maskName } from '../src/domain/masking.ts';
import { type ApiSession, apiSession } from './api-session.ts';
import { writeQrVideo } from './fake-camera.ts';
import { ADMIN_PASSWORD, launchBrowser, login, screenshot, setOnline, startServer } from './support.ts';

const SAMPLER = { username: 'sampler-e2e', password: 'Sampler-pass-2022', displayName: '采样员小李' };
const ROUND_NAME = '端到端全员核酸第1轮';
const POINT_NAME = '端到端广场采样点';
const TUBE = 'E2E-T-000001';
const TUBE2 = 'E2E-T-000002';
const PHONE = { width: 390, height: 844 };
/** Generous: the machines running the journeys have two cores, often shared with other test runs. */
const WAIT_MS = 60_000;

interface Resident {
  id: string;
  name: string;
  code: string;
}
interface TubeDetail {
  memberCount: number;
  capacity: number;
  members: { name: string }[];
}

const state = {} as {
  server: Awaited<ReturnType<typeof startServer>>;
  base: string;
  browser: Browser;
  admin: ApiSession;
  residents: Resident[];
  dir: string;
};

/** The district's day, as the server counts a round's dates. */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

before(async () => {
  state.server = await startServer();
  state.base = state.server.link.url;
  const admin = await apiSession(state.base, 'admin', ADMIN_PASSWORD);
  state.admin = admin;

  const [district] = (await admin.get<{ items: { id: string }[] }>('/org-units?roots=true')).items;
  const streets = await admin.get<{ items: { id: string; name: string }[] }>(
    `/org-units?parentId=${district.id}&pageSize=100`,
  );
  const round = await admin.post<{ id: string }>('/test-rounds', {
    name: ROUND_NAME,
    orgUnitId: district.id,
    startsOn: today(),
    endsOn: today(),
    defaultMode: 'mix10',
  });
  const sampler = await admin.post<{ id: string }>('/users', {
    ...SAMPLER,
    grants: [{ role: 'sampler', orgUnitId: district.id }],
  });
  await admin.post(`/test-rounds/${round.id}/points`, {
    name: POINT_NAME,
    orgUnitId: streets.items[0].id,
    place: '文化广场东侧',
    hours: '08:00–12:00',
    samplerUserIds: [sampler.id],
  });

  // People sampled in a pooled tube: no one under control (they would need a tube of their own).
  const page = await admin.get<{ items: { id: string; name: string; statuses: Record<string, unknown> }[] }>(
    '/residents?pageSize=20',
  );
  const pooled = page.items.filter((r) => Object.keys(r.statuses).length === 0);
  state.residents = await Promise.all(
    (pooled.length >= 5 ? pooled : page.items).slice(0, 5).map(async (r) => ({
      id: r.id,
      name: r.name,
      code: (await admin.get<{ code: string }>(`/residents/${r.id}/person-code`)).code,
    })),
  );

  state.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-sampling-'));
  const video = writeQrVideo(path.join(state.dir, 'person-code.y4m'), state.residents[0].code);
  state.browser = await launchBrowser([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
  ]);
});

after(async () => {
  await state.browser?.close();
  await state.server?.close();
  if (state.dir) fs.rmSync(state.dir, { recursive: true, force: true });
});

/** Picks an option of an antd select unless it already shows it (a single choice is made for the user). */
async function choose(page: Page, testId: string, text: string) {
  const select = page.getByTestId(testId);
  await select.waitFor();
  if ((await select.textContent())?.includes(text)) return;
  await select.click();
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: text })
    .first()
    .click();
  await page.waitForFunction(
    ([id, want]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.includes(want),
    [testId, text] as const,
  );
}

const textOf = (page: Page, testId: string) =>
  page.getByTestId(testId).evaluate((element) => element.textContent ?? '');

async function waitForText(page: Page, testId: string, text: string, timeout = WAIT_MS) {
  await page.waitForFunction(
    ([id, want]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.includes(want),
    [testId, text] as const,
    { timeout },
  );
}

async function waitForMembers(page: Page, count: number) {
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="sampling-member"]').length === n,
    count,
    { timeout: WAIT_MS },
  );
}

async function typePersonCode(page: Page, code: string) {
  await page.getByTestId('sampling-person-input').fill(code);
  await page.getByTestId('sampling-person-submit').click();
}

/** A full-page picture from the top: a sticky header scrolled along would land mid-page. */
async function shot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, name);
}

const memberNames = (page: Page) => page.locator('[data-testid="sampling-member"] strong').allTextContents();

test('camera scan, two offline scans, back online: the tube holds each once', async () => {
  const { browser, base, admin, residents } = state;
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  context.setDefaultTimeout(WAIT_MS);
  await context.grantPermissions(['camera'], { origin: base });
  const page = await context.newPage();
  await login(page, base, SAMPLER.username, SAMPLER.password);
  await page.goto(`${base}/sampling`);

  await choose(page, 'sampling-round', ROUND_NAME);
  await choose(page, 'sampling-point', POINT_NAME);
  await page.getByTestId('sampling-tube-input').fill(TUBE);
  await page.getByTestId('sampling-tube-input').press('Enter');
  await waitForText(page, 'sampling-tube-code', TUBE);
  await waitForText(page, 'sampling-tube-left', '余 10 位');
  await shot(page, 'sampling-1-tube');

  // The fake camera shows resident 1's code: it is read, sent, and the tube lists them.
  await page.getByTestId('sampling-camera-start').click();
  await waitForMembers(page, 1);
  assert.deepEqual(await memberNames(page), [maskName(residents[0].name)]);
  await waitForText(page, 'sampling-notice', `已采样：${maskName(residents[0].name)}`);
  await waitForText(page, 'sampling-tube-left', '余 9 位');
  await shot(page, 'sampling-2-camera');

  // Offline: two typed codes wait in the queue (the camera, still seeing resident 1, adds nothing).
  await setOnline(context, state.server.link, false);
  await waitForText(page, 'sampling-online', '离线');
  await typePersonCode(page, residents[1].code);
  await typePersonCode(page, residents[2].code);
  await waitForText(page, 'sampling-queue-count', '待上传 2');
  // The same person typed again while offline is told at once, and takes no second place.
  await typePersonCode(page, residents[1].code);
  await waitForText(page, 'sampling-notice', '不再重复计入');
  await page.waitForTimeout(1500); // camera frames keep coming: still two
  assert.equal(await page.getByTestId('sampling-queue-item').count(), 2);
  assert.match(await textOf(page, 'sampling-queue-count'), /待上传 2/);
  await waitForText(page, 'sampling-tube-left', '余 7 位');
  await page.getByTestId('sampling-camera-stop').click();
  await shot(page, 'sampling-3-offline-queue');

  // Online again: the queue empties in order, and the tube shows all three once.
  await setOnline(context, state.server.link, true);
  await waitForText(page, 'sampling-queue-count', '待上传 0');
  await waitForMembers(page, 3);
  const tube = await admin.get<TubeDetail>(`/sampling/tubes/${TUBE}`);
  assert.equal(tube.memberCount, 3);
  assert.equal(tube.members.length, 3);
  const expected = residents.slice(0, 3).map((r) => maskName(r.name));
  assert.deepEqual(tube.members.map((m) => m.name).sort(), [...expected].sort());
  assert.deepEqual((await memberNames(page)).sort(), [...expected].sort());
  assert.equal(await page.getByTestId('sampling-queue').count(), 0, 'no list of waiting scans');
  await shot(page, 'sampling-4-synced');

  // Reloaded offline in the middle of the tube, the page still knows it holds three (it showed
  // 0 of 10 and took a second tube's worth of swabs).
  await setOnline(context, state.server.link, false);
  await page.reload();
  await waitForText(page, 'sampling-tube-left', '余 7 位');
  await setOnline(context, state.server.link, true);
  await waitForText(page, 'sampling-online', '在线');

  // A person scanned again is refused, in red, with the tube they are in; the count stays.
  await typePersonCode(page, residents[1].code);
  await waitForText(page, 'sampling-notice', '此人本轮已采样');
  assert.equal(await page.getByTestId('sampling-notice').getAttribute('data-type'), 'error');
  assert.match(await textOf(page, 'sampling-notice'), new RegExp(TUBE));
  await shot(page, 'sampling-5-already-sampled');
  // The refusal is kept in a list until dismissed (it survives a reload, below).
  await waitForText(page, 'sampling-rejections', TUBE);

  // Something that is no person code (a payment code's link) is said so and never queued.
  await typePersonCode(page, 'https://u.wechat.com/EFxxQ');
  await waitForText(page, 'sampling-notice', '这不是核酸码');
  await waitForText(page, 'sampling-queue-count', '待上传 0');

  // A photo of a person code is read like the camera's picture.
  const photo = path.join(state.dir, 'photo.png');
  fs.writeFileSync(photo, await QRCode.toBuffer(residents[3].code, { errorCorrectionLevel: 'M', scale: 6 }));
  await page.getByTestId('sampling-photo-input').setInputFiles(photo);
  await waitForMembers(page, 4);
  assert.equal((await admin.get<TubeDetail>(`/sampling/tubes/${TUBE}`)).memberCount, 4);

  // Scanned by mistake (the photo was of the wrong person): taken out of the open tube, then
  // scanned again, as the sampler would once the right person stands there.
  await page.getByTestId('sampling-member-remove').last().click();
  await page.locator('.ant-popconfirm:visible .ant-btn-dangerous').click();
  await waitForMembers(page, 3);
  assert.equal((await admin.get<TubeDetail>(`/sampling/tubes/${TUBE}`)).memberCount, 3);
  await waitForText(page, 'sampling-tube-left', '余 7 位');
  await typePersonCode(page, residents[3].code);
  await waitForMembers(page, 4);

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling on a phone (${overflow}px)`);

  // Sealed by hand: the page asks for the next tube; the sealed one goes to the lab.
  await page.getByTestId('sampling-seal').click();
  await page.locator('.ant-popconfirm:visible .ant-btn-primary').click();
  await waitForText(page, 'sampling-notice', `管 ${TUBE} 已封管，请扫描新管码`);
  await page.getByTestId('sampling-tube-input').waitFor();
  assert.equal((await admin.get<{ sealed: boolean }>(`/sampling/tubes/${TUBE}`)).sealed, true);
  await page.getByRole('checkbox', { name: TUBE }).check();
  // The demo district's labs: the sampler picks the one the tubes go to.
  await page.getByTestId('sampling-lab').click();
  await page.locator('.ant-select-dropdown:visible').getByText('周口市疾控中心实验室').click();
  await page.getByTestId('sampling-handover').click();
  // What the courier carries stays on screen: the count, the lab, the codes.
  await waitForText(page, 'sampling-handover-done', TUBE);
  assert.match(await textOf(page, 'sampling-handover-done'), /已送检 1 管至 周口市疾控中心实验室/);
  await waitForText(page, 'sampling-point-tubes', '已送检');
  await shot(page, 'sampling-6-sealed-handed-over');

  // Reloaded with no network (a village without signal): the page comes back as the last
  // confirmed user with the last round and point, and a scan still goes into the queue.
  await setOnline(context, state.server.link, false);
  await page.reload();
  await page.getByTestId('sampling-tube-input').waitFor();
  await page.getByTestId('sampling-tube-input').fill(TUBE2);
  await page.getByTestId('sampling-tube-input').press('Enter');
  await typePersonCode(page, residents[4].code);
  await waitForText(page, 'sampling-queue-count', '待上传 1');
  await shot(page, 'sampling-7-reloaded-offline');
  await waitForText(page, 'sampling-rejections', '此人本轮已采样');
  await page.getByTestId('sampling-rejections').getByRole('button').click();
  await page.getByTestId('sampling-rejections').waitFor({ state: 'detached' });
  await setOnline(context, state.server.link, true);
  await waitForText(page, 'sampling-queue-count', '待上传 0');
  assert.equal((await admin.get<TubeDetail>(`/sampling/tubes/${TUBE2}`)).memberCount, 1);
  await context.close();
});

test('a resident’s person code: shown on their page, printable on a public page with no API call', async () => {
  const { browser, base, residents } = state;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  await login(page, base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${base}/residents/${residents[0].id}`);
  await page.getByTestId('resident-person-code').click();
  await page.getByTestId('resident-person-code-card').waitFor();
  await page.waitForTimeout(400); // the dialog's opening animation
  const link = await page.getByTestId('resident-person-code-link').getAttribute('href');
  assert.equal(link, `/code/${encodeURIComponent(residents[0].code)}`);
  await screenshot(page, 'person-code-modal');
  // A code passed around is renewed: the dialog shows the new one at once.
  await page.getByTestId('resident-person-code-renew').click();
  await page.locator('.ant-popconfirm:visible .ant-btn-primary').click();
  await page.getByText('已重新生成核酸码，旧码已作废').waitFor();
  const renewed = await page.getByTestId('resident-person-code-link').getAttribute('href');
  assert.ok(renewed && renewed !== link, `a new code: ${renewed}`);
  await context.close();

  // Signed out, on a phone: the page draws the code without asking the server anything.
  const publicContext = await browser.newContext({ viewport: PHONE, isMobile: true });
  publicContext.setDefaultTimeout(WAIT_MS);
  const publicPage = await publicContext.newPage();
  const apiCalls: string[] = [];
  publicPage.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/')) apiCalls.push(request.url());
  });
  await publicPage.goto(`${base}${link}`);
  await publicPage.getByTestId('person-code-qr').waitFor();
  assert.match(await textOf(publicPage, 'person-code-heading'), /核酸码/);
  assert.ok((await publicPage.textContent('body'))?.includes('请出示给采样人员扫描'));
  assert.ok(!(await publicPage.textContent('body'))?.includes(residents[0].name), 'no name on the page');
  assert.deepEqual(apiCalls, []);
  await screenshot(publicPage, 'person-code-public');
  await publicContext.close();
});
