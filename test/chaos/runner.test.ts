/**
 * The action runner on a hand-driven clock: writes go out at once, or in order once their delay has
 * passed; delays count from the push that asked for them and overlap rather than add up; a reset drops
 * whatever still waits. Driven with the engine's own output for latency and bandwidth, as a list (`run`)
 * and as the engine's ChaosOutput (`pushInto`): the same actions at the same times either way, and a chunk
 * no toxic changes written as it is decided, the chunk itself, with nothing queued.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActionRunner, type ChaosSink } from '../../src/chaos/runner.js';
import type { ChaosAction, FaultRecord } from '../../src/chaos/types.js';
import { ChaosDirection, staticToxics } from '../../src/chaos/engine.js';
import { concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { FakeTimers, toxic } from './support.js';

class RecordingSink implements ChaosSink {
  log: string[] = [];
  constructor(private readonly timers: FakeTimers) {}
  write(bytes: Uint8Array): void {
    this.log.push(
      `${this.timers.time}: write ${Buffer.from(bytes)
        .toString('latin1')
        .replace(/[^\x20-\x7e]/g, '')}`,
    );
  }
  end(): void {
    this.log.push(`${this.timers.time}: end`);
  }
  reset(): void {
    this.log.push(`${this.timers.time}: reset`);
  }
  fault(record: FaultRecord): void {
    this.log.push(`${this.timers.time}: fault ${record.message}`);
  }
}

const write = (text: string): ChaosAction => ({ type: 'write', bytes: new TextEncoder().encode(text) });

describe('ActionRunner', () => {
  it('writes at once without delays, in order', () => {
    const timers = new FakeTimers();
    const sink = new RecordingSink(timers);
    new ActionRunner(sink, timers).run([write('a'), write('b'), { type: 'end' }], 0);
    assert.deepEqual(sink.log, ['0: write a', '0: write b', '0: end']);
    assert.equal(timers.pending, 0);
  });

  it('holds what follows a delay, counting from the push, and keeps order across pushes', () => {
    const timers = new FakeTimers();
    const sink = new RecordingSink(timers);
    const runner = new ActionRunner(sink, timers);
    runner.run([write('a'), { type: 'delay', ms: 100 }, write('b')], 0);
    timers.advance(10);
    // A later push with a shorter delay does not overtake: it waits behind b, then goes at once.
    runner.run([{ type: 'delay', ms: 20 }, write('c')], 10);
    assert.equal(runner.queuedBytes, 2);
    assert.ok(runner.waiting);
    timers.advance(99);
    assert.deepEqual(sink.log, ['0: write a']);
    timers.advance(100);
    assert.deepEqual(sink.log, ['0: write a', '100: write b', '100: write c']);
    // Delays overlap rather than add up: 50 ms after 100 is 150, already passed at 200.
    timers.advance(200);
    runner.run([{ type: 'delay', ms: 50 }, write('d')], 100);
    assert.deepEqual(sink.log.at(-1), '200: write d');
    assert.equal(runner.queuedBytes, 0);
  });

  it('a reset drops what still waits', () => {
    const timers = new FakeTimers();
    const sink = new RecordingSink(timers);
    const runner = new ActionRunner(sink, timers);
    runner.run([{ type: 'reset' }, write('late')], 0);
    runner.run([write('later')], 0);
    assert.deepEqual(sink.log, ['0: reset']);
  });

  it('plays the engine: latency per message, faults logged when reached', () => {
    const timers = new FakeTimers();
    const sink = new RecordingSink(timers);
    const runner = new ActionRunner(sink, timers);
    const engine = new ChaosDirection({
      direction: 'server->client',
      toxics: staticToxics([toxic('latency', 'server->client', { latency: 50 })]),
      seed: 's',
      connection: 'c1',
    });
    const push = (text: string) => runner.run(engine.push(encodeFrame({ opcode: 1, payload: text }), timers.now()), timers.now());
    push('one');
    timers.advance(20);
    push('two');
    timers.advance(1000);
    assert.deepEqual(sink.log, [
      '0: fault held text frame #0 50 ms',
      '50: write one',
      '50: fault held text frame #1 50 ms',
      '70: write two',
    ]);
  });

  it('plays the engine: bandwidth paces the bytes', () => {
    const timers = new FakeTimers();
    const written: Array<[number, number]> = [];
    const runner = new ActionRunner(
      { write: (b) => written.push([timers.time, b.length]), end: () => {}, reset: () => {}, fault: () => {} },
      timers,
    );
    const engine = new ChaosDirection({
      direction: 'server->client',
      toxics: staticToxics([toxic('bandwidth', 'server->client', { rate: 10 })]),
      seed: 's',
      connection: 'c1',
    });
    const frames = concatBytes(Array.from({ length: 4 }, () => encodeFrame({ opcode: 2, payload: new Uint8Array(996) })));
    runner.run(engine.push(frames, 0), 0);
    timers.advance(10_000);
    // 4000 bytes at 10 KB/s: 500-byte pieces every 50 ms, the last one at 350 ms.
    assert.equal(written.length, 8);
    assert.deepEqual(
      written.map(([t]) => t),
      [0, 50, 100, 150, 200, 250, 300, 350],
    );
    assert.equal(
      written.reduce((n, [, len]) => n + len, 0),
      4000,
    );
  });

  it('as the engine output, a chunk no toxic changes is written at once: the chunk itself, nothing queued', () => {
    const timers = new FakeTimers();
    const written: Uint8Array[] = [];
    const runner = new ActionRunner({ write: (b) => written.push(b), end: () => {}, reset: () => {}, fault: () => {} }, timers);
    const engine = new ChaosDirection({
      direction: 'client->server',
      toxics: staticToxics([toxic('noop', 'client->server'), toxic('rsv', 'client->server', {}, { toxicity: 0 })]),
      seed: 's',
      connection: 'c1',
    });
    const chunk = concatBytes([
      encodeFrame({ opcode: 1, payload: 'one', mask: true }),
      encodeFrame({ opcode: 2, payload: new Uint8Array(300), mask: true }),
    ]);
    engine.pushInto(runner, chunk, 0);
    assert.equal(written.length, 1);
    assert.equal(written[0], chunk, 'the pushed chunk, not a copy or a view');
    assert.ok(!runner.waiting);
    assert.equal(runner.queuedBytes, 0);
    assert.equal(timers.pending, 0);
  });

  it('as the engine output, it does what run() does with the same actions as a list', () => {
    const toxics = [
      toxic('latency', 'server->client', { latency: 40, jitter: 30 }),
      toxic('bandwidth', 'server->client', { rate: 20 }),
      toxic('inject-ping', 'server->client', { frames: 'message' }, { toxicity: 0.5 }),
      toxic('fragment', 'server->client', { size: 100 }, { toxicity: 0.5 }),
    ];
    const frames = Array.from({ length: 12 }, (_, i) =>
      i % 4 === 3 ? encodeFrame({ opcode: 9, payload: 'p' }) : encodeFrame({ opcode: 2, payload: new Uint8Array(200 + 90 * i).fill(i) }),
    );
    const stream = concatBytes(frames);
    // Pushes of uneven sizes, some mid-frame, at uneven times; then the end.
    const cuts = [1, 150, 151, 900, 2000, 2001, 4000, stream.length];
    const play = (streaming: boolean): string[] => {
      const timers = new FakeTimers();
      const log: string[] = [];
      const runner = new ActionRunner(
        {
          write: (b) => log.push(`${timers.time}: write ${Buffer.from(b).toString('hex')}`),
          end: () => log.push(`${timers.time}: end`),
          reset: () => log.push(`${timers.time}: reset`),
          fault: (f) => log.push(`${timers.time}: fault ${f.message}`),
        },
        timers,
      );
      const engine = new ChaosDirection({ direction: 'server->client', toxics: staticToxics(toxics), seed: 'same', connection: 'c1' });
      let from = 0;
      cuts.forEach((to, i) => {
        const chunk = stream.subarray(from, to);
        from = to;
        if (streaming) engine.pushInto(runner, chunk, timers.now());
        else runner.run(engine.push(chunk, timers.now()), timers.now());
        timers.advance(timers.time + 7 * i);
      });
      if (streaming) engine.endInto(runner, timers.now());
      else runner.run(engine.end(timers.now()), timers.now());
      timers.advance(100_000);
      return log;
    };
    const listed = play(false);
    assert.ok(listed.some((line) => line.includes('fault')) && listed.at(-1)?.endsWith(': end'));
    assert.deepEqual(play(true), listed);
  });
});
