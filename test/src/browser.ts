// Headless Chromium for browser tests: the Debian package's /usr/bin/chromium started as our own
// child process (tracked by pid, fresh profile dir, no network services of its own), driven by
// playwright-core over the DevTools protocol.
import { existsSync } from 'node:fs';
import { makeTempDir, ProcessHandle, removeTempDir } from '@orchestrator/testkit';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--remote-debugging-address=127.0.0.1',
  '--remote-debugging-port=0',
];

export interface PageOptions {
  readonly viewport?: { width: number; height: number };
  readonly httpCredentials?: { username: string; password: string };
}

/** A page and everything it reported as an error (console errors and uncaught exceptions). */
export interface WatchedPage {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly errors: string[];
}

export class HeadlessBrowser {
  private constructor(
    private readonly handle: ProcessHandle,
    private readonly profile: string,
    readonly browser: Browser,
  ) {}

  static available(): boolean {
    return existsSync(CHROMIUM);
  }

  static async start(timeoutMs = 20_000): Promise<HeadlessBrowser> {
    const profile = makeTempDir('chromium-profile');
    const handle = new ProcessHandle('chromium', {
      command: CHROMIUM,
      args: [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'],
    });
    handle.start();
    try {
      const ws = await waitForDevTools(handle, timeoutMs);
      const browser = await chromium.connectOverCDP(ws, { timeout: timeoutMs });
      return new HeadlessBrowser(handle, profile, browser);
    } catch (err) {
      await handle.stop(2000).catch(() => {});
      removeTempDir(profile);
      throw err;
    }
  }

  get pid(): number {
    return this.handle.pid;
  }

  /** A new isolated context (own cookies and credentials) with one page. */
  async newPage(options: PageOptions = {}): Promise<WatchedPage> {
    const context = await this.browser.newContext({
      viewport: options.viewport ?? { width: 1280, height: 800 },
      httpCredentials: options.httpCredentials,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
    return { page, context, errors };
  }

  async stop(): Promise<void> {
    try {
      const session = await this.browser.newBrowserCDPSession();
      await Promise.race([session.send('Browser.close'), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      // already gone: stopped by pid below
    }
    await this.handle.stop(3000).catch(() => {});
    removeTempDir(this.profile);
  }
}

async function waitForDevTools(handle: ProcessHandle, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = /DevTools listening on (ws:\/\/\S+)/.exec(handle.output());
    if (m?.[1]) return m[1];
    if (!handle.running)
      throw new Error(`chromium exited before listening:\n${handle.output().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`chromium did not listen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
