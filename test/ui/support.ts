/**
 * Shared by the dashboard tests: Debian's Chromium driven by playwright-core (skipped, saying why, where it
 * is not installed), screenshots under test-artifacts/ui/ (ignored by git), the compiled front-end modules
 * for the pure tests, the fixture log, and `wsdiag view` started with its printed address.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startCli, type RunningChild } from '../support/cli.js';

export const FIXTURE_LOG = fileURLToPath(new URL('../../../test/fixtures/ui/conversation.jsonl', import.meta.url));
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/ui/', import.meta.url));

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

/** Headless Chromium with the flags above, and `extraArgs` (a proxy, a resolver rule, a trusted key...). */
export async function launchChromium(path: string, extraArgs: readonly string[] = []): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: path, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 60_000 });
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

/** `wsdiag view LOG… --listen 127.0.0.1:0`, resolved once it prints its address. */
export async function startView(logs: string[], extra: string[] = []): Promise<{ cli: RunningChild; url: string }> {
  const cli = startCli(['view', ...logs, '--listen', '127.0.0.1:0', '--interval', '50', ...extra]);
  const match = await cli.waitForOutput(/dashboard at (http:\/\/\S+)/, 'the view address');
  return { cli, url: match[1]! };
}
