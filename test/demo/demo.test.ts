/**
 * runDemo() end to end on 127.0.0.1: the real upstream, the real proxy and the scripted clients. The
 * expected rule ids per scenario are written out here, not read from the demo's own table, so a
 * scenario that stops provoking its fault (or provokes another one) fails.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS, runDemo, type DemoResult, type ScenarioResult } from '../../src/demo/index.js';
import { closingText, headingText } from '../../src/demo/text.js';
import { TEXT_ONLY_REASON } from '../../src/demo/upstream.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import type { WsdiagEvent } from '../../src/events/index.js';
import { createPalette } from '../../src/reporters/color.js';
import { CaptureStream } from '../support/capture-stream.js';

/** Scenario name → the rule ids wsdiag must report for it, in order. */
const EXPECTED_RULES: Record<string, string[]> = {
  good: [],
  unmasked: ['unmasked-client-frame'],
  'reserved-opcode': ['reserved-opcode'],
  'rsv-bits': ['reserved-bits'],
  'fragmented-ping': ['control-frame-fragmented'],
  'invalid-utf8': ['invalid-utf8-text'],
  'binary-to-text-server': ['unsupported-binary'],
  'masked-server': ['masked-server-frame'],
};

/** Scenario name → the close code the offended endpoint sends, who sends it, and the rule it answers. */
const EXPECTED_FIRST_CLOSE: Record<string, { by: 'client' | 'server'; code: number; cause: string | null }> = {
  good: { by: 'client', code: 1000, cause: null },
  unmasked: { by: 'server', code: 1002, cause: 'unmasked-client-frame' },
  'reserved-opcode': { by: 'server', code: 1002, cause: 'reserved-opcode' },
  'rsv-bits': { by: 'server', code: 1002, cause: 'reserved-bits' },
  'fragmented-ping': { by: 'server', code: 1002, cause: 'control-frame-fragmented' },
  'invalid-utf8': { by: 'server', code: 1007, cause: 'invalid-utf8-text' },
  'binary-to-text-server': { by: 'server', code: 1003, cause: 'unsupported-binary' },
  'masked-server': { by: 'client', code: 1002, cause: 'masked-server-frame' },
};

function scenario(result: DemoResult, name: string): ScenarioResult {
  const found = result.scenarios.find((s) => s.name === name);
  assert.ok(found, `scenario ${name} ran`);
  return found;
}

function jsonLines(out: CaptureStream): WsdiagEvent[] {
  return out.text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as WsdiagEvent);
}

