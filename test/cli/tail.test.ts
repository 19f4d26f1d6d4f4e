import assert from 'node:assert/strict';
import { appendFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runTail, type TailOptions } from '../../src/tail/index.js';
import type { WsdiagEvent } from '../../src/events/index.js';
import { PrettyReporter } from '../../src/reporters/pretty.js';
import { CaptureStream } from '../support/capture-stream.js';
import { startCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';
import { withTimeout } from '../support/wait.js';
import * as sample from '../fixtures/sample-events.js';

const dir = tempDir('tail');

function logFile(lines: string[]): string {
  const path = dir.file('log.jsonl');
  writeFileSync(path, lines.map((line) => `${line}\n`).join(''));
  return path;
}

const jsonl = (events: WsdiagEvent[]) => events.map((event) => JSON.stringify(event));

/** What the live log shows for these events (frames on), the look tail must reproduce. */
function pretty(events: WsdiagEvent[]): string {
  const stream = new CaptureStream();
  const reporter = new PrettyReporter(stream, { color: false, frames: true, quiet: false });
  for (const event of events) reporter.write(event);
  return stream.text;
}

const DEFAULTS: TailOptions = {
  follow: false,
  filter: {},
  json: false,
  frames: false,
  color: true,
  intervalMs: 10,
};

async function tail(path: string, options: Partial<TailOptions> = {}) {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const code = await runTail([path], { ...DEFAULTS, ...options }, { stdout, stderr, env: {} });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const withoutFrames = sample.run.filter((event) => event.type !== 'frame');

describe('tail FILE', () => {
  it('prints the log with the look of the live log, frames only with --frames', async () => {
    const path = logFile(jsonl(sample.run));
    assert.deepEqual(await tail(path), { code: 0, stdout: pretty(withoutFrames), stderr: '' });
    assert.deepEqual(await tail(path, { frames: true }), { code: 0, stdout: pretty(sample.run), stderr: '' });
  });

  it('shows the lines of a sandwich log too, and skips a malformed one with a warning', async () => {
    const finding = {
      v: 1,
      type: 'sandwich-finding',
      ts: '2024-05-01T12:00:02.000Z',
      conn: 'c1',
      return_conn: 'r1',
      check: 'close-code-rewritten',
      severity: 'failure',
      blame: 'intermediary',
      dir: 'client->server',
      message: 'The Close code 1000 arrived as 4001.',
      evidence: {
        matched_by: 'key',
        front: {
          conn: 'c1',
          path: '/ws',
          key: 'k',
          status: 101,
          offered: {},
          subprotocol: null,
          extensions: null,
          stream: { dir: 'client->server', bytes: 8, frames: 1, messages: 0, closes: [] },
        },
        return: {
          conn: 'r1',
          path: '/ws',
          key: 'k',
          status: 101,
          offered: {},
          subprotocol: null,
          extensions: null,
          stream: { dir: 'client->server', bytes: 8, frames: 1, messages: 0, closes: [] },
        },
      },
    };
    const path = logFile([JSON.stringify(finding), JSON.stringify({ v: 1, type: 'sandwich-finding', ts: 'x' })]);
    const result = await tail(path);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /close-code-rewritten/);
    assert.match(result.stdout, /The Close code 1000 arrived as 4001\./);
    assert.match(result.stderr, /:2: skipped: "sandwich-finding" event with a missing or invalid "conn" field/);
    assert.equal((await tail(path, { json: true })).stdout.split('\n')[0], JSON.stringify(finding));
  });

  it('is plain on a pipe even when colour is allowed, coloured on a TTY', async () => {
    const path = logFile(jsonl([sample.violation]));
    const stdout = Object.assign(new CaptureStream(), { isTTY: true, columns: 200 });
    await runTail([path], DEFAULTS, { stdout, stderr: new CaptureStream(), env: {} });
    assert.match(stdout.text, /\u001b\[/);
    assert.doesNotMatch((await tail(path)).stdout, /\u001b\[/);
  });

  it('--code and --rule select violations and leave other events alone', async () => {
    const path = logFile(jsonl(sample.run));
    const others = withoutFrames.filter((event) => event.type !== 'violation');
    const only = (kept: WsdiagEvent[]) => pretty(withoutFrames.filter((event) => event.type !== 'violation' || kept.includes(event)));
    assert.equal((await tail(path, { filter: { codes: [1007] } })).stdout, only([sample.utf8Violation]));
    assert.equal((await tail(path, { filter: { codes: [1003] } })).stdout, pretty(others));
    assert.equal(
      (await tail(path, { filter: { rules: ['reserved-bits', 'invalid-utf8-text'] } })).stdout,
      only([sample.violation, sample.utf8Violation]),
    );
    assert.equal((await tail(path, { filter: { codes: [1002], rules: ['invalid-utf8-text'] } })).stdout, pretty(others));
  });

  it('--conn hides every event of other connections, keeps run-wide ones', async () => {
    const path = logFile(jsonl(sample.run));
    const expected = withoutFrames.filter((event) => !('conn' in event) || event.conn === null || event.conn === 'c2');
    assert.deepEqual(
      expected.map((event) => event.type),
      ['listening', 'violation', 'peer-close', 'close', 'error', 'summary'],
    );
    assert.equal((await tail(path, { filter: { conns: ['c2'] } })).stdout, pretty(expected));
  });

  it('--json passes the selected lines through byte for byte', async () => {
    const odd =
      '{"v":1, "type":"open","ts":"2024-05-01T12:00:01.000Z","conn":"c9","client":"x","path":"/","subprotocol":null,"extensions":null,"extra":1.50}';
    const lines = [...jsonl(sample.run), odd];
    const path = logFile(lines);
    const kept = lines.filter((line) => !line.includes('"type":"frame"') && !line.includes('"conn":"c1"') && !line.includes('"conn":"c3"'));
    assert.deepEqual(await tail(path, { json: true, filter: { conns: ['c2', 'c4', 'c9'] } }), {
      code: 0,
      stdout: kept.map((l) => `${l}\n`).join(''),
      stderr: '',
    });
  });

  it('warns about bad lines with their number and goes on', async () => {
    const path = dir.file('mixed.jsonl');
    writeFileSync(
      path,
      `${JSON.stringify(sample.open)}\r\nnot json\n\n  \n{"v":1,"type":"open"}\n${JSON.stringify(sample.close)}\n{"v":1,"type":"error","ts":"x","conn":null,"message":"cut`,
    );
    assert.deepEqual(await tail(path), {
      code: 0,
      stdout: pretty([sample.open, sample.close]),
      stderr:
        `wsdiag: ${path}:2: skipped: not JSON\n` +
        `wsdiag: ${path}:5: skipped: "open" event without a "ts" string\n` +
        `wsdiag: ${path}:7: skipped: not JSON\n`,
    });
  });

  it('a file whose first 5 lines are not wsdiag events is refused with one message, read no further', async () => {
    const path = logFile(['# notes from monday', 'hello', '{"a":1}', '[1,2]', '{"v":2,"type":"open"}', ...jsonl(sample.run)]);
    await assert.rejects(tail(path), {
      name: 'UsageError',
      message: `${path} does not look like a wsdiag log: none of its first 5 lines is a wsdiag event (line 1, not JSON: "# notes from monday")`,
    });
  });

  it('a shorter file with no wsdiag event at all is refused too, naming its first line', async () => {
    const long = `${'x'.repeat(100)}\u001b[2J`;
    await assert.rejects(tail(logFile(['ERROR something broke', '', 'at line 3'])), {
      name: 'UsageError',
      message: /does not look like a wsdiag log: none of its 2 lines is a wsdiag event \(line 1, not JSON: "ERROR something broke"\)$/,
    });
    await assert.rejects(tail(logFile([long])), {
      name: 'UsageError',
      message: new RegExp(
        `does not look like a wsdiag log: its only line is not a wsdiag event \\(line 1, not JSON: "${'x'.repeat(60)}…"\\)$`,
      ),
    });
  });

  it('a few bad lines before the first event are warned about once an event shows up, and reading goes on', async () => {
    // A crash mid-write can leave a cut line at the top of a log that is then appended to.
    const path = logFile([
      '{"v":1,"type":"ope',
      'garbage',
      ...jsonl([sample.listening, sample.open]),
      'more garbage',
      JSON.stringify(sample.close),
    ]);
    assert.deepEqual(await tail(path), {
      code: 0,
      stdout: pretty([sample.listening, sample.open, sample.close]),
      stderr: `wsdiag: ${path}:1: skipped: not JSON\nwsdiag: ${path}:2: skipped: not JSON\nwsdiag: ${path}:5: skipped: not JSON\n`,
    });
  });

  it('a last line without a newline is still shown', async () => {
    const path = dir.file('no-newline.jsonl');
    writeFileSync(path, `${JSON.stringify(sample.open)}\n${JSON.stringify(sample.close)}`);
    assert.equal((await tail(path)).stdout, pretty([sample.open, sample.close]));
  });

  it('a missing file is a usage error', async () => {
    const path = dir.file('nope.jsonl');
    await assert.rejects(tail(path), {
      name: 'UsageError',
      message: `cannot read log file ${path}: no such file or directory (ENOENT)`,
    });
    await assert.rejects(tail(dir.path), { name: 'UsageError', message: `cannot read log file ${dir.path}: it is a directory` });
  });
});

describe('tail --conn across runs (--log appends)', () => {
  /** One run of a proxy: its listening line, one connection c1 and a clean close, the summary. */
  function run(id: string, client: string): WsdiagEvent[] {
    return [
      { ...sample.listening, run: id },
      { ...sample.open, conn: `${id}-c1`, client },
      { ...sample.closeBare, conn: `${id}-c1` },
      sample.cleanSummary,
    ];
  }
  const first = run('aaaaaa', '127.0.0.1:50001');
  const second = run('bbbbbb', '127.0.0.1:50002');
  const runWide = (events: WsdiagEvent[]) => events.filter((e) => !('conn' in e));

  it('a full id selects that connection of that run only', async () => {
    const path = logFile(jsonl([...first, ...second]));
    assert.deepEqual(await tail(path, { filter: { conns: ['bbbbbb-c1'] } }), {
      code: 0,
      stdout: pretty([...runWide(first), ...second]),
      stderr: '',
    });
  });

  it('a bare c1 is enough when the log holds one run', async () => {
    assert.deepEqual(await tail(logFile(jsonl(second)), { filter: { conns: ['c1'] } }), { code: 0, stdout: pretty(second), stderr: '' });
  });

  it('a bare c1 in a log of several runs shows the c1 of each, and says so once per extra run', async () => {
    const third = run('cccccc', '127.0.0.1:50003');
    const path = logFile(jsonl([...first, ...second, ...third]));
    const result = await tail(path, { filter: { conns: ['c1'] } });
    assert.equal(result.code, 0);
    assert.equal(result.stdout, pretty([...first, ...second, ...third]));
    assert.equal(
      result.stderr,
      `wsdiag: --conn c1 matches connections of 2 runs in ${path} (aaaaaa-c1, bbbbbb-c1), showing each; give a full id (--conn bbbbbb-c1) to see one\n` +
        `wsdiag: --conn c1 matches connections of 3 runs in ${path} (aaaaaa-c1, bbbbbb-c1, cccccc-c1), showing each; give a full id (--conn cccccc-c1) to see one\n`,
    );
  });

  it('a sandwich finding is selected by the id of either of its legs', async () => {
    const finding = {
      v: 1,
      type: 'sandwich-finding',
      ts: '2024-05-01T12:00:02.000Z',
      conn: 'aaaaaa-c1',
      return_conn: 'aaaaaa-r1',
      check: 'close-code-rewritten',
      severity: 'failure',
      blame: 'intermediary',
      dir: 'client->server',
      message: 'The Close code 1000 arrived as 4001.',
      evidence: {
        matched_by: 'key',
        front: { conn: 'aaaaaa-c1', path: '/ws', key: 'k', status: 101, offered: {}, subprotocol: null, extensions: null },
        return: { conn: 'aaaaaa-r1', path: '/ws', key: 'k', status: 101, offered: {}, subprotocol: null, extensions: null },
      },
    };
    const path = logFile([JSON.stringify(sample.listening), JSON.stringify(finding)]);
    for (const conns of [['r1'], ['aaaaaa-r1'], ['c1']]) {
      assert.match((await tail(path, { filter: { conns } })).stdout, /close-code-rewritten/, `--conn ${conns.join(',')}`);
    }
    assert.doesNotMatch((await tail(path, { filter: { conns: ['c2'] } })).stdout, /close-code-rewritten/);
  });
});

describe('tail -f (in process)', () => {
  function follow(path: string, options: Partial<TailOptions> = {}) {
    const stdout = new CaptureStream();
    const stderr = new CaptureStream();
    const stop = new AbortController();
    const done = runTail([path], { ...DEFAULTS, follow: true, ...options }, { stdout, stderr, signal: stop.signal, env: {} });
    return { stdout, stderr, done, stop: async () => (stop.abort(), done) };
  }

  it('shows appended lines, completing a line written in two parts', async () => {
    const path = logFile(jsonl([sample.listening]));
    const t = follow(path);
    await t.stdout.waitForText('listening on');
    const open = JSON.stringify(sample.open);
    appendFileSync(path, open.slice(0, 40));
    appendFileSync(path, `${open.slice(40)}\n`);
    await t.stdout.waitForText('c1 open');
    appendFileSync(path, `${JSON.stringify(sample.violation)}\n`);
    await t.stdout.waitForText('preview: hello');
    assert.equal(await t.stop(), 0);
    assert.equal(t.stdout.text, pretty([sample.listening, sample.open, sample.violation]));
    assert.equal(t.stderr.text, '');
  });

  it('starts again from the top after a truncation', async () => {
    const path = logFile(jsonl([sample.listening, sample.open]));
    const t = follow(path);
    await t.stdout.waitForText('c1 open');
    truncateSync(path, 0);
    await t.stderr.waitForText('was truncated');
    appendFileSync(path, `${JSON.stringify(sample.error)}\nbad\n`);
    await t.stderr.waitForText(':2: skipped'); // line numbers restart with the file
    await t.stop();
    assert.equal(t.stdout.text, pretty([sample.listening, sample.open, sample.error]));
    assert.equal(t.stderr.text, `wsdiag: ${path} was truncated; reading it from the start\nwsdiag: ${path}:2: skipped: not JSON\n`);
  });

  it('notices a truncation followed at once by shorter new content', async () => {
    const path = logFile(jsonl([sample.listening, sample.open, sample.close]));
    const t = follow(path);
    await t.stdout.waitForText('c1 close');
    writeFileSync(path, `${JSON.stringify(sample.globalError)}\n`);
    await t.stdout.waitForText('Cannot resolve');
    await t.stop();
    assert.equal(t.stdout.text, pretty([sample.listening, sample.open, sample.close, sample.globalError]));
  });

  it('follows a replaced file, after finishing the old one', async () => {
    const path = logFile(jsonl([sample.listening]));
    const t = follow(path);
    await t.stdout.waitForText('listening on');
    // The writer's last line lands in the old file just before rotation: it must still be shown, first.
    appendFileSync(path, `${JSON.stringify(sample.open)}\n`);
    renameSync(path, `${path}.1`);
    writeFileSync(path, `${JSON.stringify(sample.close)}\n`);
    await t.stdout.waitForText('c1 close');
    await t.stop();
    assert.equal(t.stdout.text, pretty([sample.listening, sample.open, sample.close]));
    assert.equal(t.stderr.text, `wsdiag: ${path} was replaced; reading the new file from the start\n`);
  });

  it('waits for a missing file to appear', async () => {
    const path = dir.file('later.jsonl');
    const t = follow(path);
    await t.stderr.waitForText(`waiting for ${path} to appear`);
    writeFileSync(path, `${JSON.stringify(sample.open)}\n`);
    await t.stdout.waitForText('c1 open');
    assert.equal(await t.stop(), 0);
    assert.equal(t.stderr.text, `wsdiag: waiting for ${path} to appear\nwsdiag: ${path} appeared; reading it\n`);
  });

  it('refuses a file that is not a wsdiag log, once it has read what the file holds', async () => {
    const path = logFile(['127.0.0.1 - - [01/May/2024] "GET / HTTP/1.1" 200', '127.0.0.1 - - [01/May/2024] "GET /x HTTP/1.1" 404']);
    const t = follow(path);
    // It stops by itself: no Ctrl-C needed (the time bound only turns a hang into a failure).
    await assert.rejects(withTimeout(t.done, 'tail -f to refuse the file', 10_000), {
      name: 'UsageError',
      message: /^.* does not look like a wsdiag log: none of its 2 lines is a wsdiag event \(line 1, not JSON: "127\.0\.0\.1 - - /,
    });
    assert.equal(t.stdout.text, '');
    assert.equal(t.stderr.text, '');
  });

  it('judges a file that appears later by its first lines too', async () => {
    const path = dir.file('later-foreign.jsonl');
    const t = follow(path);
    await t.stderr.waitForText('to appear');
    writeFileSync(path, 'a\nb\nc\nd\ne\nf\n');
    await assert.rejects(withTimeout(t.done, 'tail -f to refuse the file', 10_000), {
      name: 'UsageError',
      message: /none of its first 5 lines is a wsdiag event \(line 1, not JSON: "a"\)/,
    });
  });

  it('after the first event, a bad line is only warned about', async () => {
    const path = logFile(jsonl([sample.listening]));
    const t = follow(path);
    await t.stdout.waitForText('listening on');
    appendFileSync(path, `{"v":1,"type":"open","ts":\n${JSON.stringify(sample.open)}\n`);
    await t.stdout.waitForText('c1 open');
    assert.equal(await t.stop(), 0);
    assert.equal(t.stderr.text, `wsdiag: ${path}:2: skipped: not JSON\n`);
  });

  it('applies filters to lines that arrive later', async () => {
    const path = logFile([]);
    const t = follow(path, { filter: { codes: [1007] } });
    appendFileSync(
      path,
      jsonl([sample.violation, sample.utf8Violation])
        .map((l) => `${l}\n`)
        .join(''),
    );
    await t.stdout.waitForText('invalid-utf8-text');
    await t.stop();
    assert.equal(t.stdout.text, pretty([sample.utf8Violation]));
  });
});

describe('wsdiag tail (command line)', () => {
  it('exits 0 after the last line', async () => {
    const path = logFile(jsonl(sample.run));
    const run = startCli(['tail', path]);
    assert.equal((await run.exited()).code, 0, `exit status; stderr: ${run.stderr()}`);
    assert.equal(run.stdout(), pretty(withoutFrames));
  });

  it('exits 2 with one line for a missing file', async () => {
    const path = dir.file('absent.jsonl');
    const run = startCli(['tail', path]);
    assert.equal((await run.exited()).code, 2, `exit status; stderr: ${run.stderr()}`);
    assert.equal(run.stderr(), `wsdiag: cannot read log file ${path}: no such file or directory (ENOENT)\n`);
  });

  it('exits 2 with one line for a file that is not a wsdiag log, with or without -f', async () => {
    const path = logFile(['line one', 'line two', 'line three', 'line four', 'line five', 'line six']);
    for (const args of [
      ['tail', path],
      ['tail', '-f', '--interval', '10', path],
    ]) {
      const run = startCli(args);
      assert.equal((await run.exited()).code, 2, `exit status of ${args.join(' ')}; stderr: ${run.stderr()}`);
      assert.equal(
        run.stderr(),
        `wsdiag: ${path} does not look like a wsdiag log: none of its first 5 lines is a wsdiag event (line 1, not JSON: "line one")\n`,
      );
      assert.equal(run.stdout(), '');
    }
  });

  for (const [args, message] of [
    [['--code', '1002,1001'], '"1001" is not a violation code (use 1002, 1003, 1006, 1007, 1009, 1011)'],
    [['--rule', 'reserved-bit'], 'unknown rule "reserved-bit" (did you mean "reserved-bits"?)'],
    [['--interval', '0'], 'expects a whole number of milliseconds of 1 or more, got "0"'],
  ] as const) {
    it(`exits 2 for ${args.join(' ')}`, async () => {
      const run = startCli(['tail', logFile([]), ...args]);
      assert.equal((await run.exited()).code, 2, `exit status; stderr: ${run.stderr()}`);
      assert.ok(run.stderr().includes(message), run.stderr());
      assert.doesNotMatch(run.stderr(), /\n\s+at /, 'no stack trace');
    });
  }

  it('accepts repeated and comma-separated filters', async () => {
    const path = logFile(jsonl(sample.run));
    const run = startCli([
      'tail',
      path,
      '--json',
      '--rule',
      'reserved-bits',
      '--rule',
      'invalid-utf8-text,message-too-big',
      '--code',
      '1007,1006,1011',
      '--conn',
      'c3,c9',
      '--frames',
    ]);
    assert.equal((await run.exited()).code, 0, `exit status; stderr: ${run.stderr()}`);
    const expected = [sample.listening, sample.utf8Violation, sample.closeAbnormal, sample.globalError, sample.summary];
    assert.equal(
      run.stdout(),
      jsonl(expected)
        .map((line) => `${line}\n`)
        .join(''),
    );
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`-f follows appends, a truncation and a replacement, and exits 0 on ${signal}`, async () => {
      const path = logFile(jsonl([sample.listening]));
      const run = startCli(['tail', '-f', '--interval', '10', path]);
      await run.waitForStdout('listening on');
      appendFileSync(path, `${JSON.stringify(sample.open)}\n`);
      await run.waitForStdout('c1 open');
      truncateSync(path, 0);
      await run.waitForStderr('was truncated');
      appendFileSync(path, `${JSON.stringify(sample.violation)}\n`);
      await run.waitForStdout('reserved-bits');
      renameSync(path, `${path}.old`);
      writeFileSync(path, `${JSON.stringify(sample.close)}\n`);
      await run.waitForStdout('c1 close');
      run.kill(signal);
      assert.equal((await run.exited()).code, 0, `exit status; stderr: ${run.stderr()}`);
      assert.equal(run.stdout(), pretty([sample.listening, sample.open, sample.violation, sample.close]));
      assert.equal(
        run.stderr(),
        `wsdiag: ${path} was truncated; reading it from the start\nwsdiag: ${path} was replaced; reading the new file from the start\n`,
      );
    });
  }

  it('exits 0 quietly when its reader goes away (| head)', async () => {
    const path = dir.file('big.jsonl');
    writeFileSync(path, `${jsonl(sample.run).join('\n')}\n`.repeat(2000));
    const run = startCli(['tail', path]);
    await run.waitForStdout('\n');
    run.closeStdout();
    assert.equal((await run.exited()).code, 0, `exit status; stderr: ${run.stderr()}`);
    assert.equal(run.stderr(), '');
  });

  it('-f exits 0 quietly when its reader goes away', async () => {
    const path = logFile(jsonl([sample.listening]));
    const run = startCli(['tail', '-f', '--interval', '10', path]);
    await run.waitForStdout('listening on');
    run.closeStdout();
    // The closed pipe is noticed at the next write.
    appendFileSync(path, `${JSON.stringify(sample.open)}\n`);
    assert.equal((await run.exited()).code, 0, `exit status; stderr: ${run.stderr()}`);
    assert.equal(run.stderr(), '');
  });
});
