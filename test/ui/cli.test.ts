/**
 * The dashboard's command line without a browser: `proxy --ui` prints the address (also with --quiet) and
 * names it in the `listening` event (never the token); off loopback it prints a token once; `view` serves
 * a log, merged with another by time, and follows it as it grows; bad input is one clear line and exit 2
 * (a port in use is exit 3, as for --listen).
 */
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { FeedMessage, FeedRecord } from '../../src/ui/web/protocol.js';
import { startWsServer, type WsServer } from '../support/ws-servers.js';
import { withTimeout } from '../support/wait.js';
import { runCli, startCli } from '../support/cli.js';
import { occupiedPort } from '../support/net.js';
import { tempDir } from '../support/temp.js';
import { FIXTURE_LOG, startView } from './support.js';

const dir = tempDir('ui-cli');

/** Connects to a dashboard's feed and collects records until `until` holds. */
async function feedRecords(url: string, until: (records: FeedRecord[]) => boolean, what: string): Promise<FeedRecord[]> {
  const ws = new WebSocket(new URL('/feed', url).href.replace(/^http/, 'ws'));
  const records: FeedRecord[] = [];
  try {
    return await withTimeout(
      new Promise<FeedRecord[]>((resolve, reject) => {
        ws.on('error', reject);
        ws.on('message', (data) => {
          const message = JSON.parse(String(data)) as FeedMessage;
          if (message.kind === 'records') records.push(...message.records);
          if (until(records)) resolve(records);
        });
      }),
      what,
      15_000,
    );
  } finally {
    ws.close();
  }
}

const eventOf = (r: FeedRecord) => ('event' in r ? r.event : undefined);

describe('wsdiag proxy --ui', () => {
  let upstream: WsServer;
  after(async () => upstream?.close());

  it('prints the dashboard address with --quiet and puts it in the listening event, without a token on loopback', async () => {
    upstream = await startWsServer();
    const proxy = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--ui', '--json', '--quiet']);
    try {
      const printed = (await proxy.waitForOutput(/wsdiag: dashboard at (http:\/\/127\.0\.0\.1:\d+\/)\n/, 'the dashboard line'))[1]!;
      const listening = (await proxy.waitForOutput(/^\{"v":1,"type":"listening".*\}$/m, 'the listening event'))[0];
      assert.equal((JSON.parse(listening) as { ui?: string }).ui, printed);
      const page = await fetch(printed);
      assert.equal(page.status, 200);
      const hello = await feedRecords(
        printed,
        (records) => records.some((r) => eventOf(r)?.['type'] === 'listening'),
        'the listening record on the feed',
      );
      assert.equal(eventOf(hello.find((r) => eventOf(r)?.['type'] === 'listening')!)?.['ui'], printed);
    } finally {
      assert.equal((await proxy.stop()).code, 0);
    }
  });

  it('off loopback prints a token once (stderr), keeps it out of the listening event, and refuses pages without it', async () => {
    upstream ??= await startWsServer();
    const proxy = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--ui', '0.0.0.0:0', '--json']);
    try {
      const [, , port, token] = await proxy.waitForOutput(
        /wsdiag: dashboard at (http:\/\/127\.0\.0\.1:(\d+)\/)\?token=([A-Za-z0-9_-]+)\n/,
        'the dashboard line with its token',
      );
      const listening = (await proxy.waitForOutput(/^\{"v":1,"type":"listening".*\}$/m, 'the listening event'))[0];
      assert.ok(!listening.includes(token!), 'the token is not in the event');
      assert.equal(proxy.stdout().includes(token!), false, 'nor anywhere on stdout');
      assert.equal(proxy.stderr().split(token!).length - 1, 1, 'printed exactly once');
      const refused = await fetch(`http://127.0.0.1:${port}/?token=not-the-token`);
      assert.equal(refused.status, 403);
      assert.match(await refused.text(), /missing or wrong token/);
      const allowed = await fetch(`http://127.0.0.1:${port}/?token=${token}`, { redirect: 'manual' });
      assert.equal(allowed.status, 303);
    } finally {
      assert.equal((await proxy.stop()).code, 0);
    }
  });

  it('bad --ui input: exit 2 with one line; --ui-buffer without --ui, or 0, is exit 2; a port in use is exit 3', async () => {
    const bad = await runCli(['proxy', '--target', 'ws://127.0.0.1:9', '--listen', '127.0.0.1:0', '--ui', 'nonsense:port']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^wsdiag: --ui "nonsense:port" is not HOST:PORT or PORT/m);
    const lonely = await runCli(['proxy', '--target', 'ws://127.0.0.1:9', '--listen', '127.0.0.1:0', '--ui-buffer', '5']);
    assert.equal(lonely.code, 2);
    assert.match(lonely.stderr, /--ui-buffer needs --ui/);
    const zero = await runCli(['proxy', '--target', 'ws://127.0.0.1:9', '--listen', '127.0.0.1:0', '--ui', '--ui-buffer', '0']);
    assert.equal(zero.code, 2);
    assert.match(zero.stderr, /--ui-buffer expects a whole number of 1 or more/);
    const { port: taken, release } = await occupiedPort();
    try {
      const busy = await runCli(['proxy', '--target', 'ws://127.0.0.1:9', '--listen', '127.0.0.1:0', '--ui', `127.0.0.1:${taken}`]);
      assert.equal(busy.code, 3);
      assert.equal(
        busy.stderr,
        `wsdiag: --ui: cannot listen on 127.0.0.1:${taken}: the address is already in use (another wsdiag or server runs there; pick another port, or 0 for any free one)\n`,
      );
      const viewBusy = await runCli(['view', FIXTURE_LOG, '--listen', `127.0.0.1:${taken}`]);
      assert.equal(viewBusy.code, 3);
      assert.match(viewBusy.stderr, /^wsdiag: --listen: cannot listen on .*already in use/);
    } finally {
      await release();
    }
  });
});