describe('runDemo', () => {
  it('runs every scenario in order and collects exactly the expected violations and Closes', async () => {
    const out = new CaptureStream();
    const result = await runDemo({ out });

    assert.deepEqual(
      result.scenarios.map((s) => s.name),
      Object.keys(EXPECTED_RULES),
    );
    for (const [name, rules] of Object.entries(EXPECTED_RULES)) {
      const s = scenario(result, name);
      assert.deepEqual(s.violations, rules, `violations of ${name}`);
      assert.equal(s.conns.length, 1, `${name} used one connection`);
      const first = s.peerCloses[0];
      assert.ok(first, `${name}: an endpoint sent a Close`);
      assert.deepEqual({ by: first.by, code: first.code, cause: first.cause }, EXPECTED_FIRST_CLOSE[name], `first Close of ${name}`);
      // The other endpoint answers, completing the closing handshake.
      assert.equal(s.peerCloses.length, 2, `${name}: both endpoints sent a Close`);
      assert.notEqual(s.peerCloses[1]!.by, first.by);
    }
    assert.equal(scenario(result, 'binary-to-text-server').peerCloses[0]!.reason, TEXT_ONLY_REASON);
    assert.equal(new Set(result.scenarios.flatMap((s) => s.conns)).size, 8, 'one distinct connection per scenario');

    assert.equal(result.summary.connections, 8);
    assert.equal(result.summary.violations, 7);
    assert.deepEqual(result.summary.by_code, { '1002': 5, '1003': 1, '1007': 1 });
  });

  it('prints a heading before each scenario, the log, the summary table and the closing text', async () => {
    const out = new CaptureStream();
    await runDemo({ out });
    const text = out.text;
    const positions = [
      text.indexOf('listening on 127.0.0.1:'),
      text.indexOf('  run demo\n'),
      text.indexOf('1/8  a well-behaved client'),
      text.indexOf('demo-c1 open'),
      text.indexOf('2/8  a client that forgets to mask its frames'),
      text.indexOf('unmasked-client-frame  demo-c2 client->server'),
      text.indexOf('7/8  a client that sends JSON as a binary message to a text-only server'),
      text.indexOf('1003 unsupported-binary  demo-c7'),
      text.indexOf('8/8  a server that masks its frames'),
      text.indexOf('masked-server-frame  demo-c8 server->client'),
      text.indexOf('summary  8 connections  7 violations'),
      text.indexOf('What you just saw'),
      text.indexOf('wsdiag explain 1002 1003'),
      text.indexOf('wsdiag proxy --target ws://your-server'),
    ];
    for (const [i, at] of positions.entries()) assert.ok(at >= 0, `piece ${i} present in:\n${text}`);
    assert.deepEqual(
      [...positions].sort((a, b) => a - b),
      positions,
      'pieces in order',
    );
    assert.doesNotMatch(text, /\x1b\[/, 'no colour unless asked');
  });

  it('colours the log when asked', async () => {
    const out = new CaptureStream();
    await runDemo({ out, color: true, only: 'unmasked' });
    assert.match(out.text, /\x1b\[/);
  });

  it('--json: only JSON Lines, from listening to summary, with the scenario in each open path', async () => {
    const out = new CaptureStream();
    const result = await runDemo({ out, json: true });
    const events = jsonLines(out);
    assert.equal(events[0]!.type, 'listening');
    // A fixed run id keeps the demo's output the same from run to run.
    assert.equal(events[0]!.type === 'listening' && events[0]!.run, 'demo');
    assert.deepEqual(
      result.scenarios.map((s) => s.conns),
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => [`demo-c${n}`]),
    );
    assert.equal(events.at(-1)!.type, 'summary');
    assert.deepEqual(events.at(-1), result.summary);
    const paths = events.flatMap((e) => (e.type === 'open' ? [e.path] : []));
    assert.deepEqual(paths, [
      '/demo/good',
      '/demo/unmasked',
      '/demo/reserved-opcode',
      '/demo/rsv-bits',
      '/demo/fragmented-ping',
      '/demo/invalid-utf8',
      '/demo/binary-to-text-server',
      '/faulty-server/masked',
    ]);
    assert.ok(!events.some((e) => e.type === 'frame'), 'no frame events without --frames');
  });

  it('--frames with --only good: every frame of the one connection, and nothing else ran', async () => {
    const out = new CaptureStream();
    const result = await runDemo({ out, json: true, frames: true, only: 'good' });
    assert.deepEqual(
      result.scenarios.map((s) => s.name),
      ['good'],
    );
    const frames = jsonLines(out).flatMap((e) => (e.type === 'frame' ? [e] : []));
    const sent = frames.filter((f) => f.dir === 'client->server').map((f) => [f.opcode, f.masked]);
    // Three text messages, a ping, a Close; all masked, as a client's must be.
    assert.deepEqual(sent, [
      [1, true],
      [1, true],
      [1, true],
      [9, true],
      [8, true],
    ]);
    const received = frames.filter((f) => f.dir === 'server->client').map((f) => [f.opcode, f.masked]);
    assert.deepEqual(received, [
      [1, false],
      [1, false],
      [1, false],
      [10, false],
      [8, false],
    ]);
  });

  it('without the text-only policy, the 1003 shows only as the server Close', async () => {
    const out = new CaptureStream();
    const result = await runDemo({ out, only: 'binary-to-text-server', textOnlyPolicy: false });
    const s = scenario(result, 'binary-to-text-server');
    assert.deepEqual(s.violations, []);
    assert.deepEqual(s.peerCloses[0], { by: 'server', code: 1003, reason: TEXT_ONLY_REASON, cause: null });
    assert.match(out.text, /only the server's Close 1003/);
  });

  it('an unknown --only name is a usage error that lists the scenarios, before anything starts', async () => {
    const out = new CaptureStream();
    await assert.rejects(runDemo({ out, only: 'nope' }), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.ok(err instanceof ConfigError);
      assert.equal(err.option, 'only');
      assert.match(err.message, /^unknown demo scenario "nope" \(known: good, unmasked, .*masked-server\)$/);
      return true;
    });
    assert.equal(out.text, '');
  });
});

describe('demo text', () => {
  const plain = createPalette(false);
  const byName = (...names: string[]) => SCENARIOS.filter((s) => names.includes(s.name));

  it('closing text speaks of "every other connection" only when the good client ran', () => {
    assert.match(closingText({ scenarios: SCENARIOS, textOnlyPolicy: true }, plain), /Every other connection breaks one rule/);
    assert.match(closingText({ scenarios: byName('unmasked'), textOnlyPolicy: true }, plain), /The connection breaks one rule/);
    assert.match(
      closingText({ scenarios: byName('unmasked', 'rsv-bits'), textOnlyPolicy: true }, plain),
      /Each connection breaks one rule/,
    );
    assert.doesNotMatch(closingText({ scenarios: byName('good'), textOnlyPolicy: true }, plain), /breaks one rule/);
  });

  it('closing text explains the 1003 according to the policy, and only when that scenario ran', () => {
    const binary = byName('binary-to-text-server');
    assert.match(closingText({ scenarios: binary, textOnlyPolicy: true }, plain), /flagged as unsupported-binary/);
    assert.match(closingText({ scenarios: binary, textOnlyPolicy: false }, plain), /only the server's Close 1003/);
    assert.doesNotMatch(closingText({ scenarios: byName('good'), textOnlyPolicy: true }, plain), /1003 \(|unsupported-binary/);
  });

  it('headings count the scenarios that run: the whole script, or just the ones chosen', () => {
    assert.equal(headingText(byName('masked-server')[0]!, SCENARIOS, plain), '\n8/8  a server that masks its frames (only clients may)\n');
    const chosen = byName('good');
    assert.equal(headingText(chosen[0]!, chosen, plain), '\n1/1  a well-behaved client: three text messages, a ping, a clean close\n');
  });
});
