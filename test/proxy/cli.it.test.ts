/**
 * `wsdiag proxy` as users run it: flags checked before anything listens (exit 2), a busy port (exit 3),
 * JSON Lines on stdout and in --log that follow the schema, SIGTERM flushing the summary with exit 0,
 * and a closed stdout pipe that stops the printing, not the proxy.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import { VIOLATION_CODES, type WsdiagEvent } from '../../src/events/index.js';
import { parseEventLine } from '../../src/events/index.js';
import { RULES } from '../../src/rules/table.js';
import { runCli, startCli, type RunningChild } from '../support/cli.js';
import { occupiedPort } from '../support/net.js';
import { tempDir } from '../support/temp.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { connectRawClient, startRawServer } from '../support/raw-peers.js';
import { waitForFileText } from '../support/wait.js';
import { closedWith, nextMessages, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';
import { hasCsi } from '../support/text.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const RULE_IDS = new Set(RULES.map((r) => r.id));

/**
 * Parses a JSON Lines text and checks every line against the schema (DESIGN §2, README additions): every
 * connection id starts with the run id of the `listening` line before it.
 */
function parseLog(text: string): WsdiagEvent[] {
  const lines = text.split('\n').filter((l) => l !== '');
  let run: string | undefined;
  return lines.map((line, i) => {
    const parsed = parseEventLine(line);
    assert.ok(parsed.ok, `line ${i + 1} is not a valid event: ${parsed.ok ? '' : parsed.reason}\n${line}`);
    const event = parsed.event;
    assert.equal(event.v, 1);
    assert.match(event.ts, ISO);
    switch (event.type) {
      case 'listening':
        assert.match(event.run ?? '', /^[0-9a-z]{6}$/);
        run = event.run;
        break;
      case 'open':
      case 'frame':
      case 'peer-close':
        assert.match(event.conn, new RegExp(`^${run}-c\\d+$`));
        break;
      case 'violation':
        assert.ok(RULE_IDS.has(event.rule as never), `unknown rule ${event.rule}`);
        assert.ok(['client', 'server', 'intermediary', 'unknown'].includes(event.blame));
        assert.ok(VIOLATION_CODES.includes(event.code));
        break;
      case 'close':
        assert.ok(['client', 'server', 'proxy'].includes(event.ended_by ?? ''), `ended_by ${event.ended_by}`);
        assert.ok(['close-frame', 'fin', 'reset', 'error', 'timeout', 'enforce', 'shutdown'].includes(event.how ?? ''));
        break;
      default:
        break;
    }
    return event;
  });
}

const dir = tempDir('proxy-cli');
const BAD_CONFIG = dir.file('wsdiag.json');
writeFileSync(BAD_CONFIG, '{ "routes": [ { "path": "/x", "server-accepts": "txt" } ] }\n');

