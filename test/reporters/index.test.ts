import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WsdiagEvent } from '../../src/events/index.js';
import {
  JsonlReporter,
  MultiReporter,
  PrettyReporter,
  REPORTERS,
  SummaryCollector,
  createReporter,
  shouldUseColor,
  type Reporter,
} from '../../src/reporters/index.js';
import { CaptureStream } from '../support/capture-stream.js';
import * as sample from '../fixtures/sample-events.js';

const OPTIONS = { color: false, frames: false, quiet: false };

describe('reporter registry', () => {
  it('maps names to reporters', () => {
    assert.deepEqual(Object.keys(REPORTERS).sort(), ['jsonl', 'pretty']);
    assert.ok(createReporter('pretty', { stream: new CaptureStream(), ...OPTIONS }) instanceof PrettyReporter);
    assert.ok(createReporter('jsonl', { stream: new CaptureStream(), ...OPTIONS }) instanceof JsonlReporter);
  });

  it('rejects an unknown name with the known ones', () => {
    assert.throws(() => createReporter('junit', { stream: new CaptureStream(), ...OPTIONS }), {
      name: 'UsageError',
      message: 'unknown reporter "junit" (known: pretty, jsonl)',
    });
    // Inherited object keys are not reporters.
    assert.throws(() => createReporter('toString', { stream: new CaptureStream(), ...OPTIONS }), { name: 'UsageError' });
  });
});

describe('MultiReporter', () => {
  it('sends every event to every reporter, in order', async () => {
    const pretty = new CaptureStream();
    const jsonl = new CaptureStream();
    const summary = new SummaryCollector();
    const multi = new MultiReporter([new PrettyReporter(pretty, OPTIONS), new JsonlReporter(jsonl), summary]);
    for (const event of sample.run) multi.write(event);
    await multi.flush();
    assert.equal(jsonl.writes.length, sample.run.length);
    assert.match(pretty.text, /✖ 1002 reserved-bits/);
    assert.equal(summary.violations, 3 + 2); // three logged, two suppressed in the close of c1
  });

  it('flush() waits for the slowest reporter; close() closes those that can', async () => {
    const order: string[] = [];
    const slow: Reporter = {
      write: () => undefined,
      flush: () => new Promise((resolve) => setTimeout(() => (order.push('slow'), resolve()), 5)),
    };
    const closing: Reporter & { seen: WsdiagEvent[] } = {
      seen: [],
      write(event) {
        this.seen.push(event);
      },
      flush: async () => void order.push('fast flush'),
      close: async () => void order.push('closed'),
    };
    const multi = new MultiReporter([slow, closing]);
    multi.write(sample.open);
    await multi.flush();
    assert.deepEqual(order, ['fast flush', 'slow']);
    await multi.close();
    assert.deepEqual(order.slice(2).sort(), ['closed', 'slow']);
    assert.deepEqual(closing.seen, [sample.open]);
  });
});

describe('shouldUseColor', () => {
  const tty = { isTTY: true };
  it('colours a TTY by default', () => assert.equal(shouldUseColor({ stream: tty, env: {} }), true));
  it('not a pipe or file', () => assert.equal(shouldUseColor({ stream: {}, env: {} }), false));
  it('not with --no-color', () => assert.equal(shouldUseColor({ stream: tty, flag: false, env: {} }), false));
  it('not with NO_COLOR set', () => assert.equal(shouldUseColor({ stream: tty, env: { NO_COLOR: '1' } }), false));
  it('an empty NO_COLOR does not count (no-color.org)', () => assert.equal(shouldUseColor({ stream: tty, env: { NO_COLOR: '' } }), true));
});
