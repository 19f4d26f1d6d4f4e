/**
 * `wsdiag ci` end to end: the real CLI, a real `ws` echo server upstream on 127.0.0.1, and node "test
 * suites" (test/fixtures/ci/ws-client.ts, `node -e`) that dial WSDIAG_URL.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CiSummary } from '../../src/ci/summary-json.js';
import { getRule } from '../../src/rules/table.js';
import { HOSTILE_PATH, HOSTILE_PAYLOAD } from '../fixtures/ci/ws-client.js';
import { runCli, startCli, type ChildOptions, type Exit } from '../support/cli.js';
import { freePort, occupiedPort } from '../support/net.js';
import { tempDir } from '../support/temp.js';
import { startWsServer, type WsServer } from '../support/ws-servers.js';
import { childrenNamed, onlyChild, parseXml, type XmlElement } from './xml-parser.js';

const CLIENT = fileURLToPath(new URL('../fixtures/ci/ws-client.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const dir = tempDir('ci');
const file = dir.file;

let upstream: WsServer;
let target: string;

before(async () => {
  // An echo server; bad frames make ws close with 1002 and emit 'error', which is the point of these tests.
  upstream = await startWsServer();
  target = upstream.url;
});

after(async () => {
  await upstream.close();
});

/** `wsdiag ci` never believes it runs on GitHub Actions unless the test says so. */
function ciOptions(options: ChildOptions): ChildOptions {
  return { cwd: REPO, ...options, env: { GITHUB_ACTIONS: undefined, ...options.env } };
}

/** Runs `wsdiag ci --target <upstream> ...args` to completion. */
function ci(args: string[], options: ChildOptions = {}): Promise<Exit> {
  return runCli(['ci', '--target', target, ...args], ciOptions(options));
}

const client = (scenario: string, exit?: number) => [
  '--',
  process.execPath,
  CLIENT,
  scenario,
  ...(exit === undefined ? [] : [String(exit)]),
];

function junit(path: string): XmlElement {
  return onlyChild(parseXml(readFileSync(path, 'utf8')), 'testsuite');
}

const summaryJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as CiSummary;
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

