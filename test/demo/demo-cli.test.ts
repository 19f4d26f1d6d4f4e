/**
 * `wsdiag demo` as a user runs it: a child process that must finish on its own, exit 0, and print the
 * headings, the summary and the closing text. The runner's time bound only turns a hang into a failure.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.js';

/** The demo with colours left to the flags (the runner sets NO_COLOR otherwise). */
const wsdiag = (args: string[]) => runCli(args, { env: { NO_COLOR: '' } });

describe('wsdiag demo (CLI)', () => {
  it('runs the whole script, exits 0 by itself', async () => {
    const run = await wsdiag(['demo', '--no-color']);
    assert.equal(run.signal, null);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const headings = [
      '1/8  a well-behaved client',
      '2/8  a client that forgets to mask its frames',
      '3/8  a client that sends a frame with reserved opcode 0x3',
      '4/8  a client that sets RSV1',
      '5/8  a client that fragments a ping',
      '6/8  a client that sends Latin-1 bytes in a text message',
      '7/8  a client that sends JSON as a binary message to a text-only server',
      '8/8  a server that masks its frames',
    ];
    let from = 0;
    for (const heading of headings) {
      const at = run.stdout.indexOf(heading, from);
      assert.ok(at >= 0, `"${heading}" after offset ${from} in:\n${run.stdout}`);
      from = at;
    }
    assert.match(run.stdout, /summary {2}8 connections {2}7 violations/);
    assert.match(run.stdout, /wsdiag explain 1002 1003/);
    assert.doesNotMatch(run.stdout, /\x1b\[/);
  });

  it('--json prints only JSON Lines', async () => {
    const run = await wsdiag(['demo', '--json', '--only', 'invalid-utf8']);
    assert.equal(run.code, 0, run.stderr);
    const events = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; rule?: string });
    assert.deepEqual(
      events.map((e) => e.type),
      ['listening', 'open', 'violation', 'peer-close', 'peer-close', 'close', 'summary'],
    );
    assert.equal(events[2]!.rule, 'invalid-utf8-text');
  });

  it('--only counts only the scenario that runs (1/1, not 1/8)', async () => {
    const run = await wsdiag(['demo', '--no-color', '--only', 'invalid-utf8']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^1\/1  a client that sends Latin-1 bytes in a text message/m);
    assert.doesNotMatch(run.stdout, /\/8 /);
  });

  it('--list names every scenario and exits 0', async () => {
    const run = await wsdiag(['demo', '--list']);
    assert.equal(run.code, 0);
    const names = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.trim().split(/\s+/)[1]);
    assert.deepEqual(names, [
      'good',
      'unmasked',
      'reserved-opcode',
      'rsv-bits',
      'fragmented-ping',
      'invalid-utf8',
      'binary-to-text-server',
      'masked-server',
    ]);
  });

  it('--only with an unknown name exits 2 with a one-line message', async () => {
    const run = await wsdiag(['demo', '--only', 'nope']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^wsdiag: unknown demo scenario "nope" \(known: good, .*\)\n$/);
  });
});
