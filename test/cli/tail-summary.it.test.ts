/**
 * `wsdiag tail --summary LOG…`: the summary rebuilt from logs is the one the live runs printed. One proxy's
 * log gives back its own summary (times and instance aside); three instances' logs, merged, give the sum
 * of their three; the readable form is the live summary's lines. Filters and -f do not go with it (exit 2).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { SummaryEvent, WsdiagEvent } from '../../src/events/index.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { runCli, startCli, type RunningChild } from '../support/cli.js';
import { connectRawClient } from '../support/raw-peers.js';
import { tempDir } from '../support/temp.js';
import { closedWith, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

const START_MS = 30_000;
const STEP_MS = 15_000;

function events(text: string): WsdiagEvent[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as WsdiagEvent);
}

function closes(proxy: RunningChild): number {
  return events(proxy.stdout()).filter((e) => e.type === 'close').length;
}

/**
 * Known traffic, one connection after the other: `clean` clean exchanges, `utf8` text messages that are not
 * UTF-8 (invalid-utf8-text, the server closes 1007) and `unmasked` unmasked client frames (1002), then waits
 * for every close event.
 */
async function traffic(proxy: RunningChild, port: number, counts: { clean: number; utf8: number; unmasked: number }): Promise<void> {
  const url = `ws://127.0.0.1:${port}`;
  const before = closes(proxy);
  for (let i = 0; i < counts.clean; i++) {
    const ws = await openWsClient(`${url}/clean`);
    ws.close(1000);
    await closedWith(ws, STEP_MS);
  }
  for (let i = 0; i < counts.utf8; i++) {
    const ws = await openWsClient(`${url}/utf8`);
    const closed = closedWith(ws, STEP_MS);
    ws.send(Buffer.from([0x68, 0xc3, 0x28]), { binary: false });
    await closed;
  }
  for (let i = 0; i < counts.unmasked; i++) {
    const raw = await connectRawClient(port, { path: '/raw' });
    assert.equal(raw.statusCode, 101);
    raw.send(encodeFrame({ opcode: 0x1, payload: Buffer.from('hi') }));
    const n = closes(proxy);
    // The server answers Close 1002 and waits for ours: our FIN ends it once the violation is out.
    await proxy.until(
      () =>
        events(proxy.stdout()).some((e) => e.type === 'peer-close' && e.code === 1002 && !closedConns(proxy).has(e.conn))
          ? true
          : undefined,
      'the server closing 1002',
      STEP_MS,
    );
    raw.socket.end();
    await proxy.until(() => (closes(proxy) > n ? true : undefined), 'the close of the unmasked connection', STEP_MS);
  }
  const total = counts.clean + counts.utf8 + counts.unmasked;
  await proxy.until(() => (closes(proxy) >= before + total ? true : undefined), `${total} close events`, STEP_MS);
}

function closedConns(proxy: RunningChild): Set<string> {
  return new Set(events(proxy.stdout()).flatMap((e) => (e.type === 'close' ? [e.conn] : [])));
}

/** A summary without what differs between the live one and a rebuilt one: its time and the instance. */
function counts(summary: SummaryEvent): Omit<SummaryEvent, 'ts' | 'instance'> {
  const { ts: _ts, instance: _instance, ...rest } = summary;
  return rest;
}

function summaryOf(text: string): SummaryEvent {
  const found = events(text).filter((e): e is SummaryEvent => e.type === 'summary');
  assert.equal(found.length, 1, text);
  return found[0]!;
}

