// What the browser tests share: Debian's Chromium driven by playwright-core (a fresh profile per browser, a phone
// viewport, nothing resolved beyond this machine), the local environment on random ports, and reading links from the
// mailbox the way a person would. A missing Chromium fails the tests that use it; it never skips them.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startLocalEnvironment, type LocalEnvironment } from '../../local/environment.js';
import { exportMailbox } from '../../local/start.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];
// Only this machine resolves: share intents (x.com, wa.me, …) are observed as requests, never sent out.
const OFFLINE = '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Browsers and directories to clean up after a test file. */
export class E2eSession {
  readonly browsers: BrowserContext[] = [];
  readonly dirs: string[] = [];
  /** Content Security Policy violations seen in any page: buttons that do nothing, for a user. Must stay none. */
  readonly cspViolations: string[] = [];
  env!: LocalEnvironment;
  stateDir!: string;

  /** The embedded runtime in this process, in memory, on random ports, with a fresh state directory. */
  async start(tableName: string): Promise<LocalEnvironment> {
    this.stateDir = mkdtempSync(join(tmpdir(), 'asks-e2e-state-'));
    this.dirs.push(this.stateDir);
    // The links in the emails must point at this run's HTTP server.
    delete process.env.PUBLIC_BASE_URL;
    this.env = await startLocalEnvironment({ stateDir: this.stateDir, inMemory: true, dynamoPort: 0, sesPort: 0, httpPort: await freePort(), http: true, tableName });
    if (!this.env.http) throw new Error(`the HTTP API did not start: ${this.env.httpNote ?? 'unknown reason'}`);
    return this.env;
  }

  /** A fresh Chromium with its own new profile directory: nothing shared with any other browser in the test. */
  async freshBrowser(options: { bypassCSP?: boolean; desktop?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
    const dir = mkdtempSync(join(tmpdir(), 'asks-e2e-profile-'));
    this.dirs.push(dir);
    const context = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, OFFLINE],
      // A phone, as most people open these links. Headless Chromium announces itself as HeadlessChrome, which the
      // click endpoint rightly does not count as a person; a person's phone browser sends the ordinary Chrome agent.
      // `desktop`: a laptop-size window with a desktop agent instead.
      ...(options.desktop
        ? { viewport: { width: 1366, height: 900 }, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' }
        : {
            viewport: { width: 390, height: 844 },
            isMobile: true,
            hasTouch: true,
            userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
          }),
      ...(options.bypassCSP ? { bypassCSP: true } : {}),
    });
    this.browsers.push(context);
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(10_000);
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) this.cspViolations.push(m.text());
    });
    return { context, page };
  }

  /** Every email the run sent, as raw messages with quoted-printable undone, as `npm start` leaves them. */
  async mailbox(): Promise<string[]> {
    await exportMailbox(this.env);
    const dir = join(this.stateDir, 'mailbox');
    return readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => decodeQuotedPrintable(readFileSync(join(dir, f), 'utf8')));
  }

  /** A matcher for links to `/<path>/<signed token>` on this run's public base URL. */
  linkTo(path: string): RegExp {
    const baseRe = this.env.publicBaseUrl.replace(/[.:/]/g, '\\$&');
    return new RegExp(`${baseRe}/${path}/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+`);
  }

  async stop(): Promise<void> {
    for (const b of this.browsers) await b.close().catch(() => undefined);
    await this.env?.stop();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** Quoted-printable soft breaks and escapes undone, so links can be read from a raw .eml. */
export function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