describe('wsdiag proxy: usage errors come before listening', () => {
  const cases: Array<{ name: string; args: string[]; message: RegExp }> = [
    {
      name: 'a target scheme it cannot relay',
      args: ['--target', 'ftp://example.com'],
      message: /--target "ftp:\/\/example\.com" has scheme ftp/,
    },
    { name: 'a target that is not a URL', args: ['--target', 'localhost:9000x'], message: /--target/ },
    { name: 'a bad --listen', args: ['--target', 'ws://127.0.0.1:1', '--listen', 'here'], message: /--listen "here" is not HOST:PORT/ },
    {
      name: '--tls-cert without --tls-key',
      args: ['--target', 'ws://127.0.0.1:1', '--tls-cert', 'cert.pem'],
      message: /--tls-cert needs --tls-key/,
    },
    {
      name: 'an unreadable --ca',
      args: ['--target', 'wss://127.0.0.1:1', '--ca', '/nonexistent/ca.pem'],
      message: /cannot read --ca file \/nonexistent\/ca\.pem: no such file or directory/,
    },
    {
      name: 'a log file that cannot be opened',
      args: ['--target', 'ws://127.0.0.1:1', '--log', '/nonexistent/dir/wsdiag.log'],
      message: /cannot open log file/,
    },
    {
      name: 'a missing --config file',
      args: ['--target', 'ws://127.0.0.1:1', '--config', '/nonexistent/wsdiag.json'],
      message: /\/nonexistent\/wsdiag\.json/,
    },
    {
      name: 'a --config with a wrong field',
      args: ['--target', 'ws://127.0.0.1:1', '--config', BAD_CONFIG],
      message: /routes\[0\]\["server-accepts"\]: expected "text", "binary" or "any", got "txt"/,
    },
  ];
  for (const c of cases) {
    it(`exits 2 with one line for ${c.name}`, async () => {
      const result = await runCli(['proxy', '--listen', '127.0.0.1:0', ...c.args]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '', 'nothing was listening, so nothing was printed');
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line expected:\n${result.stderr}`);
      assert.match(lines[0]!, /^wsdiag: /);
      assert.match(lines[0]!, c.message);
    });
  }

  it('exits 2 for --mode reverse without --target and with a bad --max-message', async () => {
    for (const args of [
      ['proxy', '--mode', 'reverse'],
      ['proxy', '--target', 'ws://127.0.0.1:1', '--max-message', 'lots'],
      ['proxy', '--target', 'ws://127.0.0.1:1', '--server-accepts', 'json'],
      ['proxy', '--target', 'ws://127.0.0.1:1', '--pong-timeout', '30s'],
    ]) {
      const result = await runCli(args);
      assert.equal(result.code, 2);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('exits 3 when the port is already in use', async () => {
    const busy = await occupiedPort();
    try {
      const result = await runCli(['proxy', '--target', 'ws://127.0.0.1:1', '--listen', `127.0.0.1:${busy.port}`]);
      assert.equal(result.code, 3);
      assert.match(result.stderr, /^wsdiag: cannot listen on 127\.0\.0\.1:\d+: the address is already in use/);
    } finally {
      await busy.release();
    }
  });
});

describe('wsdiag proxy: running', () => {
  let upstream: WsServer;
  let running: RunningChild | undefined;
  before(async () => {
    upstream = await startWsServer();
  });
  afterEach(() => {
    running?.kill('SIGKILL');
    running = undefined;
  });
  after(async () => {
    await upstream.close();
  });

  /** One valid exchange and one unmasked frame through the proxy on `port`. */
  async function traffic(port: number): Promise<void> {
    const ws = await openWsClient(`ws://127.0.0.1:${port}/app`);
    const echo = nextMessages(ws, 1);
    ws.send('hello');
    await echo;
    ws.close(1000);
    await closedWith(ws);
    const raw = await connectRawClient(port);
    raw.send(Buffer.from([0x81, 0x02, 0x68, 0x69]));
    await raw.collector.waitForClose(); // the ws upstream fails the connection with 1002
  }

  it('--json and --log: schema-valid events, listening first, summary last after SIGTERM, exit 0', async () => {
    const logPath = dir.file('events.log');
    running = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--json', '--log', logPath]);
    const port = await running.port();
    assert.ok(existsSync(logPath), 'the log file exists once the proxy listens');
    await traffic(port);
    await running.waitForLine((l) => l.includes('"type":"close"') && l.includes('"violations":1'), 'the second close event');
    running.kill('SIGTERM');
    const exit = await running.exited();
    assert.equal(exit.code, 0, running.stderr());
    assert.equal(running.stderr(), '');

    const events = parseLog(running.lines().join('\n'));
    assert.equal(events[0]!.type, 'listening');
    const last = events.at(-1)!;
    assert.equal(last.type, 'summary');
    assert.equal(last.connections, 2);
    assert.equal(last.violations, 1);
    assert.deepEqual(last.by_rule, { 'unmasked-client-frame': 1 });
    const open = events.find((e) => e.type === 'open');
    assert.equal(open?.type === 'open' && open.path, '/app');
    const violation = events.find((e) => e.type === 'violation');
    assert.equal(violation?.type === 'violation' && violation.rule, 'unmasked-client-frame');
    const peerClose = events.find((e) => e.type === 'peer-close' && e.by === 'server' && e.code === 1002);
    assert.equal(peerClose?.type === 'peer-close' && peerClose.cause?.rule, 'unmasked-client-frame');

    // The log file holds the same events, summary included.
    const logged = parseLog(readFileSync(logPath, 'utf8'));
    assert.deepEqual(logged, events);
  });

  it('pretty output: a readable log and the summary table on SIGTERM, exit 0', async () => {
    const logPath = dir.file('pretty.log');
    running = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--log', logPath]);
    const line = await running.waitForLine((l) => l.includes('listening on'), 'the listening line');
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(line)![1]);
    await traffic(port);
    await running.waitForLine((l) => /unmasked-client-frame/.test(l), 'the violation block');
    await running.waitForLine((l) => /-c2 close /.test(l), 'the second close line');
    running.kill('SIGTERM');
    assert.equal((await running.exited()).code, 0, running.stderr());
    const output = running.lines().join('\n');
    const run = /listening on 127\.0\.0\.1:\d+ {2}target \S+ {2}run ([0-9a-z]{6})$/m.exec(output)?.[1];
    assert.ok(run, output);
    assert.match(output, new RegExp(`  ${run}-c1 open\\s+client 127\\.0\\.0\\.1:\\d+\\s+path /app`));
    assert.match(output, new RegExp(`✖ 1002 unmasked-client-frame\\s+${run}-c2 client->server\\s+blame: client`));
    assert.match(output, /summary\s+2 connections\s+1 violation/);
    assert.match(output, /unmasked-client-frame\s+1002\s+1/);
    assert.ok(!hasCsi(output), 'no colour when not a terminal');
    const logged = parseLog(readFileSync(logPath, 'utf8'));
    assert.equal(logged.at(-1)!.type, 'summary');
  });

  it('--pong-timeout: a ping the client never answers is reported while the connection is open', async () => {
    const pinger = await startRawServer((peer) => peer.accept({ then: encodeFrame({ opcode: 9, payload: 'are you there' }) }));
    try {
      running = startCli(['proxy', '--target', pinger.url, '--listen', '127.0.0.1:0', '--json', '--pong-timeout', '200']);
      const raw = await connectRawClient(await running.port());
      const line = await running.waitForLine((l) => l.includes('"rule":"ping-unanswered"'), 'the ping-unanswered violation');
      const [event] = parseLog(line);
      assert.ok(event?.type === 'violation');
      assert.deepEqual([event.dir, event.blame, event.code, event.severity], ['server->client', 'client', 1011, 'warning']);
      assert.match(event.message, /\(--pong-timeout 200 ms\)/);
      assert.equal(
        running.lines().some((l) => l.includes('"type":"close"')),
        false,
        'reported before the connection ended',
      );
      raw.socket.destroy();
      await running.waitForLine((l) => l.includes('"type":"close"'), 'the close event');
      running.kill('SIGTERM');
      assert.equal((await running.exited()).code, 0, running.stderr());
    } finally {
      await pinger.close();
    }
  });

  it('two runs appending to one --log: ids unique across runs, and tail --conn picks one run', async () => {
    const logPath = dir.file('appended.log');
    for (let i = 0; i < 2; i++) {
      running = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--json', '--log', logPath]);
      const port = await running.port();
      const ws = await openWsClient(`ws://127.0.0.1:${port}/run${i + 1}`);
      ws.close(1000);
      await closedWith(ws);
      await running.waitForLine((l) => l.includes('"type":"close"'), 'the close event');
      running.kill('SIGTERM');
      assert.equal((await running.exited()).code, 0, running.stderr());
    }
    const events = parseLog(readFileSync(logPath, 'utf8'));
    const runs = events.flatMap((e) => (e.type === 'listening' ? [e.run!] : []));
    assert.equal(runs.length, 2);
    assert.notEqual(runs[0], runs[1]);
    const opens = events.flatMap((e) => (e.type === 'open' ? [[e.conn, e.path]] : []));
    assert.deepEqual(opens, [
      [`${runs[0]}-c1`, '/run1'],
      [`${runs[1]}-c1`, '/run2'],
    ]);

    const picked = await runCli(['tail', logPath, '--json', '--conn', `${runs[1]}-c1`]);
    assert.equal(picked.code, 0, picked.stderr);
    assert.equal(picked.stderr, '');
    const shown = parseLog(picked.stdout).flatMap((e) => ('conn' in e && e.conn !== null ? [e.conn] : []));
    assert.ok(shown.length > 0 && shown.every((conn) => conn === `${runs[1]}-c1`), shown.join(' '));

    const bare = await runCli(['tail', logPath, '--json', '--conn', 'c1']);
    assert.equal(bare.code, 0, bare.stderr);
    assert.match(bare.stderr, new RegExp(`^wsdiag: --conn c1 matches connections of 2 runs in \\S+ \\(${runs[0]}-c1, ${runs[1]}-c1\\)`));
  });

  it('--quiet still says where it listens, so a port chosen with :0 can be dialled', async () => {
    running = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--quiet']);
    const line = await running.waitForLine((l) => l.includes('listening on'), 'the listening line');
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1]);
    assert.ok(port > 0, line);
    await traffic(port);
    await running.waitForLine((l) => /unmasked-client-frame/.test(l), 'the violation block');
    running.kill('SIGTERM');
    assert.equal((await running.exited()).code, 0, running.stderr());
    const output = running.lines().join('\n');
    assert.doesNotMatch(output, / open {2}client /, 'quiet: no connection stories');
  });

  it('keeps relaying when stdout is closed (| head -1): one line on stderr, --log gets every event, SIGTERM exits 0', async () => {
    const logPath = dir.file('head.log');
    running = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--json', '--log', logPath]);
    const port = await running.port();
    running.closeStdout(); // the reader goes away after the first line, as `head -1` does
    const exchange = async (text: string): Promise<void> => {
      const ws = await openWsClient(`ws://127.0.0.1:${port}/${text}`);
      const echo = nextMessages(ws, 1);
      ws.send(text);
      assert.equal(String((await echo)[0]!.data), text, 'relayed both ways');
      ws.close(1000);
      await closedWith(ws);
    };
    // The first client's events are the first writes to the closed pipe.
    await exchange('first');
    await running.waitForStderr('stdout was closed', 'the notice on stderr');
    // Later clients are still served.
    await exchange('second');
    await exchange('third');
    await waitForFileText(
      logPath,
      (text) => (text.split('"type":"close"').length - 1 >= 3 ? true : undefined),
      'three close events in the log',
    );
    assert.equal(running.child.exitCode, null, 'still running');

    running.kill('SIGTERM');
    const exit = await running.exited();
    assert.equal(exit.code, 0, running.stderr());
    assert.equal(
      running.stderr(),
      `wsdiag: stdout was closed; events are no longer printed there (events still go to ${logPath}), and the proxy keeps relaying until Ctrl-C or SIGTERM.\n`,
      'said once, and no EPIPE stack trace',
    );
    const logged = parseLog(readFileSync(logPath, 'utf8'));
    assert.deepEqual(
      logged.filter((e): e is Extract<WsdiagEvent, { type: 'open' }> => e.type === 'open').map((e) => e.path),
      ['/first', '/second', '/third'],
    );
    const last = logged.at(-1)!;
    assert.equal(last.type, 'summary');
    assert.equal(last.connections, 3);
  });

  it('SIGTERM with a WebSocket open: it gets Close 1001, its close event and the summary are logged, exit 0', async () => {
    const logPath = dir.file('sigterm.log');
    running = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--json', '--log', logPath]);
    const port = await running.port();
    const ws = await openWsClient(`ws://127.0.0.1:${port}/open`);
    const closed = closedWith(ws, 10_000);
    await running.waitForLine((l) => l.includes('"type":"open"'), 'the open event');
    running.kill('SIGTERM');
    assert.deepEqual(await closed, { code: 1001, reason: 'wsdiag is shutting down' });
    assert.equal((await running.exited()).code, 0, running.stderr());
    const logged = parseLog(readFileSync(logPath, 'utf8'));
    const close = logged.find((e) => e.type === 'close');
    assert.deepEqual(close?.type === 'close' && [close.ended_by, close.how], ['proxy', 'shutdown']);
    assert.equal(logged.at(-1)!.type, 'summary');
  });

  it('warns on stderr when bound to a non-loopback address', async () => {
    running = startCli(['proxy', '--target', upstream.url, '--listen', '0.0.0.0:0', '--json']);
    await running.port();
    running.kill('SIGINT');
    assert.equal((await running.exited()).code, 0);
    assert.match(running.stderr(), /^wsdiag: warning: listening on 0\.0\.0\.0:\d+, which is reachable from the network/);
  });
});