describe('wsdiag ci exit codes', () => {
  it('clean traffic and a passing command: 0, with a passing test case per connection', async () => {
    const report = file('clean.xml');
    const run = await ci(['--junit', report, ...client('clean')]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(lastLine(run.stdout), 'wsdiag ci: exit 0: no violation fails the run (--fail-on error)');
    const suite = junit(report);
    assert.deepEqual([suite.attributes['tests'], suite.attributes['failures']], ['1', '0']);
    const only = onlyChild(suite, 'testcase');
    assert.equal(only.attributes['name'], '/chat (c1)');
    assert.deepEqual(childrenNamed(only, 'failure'), []);
  });

  it('--quiet still prints where the proxy listens', async () => {
    const run = await ci(['--quiet', ...client('clean')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\S+ {2}listening on 127\.0\.0\.1:\d+ {2}target ws:\/\/127\.0\.0\.1:\d+\//m);
    assert.doesNotMatch(run.stdout, / open  client /, 'quiet: no connection stories');
  });

  it('violations and a passing command: 1', async () => {
    const run = await ci(client('reserved-opcode'));
    assert.equal(run.code, 1, run.stderr);
    assert.equal(lastLine(run.stdout), 'wsdiag ci: exit 1: 1 violation fails the run (--fail-on error)');
    assert.equal(run.stdout.includes('::error'), false, 'annotations only on GitHub Actions');
  });

  it("the command's own failure wins, with or without violations", async () => {
    const [cleanFail, badFail] = await Promise.all([ci(client('clean', 5)), ci(client('reserved-opcode', 4))]);
    assert.equal(cleanFail.code, 5);
    assert.equal(badFail.code, 4);
    assert.equal(lastLine(badFail.stdout), 'wsdiag ci: exit 4: the command exited with 4 (--fail-on error)');
  });

  it('--fail-on decides which violations fail the run', async () => {
    const variants: Array<[string[], number]> = [
      [[], 1],
      [['--fail-on', 'none'], 0],
      [['--fail-on', 'error'], 1],
      [['--fail-on', 'warning'], 1],
      [['--fail-on', '1002'], 1],
      [['--fail-on', '1003,1007'], 0],
      [['--fail-on', 'reserved-opcode'], 1],
      [['--fail-on', 'reserved-bits', '--fail-on', '1009'], 0],
    ];
    const runs = await Promise.all(variants.map(([flags]) => ci([...flags, ...client('reserved-opcode')])));
    assert.deepEqual(
      runs.map((run, i) => [variants[i]![0].join(' '), run.code]),
      variants.map(([flags, code]) => [flags.join(' '), code]),
    );
  });

  it('an invalid --fail-on is exit 2 naming the bad entry, and nothing runs', async () => {
    const marker = file('never-written');
    const run = await ci([
      '--fail-on',
      '1002,oops',
      '--',
      process.execPath,
      '-e',
      `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`,
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^wsdiag: --fail-on: unknown entry "oops"/);
    assert.equal(existsSync(marker), false);
  });

  it('an invalid --pong-timeout is exit 2 naming the flag, and nothing runs', async () => {
    const marker = file('never-written-either');
    const run = await ci([
      '--pong-timeout',
      '-1',
      '--',
      process.execPath,
      '-e',
      `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`,
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--pong-timeout expects a whole number of 0 or more, got "-1"/);
    assert.equal(existsSync(marker), false);
  });

  it('a command that cannot be started is exit 3 with the reason', async () => {
    const run = await ci(['--', 'wsdiag-test-no-such-command']);
    assert.equal(run.code, 3);
    assert.match(run.stderr, /^wsdiag: cannot run "wsdiag-test-no-such-command": command not found \(ENOENT\)/m);
  });

  it('a proxy that cannot listen is exit 3, and the command never runs', async () => {
    const { port, release } = await occupiedPort();
    const marker = file('never-written');
    try {
      const run = await ci([
        '--listen',
        `127.0.0.1:${port}`,
        '--',
        process.execPath,
        '-e',
        `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`,
      ]);
      assert.equal(run.code, 3);
      assert.match(run.stderr, new RegExp(`^wsdiag: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`, 'm'));
      assert.equal(existsSync(marker), false);
    } finally {
      await release();
    }
  });

  it('an unwritable report path is exit 2 before anything runs', async () => {
    const run = await ci(['--junit', join(dir.path, 'no-such-dir', 'report.xml'), ...client('clean')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^wsdiag: --junit .*report\.xml: cannot write to .*no-such-dir/);
    assert.equal(run.stdout, '');
  });
});

describe('wsdiag ci environment and reports', () => {
  it('gives the command WSDIAG_URL and WSDIAG_HTTP_URL, which reach the upstream through the proxy', async () => {
    const seen = file('env.json');
    const summary = file('env-summary.json');
    const script = [
      "const fs = require('fs'); const { WebSocket } = require('ws');",
      `fs.writeFileSync(${JSON.stringify(seen)}, JSON.stringify({ url: process.env.WSDIAG_URL, http: process.env.WSDIAG_HTTP_URL }));`,
      "const ws = new WebSocket(process.env.WSDIAG_URL + '/env');",
      "ws.on('open', () => ws.send('ping'));",
      "ws.on('message', (m) => { if (String(m) !== 'ping') process.exit(9); ws.close(1000); });",
      "ws.on('close', () => process.exit(0)); ws.on('error', () => process.exit(8));",
    ].join('\n');
    const run = await ci(['--json', '--summary-json', summary, '--', process.execPath, '-e', script]);
    assert.equal(run.code, 0, run.stderr);
    const listening = JSON.parse(run.stdout.split('\n')[0]!) as { type: string; port: number };
    assert.equal(listening.type, 'listening');
    assert.deepEqual(JSON.parse(readFileSync(seen, 'utf8')), {
      url: `ws://127.0.0.1:${listening.port}`,
      http: `http://127.0.0.1:${listening.port}`,
    });
    const result = summaryJson(summary);
    assert.equal(result.connections, 1);
    assert.deepEqual(
      result.per_connection.map((c) => [c.path, c.violations, c.frames]),
      [['/env', 0, { 'client->server': 2, 'server->client': 2 }]],
    );
    // --json keeps stdout pure JSON Lines; the verdict goes to stderr.
    for (const line of run.stdout.trimEnd().split('\n')) JSON.parse(line);
    assert.match(run.stderr, /wsdiag ci: exit 0/);
  });

  it('writes JUnit that parses, with hostile text escaped and intact, and the summary JSON', async () => {
    const report = file('hostile.xml');
    const summary = file('hostile.json');
    const run = await ci(['--junit', report, '--summary-json', summary, ...client('two-bad')]);
    assert.equal(run.code, 1, run.stderr);
    const suite = junit(report);
    assert.deepEqual(
      ['tests', 'failures', 'errors', 'skipped'].map((name) => suite.attributes[name]),
      ['2', '2', '0', '0'],
    );
    const [opcodeCase, hostileCase] = childrenNamed(suite, 'testcase');
    assert.equal(opcodeCase!.attributes['name'], '/raw (c1)');
    assert.equal(onlyChild(opcodeCase!, 'failure').attributes['message'], 'reserved-opcode (1002)');
    const hostilePath = new URL(HOSTILE_PATH, 'ws://x').pathname;
    assert.equal(hostileCase!.attributes['name'], `${hostilePath} (c2)`);
    assert.equal(hostileCase!.attributes['classname'], `wsdiag.${hostilePath}`);
    const failure = onlyChild(hostileCase!, 'failure');
    assert.equal(failure.attributes['message'], 'reserved-bits (1002)');
    assert.ok(failure.text.startsWith('client->server frame #0 @ offset 0, opcode 0x1 (text), length'), failure.text);
    assert.ok(failure.text.endsWith(`\npreview: ${HOSTILE_PAYLOAD}`), JSON.stringify(failure.text));
    assert.match(onlyChild(hostileCase!, 'system-out').text, /peer-close by server {2}code 1002/);

    const result = summaryJson(summary);
    assert.deepEqual(
      [result.connections, result.violations, result.failing, result.exit_code, result.by_rule],
      [2, 2, 2, 1, { 'reserved-bits': 1, 'reserved-opcode': 1 }],
    );
    assert.deepEqual(result.command, { exit_code: 0, signal: null });
  });

  it('without connections: a skipped test case and a hint in the verdict', async () => {
    const report = file('none.xml');
    const run = await ci(['--junit', report, '--', process.execPath, '-e', '']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(lastLine(run.stdout)!, /no WebSocket connection went through wsdiag: do the tests dial WSDIAG_URL\?/);
    const only = onlyChild(junit(report), 'testcase');
    assert.equal(only.attributes['name'], 'no WebSocket connections');
    assert.match(onlyChild(only, 'skipped').attributes['message']!, /never dialled WSDIAG_URL/);
  });

  it('an unreachable upstream with no connection is exit 3 even when the command passes (DESIGN §5)', async () => {
    const port = await freePort();
    const { code, stdout } = await runCli(['ci', '--target', `ws://127.0.0.1:${port}`, '--', process.execPath, '-e', ''], ciOptions({}));
    assert.equal(code, 3, stdout);
    assert.match(lastLine(stdout)!, /no WebSocket connection reached the upstream: 127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  it('on GitHub Actions prints an ::error annotation per failing violation', async () => {
    const run = await ci(client('reserved-opcode'), { env: { GITHUB_ACTIONS: 'true' } });
    assert.equal(run.code, 1);
    const annotations = run.stdout.split('\n').filter((line) => line.startsWith('::'));
    assert.equal(annotations.length, 1, run.stdout);
    const hint = getRule('reserved-opcode').hint('client');
    assert.match(annotations[0]!, /^::error title=wsdiag reserved-opcode \(1002\)::Opcode 0x3 is reserved/);
    assert.ok(annotations[0]!.endsWith(` — fix: ${hint}`), annotations[0]);
  });

  it('a closed stdout stops the printing only: one line on stderr, the command runs, the log and the verdict are complete', async () => {
    const log = file('closed-stdout.log');
    const run = await ci(['--json', '--log', log, ...client('clean')], { closeStdout: true });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(
      run.stderr,
      `wsdiag: stdout was closed; events are no longer printed there (events still go to ${log}), and the command runs on through the proxy.\n` +
        'wsdiag ci: exit 0: no violation fails the run (--fail-on error)\n',
    );
    const events = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    assert.deepEqual(
      events.map((e) => e.type),
      ['listening', 'open', 'peer-close', 'peer-close', 'close', 'summary'],
    );
  });

  it('SIGTERM during the run: passed to the command, and every report is still written', async () => {
    const report = file('sigterm.xml');
    const summary = file('sigterm.json');
    const log = file('sigterm.jsonl');
    const running = startCli(
      ['ci', '--target', target, '--junit', report, '--summary-json', summary, '--log', log, ...client('hang')],
      ciOptions({}),
    );
    await running.waitForLine('READY', 'the command ready');
    running.kill('SIGTERM');
    const run = await running.exited();
    // The command was killed by the forwarded SIGTERM: 128 + 15.
    assert.equal(run.code, 143, run.stderr);
    assert.equal(lastLine(run.stdout), 'wsdiag ci: exit 143: the command was killed by SIGTERM (--fail-on error)');

    const cases = childrenNamed(junit(report), 'testcase');
    assert.deepEqual(
      cases.map((c) => c.attributes['name']),
      ['/held (c1)', '/raw (c2)'],
    );
    // The connection left open got its close event before the reports were written.
    assert.equal(onlyChild(cases[1]!, 'failure').attributes['type'], 'reserved-opcode');

    const result = summaryJson(summary);
    assert.deepEqual(result.command, { exit_code: null, signal: 'SIGTERM' });
    assert.equal(result.exit_code, 143);
    const events = readFileSync(log, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; conn?: string; run?: string });
    assert.equal(events.at(-1)!.type, 'summary');
    // The log has the full ids (the JUnit names leave the run out, so they stay the same from run to run).
    const runId = events[0]!.run;
    assert.match(runId ?? '', /^[0-9a-z]{6}$/);
    assert.deepEqual(
      events
        .filter((e) => e.type === 'close')
        .map((e) => e.conn)
        .sort(),
      [`${runId}-c1`, `${runId}-c2`],
    );
    assert.match(onlyChild(cases[0]!, 'system-out').text, new RegExp(`${runId}-c1 close {2}after`));
  });

  it('a second SIGTERM kills a command that ignores the first (SIGKILL), and the reports are still written', async () => {
    const summary = file('stubborn.json');
    const running = startCli(['ci', '--target', target, '--summary-json', summary, ...client('stubborn')], ciOptions({}));
    // Each signal only once the previous step is visible: no sleeps, no races.
    await running.waitForLine('READY', 'the command ready');
    running.kill('SIGTERM');
    await running.waitForLine('IGNORED SIGTERM', 'the command ignoring the first SIGTERM');
    running.kill('SIGTERM');
    const run = await running.exited();
    assert.equal(run.code, 137, run.stderr);
    const result = summaryJson(summary);
    assert.deepEqual([result.command, result.exit_code, result.connections], [{ exit_code: null, signal: 'SIGKILL' }, 137, 2]);
  });
});
