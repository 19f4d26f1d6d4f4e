/**
 * `wsdiag sniff` as a user runs it, on the loopback interface with the real tcpdump: the connections it
 * sees are judged live (a valid ws conversation gives no violation, a raw server that masks its frames
 * gives masked-server-frame), the filters narrow stdout while --log keeps everything, and Ctrl-C ends it
 * cleanly: a connection still open is closed as capture-end, then the summary, exit 0. And its errors, one
 * line each: tcpdump missing (exit 3), not allowed to capture (exit 3), an interface or a filter tcpdump
 * refuses (exit 2). The capture tests are skipped, with the reason, where tcpdump cannot capture.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { WsdiagEvent } from '../../src/events/index.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { findBinary } from '../support/binaries.js';
import { runCli, startCli } from '../support/cli.js';
import { connectRawClient, startRawServer } from '../support/raw-peers.js';
import { tempDir } from '../support/temp.js';
import { closedWith, nextMessages, openWsClient, startWsServer } from '../support/ws-servers.js';
import { tcpdumpUnavailable } from '../capture/support/tools.js';

type Ev<T extends WsdiagEvent['type']> = Extract<WsdiagEvent, { type: T }>;
const of = <T extends WsdiagEvent['type']>(events: WsdiagEvent[], type: T): Ev<T>[] => events.filter((e): e is Ev<T> => e.type === type);
const parse = (lines: readonly string[]): WsdiagEvent[] => lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as WsdiagEvent);

const dir = tempDir('sniff');
const skipCapture = tcpdumpUnavailable();

/** One line on stderr, no stack trace. */
function oneLine(stderr: string): void {
  assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

describe('wsdiag sniff on lo with tcpdump', { skip: skipCapture ?? false }, () => {
  it('judges what it sees live, filters stdout, logs everything, and stops cleanly on Ctrl-C', async () => {
    const echo = await startWsServer({ perMessageDeflate: false });
    const masking = await startRawServer((peer) =>
      peer.accept({ then: encodeFrame({ opcode: 1, payload: 'masked by mistake', mask: true }) }),
    );
    const log = dir.file('sniff.log');
    const sniff = startCli([
      'sniff',
      '-i',
      'lo',
      '--port',
      String(echo.port),
      '--port',
      String(masking.port),
      '--json',
      '--frames',
      '--log',
      log,
      '--type',
      'open,violation,close,summary',
    ]);
    const stillOpen: Array<{ close(): void }> = [];
    try {
      await sniff.waitForStderr(`wsdiag: capturing on lo (tcp port ${echo.port} or tcp port ${masking.port}); Ctrl-C to stop`);
      const ws = await openWsClient(echo.url);
      const reply = nextMessages(ws, 1);
      ws.send('seen by tcpdump');
      await reply;
      ws.close(1000, 'done');
      await closedWith(ws);
      const raw = await connectRawClient(masking.port);
      await raw.collector.until(() => (raw.body().length > 0 ? true : undefined), 'the masked frame');
      raw.socket.end();
      // A connection left open: the stop closes it as capture-end.
      const open = await openWsClient(echo.url);
      stillOpen.push(open);
      const closes = () => of(parse(sniff.lines()), 'close');
      const opens = () => of(parse(sniff.lines()), 'open');
      await sniff.until(() => (closes().length >= 2 && opens().length >= 3 ? true : undefined), 'three opens and two closes on stdout');
      const exit = await sniff.stop('SIGINT');
      assert.equal(exit.code, 0, exit.stderr);
      const events = parse(exit.stdout.split('\n'));
      assert.deepEqual([...new Set(events.map((e) => e.type))].sort(), ['close', 'open', 'summary', 'violation']);
      assert.deepEqual(
        of(events, 'violation').map((v) => [v.rule, v.dir]),
        [['masked-server-frame', 'server->client']],
      );
      assert.deepEqual(
        of(events, 'close').map((c) => c.how),
        ['close-frame', 'fin', 'capture-end'],
      );
      const summary = events.at(-1);
      assert.ok(summary?.type === 'summary');
      assert.deepEqual([summary.connections, summary.violations], [3, 1]);
      // The log has every event, frames and peer closes included; stdout only the types asked for.
      const logged = parse(readFileSync(log, 'utf8').split('\n'));
      assert.equal(of(logged, 'frame').length, 5);
      assert.equal(of(logged, 'peer-close').length, 2);
      assert.equal(logged.length, events.length + 7);
      assert.doesNotMatch(exit.stderr, /Error|at /);
    } finally {
      for (const ws of stillOpen) ws.close();
      sniff.kill('SIGKILL');
      await echo.close();
      await masking.close();
    }
  });

  it('an interface or a filter tcpdump refuses: exit 2, with its reason', async () => {
    const noDevice = await runCli(['sniff', '-i', 'nosuch0']);
    assert.equal(noDevice.code, 2, noDevice.stderr);
    assert.match(noDevice.stderr, /^wsdiag: --interface: tcpdump cannot capture there: nosuch0: .*(No such device|doesn't exist)/);
    oneLine(noDevice.stderr);
    const badFilter = await runCli(['sniff', '-i', 'lo', '--port', '9', 'and', 'port']);
    assert.equal(badFilter.code, 2, badFilter.stderr);
    assert.match(
      badFilter.stderr,
      /^wsdiag: the capture filter "\(tcp port 9\) and \(and port\)" is not valid: tcpdump says: .*syntax error/,
    );
    oneLine(badFilter.stderr);
  });

  const setpriv = findBinary('setpriv');
  const unprivileged = setpriv === null ? 'setpriv is not installed' : process.getuid?.() !== 0 ? 'not root: cannot drop to nobody' : false;
  it('tcpdump not allowed to capture: exit 3, with its reason and what to do', { skip: unprivileged }, async () => {
    // tcpdump itself, run as nobody: its own refusal, as a user without the right to capture gets it.
    const bin = join(dir.path, 'nobody-bin');
    mkdirSync(bin);
    const wrapper = join(bin, 'tcpdump');
    writeFileSync(wrapper, `#!/bin/sh\nexec ${setpriv} --reuid=65534 --regid=65534 --clear-groups ${findBinary('tcpdump')} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const r = await runCli(['sniff', '-i', 'lo'], { env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` } });
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /^wsdiag: tcpdump is not allowed to capture: lo: .*permission.*; run wsdiag sniff as root, or give tcpdump the capture capabilities/i,
    );
    oneLine(r.stderr);
  });
});

describe('wsdiag sniff without tcpdump', () => {
  it('says so in one line, exit 3', async () => {
    const empty = join(dir.path, 'empty-bin');
    mkdirSync(empty);
    const r = await runCli(['sniff', '-i', 'lo', '--port', '9'], { env: { PATH: empty } });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stderr, 'wsdiag: cannot run tcpdump: it is not installed or not on PATH (install it, e.g. apt-get install tcpdump)\n');
    assert.equal(r.stdout, '');
  });
});