describe('wsdiag view', () => {
  it('serves a recorded log: every event on the feed, in order, with its source', async () => {
    const { cli, url } = await startView([FIXTURE_LOG]);
    try {
      const lines = readFileSync(FIXTURE_LOG, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      const records = await feedRecords(url, (r) => r.length >= lines.length, 'every event of the log');
      assert.deepEqual(
        records.map((r) => eventOf(r)),
        lines.map((l) => JSON.parse(l) as unknown),
      );
      assert.ok(records.every((r) => 'src' in r && r.src === 0));
    } finally {
      assert.equal((await cli.stop()).code, 0);
    }
  });

  it('merges several logs by time and follows them as they grow', async () => {
    const a = dir.file('a.jsonl');
    const b = dir.file('b.jsonl');
    const line = (ts: string, conn: string, path: string) =>
      `${JSON.stringify({ v: 1, type: 'open', ts, conn, client: '127.0.0.1:1', path, subprotocol: null, extensions: null })}\n`;
    writeFileSync(a, line('2026-11-24T10:00:01.000Z', 'c1', '/a1') + line('2026-11-24T10:00:03.000Z', 'c2', '/a2'));
    writeFileSync(b, line('2026-11-24T10:00:02.000Z', 'c1', '/b1') + line('2026-11-24T10:00:04.000Z', 'c2', '/b2'));
    const { cli, url } = await startView([a, b]);
    try {
      const merged = await feedRecords(url, (r) => r.length >= 4, 'the merged logs');
      assert.deepEqual(
        merged.map((r) => eventOf(r)?.['path']),
        ['/a1', '/b1', '/a2', '/b2'],
      );
      assert.deepEqual(
        merged.map((r) => ('src' in r ? r.src : undefined)),
        [0, 1, 0, 1],
      );
      appendFileSync(b, line('2026-11-24T10:00:05.000Z', 'c3', '/b3'));
      const grown = await feedRecords(url, (r) => r.some((x) => eventOf(x)?.['path'] === '/b3'), 'the line appended to the log');
      assert.equal(grown.length, 5);
    } finally {
      assert.equal((await cli.stop()).code, 0);
    }
  });

  it('a file that is not a wsdiag log, or missing: one line, exit 2, nothing listens', async () => {
    const notLog = dir.file('notes.txt');
    writeFileSync(notLog, 'hello, this is not JSON\n');
    const result = await runCli(['view', notLog]);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `wsdiag: ${notLog} is not a wsdiag log (line 1: not JSON); write one with wsdiag proxy --log FILE or --json\n`,
    );
    assert.equal(result.stdout, '');
    const otherJson = dir.file('other.jsonl');
    writeFileSync(otherJson, '{"level":"info","msg":"server started"}\n');
    const other = await runCli(['view', otherJson]);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /is not a wsdiag log \(line 1: not a wsdiag event \(no "v" field\)\)/);
    const missing = await runCli(['view', dir.file('nope.jsonl')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^wsdiag: cannot read log file .*nope\.jsonl/);
    const binary = dir.file('blob.bin');
    writeFileSync(binary, Buffer.alloc(100_000, 0xab));
    const blob = await runCli(['view', binary]);
    assert.equal(blob.code, 2);
    assert.match(blob.stderr, /is not a wsdiag log/);
  });
});
