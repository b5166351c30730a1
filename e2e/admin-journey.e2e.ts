/**
 * The first journey of issue 2: the administrator builds a community and a grid, creates a grid
 * worker on that grid; the worker logs in and sees their grid and nothing else.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, journey, login, screenshot } from './support.ts';

const j = journey();

const treeNode = (page: Page, name: string) =>
  page.locator('[data-testid="org-tree"] .ant-tree-treenode', { hasText: name });

async function expand(page: Page, name: string) {
  const node = treeNode(page, name).first();
  await node.waitFor();
  if (await node.locator('.ant-tree-switcher_close').count())
    await node.locator('.ant-tree-switcher').click();
}

async function addChild(page: Page, parent: string, name: string, levelLabel: string) {
  await treeNode(page, parent).first().locator('.ant-tree-title').click();
  await page.getByTestId('org-add-child').click();
  await page.getByTestId('org-child-name').fill(name);
  await page.getByTestId('org-child-level').click();
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: levelLabel })
    .first()
    .click();
  await page.getByTestId('org-child-submit').click();
  await expand(page, parent);
  await treeNode(page, name).first().waitFor();
}

test('admin creates a community, a grid and its grid worker, who then sees only that grid', async () => {
  const page = await j.browser.newPage({ viewport: { width: 1280, height: 800 } });
  await login(page, j.base, 'admin', ADMIN_PASSWORD);
  await page.goto(`${j.base}/org`);
  await expand(page, '周口港区');
  await expand(page, '李埠口乡');
  await addChild(page, '李埠口乡', '测试家园社区', '社区');
  await addChild(page, '测试家园社区', '测试网格甲', '网格');
  await page.waitForFunction(() => document.querySelectorAll('.ant-message-notice').length === 0, null, {
    timeout: 10_000,
  });
  await screenshot(page, 'admin-org-tree');

  await page.getByRole('menuitem', { name: '用户管理' }).click();
  await page.getByTestId('user-create').click();
  await page.getByTestId('user-username').fill('gw-e2e');
  await page.getByTestId('user-displayname').fill('端到端网格员');
  await page.getByTestId('user-password').fill('Grid-pass-2022');
  await page.getByTestId('user-grant-role-0').click();
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '网格员' })
    .first()
    .click();
  await page.getByTestId('user-grant-org-0').click();
  await page.keyboard.type('测试网格甲');
  await page
    .locator('.ant-select-dropdown:visible .ant-select-tree-node-content-wrapper', { hasText: '测试网格甲' })
    .first()
    .click();
  await page.getByTestId('user-submit').click();
  await page.getByText('gw-e2e').first().waitFor();
  await screenshot(page, 'admin-users');

  await page.getByTestId('logout').click();
  await page.waitForURL(/\/login/);
  await login(page, j.base, 'gw-e2e', 'Grid-pass-2022');
  await page.goto(`${j.base}/org`);
  await treeNode(page, '测试网格甲').first().waitFor();
  const nodes = await page
    .locator('[data-testid="org-tree"] .ant-tree-treenode .ant-tree-title')
    .allTextContents();
  assert.deepEqual(nodes, ['测试网格甲'], 'the grid worker’s tree holds their grid only');
  assert.equal(await page.getByText('周口港区').count(), 0);
  assert.equal(await page.getByText('用户管理').count(), 0, 'no user management for a grid worker');
  await screenshot(page, 'grid-worker-org');

  // The API agrees: another grid of the district is 404 to this user.
  const other = await page.evaluate(async () => {
    const res = await fetch('/api/v1/org-units?q=网格&pageSize=100');
    return (await res.json()).items.map((u: { name: string }) => u.name);
  });
  assert.deepEqual(other, ['测试网格甲']);
  await page.close();
});

test('on a 360-px phone the menu folds into a drawer', async () => {
  const page = await j.browser.newPage({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
  });
  await login(page, j.base, 'admin', ADMIN_PASSWORD);
  await page.getByTestId('menu-toggle').click();
  await page.getByText('组织与网格').first().click();
  await page.waitForURL(/\/org/);
  await treeNode(page, '周口港区').first().waitFor();
  await page.waitForFunction(
    () => !document.querySelector('.ant-drawer-open, .ant-drawer-mask-motion-leave'),
  );
  await page.waitForTimeout(400); // the drawer's closing animation
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling (${overflow}px)`);
  await screenshot(page, 'phone-org');
  await page.close();
});

test('the app is installable: manifest and service worker are served', async () => {
  const page = await j.browser.newPage();
  await page.goto(`${j.base}/login`);
  const manifest = await page.evaluate(async () => {
    const link = document.querySelector('link[rel="manifest"]')?.getAttribute('href');
    return link ? ((await (await fetch(link)).json()) as { icons: unknown[] }) : null;
  });
  assert.ok(manifest, 'a manifest is linked');
  assert.ok(manifest.icons.length >= 2);
  const registered = await page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    return Boolean(reg.active);
  });
  assert.ok(registered, 'the service worker is active');
  // Calls to the API go straight to the network, the worker not even started for them (its static
  // routes): under the worker's control, a call's timing says which source answered it.
  await page.reload();
  const call = await page.evaluate(async () => {
    await (await fetch('/api/v1/health')).text();
    const entry = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/api/v1/health')) as
      | (PerformanceResourceTiming & { workerMatchedSourceType?: string })
      | undefined;
    return {
      controlled: Boolean(navigator.serviceWorker.controller),
      source: entry?.workerMatchedSourceType,
    };
  });
  assert.deepEqual(call, { controlled: true, source: 'network' });
  // The app's scripts went compressed (the build's .br copies), as a 2G link needs them.
  const fresh = await j.browser.newPage();
  await fresh.goto(`${j.base}/login`);
  await fresh.getByTestId('login-submit').waitFor();
  const scripts = await fresh.evaluate(() =>
    (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((e) => e.name.includes('/assets/') && e.name.endsWith('.js'))
      .map((e) => ({ name: e.name, sent: e.encodedBodySize, size: e.decodedBodySize })),
  );
  await fresh.close();
  assert.ok(scripts.length > 0, 'the scripts were fetched');
  // (a file under 1 kB is not worth a copy: it goes as it is)
  for (const script of scripts.filter((script) => script.size >= 1024))
    assert.ok(script.sent < script.size * 0.5, `${script.name}: ${script.sent} of ${script.size} bytes`);
  const total = (key: 'sent' | 'size') => scripts.reduce((sum, script) => sum + script[key], 0);
  console.log(`scripts: ${total('sent')} bytes sent for ${total('size')}`);
  await page.close();
});
