import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { loadConfig } from '../src/server/config.ts';
import { type Running, startGridwatch } from '../src/server/server.ts';

export const ADMIN_PASSWORD = 'E2e-admin-2022';
export const SCREENSHOTS = path.resolve('test-results/screenshots');

/** Gridwatch on a fresh embedded database with the demo district, listening on loopback only. */
export async function startServer(): Promise<Running & { dataDir: string; link: Link }> {
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
  const port = Number(new URL(running.url).port);
  const link = await startLink(port);
  return {
    ...running,
    dataDir,
    link,
    close: async () => {
      await link.close();
      await running.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The phone's link to the server: a TCP relay on loopback whose connections the journey can cut.
 * Chromium's emulated offline mode alone does not hold: a page under a service worker's control
 * sent requests past it (a static route, or the worker's fallback to the network), and a
 * journey's "nothing reached the server offline" failed now and then. A cut link fails every
 * request, the open event stream with it, as a village's signal does.
 */
export interface Link {
  /** The address the browser uses. */
  url: string;
  /**
   * up; down (every connection cut, new ones refused); stalled (a signal that passes nothing:
   * connections cut, new ones accepted and never answered).
   */
  set(state: LinkState): void;
  close(): Promise<void>;
}
export type LinkState = 'up' | 'down' | 'stalled';

async function startLink(targetPort: number): Promise<Link> {
  const open = new Set<net.Socket>();
  let state: LinkState = 'up';
  const relay = net.createServer((phone) => {
    if (state === 'down') {
      phone.destroy();
      return;
    }
    if (state === 'stalled') {
      open.add(phone);
      phone.on('error', () => phone.destroy()).on('close', () => open.delete(phone));
      return;
    }
    const server = net.connect(targetPort, '127.0.0.1');
    const drop = () => {
      phone.destroy();
      server.destroy();
      open.delete(phone);
      open.delete(server);
    };
    for (const socket of [phone, server]) {
      open.add(socket);
      socket.on('error', drop).on('close', drop);
    }
    phone.pipe(server).pipe(phone);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const { port } = relay.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set(next) {
      if (next === state) return;
      state = next;
      // Every change drops what is open (stalled sockets too: left, they would hold the
      // browser's six connections to the host).
      for (const socket of open) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        relay.close(() => resolve());
      }),
  };
}

/**
 * The signal goes (or comes back): the link is cut (or restored), and the browser says it is
 * offline (or online), as a phone does when its signal drops.
 */
export async function setOnline(context: BrowserContext, link: Link, online: boolean) {
  link.set(online ? 'up' : 'down');
  await context.setOffline(!online);
}

/** What a journey's server holds: the `n` of a count query (`select count(*)::int as n …`). */
export async function countRows(
  server: { deps: Running['deps'] },
  query: string,
  params: unknown[] = [],
): Promise<number> {
  const [row] = await server.deps.database.query<{ n: number }>(query, params);
  return row?.n ?? 0;
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
    state.base = state.server.link.url;
    state.browser = await launchBrowser();
  });
  after(async () => {
    await state.browser?.close();
    await state.server?.close();
  });
  return state;
}
