/**
 * `wsdiag sandwich` as a user runs it (the built bin/wsdiag.js in a child process) around an intermediary
 * (wsdiag chaos, in this process): usage errors exit 2 with one line, a port in use exits 3, a run ended by SIGTERM exits 0 when
 * the intermediary was honest and 1 when it changed the traffic, with both summaries last; a closed stdout
 * stops the printing, not the relaying.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runCli, startCli, type RunningChild } from '../support/cli.js';
import { bothWays, startIntermediary, type Intermediary, type IntermediaryFaults } from '../support/intermediary.js';
import { heldPorts, occupiedPort } from '../support/net.js';
import { tempDir } from '../support/temp.js';
import { waitForFileText } from '../support/wait.js';
import { closedWith, nextMessages, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

const dir = tempDir('sandwich-cli');
let target: WsServer;
before(async () => {
  target = await startWsServer();
});
after(async () => {
  await target.close();
});

const USAGE_CASES: Array<[string, string[], RegExp]> = [
  ['--via missing', ['--return', '127.0.0.1:0', '--target', 'ws://127.0.0.1:9'], /required option '--via <url>' not specified/],
  [
    '--return missing',
    ['--via', 'ws://127.0.0.1:9', '--target', 'ws://127.0.0.1:9'],
    /required option '--return <host:port>' not specified/,
  ],
  [
    'a bad --return',
    ['--via', 'ws://127.0.0.1:9', '--return', 'nowhere', '--target', 'ws://127.0.0.1:9'],
    /^wsdiag: --return "nowhere" is not HOST:PORT/,
  ],
  [
    'a --via that is not a URL',
    ['--via', 'proxy:80', '--return', '127.0.0.1:0', '--target', 'ws://127.0.0.1:9'],
    /^wsdiag: --via "proxy:80" has scheme proxy/,
  ],
  [
    'an ftp --target',
    ['--via', 'ws://127.0.0.1:9', '--return', '127.0.0.1:0', '--target', 'ftp://127.0.0.1'],
    /^wsdiag: --target "ftp:\/\/127\.0\.0\.1" has scheme ftp/,
  ],
  [
    '--via pointing at --listen',
    ['--listen', '127.0.0.1:18080', '--via', 'ws://127.0.0.1:18080', '--return', '127.0.0.1:0', '--target', 'ws://127.0.0.1:9'],
    /--via ws:\/\/127\.0\.0\.1:18080\/ is wsdiag's own --listen address/,
  ],
  [
    '--target pointing at --return',
    ['--via', 'ws://127.0.0.1:9', '--return', '127.0.0.1:18081', '--target', 'ws://localhost:18081'],
    /--target ws:\/\/localhost:18081\/ is wsdiag's own --return address/,
  ],
  [
    'a non-numeric --pong-timeout',
    ['--via', 'ws://127.0.0.1:9', '--return', '127.0.0.1:0', '--target', 'ws://127.0.0.1:9', '--pong-timeout', 'soon'],
    /--pong-timeout expects a whole number/,
  ],
  [
    'a non-numeric --linger',
    ['--via', 'ws://127.0.0.1:9', '--return', '127.0.0.1:0', '--target', 'ws://127.0.0.1:9', '--linger', 'soon'],
    /--linger expects a whole number/,
  ],
];

for (const [name, args, message] of USAGE_CASES) {
  test(`usage error, exit 2: ${name}`, async () => {
    const r = await runCli(['sandwich', ...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(r.stdout, '');
  });
}

test('a port in use: exit 3 with one line, whichever listener it is', async () => {
  const { port, release } = await occupiedPort();
  try {
    for (const args of [
      ['--listen', `127.0.0.1:${port}`, '--return', '127.0.0.1:0'],
      ['--listen', '127.0.0.1:0', '--return', `127.0.0.1:${port}`],
    ]) {
      const r = await runCli(['sandwich', ...args, '--via', 'ws://127.0.0.1:9', '--target', target.url, '--json']);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, new RegExp(`^wsdiag: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  } finally {
    await release();
  }
});

/** Starts `wsdiag sandwich` around an intermediary; resolves once both listeners are up. */
async function runSandwich(
  faults: IntermediaryFaults,
  extra: string[],
): Promise<{ run: RunningChild; intermediary: Intermediary; frontUrl: string }> {
  // Held while the intermediary binds its own port 0, released for the child to take.
  const held = await heldPorts(2);
  const [returnPort, frontPort] = held.ports as [number, number];
  const intermediary = await startIntermediary(`ws://127.0.0.1:${returnPort}`, faults).finally(held.release);
  const run = startCli([
    'sandwich',
    '--listen',
    `127.0.0.1:${frontPort}`,
    '--via',
    intermediary.url,
    '--return',
    `127.0.0.1:${returnPort}`,
    '--target',
    target.url,
    ...extra,
  ]);
  // Both listeners are up once the front one (started second) announced itself, in JSON or in words.
  try {
    await run.waitForLine(
      (l) => l.includes('listening') && (l.includes(`"port":${frontPort}`) || l.includes(`listening on 127.0.0.1:${frontPort} `)),
      'the front listening line',
    );
  } catch (err) {
    // Never leave the child or the intermediary behind: they would keep the test process alive.
    run.kill('SIGKILL');
    await intermediary.close();
    throw err;
  }
  return { run, intermediary, frontUrl: `ws://127.0.0.1:${frontPort}` };
}

