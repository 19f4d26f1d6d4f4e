/**
 * `wsdiag analyze` as a user runs it: files and stdin, raw and hex, pretty and JSON, exit codes.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { JsonlReporter, SummaryCollector } from '../../src/reporters/index.js';
import { RULES } from '../../src/rules/table.js';
import { analyzeStream } from '../../src/session/index.js';
import { clientFixture } from '../fixtures/many-events.js';
import { CaptureStream } from '../support/capture-stream.js';
import { BIN, runCli, runProcess, startCli, type Exit } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const dir = tempDir('analyze').path;

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const GOOD_CLIENT = concatBytes([
  encodeFrame({ opcode: 1, payload: 'hello', mask: true }),
  encodeFrame({ opcode: 8, payload: closeBody(1000, 'bye'), mask: true }),
]);
const BAD_CLIENT = concatBytes([
  encodeFrame({ opcode: 1, payload: 'not masked' }),
  encodeFrame({ opcode: 2, payload: 'ok', mask: true }),
  encodeFrame({ opcode: 3, payload: '', mask: true }),
]);

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('wsdiag analyze', () => {
  it('a clean capture exits 0 and says so', async () => {
    const r = await runCli(['analyze', file('good.bin', GOOD_CLIENT), '--from', 'client']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 frames, \d+ bytes, 0 violations\./);
  });

  it('violations exit 1 and are shown with rule, frame, fix and RFC', async () => {
    const r = await runCli(['analyze', file('bad.bin', BAD_CLIENT), '--from', 'client']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /1002 unmasked-client-frame/);
    assert.match(r.stdout, /frame #0 @ offset 0/);
    assert.match(r.stdout, /fix: Clients must mask/);
    assert.match(r.stdout, /1002 reserved-opcode/);
    assert.match(r.stdout, /RFC 6455 §5\.2/);
  });

  it('--json prints schema events, one per line, ending with a summary', async () => {
    const r = await runCli(['analyze', file('bad2.bin', BAD_CLIENT), '--from', 'client', '--json', '--frames']);
    assert.equal(r.code, 1);
    const events = jsonLines(r.stdout);
    for (const e of events) {
      assert.equal(e['v'], 1);
      assert.match(String(e['ts']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    assert.deepEqual(
      events.map((e) => e['type']),
      ['frame', 'violation', 'frame', 'frame', 'violation', 'summary'],
    );
    const violation = events[1]!;
    assert.equal(violation['conn'], 'analyze');
    assert.equal(violation['dir'], 'client->server');
    assert.equal(violation['blame'], 'client');
    assert.equal(violation['code'], 1002);
    assert.equal(violation['preview'], 'not masked');
    assert.deepEqual(violation['frame'], { index: 0, offset: 0, opcode: 1, length: 10 });
    assert.ok(RULES.some((rule) => rule.id === violation['rule']));
    assert.deepEqual(events.at(-1)!['by_rule'], { 'reserved-opcode': 1, 'unmasked-client-frame': 1 });
  });

  it('reads stdin with -', async () => {
    const r = await runCli(['analyze', '-', '--from', 'server', '--json'], { input: BAD_CLIENT });
    assert.equal(r.code, 1);
    const rules = jsonLines(r.stdout)
      .filter((e) => e['type'] === 'violation')
      .map((e) => e['rule']);
    // Read as the server's bytes, the masked frames are now the fault.
    assert.deepEqual(rules, ['masked-server-frame', 'reserved-opcode', 'masked-server-frame']);
  });

  it('--hex accepts pasted forms: spaced, 0x-prefixed, \\x escapes and xxd lines', async () => {
    for (const text of [
      '81 05 48 65 6c 6c 6f',
      '0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f',
      '\\x81\\x05\\x48\\x65\\x6c\\x6c\\x6f',
      '00000000: 8105 4865 6c6c 6f                        ..Hello',
    ]) {
      const r = await runCli(['analyze', '-', '--hex', '--from', 'client', '--json'], { input: text });
      assert.equal(r.code, 1, text);
      assert.equal(jsonLines(r.stdout)[0]!['rule'], 'unmasked-client-frame', text);
    }
  });

  it('--extensions enables permessage-deflate; a bad value is a usage error', async () => {
    const rsv1 = file('rsv1.bin', encodeFrame({ opcode: 2, rsv1: true, payload: Uint8Array.of(0x02, 0x00) }));
    assert.equal((await runCli(['analyze', rsv1, '--from', 'server'])).code, 1);
    assert.equal((await runCli(['analyze', rsv1, '--from', 'server', '--extensions', 'permessage-deflate'])).code, 0);
    const bad = await runCli(['analyze', rsv1, '--from', 'server', '--extensions', 'permessage-deflate; server_max_window_bits=99']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--extensions .*not 8–15/);
  });

  it('--max-message and --accepts', async () => {
    const big = file('big.bin', encodeFrame({ opcode: 2, payload: new Uint8Array(100) }));
    assert.equal((await runCli(['analyze', big, '--from', 'server', '--max-message', '99', '--quiet'])).code, 1);
    const r = await runCli(['analyze', big, '--from', 'server', '--accepts', 'text', '--json']);
    assert.equal(jsonLines(r.stdout)[0]!['rule'], 'unsupported-binary');
  });

  it('usage errors exit 2 with one line and no stack trace', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['analyze', join(dir, 'missing.bin'), '--from', 'client'], /cannot read .*missing\.bin/],
      [['analyze', dir, '--from', 'client'], /is a directory/],
      [['analyze', '-', '--from', 'both'], /Allowed choices are client, server/],
      [['analyze', '-'], /stdin is not a packet capture \(the file is empty\); .* say who sent it with --from client or --from server/],
      [['analyze', '-', '--hex'], /hex input is one direction of a raw WebSocket stream; .*--from client or --from server/],
      [['analyze', '-', '--from', 'client', '--max-message', 'lots'], /--max-message expects a whole number/],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
    const hex = await runCli(['analyze', '-', '--hex', '--from', 'client'], { input: '81 0' });
    assert.equal(hex.code, 2);
    assert.match(hex.stderr, /odd number of hex digits/);
  });

  it('a capture that loses frame boundaries says where decoding stopped', async () => {
    const lost = file('lost.bin', Uint8Array.from([0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]));
    const r = await runCli(['analyze', lost, '--from', 'server']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Decoding stopped at offset 0: frame boundaries were lost; 3 later bytes were only counted\./);
  });

  it('a capture that ends in the middle of a frame: a truncated-frame warning (exit 0), and pings are not awaited', async () => {
    const cut = concatBytes([
      encodeFrame({ opcode: 9, payload: 'anyone?' }),
      encodeFrame({ opcode: 2, payload: new Uint8Array(1000) }).subarray(0, 6),
    ]);
    const r = await runCli(['analyze', file('cut.bin', cut), '--from', 'server', '--json']);
    assert.equal(r.code, 0, 'a warning does not fail the analysis');
    const violations = jsonLines(r.stdout).filter((e) => e['type'] === 'violation');
    assert.deepEqual(
      violations.map((v) => [v['rule'], v['code'], v['severity'], v['blame'], v['message']]),
      [
        [
          'truncated-frame',
          1006,
          'warning',
          'unknown',
          "The server's frame #1 (binary) at offset 9 was cut short: 2 of its 1000 payload bytes arrived before the recorded stream ended.",
        ],
      ],
      'one direction cannot show pongs, so its ping is not reported',
    );
  });

  it('many events: the same JSON Lines (times aside) from a file, from stdin as a socket, a pipe and a file, as the per-event library path', async () => {
    const bytes = clientFixture();
    const path = file('many.bin', bytes);
    const expected = await perEventJsonl(bytes);
    assert.ok(expected.split('\n').length > 1000, 'the fixture makes many events');
    // stdin from a pipe or a file, as a user's shell hands it over.
    const node = `'${process.execPath}' '${BIN}'`;
    const runs: Array<[string, Exit]> = [
      ['file', await runCli(['analyze', path, '--from', 'client', '--json', '--frames'])],
      // A spawned child's stdin is a socket pair, which Node has made non-blocking by the time analyze reads it.
      ['stdin socket', await runCli(['analyze', '-', '--from', 'client', '--json', '--frames'], { input: bytes })],
      ['stdin pipe', await runProcess('sh', ['-c', `cat '${path}' | ${node} analyze - --from client --json --frames`])],
      ['stdin file', await runProcess('sh', ['-c', `${node} analyze - --from client --json --frames < '${path}'`])],
    ];
    for (const [how, r] of runs) {
      assert.equal(r.code, 1, `${how}: ${r.stderr}`);
      assert.equal(r.stderr, '', how);
      assert.equal(withoutTimes(r.stdout), withoutTimes(expected), how);
    }
  });

  it('the events of each chunk read from stdin are written before the next chunk arrives', async () => {
    const run = startCli(['analyze', '-', '--from', 'client', '--json', '--frames']);
    try {
      for (let i = 0; i < 5; i++) {
        run.child.stdin.write(encodeFrame({ opcode: 1, payload: `message ${i}`, mask: true }));
        // Written only once the child has reported the frame before it: nothing waits for a full batch.
        await run.waitForLine(`"index":${i},`);
      }
    } finally {
      run.child.stdin.end();
    }
    const exit = await run.exited();
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(run.lines().filter((l) => l.includes('"type":"frame"')).length, 5);
    assert.match(exit.stdout, /"type":"summary"/);
  });

  for (const json of [true, false]) {
    it(`${json ? '--json' : 'the human log'}: a stdout closed early (| head) ends the run quietly, with the usual exit code`, async () => {
      const path = file(`closed-${json}.bin`, clientFixture());
      const run = startCli(['analyze', path, '--from', 'client', '--frames', ...(json ? ['--json'] : [])]);
      // Read the first line, then go away like `head -1` does (the whole output is far more than a pipe holds).
      await run.waitForLine(() => true, 'a first line');
      run.closeStdout();
      const exit = await run.exited();
      assert.equal(exit.code, 1, `error-severity violations still decide the exit code: ${exit.stderr}`);
      assert.equal(exit.stderr, '');
    });
  }
});

/** What `wsdiag analyze --json --frames` printed before it gathered lines: analyzeStream, one write per event. */
async function perEventJsonl(bytes: Uint8Array): Promise<string> {
  const out = new CaptureStream();
  const reporter = new JsonlReporter(out);
  const summary = new SummaryCollector();
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += 65_536) chunks.push(bytes.slice(at, at + 65_536));
  await analyzeStream(chunks, {
    from: 'client',
    frames: true,
    onEvent: (event) => {
      summary.write(event);
      reporter.write(event);
    },
  });
  reporter.write({ ...summary.summary(), connections: 1 });
  await reporter.flush();
  return out.text;
}

function withoutTimes(jsonl: string): string {
  return jsonl.replace(/"ts":"[^"]*"/g, '"ts":""');
}
