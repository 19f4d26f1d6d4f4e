/**
 * `wsdiag probe` as a user runs it: the built CLI in a child process, its reflector on a chosen port, the
 * `wsdiag chaos` (startChaos, in this process) in front of it as the intermediary. Exit codes 0/1/2/3, the matrix, JSON Lines, JUnit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startChaos, type RunningChaos } from '../../src/chaos/index.js';
import { runCli } from '../support/cli.js';
import { freePort } from '../support/net.js';
import { tempDir } from '../support/temp.js';

let reflectorPort: number;
let honest: RunningChaos;
let rewriting: RunningChaos;
const dir = tempDir('probe-cli').path;
before(async () => {
  reflectorPort = await freePort();
  const intermediary = (toxics: unknown[]) =>
    startChaos({ target: `ws://127.0.0.1:${reflectorPort}`, listen: { host: '127.0.0.1', port: 0 }, onEvent: () => {}, toxics });
  honest = await intermediary([]);
  rewriting = await intermediary(
    ['client->server', 'server->client'].map((stream) => ({ type: 'close-code', stream, attributes: { code: 1001 } })),
  );
});
after(async () => {
  await honest.close();
  await rewriting.close();
});

const reflector = () => ['--reflector', `127.0.0.1:${reflectorPort}`];

test('an honest intermediary: the matrix, every case passing, exit 0', async () => {
  const r = await runCli(['probe', '--through', `${honest.url}/ws`, ...reflector(), '--cases', 'text/*,close/client-1000']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^wsdiag probe: ws:\/\/127\.0\.0\.1:\d+\/ws → reflector 127\.0\.0\.1:\d+ \(3 cases\)/);
  assert.match(r.stdout, /case +hs +c→s +s→c +close +latency +result/);
  assert.match(r.stdout, /\n {2}text\/hello +✓ +✓ +✓ +✓ +[\d.]+ ms +pass\n/);
  assert.match(r.stdout, /3 cases: 3 passed, 0 with warnings, 0 failed, 0 could not run/);
  assert.equal(r.stderr, '');
});

test('a rewritten close code: FAIL in the matrix with the check, exit 1; JSON Lines and JUnit agree', async () => {
  const junit = join(dir, 'probe.xml');
  const pretty = await runCli(['probe', '--through', `${rewriting.url}/ws`, ...reflector(), '--cases', 'close/client-3000']);
  assert.equal(pretty.code, 1, pretty.stderr);
  // The Close toward the reflector is re-encoded with a fresh masking key: legal, so info (i) only.
  assert.match(pretty.stdout, /close\/client-3000 +✓ +i +✓ +✗ .* FAIL/);
  assert.match(pretty.stdout, /i c→s mask-key-changed: 1 frame arrived with a new masking key/);
  assert.match(pretty.stdout, /✗ c→s close-code-rewritten: The Close code 3000 arrived as 1001\./);

  const json = await runCli([
    'probe',
    '--through',
    `${rewriting.url}/ws`,
    ...reflector(),
    '--cases',
    'close/client-3000,close/server-1001',
    '--json',
    '--junit',
    junit,
  ]);
  assert.equal(json.code, 1, json.stderr);
  const lines = json.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    lines.map((l) => l['type']),
    ['probe-case', 'probe-case', 'probe-summary'],
  );
  const closeCase = lines.find((l) => l['case'] === 'close/client-3000')!;
  assert.equal(closeCase['status'], 'fail');
  assert.deepEqual(
    (closeCase['findings'] as Array<Record<string, unknown>>).map((f) => [f['check'], f['severity'], f['blame'], f['dir']]),
    [
      ['mask-key-changed', 'info', null, 'client->server'],
      ['close-code-rewritten', 'failure', 'intermediary', 'client->server'],
      ['close-code-rewritten', 'failure', 'intermediary', 'server->client'],
    ],
  );
  const summary = lines[2]!;
  assert.equal(summary['v'], 1);
  assert.equal(summary['failed'], 1);
  assert.equal(summary['passed'], 1);
  assert.deepEqual(summary['by_check'], { 'close-code-rewritten': 2 });

  const xml = readFileSync(junit, 'utf8');
  assert.match(xml, /<testsuite name="wsdiag probe" tests="2" failures="1" errors="0"/);
  assert.match(xml, /<testcase name="close\/client-3000" classname="wsdiag probe\.close"/);
  assert.match(xml, /<failure message="close-code-rewritten: The Close code 3000 arrived as 1001\." type="close-code-rewritten">/);
  // A Close 1001 rewritten to 1001 is the same Close (with a fresh key toward the reflector, an info in
  // system-out): that case passes.
  assert.match(
    xml,
    /<testcase name="close\/server-1001" classname="wsdiag probe\.close" time="[\d.]+">\n {6}<system-out>info: mask-key-changed [^\n]*<\/system-out>\n {4}<\/testcase>/,
  );
});

test('an unreachable intermediary: one line on stderr, exit 3', async () => {
  const port = await freePort();
  const r = await runCli(['probe', '--through', `ws://127.0.0.1:${port}/`, ...reflector(), '--cases', 'text/hello', '--json']);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^wsdiag: cannot reach ws:\/\/127\.0\.0\.1:\d+\/: connection refused/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

test('usage errors exit 2 with one line; --list lists the cases', async () => {
  for (const args of [
    ['probe'],
    ['probe', '--through', 'ws://127.0.0.1:1/', '--cases', 'nope'],
    ['probe', '--through', 'ws://127.0.0.1:1/', '--reflector', 'nowhere'],
    ['probe', '--through', 'ws://127.0.0.1:1/', '--idle', 'soon'],
    ['probe', '--through', 'ws://127.0.0.1:1/', '--ca', join(dir, 'missing.pem')],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^(wsdiag: |error: )/, args.join(' '));
  }
  const list = await runCli(['probe', '--list']);
  assert.equal(list.code, 0);
  for (const name of ['length/16MiB', 'close/server-4999', 'deflate/pass-through', 'invalid/reserved-opcode'])
    assert.match(list.stdout, new RegExp(`^${name} `, 'm'));
});
