import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEventLine } from '../../src/events/index.js';
import * as sample from '../fixtures/sample-events.js';

function reasonOf(line: string): string {
  const parsed = parseEventLine(line);
  if (parsed.ok) assert.fail(`expected ${line} to be rejected`);
  return parsed.reason;
}

describe('parseEventLine', () => {
  it('accepts every event type', () => {
    for (const event of sample.run) assert.deepEqual(parseEventLine(JSON.stringify(event)), { ok: true, event });
  });

  it('reads a listening event with its run id, and one from before run ids', () => {
    const withRun = { ...sample.listening, run: 'k3f9x2' };
    assert.deepEqual(parseEventLine(JSON.stringify(withRun)), { ok: true, event: withRun });
    assert.equal(parseEventLine(JSON.stringify(sample.listening)).ok, true);
  });

  it('reads an open event with the settings addons decided, and one without', () => {
    const settings = { max_message: 'route /uploads/** in wsdiag.json' };
    assert.deepEqual(parseEventLine(JSON.stringify({ ...sample.open, settings })), { ok: true, event: { ...sample.open, settings } });
    assert.deepEqual(parseEventLine(JSON.stringify(sample.open)), { ok: true, event: sample.open });
  });

  it('keeps fields it does not know (a newer wsdiag may add some)', () => {
    const parsed = parseEventLine(JSON.stringify({ ...sample.open, tls: true }));
    assert.ok(parsed.ok && 'tls' in parsed.event);
  });

  it('says why a line is rejected', () => {
    assert.equal(reasonOf('not json'), 'not JSON');
    assert.equal(reasonOf('[1,2]'), 'not a wsdiag event (not a JSON object)');
    assert.equal(reasonOf('null'), 'not a wsdiag event (not a JSON object)');
    assert.equal(reasonOf('{"level":30,"msg":"pino"}'), 'not a wsdiag event (no "v" field)');
    assert.equal(reasonOf(JSON.stringify({ ...sample.open, v: 2 })), 'unsupported schema version 2');
    assert.equal(reasonOf(JSON.stringify({ ...sample.open, type: 'hello' })), 'unknown event type "hello"');
    assert.equal(reasonOf(JSON.stringify({ ...sample.open, type: 'constructor' })), 'unknown event type "constructor"');
    assert.equal(reasonOf(JSON.stringify({ ...sample.open, ts: 5 })), '"open" event without a "ts" string');
    assert.equal(reasonOf(JSON.stringify({ ...sample.violation, dir: 'up' })), '"violation" event with a missing or invalid "dir" field');
    assert.equal(
      reasonOf(JSON.stringify({ ...sample.violation, frame: { index: 1 } })),
      '"violation" event with a missing or invalid "frame" field',
    );
    assert.equal(
      reasonOf(JSON.stringify({ ...sample.violation, preview: 7 })),
      '"violation" event with a missing or invalid "preview" field',
    );
    assert.equal(reasonOf(JSON.stringify({ ...sample.listening, run: 7 })), '"listening" event with a missing or invalid "run" field');
    assert.equal(
      reasonOf(JSON.stringify({ ...sample.open, settings: { max_message: 7 } })),
      '"open" event with a missing or invalid "settings" field',
    );
    assert.equal(
      reasonOf(JSON.stringify({ ...sample.open, settings: 'route' })),
      '"open" event with a missing or invalid "settings" field',
    );
    assert.equal(
      reasonOf(JSON.stringify({ ...sample.close, bytes: { 'client->server': 1 } })),
      '"close" event with a missing or invalid "bytes" field',
    );
    assert.equal(
      reasonOf(JSON.stringify({ ...sample.summary, by_rule: { a: 'x' } })),
      '"summary" event with a missing or invalid "by_rule" field',
    );
  });
});
