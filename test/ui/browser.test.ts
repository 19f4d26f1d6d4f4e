/**
 * The dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core. Skipped, saying
 * why, only where Chromium is not installed.
 *
 *  - live: real traffic with faults goes through `wsdiag proxy --ui` (a ws client and raw faulty clients);
 *    the page lists the connections, shows the violation rows in red, the explain text after a click (in
 *    English and French), filters narrow the grid, pause holds it, and the HAR export has an entry per
 *    connection with the real handshake;
 *  - view: a recorded log with message events; the HAR export's messages are exactly the log's; a payload
 *    with <script> and <img onerror> is shown as text and never runs; a growing log is followed.
 * Each test saves a screenshot under test-artifacts/ui/.
 */
import assert from 'node:assert/strict';
import { copyFileSync, appendFileSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { explain } from '../../src/explain/index.js';
import { connectRawClient } from '../support/raw-peers.js';
import { closedWith, nextMessages, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';
import { startCli, type RunningChild } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { chromiumPath } from '../support/binaries.js';
import { FIXTURE_LOG, launchChromium, openPage, screenshot, startView } from './support.js';

// The callbacks given to page.evaluate and waitForFunction run in the page; these are the DOM names they use
// (declared here rather than adding the DOM library to every Node file of the build).
interface PageElement {
  textContent: string | null;
  style: { top: string };
  getAttribute(name: string): string | null;
}
declare const document: {
  querySelectorAll(selector: string): PageElement[] & { length: number };
  querySelector(selector: string): PageElement | null;
};
declare function getComputedStyle(element: unknown): { color: string };
/** What the hostile payload's script would set, if it ever ran. */
declare const window: { __wsdiagPwned?: number };

const chromium = chromiumPath();
const skip = 'skip' in chromium ? chromium.skip : false;

interface HarEntry {
  request: { url: string; headers: Array<{ name: string; value: string }> };
  response: { status: number; headers: Array<{ name: string; value: string }> };
  _resourceType?: string;
  _webSocketMessages?: Array<{ type: string; time: number; opcode: number; data: string }>;
  _webSocketClose?: unknown;
  _wsdiag?: { conn: string; violations: Array<{ rule: string }> };
}

async function downloadJson<T>(page: Page, testId: string): Promise<{ name: string; value: T }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testId}]`)]);
  const path = await download.path();
  return { name: download.suggestedFilename(), value: JSON.parse(readFileSync(path, 'utf8')) as T };
}

const rowCount = (page: Page, selector = '.row') => page.locator(`.grid-body ${selector}`).count();

describe('dashboard in Chromium', { skip }, () => {
  let browser: Browser;
  const dir = tempDir('ui-browser');
  before(async () => {
    browser = await launchChromium((chromium as { path: string }).path);
  });
  after(async () => {
    await browser?.close();
  });

  describe('live, through wsdiag proxy --ui', () => {
    let upstream: WsServer;
    let proxy: RunningChild;
    let proxyPort = 0;
    let uiUrl = '';
    const events: Array<Record<string, unknown>> = [];
    const parsed = () => {
      events.length = 0;
      for (const line of proxy.stdout().split('\n')) if (line.startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>);
      return events;
    };
    const closes = () => parsed().filter((e) => e['type'] === 'close').length;

    before(async () => {
      upstream = await startWsServer();
      proxy = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--ui', '127.0.0.1:0', '--json', '--frames']);
      const listening = JSON.parse((await proxy.waitForOutput(/^\{"v":1,"type":"listening".*\}$/m, 'the listening event'))[0]) as {
        port: number;
        ui: string;
      };
      proxyPort = listening.port;
      uiUrl = listening.ui;
    });
    after(async () => {
      await proxy?.stop();
      await upstream?.close();
    });

    it('shows the connections, the violations in red, the explain text after a click, filters, pause and the HAR export', async () => {
      const { page, context, errors } = await openPage(browser, uiUrl);
      try {
        // A good conversation, then two faulty clients.
        const good = await openWsClient(`ws://127.0.0.1:${proxyPort}/chat?room=1`, ['chat.v1']);
        const echoed = nextMessages(good, 1);
        good.send('hello through wsdiag');
        assert.equal(String((await echoed)[0]!.data), 'hello through wsdiag');
        const goodClosed = closedWith(good);
        good.close(1000, 'bye');
        await goodClosed;

        const unmasked = await connectRawClient(proxyPort, { path: '/raw/unmasked' });
        unmasked.send(encodeFrame({ opcode: 1, payload: 'hi' }));
        const badUtf8 = await connectRawClient(proxyPort, { path: '/raw/utf8' });
        badUtf8.send(encodeFrame({ opcode: 1, payload: new Uint8Array([0x68, 0x69, 0xff, 0xfe]), mask: true }));
        await proxy.waitForOutput(/"type":"peer-close".*\n(.*\n)*.*"type":"peer-close"/, 'both faulty clients closed by the server');
        unmasked.socket.destroy();
        badUtf8.socket.destroy();
        await proxy.until(() => (closes() >= 3 ? true : undefined), 'three close events');

        const violations = parsed().filter((e) => e['type'] === 'violation');
        assert.deepEqual(violations.map((v) => v['rule']).sort(), ['invalid-utf8-text', 'unmasked-client-frame']);
        await page.waitForFunction(() => document.querySelectorAll('[data-conn]').length === 3);
        await page.waitForFunction(
          (n) => document.querySelector('[data-testid=total-violations]')?.textContent === `${n} violations`,
          violations.length,
        );

        // All connections: the violation rows, in red.
        const violationRows = page.locator('.grid-body .row[data-kind=violation]');
        await page.waitForFunction(
          (n) => document.querySelectorAll('.grid-body .row[data-kind=violation]').length === n,
          violations.length,
        );
        for (const row of await violationRows.all()) assert.match((await row.getAttribute('class')) ?? '', /\bfault\b/);
        const red = await violationRows.first().evaluate((el) => getComputedStyle(el).color);
        const plain = await page
          .locator('.grid-body .row:not(.fault)')
          .first()
          .evaluate((el) => getComputedStyle(el).color);
        assert.notEqual(red, plain, 'violation rows are drawn in another colour');

        // Click the unmasked-client-frame violation: its fields and the explain text, then in French.
        // Connection ids start with the run's id (the listening event's `run`).
        const run = String(parsed().find((e) => e['type'] === 'listening')!['run']);
        await page.click(`[data-conn="${run}-c2"]`);
        await page.click('.grid-body .row[data-kind=violation]');
        const [en] = explain(['unmasked-client-frame'], 'en');
        const [fr] = explain(['unmasked-client-frame'], 'fr');
        await page.waitForSelector('[data-testid=explain][lang=en]');
        assert.ok((await page.textContent('[data-testid=explain]'))!.includes(en!.meaning));
        assert.equal(
          await page.textContent('[data-testid=violation-message]'),
          violations.find((v) => v['rule'] === 'unmasked-client-frame')!['message'],
        );
        const details = (await page.textContent('.detail'))!;
        for (const fact of ['1002', 'client', 'RFC 6455 §5.1', 'blame']) assert.ok(details.includes(fact), fact);
        await page.click('[data-lang=fr]');
        await page.waitForSelector('[data-testid=explain][lang=fr]');
        assert.ok((await page.textContent('[data-testid=explain]'))!.includes(fr!.meaning));
        await page.click('[data-lang=en]');
        await screenshot(page, 'live-violation');

        // Filters narrow the grid (all connections, messages view: frames and lifecycle rows).
        await page.click('[data-key="*"]');
        await page.click('[data-view=frames]');
        const all = await rowCount(page);
        await page.selectOption('[data-filter=dir]', 'server->client');
        await page.waitForFunction((n) => document.querySelectorAll('.grid-body .row').length < n, all);
        for (const row of await page.locator('.grid-body .row').all()) assert.match((await row.getAttribute('class')) ?? '', /\breceive\b/);
        await page.selectOption('[data-filter=dir]', 'any');
        await page.selectOption('[data-filter=type]', 'violation');
        await page.waitForFunction((n) => document.querySelectorAll('.grid-body .row').length === n, violations.length);
        assert.equal(await rowCount(page, '.row[data-kind=violation]'), violations.length);
        await page.selectOption('[data-filter=type]', 'all');
        await page.fill('[data-filter=text]', '/raw/utf8');
        await page.waitForFunction(() => document.querySelectorAll('.grid-body .row').length === 1);
        await page.fill('[data-filter=text]', '');
        await page.waitForFunction((n) => document.querySelectorAll('.grid-body .row').length === n, all);

        // In the frames view each violation follows its frame.
        for (const row of await page.locator('.grid-body .row[data-kind=violation]').all()) {
          const previous = await row.evaluate((el) => {
            const rows = [...document.querySelectorAll('.grid-body .row')].sort(
              (a, b) => parseFloat(a.style.top) - parseFloat(b.style.top),
            );
            const at = rows.indexOf(el);
            return rows[at - 1]?.getAttribute('data-kind');
          });
          assert.equal(previous, 'frame');
        }

        // Pause holds the page: a new connection arrives at the page but does not show until resumed.
        await page.click('[data-testid=pause]');
        await page.waitForSelector('[data-testid=pause].active');
        const later = await openWsClient(`ws://127.0.0.1:${proxyPort}/later`);
        const laterClosed = closedWith(later);
        later.close(1000);
        await laterClosed;
        await proxy.until(() => (closes() >= 4 ? true : undefined), 'the fourth close event');
        await page.waitForFunction(() => /Resume \([1-9]\d* held\)/.test(document.querySelector('[data-testid=pause]')?.textContent ?? ''));
        assert.equal(await page.locator('[data-conn]').count(), 3, 'held while paused');
        await page.click('[data-testid=pause]');
        await page.waitForFunction(() => document.querySelectorAll('[data-conn]').length === 4);

        // HAR export of everything: an entry per connection, with the handshake as relayed.
        const { name, value: har } = await downloadJson<{ log: { version: string; entries: HarEntry[] } }>(page, 'export-har');
        assert.equal(name, 'wsdiag-all.har');
        assert.equal(har.log.version, '1.2');
        const ws = har.log.entries.filter((e) => e._resourceType === 'websocket');
        assert.deepEqual(ws.map((e) => new URL(e.request.url).pathname).sort(), ['/chat', '/later', '/raw/unmasked', '/raw/utf8']);
        for (const entry of ws) {
          assert.equal(entry.response.status, 101);
          assert.equal(new URL(entry.request.url).host, `127.0.0.1:${proxyPort}`);
          assert.ok(entry.request.headers.some((h) => h.name === 'sec-websocket-version' && h.value === '13'));
          assert.ok(Array.isArray(entry._webSocketMessages));
        }
        const chat = ws.find((e) => e.request.url.includes('/chat'))!;
        assert.ok(chat.request.headers.some((h) => h.name === 'sec-websocket-protocol' && h.value === 'chat.v1'));
        assert.deepEqual(
          chat._webSocketClose && typeof chat._webSocketClose === 'object' ? (chat._webSocketClose as { code: number }).code : null,
          1000,
        );
        const rulesOf = (path: string) => ws.find((e) => e.request.url.endsWith(path))!._wsdiag!.violations.map((v) => v.rule);
        assert.deepEqual(rulesOf('/raw/unmasked'), ['unmasked-client-frame']);
        assert.deepEqual(rulesOf('/raw/utf8'), ['invalid-utf8-text']);

        await page.click('[data-key="*"]');
        await page.click('[data-view=messages]');
        await screenshot(page, 'live-proxy');
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  });

  describe('view, over a recorded log', () => {
    it('shows the log, exports its messages exactly as HAR, and shows <script> and <img onerror> payloads as text', async () => {
      const { cli, url } = await startView([FIXTURE_LOG]);
      const { page, context, errors } = await openPage(browser, url);
      try {
        await page.waitForFunction(() => document.querySelectorAll('[data-conn]').length === 2);
        assert.match((await page.textContent('.where'))!, /view: .*conversation\.jsonl/);
        await page.click('[data-conn=c1]');
        await page.waitForFunction(() => document.querySelectorAll('.grid-body .row[data-kind=message]').length === 7);

        // A JSON message opens as a tree; the binary one as hex.
        await page.locator('.grid-body .row[data-kind=message]').first().click();
        await page.waitForSelector('.json-tree .json-key');
        assert.ok((await page.textContent('.json-tree'))!.includes('connection_init'));
        await page.locator('.grid-body .row[data-kind=message]', { hasText: '00 01 02 03' }).click();
        await page.waitForSelector('.payload-hex');
        assert.match((await page.textContent('.payload-hex'))!, /00000000 {2}00 01 02 03 ff fe 80 41 42/);
        await page.click('[data-tab=view]');
        await page.waitForSelector('.view .badge');

        // The violation, its explain text; the Close links back to it.
        await page.click('.grid-body .row[data-kind=violation]');
        await page.waitForSelector('[data-testid=explain]');
        assert.ok((await page.textContent('[data-testid=explain]'))!.includes(explain(['invalid-utf8-text'], 'en')[0]!.meaning));
        await screenshot(page, 'view-violation');
        await page.click('.grid-body .row[data-kind=peer-close]');
        await page.click('[data-testid=goto-cause]');
        await page.waitForSelector('.grid-body .row.selected[data-kind=violation]');

        // HAR of this connection: the text and binary messages, exactly as logged.
        const { name, value: har } = await downloadJson<{ log: { entries: HarEntry[] } }>(page, 'export-har');
        assert.equal(name, 'wsdiag-c1.har');
        const fixture = readFileSync(FIXTURE_LOG, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        const expected = fixture
          .filter((e) => e['type'] === 'message' && e['conn'] === 'c1' && (e['kind'] === 'text' || e['kind'] === 'binary'))
          .map((e) => ({
            type: e['dir'] === 'client->server' ? 'send' : 'receive',
            time: Date.parse(e['ts'] as string) / 1000,
            opcode: e['kind'] === 'text' ? 1 : 2,
            data: e['data'],
          }));
        assert.equal(har.log.entries.length, 1);
        assert.deepEqual(har.log.entries[0]!._webSocketMessages, expected);
        const { value: jsonl } = await downloadJson<unknown>(page, 'export-all-har').then(async () => {
          const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-all-jsonl]')]);
          return { value: readFileSync(await download.path(), 'utf8') };
        });
        assert.equal(jsonl, fixture.map((e) => `${JSON.stringify(e)}\n`).join(''));

        // The hostile payload: text on screen, nothing run, no element made from it.
        await page.click('[data-conn=c2]');
        await page.locator('.grid-body .row[data-kind=message]').first().click();
        await page.click('[data-tab=text]');
        const shown = await page.textContent('[data-testid=payload-text]');
        assert.equal(shown, '<script>window.__wsdiagPwned = 1</script><img src=x onerror="window.__wsdiagPwned = 2">');
        assert.ok((await page.textContent('.grid-body'))!.includes('<script>window.__wsdiagPwned'));
        assert.equal(await page.evaluate(() => window.__wsdiagPwned), undefined);
        assert.equal(await page.locator('#app img').count(), 0);
        assert.equal(await page.locator('#app script').count(), 0);
        await screenshot(page, 'view-xss-as-text');
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
        assert.equal((await cli.stop()).code, 0);
      }
    });

    it('follows a log as it grows, and speaks French to a French browser', async () => {
      const log = dir.file('growing.jsonl');
      copyFileSync(FIXTURE_LOG, log);
      const { cli, url } = await startView([log]);
      const { page, context, errors } = await openPage(browser, url, 'fr-FR');
      try {
        await page.waitForFunction(() => document.querySelectorAll('[data-conn]').length === 2);
        const ts = (s: number) => `2026-11-24T10:00:${String(s).padStart(2, '0')}.000Z`;
        appendFileSync(
          log,
          [
            { v: 1, type: 'open', ts: ts(20), conn: 'c3', client: '127.0.0.1:50009', path: '/late', subprotocol: null, extensions: null },
            {
              v: 1,
              type: 'violation',
              ts: ts(21),
              conn: 'c3',
              dir: 'server->client',
              code: 1002,
              rule: 'masked-server-frame',
              severity: 'error',
              blame: 'server',
              frame: { index: 0, offset: 0, opcode: 1, length: 2 },
              message: 'Server text frame is masked (MASK bit 1).',
              hint: 'Servers must not mask frames.',
              rfc: 'RFC 6455 §5.1',
            },
          ]
            .map((e) => `${JSON.stringify(e)}\n`)
            .join(''),
        );
        await page.waitForFunction(() => document.querySelectorAll('[data-conn]').length === 3);
        await page.click('[data-conn=c3]');
        await page.click('.grid-body .row[data-kind=violation]');
        await page.waitForSelector('[data-testid=explain][lang=fr]');
        assert.ok((await page.textContent('[data-testid=explain]'))!.includes(explain(['masked-server-frame'], 'fr')[0]!.meaning));
        await screenshot(page, 'view-follow-fr');
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
        assert.equal((await cli.stop()).code, 0);
      }
    });
  });
});