test('--json: a rewritten close code is a sandwich-finding, both summaries come last, exit 1', async () => {
  const { run, intermediary, frontUrl } = await runSandwich({ toxics: bothWays('close-code', { code: 4002 }) }, ['--json']);
  try {
    const ws = await openWsClient(`${frontUrl}/live`);
    ws.close(1000, 'bye');
    await closedWith(ws);
    await run.waitForLine((l) => l.includes('"type":"sandwich-finding"'), 'a sandwich-finding line');
    run.kill('SIGTERM');
    const { code, stdout, stderr } = await run.exited();
    assert.equal(code, 1, stderr);
    const events = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      events.slice(0, 2).map((e) => e['type']),
      ['listening', 'listening'],
    );
    // One run, one run id, on both listeners: the legs are told apart by c and r.
    const runId = events[0]!['run'] as string;
    assert.match(runId, /^[0-9a-z]{6}$/);
    assert.equal(events[1]!['run'], runId);
    assert.deepEqual(
      events.slice(-2).map((e) => e['type']),
      ['summary', 'sandwich-summary'],
    );
    const finding = events.find((e) => e['type'] === 'sandwich-finding' && e['severity'] === 'failure')!;
    assert.deepEqual(
      [finding['conn'], finding['return_conn'], finding['check'], finding['severity'], finding['blame'], finding['dir']],
      [`${runId}-c1`, `${runId}-r1`, 'close-code-rewritten', 'failure', 'intermediary', 'client->server'],
    );
    assert.equal(finding['message'], 'The Close code 1000 arrived as 4002.');
    const summary = events.at(-1)!;
    // The rewritten Close toward the server also got a fresh masking key: legal, an info.
    assert.deepEqual(
      [summary['pairs'], summary['failures'], summary['infos'], summary['by_check']],
      [1, 1, 1, { 'close-code-rewritten': 1, 'mask-key-changed': 1 }],
    );
    // Both legs' ordinary events are there, told apart by their connection ids.
    assert.deepEqual(
      events
        .filter((e) => e['type'] === 'open')
        .map((e) => e['conn'])
        .sort(),
      [`${runId}-c1`, `${runId}-r1`],
    );
  } finally {
    run.kill('SIGTERM');
    await intermediary.close();
  }
});

test('--quiet still prints where both listeners are', async () => {
  // runSandwich waits for the front listener's line: without it, this test times out.
  const { run, intermediary } = await runSandwich({ toxics: [] }, ['--quiet']);
  try {
    await run.waitForLine(
      (l) => /listening on 127\.0\.0\.1:\d+ {2}target ws:\/\/127\.0\.0\.1:\d+\//.test(l) && l.includes(target.url.replace(/\/?$/, '/')),
      'the return listening line',
    );
    run.kill('SIGTERM');
    const { code, stderr } = await run.exited();
    assert.equal(code, 0, stderr);
  } finally {
    run.kill('SIGTERM');
    await intermediary.close();
  }
});

test('pretty output through an honest intermediary: no failures, exit 0', async () => {
  const { run, intermediary, frontUrl } = await runSandwich({ toxics: [] }, []);
  try {
    const ws = await openWsClient(`${frontUrl}/live`);
    ws.send('hello');
    ws.close(1000);
    await closedWith(ws);
    await run.waitForLine((l) => /-r1 close /.test(l), 'the close line of r1');
    await run.waitForLine((l) => /-c1 close /.test(l), 'the close line of c1');
    run.kill('SIGTERM');
    const { code, stdout, stderr } = await run.exited();
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    assert.match(stdout, / [0-9a-z]{6}-c1 open {2}client 127\.0\.0\.1:\d+ {2}path \/live /);
    assert.match(stdout, / [0-9a-z]{6}-r1 open {2}client 127\.0\.0\.1:\d+ {2}path \/live /);
    assert.match(stdout, / {2}sandwich {2}1 connection compared {2}no failures {2}0 warnings, 0 info\n$/);
    assert.doesNotMatch(stdout, /⇄/);
  } finally {
    run.kill('SIGTERM');
    await intermediary.close();
  }
});

test('a closed stdout (| head -1) stops the printing, not the sandwich: one line on stderr, --log gets everything', async () => {
  const logPath = dir.file('events.log');
  const { run, intermediary, frontUrl } = await runSandwich({ toxics: [] }, ['--log', logPath]);
  try {
    run.closeStdout();
    for (const path of ['/first', '/second']) {
      const ws = await openWsClient(`${frontUrl}${path}`);
      const echo = nextMessages(ws, 1);
      ws.send(path);
      assert.equal(String((await echo)[0]!.data), path, 'relayed both ways');
      ws.close(1000);
      await closedWith(ws);
      if (path === '/first') await run.waitForStderr('stdout was closed', 'the notice on stderr');
    }
    await waitForFileText(
      logPath,
      (text) => (text.split('"type":"close"').length - 1 >= 4 ? true : undefined),
      'the close events of both legs of both connections in the log',
    );
    run.kill('SIGTERM');
    const { code, stderr } = await run.exited();
    assert.equal(code, 0, stderr);
    assert.equal(
      stderr,
      `wsdiag: stdout was closed; events are no longer printed there (events still go to ${logPath}), and the sandwich keeps relaying until Ctrl-C or SIGTERM.\n`,
    );
    const events = readFileSync(logPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Connection ids are the run's id, then the leg's counter.
    const opened = events.filter((e) => e['type'] === 'open').map((e) => String(e['conn']).replace(/^[0-9a-z]+-/, ''));
    assert.deepEqual(opened.sort(), ['c1', 'c2', 'r1', 'r2']);
    assert.deepEqual(
      events.slice(-2).map((e) => e['type']),
      ['summary', 'sandwich-summary'],
    );
    assert.equal(events.at(-1)!['pairs'], 2);
  } finally {
    run.kill('SIGTERM');
    await intermediary.close();
  }
});
