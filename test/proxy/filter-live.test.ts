/**
 * The filter flags on a live proxy, with real sockets: they choose what stdout shows (the listening line
 * always shows), while --log keeps every event and the summary counts everything. The same language as
 * `tail`, so the log read back with the same filter gives what stdout showed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { parseEventLine, type WsdiagEvent } from '../../src/events/index.js';
import type { FilterOptions } from '../../src/filter/index.js';
import { runProxy } from '../../src/live/index.js';
import { runTail } from '../../src/tail/index.js';
import { CaptureStream } from '../support/capture-stream.js';
import { startCli } from '../support/cli.js';
import { waitForEvent, waitForFileText, withTimeout } from '../support/wait.js';
import { closedWith, nextMessages, openWsClient } from '../support/ws-servers.js';

const dir = mkdtempSync(join(tmpdir(), 'wsdiag-filter-live-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function get(url: string): Promise<number> {
  return withTimeout(
    new Promise<number>((resolve, reject) => {
      request(url, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
        .on('error', reject)
        .end();
    }),
    `GET ${url}`,
  );
}

function events(text: string): WsdiagEvent[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const parsed = parseEventLine(line);
      assert.ok(parsed.ok, line);
      return parsed.event;
    });
}

const describeEvent = (e: WsdiagEvent): string => (e.type === 'http' ? `http ${e.path}` : e.type);

describe('proxy filters: stdout narrowed, the log and the summary whole', () => {
  let upstream: Server;
  let target: string;

  before(async () => {
    upstream = createServer((req, res) => res.end(`page ${req.url}`));
    const wss = new WebSocketServer({ server: upstream });
    wss.on('connection', (ws) => ws.on('message', (data) => ws.send(data)));
    upstream.listen(0, '127.0.0.1');
    await waitForEvent(upstream, 'listening');
    target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  after(async () => {
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  /** Runs a proxy with `filter`, sends a page load, an API call and a WebSocket exchange, stops it. */
  async function session(filter: FilterOptions, json: boolean) {
    const log = join(dir, `run-${Math.random().toString(36).slice(2)}.jsonl`);
    const stdout = new CaptureStream();
    const stderr = new CaptureStream();
    const stop = new AbortController();
    const done = runProxy(
      { json, log, filter, proxy: { target, listen: { host: '127.0.0.1', port: 0 } } },
      { stdout, stderr, signal: stop.signal },
    );
    // The listening line, readable or JSON, says the port.
    const portOf = (text: string) => /listening on 127\.0\.0\.1:(\d+)|"port":(\d+)/.exec(text);
    await stdout.waitFor((text) => portOf(text) !== null, 'the listening line');
    const found = portOf(stdout.text);
    const port = Number(found?.[1] ?? found?.[2]);
    const base = `http://127.0.0.1:${port}`;
    assert.equal(await get(`${base}/index.html`), 200);
    assert.equal(await get(`${base}/api/items?page=2`), 200);
    const ws = await openWsClient(`ws://127.0.0.1:${port}/socket`);
    const echoed = nextMessages(ws, 1);
    ws.send('hello');
    await echoed;
    ws.close();
    await closedWith(ws);
    await waitForFileText(log, (text) => (text.includes('"type":"close"') ? true : undefined), 'the close event in the log');
    stop.abort();
    assert.equal(await done, 0, stderr.text);
    return { stdout: stdout.text, log: events(readFileSync(log, 'utf8')), logPath: log };
  }

  it('--type http --grep ^/api/: stdout has the listening line and that exchange; the log has everything', async () => {
    const filter = { types: ['http'], grep: [/^\/api\//] };
    const run = await session(filter, true);
    assert.deepEqual(events(run.stdout).map(describeEvent), ['listening', 'http /api/items?page=2']);
    const everything = run.log.map(describeEvent);
    for (const expected of ['listening', 'http /index.html', 'http /api/items?page=2', 'open', 'close', 'summary']) {
      assert.ok(everything.includes(expected), `${expected} in the log: ${everything.join(', ')}`);
    }
    const summary = run.log.at(-1);
    assert.ok(summary?.type === 'summary' && summary.connections === 1, 'the summary counts the connection stdout did not show');

    // The log read back with the same filter shows what stdout showed (tail drops nothing run-wide but listening).
    const tailed = new CaptureStream();
    await runTail(
      [run.logPath],
      { follow: false, filter, json: true, frames: false, color: false, intervalMs: 10 },
      {
        stdout: tailed,
        stderr: new CaptureStream(),
      },
    );
    assert.deepEqual(events(tailed.text).map(describeEvent), ['http /api/items?page=2']);
  });

  it('--conn h1 --type http,summary, readable: the first client connection, and the summary of the whole run', async () => {
    const run = await session({ conns: ['h1'], types: ['http', 'summary'] }, false);
    const lines = run.stdout.split('\n').filter((line) => line !== '');
    assert.equal(lines.length, 3, run.stdout);
    assert.match(lines[0]!, /listening on 127\.0\.0\.1:\d+/);
    assert.match(lines[1]!, /-h1 http GET \/index\.html {2}200 OK/);
    assert.match(lines[2]!, /summary {2}1 connection {2}no violations/);
    assert.equal(run.log.filter((e) => e.type === 'http').length, 2);
  });
});

describe('wsdiag proxy with filter flags (command line)', () => {
  let upstream: Server;
  before(async () => {
    upstream = createServer((_req, res) => res.end('ok'));
    upstream.listen(0, '127.0.0.1');
    await waitForEvent(upstream, 'listening');
  });
  after(async () => {
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('--json --type http prints the listening line and the exchanges only, and exits 0 on SIGTERM', async () => {
    const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const proxy = startCli(['proxy', '--target', target, '--listen', '127.0.0.1:0', '--json', '--type', 'http', '--code', '1002']);
    const port = await proxy.port();
    assert.equal(await get(`http://127.0.0.1:${port}/a`), 200);
    await proxy.waitForLine((line) => line.includes('"type":"http"'), 'the http line', 10_000);
    proxy.child.kill('SIGTERM');
    const exit = await proxy.exited();
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    assert.deepEqual(
      proxy
        .lines()
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { type: string }).type),
      ['listening', 'http'],
    );
  });
});
