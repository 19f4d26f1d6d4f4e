/**
 * Shared by the dashboard tests: Debian's Chromium driven by playwright-core (skipped, saying why, where it
 * is not installed), screenshots under test-artifacts/ui/ (ignored by git), the compiled front-end modules
 * for the pure tests, the fixture log, and `wsdiag view` as a child process with its printed address.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BIN } from '../support/cli.js';
import { waitUntil, withTimeout } from '../helpers/wait.js';

export const FIXTURE_LOG = fileURLToPath(new URL('../../../test/fixtures/ui/conversation.jsonl', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/ui/', import.meta.url));

/** Where Chromium is, or why the browser tests are skipped. */
export function chromiumPath(): { path: string } | { skip: string } {
  const candidates = [process.env['WSDIAG_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  return found ? { path: found } : { skip: `no Chromium at ${candidates.join(' or ')} (apt-get install chromium; .ci/run installs it)` };
}

/** The flags Chromium needs here: headless, as root, and quiet on a machine without outside network. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchChromium(path: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: path, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Errors the page threw or logged: a test ends by checking there were none. */
  errors: string[];
}

export async function openPage(browser: Browser, url: string, locale = 'en-US'): Promise<TestPage> {
  const context = await browser.newContext({ viewport: { width: 1500, height: 860 }, locale, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  await page.goto(url);
  await page.waitForSelector('[data-testid=feed-status]');
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path });
  return path;
}

/** The compiled front-end module (dist/src/ui/web/NAME.js): pure ones are tested in Node. */
export async function webModule<T>(name: string): Promise<T> {
  return (await import(new URL(`../../src/ui/web/${name}.js`, import.meta.url).href)) as T;
}

export interface SpawnedCli {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first match of `pattern` in stdout or stderr. */
  waitFor(pattern: RegExp, what: string, ms?: number): Promise<RegExpExecArray>;
  exited(ms?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `wsdiag ARGS…` as a child process, its output collected, SIGINT to stop it. */
export function spawnCli(args: string[]): SpawnedCli {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const changes = new EventEmitter();
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    changes.emit('change');
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    changes.emit('change');
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  void exit.then(() => changes.emit('change'));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern, what, ms = 15_000) =>
      waitUntil(
        changes,
        ['change'],
        () => pattern.exec(out) ?? pattern.exec(err) ?? undefined,
        `${what} (stdout: ${out.slice(-500)} stderr: ${err.slice(-500)})`,
        ms,
      ),
    exited: (ms = 15_000) => withTimeout(exit, `wsdiag ${args[0]} to exit`, ms),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return withTimeout(exit, `wsdiag ${args[0]} to stop`, 15_000);
    },
  };
}

/** `wsdiag view LOG… --listen 127.0.0.1:0`, resolved once it prints its address. */
export async function startView(logs: string[], extra: string[] = []): Promise<{ cli: SpawnedCli; url: string }> {
  const cli = spawnCli(['view', ...logs, '--listen', '127.0.0.1:0', '--interval', '50', ...extra]);
  const match = await cli.waitFor(/dashboard at (http:\/\/\S+)/, 'the view address');
  return { cli, url: match[1]! };
}
