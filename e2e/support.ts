import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { loadConfig } from '../src/server/config.ts';
import { type Running, startGridwatch } from '../src/server/server.ts';

export const ADMIN_PASSWORD = 'E2e-admin-2022';
export const SCREENSHOTS = path.resolve('test-results/screenshots');

/** Gridwatch on a fresh embedded database with the demo district, listening on loopback only. */
export async function startServer(): Promise<Running & { dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridwatch-e2e-'));
  const config = {
    ...loadConfig({}),
    host: '127.0.0.1',
    port: 0,
    dataDir,
    demo: true,
    adminPassword: ADMIN_PASSWORD,
    logLevel: 'warn',
  };
  const running = await startGridwatch(config);
  return {
    ...running,
    dataDir,
    close: async () => {
      await running.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless, with nothing that would reach outside the machine. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

export async function screenshot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export async function login(page: Page, baseUrl: string, username: string, password: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}

/**
 * One server and one browser for a journey file, started before its tests and closed after:
 * read `journey.base` and `journey.browser` inside the tests.
 */
export function journey() {
  const state = {} as { server: Awaited<ReturnType<typeof startServer>>; browser: Browser; base: string };
  before(async () => {
    state.server = await startServer();
    state.base = state.server.url.replace('localhost', '127.0.0.1');
    state.browser = await launchBrowser();
  });
  after(async () => {
    await state.browser?.close();
    await state.server?.close();
  });
  return state;
}
