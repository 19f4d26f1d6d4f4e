/**
 * `tail LOG...`: several logs merged in time order, in the readable form and as JSON Lines, with the
 * filter language `proxy` shares applied to the merged stream; `-f` follows every log; bad input (a
 * filter that does not parse, a file that is not a log among good ones) is one line and exit 2.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { WsdiagEvent } from '../../src/events/index.js';
import type { FilterOptions } from '../../src/filter/index.js';
import { PrettyReporter } from '../../src/reporters/index.js';
import { runTail, type TailOptions } from '../../src/tail/index.js';
import { CaptureStream } from '../support/capture-stream.js';
import * as sample from '../fixtures/sample-events.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'wsdiag-tail-merge-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function logFile(events: readonly WsdiagEvent[], name = `log-${++count}.jsonl`): string {
  const path = join(dir, name);
  writeFileSync(path, events.map((event) => `${JSON.stringify(event)}\n`).join(''));
  return path;
}

function pretty(events: readonly WsdiagEvent[]): string {
  const stream = new CaptureStream();
  const reporter = new PrettyReporter(stream, { color: false, frames: false, quiet: false });
  for (const event of events) reporter.write(event);
  return stream.text;
}

const jsonl = (events: readonly WsdiagEvent[]) => events.map((event) => `${JSON.stringify(event)}\n`).join('');

const ts = (ms: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, 0, ms)).toISOString();

/** Two runs' logs whose events interleave in time: the front proxy's and the back one's. */
const front: WsdiagEvent[] = [
  { ...sample.listening, ts: ts(0), run: 'aaaaaa' },
  { ...sample.http, ts: ts(20), conn: 'aaaaaa-h1', path: '/index.html', method: 'GET', request_bytes: 0 },
  { ...sample.open, ts: ts(40), conn: 'aaaaaa-c1', path: '/chat' },
  { ...sample.violation, ts: ts(60), conn: 'aaaaaa-c1' },
  { ...sample.http, ts: ts(80), conn: 'aaaaaa-h1', path: '/api/items?page=2', method: 'GET', request_bytes: 0 },
  { ...sample.close, ts: ts(100), conn: 'aaaaaa-c1' },
];
const back: WsdiagEvent[] = [
  { ...sample.listening, ts: ts(10), run: 'bbbbbb', port: 9090 },
  { ...sample.open, ts: ts(30), conn: 'bbbbbb-c1', path: '/chat' },
  { ...sample.utf8Violation, ts: ts(50), conn: 'bbbbbb-c1' },
  { ...sample.http, ts: ts(70), conn: 'bbbbbb-h1', path: '/api/items', status: 500 },
  { ...sample.close, ts: ts(90), conn: 'bbbbbb-c1' },
  { ...sample.cleanSummary, ts: ts(110) },
];
const byTime = [...front, ...back].sort((a, b) => (a.ts < b.ts ? -1 : 1));

const DEFAULTS: TailOptions = { follow: false, filter: {}, json: false, frames: false, color: false, intervalMs: 10 };