describe('tail --summary', () => {
  const dir = tempDir('tail-summary');
  let server: WsServer;
  before(async () => {
    server = await startWsServer();
  });
  after(async () => {
    await server.close();
  });

  /** A proxy with --log, the traffic, SIGTERM: its log and the summary it printed. */
  async function run(log: string, instance: string, traffic_: { clean: number; utf8: number; unmasked: number }): Promise<SummaryEvent> {
    const proxy = startCli(['proxy', '--target', server.url, '--listen', '127.0.0.1:0', '--json', '--log', log, '--instance', instance]);
    const port = await proxy.port(START_MS);
    await traffic(proxy, port, traffic_);
    const exit = await proxy.stop('SIGTERM', STEP_MS);
    assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);
    return summaryOf(exit.stdout);
  }

  it('rebuilds the live summary from the log the run wrote; merged logs give the sum of their summaries', async () => {
    const logs = [dir.file('one.log'), dir.file('two.log'), dir.file('three.log')];
    const live = [
      await run(logs[0]!, 'one', { clean: 2, utf8: 1, unmasked: 2 }),
      await run(logs[1]!, 'two', { clean: 1, utf8: 2, unmasked: 0 }),
      await run(logs[2]!, 'three', { clean: 0, utf8: 1, unmasked: 1 }),
    ];
    assert.deepEqual(
      live.map((s) => [s.connections, s.violations]),
      [
        [5, 3],
        [3, 2],
        [2, 2],
      ],
      JSON.stringify(live),
    );

    const single = await runCli(['tail', '--summary', '--json', logs[0]!]);
    assert.equal(single.code, 0, single.stderr);
    const rebuilt = summaryOf(single.stdout);
    assert.deepEqual(counts(rebuilt), counts(live[0]!));
    assert.equal(rebuilt.instance, undefined, 'a summary of logs belongs to no one instance');
    const lastTs = events(readFileSync(logs[0]!, 'utf8'))
      .filter((e) => e.type !== 'summary')
      .at(-1)!.ts;
    assert.equal(rebuilt.ts, lastTs, 'timed at the last event of the logs');

    const merged = await runCli(['tail', '--summary', '--json', ...logs]);
    assert.equal(merged.code, 0, merged.stderr);
    const sum = (pick: (s: SummaryEvent) => Record<string, number>): Record<string, number> => {
      const total: Record<string, number> = {};
      for (const s of live) for (const [key, n] of Object.entries(pick(s))) total[key] = (total[key] ?? 0) + n;
      return total;
    };
    const all = summaryOf(merged.stdout);
    assert.deepEqual(
      { connections: all.connections, violations: all.violations, by_rule: all.by_rule, by_code: all.by_code },
      {
        connections: 10,
        violations: 7,
        by_rule: sum((s) => s.by_rule),
        by_code: sum((s) => s.by_code),
      },
    );
    assert.deepEqual(all.by_code, { '1002': 3, '1007': 4 });

    // The readable form: the live summary's own lines (its time aside).
    const pretty = await runCli(['tail', '--summary', logs[0]!]);
    assert.equal(pretty.code, 0, pretty.stderr);
    const livePretty = await runCli(['tail', logs[0]!, '--type', 'summary']);
    const body = (text: string): string => text.replace(/^\S*\d\d:\d\d:\d\d\S*\s+/gm, '');
    assert.match(pretty.stdout, /summary +5 connections +3 violations/);
    assert.equal(body(pretty.stdout), body(livePretty.stdout));
  });

  it('counts suppressed violations in the total, as the live run does, but cannot say their rule', async () => {
    const log = dir.file('suppressed.log');
    const proxy = startCli(['proxy', '--target', server.url, '--listen', '127.0.0.1:0', '--json', '--log', log, '--max-per-rule', '1']);
    const port = await proxy.port(START_MS);
    const raw = await connectRawClient(port, { path: '/raw' });
    // Three reserved-bit frames in one write: one logged, two suppressed.
    raw.send(Buffer.concat([0, 1, 2].map(() => encodeFrame({ opcode: 0x1, payload: Buffer.from('x'), mask: true, rsv2: true }))));
    await proxy.waitForLine((l) => l.includes('"type":"violation"'), 'the violation', STEP_MS);
    raw.socket.destroy();
    await proxy.waitForLine((l) => l.includes('"type":"close"'), 'the close', STEP_MS);
    const exit = await proxy.stop('SIGTERM', STEP_MS);
    const live = summaryOf(exit.stdout);
    const rebuilt = summaryOf((await runCli(['tail', '--summary', '--json', log])).stdout);
    assert.equal(rebuilt.violations, live.violations);
    assert.equal(rebuilt.connections, live.connections);
    const logged = (s: SummaryEvent) => Object.values(s.by_rule).reduce((a, b) => a + b, 0);
    assert.deepEqual([live.violations, logged(live)], [3, 3], JSON.stringify(live));
    assert.deepEqual([rebuilt.violations, logged(rebuilt)], [3, 1], `only the logged one has a rule: ${JSON.stringify(rebuilt)}`);
  });

  it('is refused with -f or a filter (exit 2), naming the flags', async () => {
    const log = dir.file('any.log');
    await run(log, 'x', { clean: 1, utf8: 0, unmasked: 0 });
    const follow = await runCli(['tail', '--summary', '-f', log]);
    assert.deepEqual([follow.code, follow.stderr], [2, 'wsdiag: --summary reads the logs to their end: not with --follow\n']);
    const filtered = await runCli(['tail', '--summary', '--code', '1002', log]);
    assert.deepEqual([filtered.code, filtered.stderr], [2, 'wsdiag: --summary counts every event of the logs: not with filters\n']);
  });
});