async function tail(files: string[], options: Partial<TailOptions> = {}) {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const code = await runTail(files, { ...DEFAULTS, ...options }, { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('tail LOG LOG: merged in time order', () => {
  const a = logFile(front, 'front.jsonl');
  const b = logFile(back, 'back.jsonl');

  it('prints both logs as one, in time order, in either order of the arguments', async () => {
    assert.deepEqual(await tail([a, b]), { code: 0, stdout: pretty(byTime), stderr: '' });
    assert.deepEqual(await tail([b, a]), { code: 0, stdout: pretty(byTime), stderr: '' });
    assert.deepEqual(await tail([a, b], { json: true }), { code: 0, stdout: jsonl(byTime), stderr: '' });
  });

  const cases: Array<[string, FilterOptions, WsdiagEvent[]]> = [
    ['--type http', { types: ['http'] }, byTime.filter((e) => e.type === 'http')],
    ['--type violation,close', { types: ['violation', 'close'] }, byTime.filter((e) => e.type === 'violation' || e.type === 'close')],
    [
      '--conn h1: the plain HTTP client connection of each run (run-wide events stay)',
      { conns: ['h1'] },
      byTime.filter((e) => !('conn' in e) || (e.conn !== null && e.conn.endsWith('-h1'))),
    ],
    [
      '--conn aaaaaa-c1: one connection of one run',
      { conns: ['aaaaaa-c1'] },
      byTime.filter((e) => !('conn' in e) || e.conn === 'aaaaaa-c1'),
    ],
    [
      '--grep ^/api/ --type http',
      { types: ['http'], grep: [/^\/api\//] },
      byTime.filter((e) => e.type === 'http' && e.path.startsWith('/api/')),
    ],
    ['--code 1007', { codes: [1007] }, byTime.filter((e) => e.type !== 'violation' || e.code === 1007)],
    [
      '--dir server->client --type violation',
      { dirs: ['server->client'], types: ['violation'] },
      byTime.filter((e) => e.type === 'violation' && e.dir === 'server->client'),
    ],
    [
      '--grep RSV2 (a violation message) in both logs',
      { grep: [/RSV2/] },
      byTime.filter((e) => !('conn' in e) || (e.type === 'violation' && e.rule === 'reserved-bits')),
    ],
  ];
  for (const [name, filter, expected] of cases) {
    it(`filters the merged stream: ${name}`, async () => {
      assert.ok(expected.length > 0);
      // A bare id meets two runs here: said once, in time order whatever the order of the files.
      const stderr =
        filter.conns?.[0] === 'h1'
          ? 'wsdiag: --conn h1 matches connections of 2 runs in these logs (aaaaaa-h1, bbbbbb-h1), showing each; give a full id (--conn bbbbbb-h1) to see one\n'
          : '';
      assert.deepEqual(await tail([a, b], { filter, json: true }), { code: 0, stdout: jsonl(expected), stderr });
      assert.deepEqual(await tail([b, a], { filter }), { code: 0, stdout: pretty(expected), stderr });
    });
  }

  it('--conn c1 across two runs says so once, naming both', async () => {
    const result = await tail([a, b], { filter: { conns: ['c1'], types: ['open'] } });
    assert.equal(result.stdout, pretty(byTime.filter((e) => e.type === 'open')));
    assert.equal(
      result.stderr,
      'wsdiag: --conn c1 matches connections of 2 runs in these logs (bbbbbb-c1, aaaaaa-c1), showing each; give a full id (--conn aaaaaa-c1) to see one\n',
    );
  });

  it('a file that is not a log among good ones: refused, naming it', async () => {
    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'not a log\n');
    await assert.rejects(tail([a, notes, b]), new RegExp(`${notes} does not look like a wsdiag log`));
  });
});

describe('tail -f LOG LOG', () => {
  it('merges what the logs hold, then shows what is appended to either as it comes', async () => {
    const a = logFile(front.slice(0, 3));
    const b = logFile(back.slice(0, 3));
    const stdout = new CaptureStream();
    const stderr = new CaptureStream();
    const stop = new AbortController();
    const done = runTail([a, b], { ...DEFAULTS, follow: true }, { stdout, stderr, signal: stop.signal, env: {} });
    const initial = [...front.slice(0, 3), ...back.slice(0, 3)].sort((x, y) => (x.ts < y.ts ? -1 : 1));
    await stdout.waitForText(pretty(initial.slice(-1)));
    appendFileSync(b, jsonl(back.slice(3, 4)));
    await stdout.waitForText('500 Internal Server Error');
    appendFileSync(a, jsonl(front.slice(3, 4)));
    await stdout.waitForText('reserved-bits');
    stop.abort();
    assert.equal(await done, 0);
    assert.equal(stdout.text, pretty([...initial, back[3]!, front[3]!]));
    assert.equal(stderr.text, '');
  });
});

describe('wsdiag tail LOG LOG (command line)', () => {
  const a = logFile(front, 'cli-front.jsonl');
  const b = logFile(back, 'cli-back.jsonl');

  it('merges and filters', async () => {
    const run = await runCli(['tail', a, b, '--type', 'http', '--grep', '^/API/', '-i', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, jsonl(byTime.filter((e) => e.type === 'http' && e.path.startsWith('/api/'))));
  });

  const bad: Array<[string, string[], string]> = [
    [
      'an invalid --grep',
      ['--grep', '(unclosed'],
      'wsdiag: --grep: "(unclosed" is not a valid regular expression: /(unclosed/: Unterminated group\n',
    ],
    ['an unknown --type', ['--type', 'htp'], 'wsdiag: --type: unknown event type "htp" (did you mean "http"?); use one of '],
    ['a bad --dir', ['--dir', 'up'], 'wsdiag: --dir: "up" is not a direction'],
  ];
  for (const [name, args, message] of bad) {
    it(`${name}: one line, exit 2, nothing printed`, async () => {
      const run = await runCli(['tail', a, b, ...args]);
      assert.equal(run.code, 2, run.stderr);
      assert.ok(run.stderr.startsWith(message), run.stderr);
      assert.equal(run.stderr.split('\n').length, 2, `one line: ${run.stderr}`);
      assert.equal(run.stdout, '');
    });
  }

  it('a file that is not a log among two good ones: one line, exit 2', async () => {
    const notes = join(dir, 'cli-notes.txt');
    writeFileSync(notes, 'hello\n');
    const run = await runCli(['tail', a, notes, b]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `wsdiag: ${notes} does not look like a wsdiag log: its only line is not a wsdiag event (line 1, not JSON: "hello")\n`,
    );
  });
});
