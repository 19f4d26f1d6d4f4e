/**
 * The chaos addon's forwarding on a relay of its own (no sockets): while no toxic acts on a direction,
 * each chunk goes to the relay as it came (the chunk itself, forwarded then analyzed) with the engine only
 * following the frames; a toxic added then applies from the next frame not yet begun, wherever the stream
 * was cut; and a chunk never overtakes what a delay still holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chaosAddon } from '../../src/chaos/forwarding.js';
import { ToxicRegistry } from '../../src/chaos/registry.js';
import type { Direction, WsdiagEvent } from '../../src/events/index.js';
import type { Forwarding, RelayControl, RelayLeg } from '../../src/proxy/forwarding.js';
import type { ConnectionAnalyzer } from '../../src/session/analyzer.js';
import { concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { cut } from '../support/decode.js';
import { FakeTimers, bytesEqual, framesOf } from './support.js';

const S2C: Direction = 'server->client';

/** A relay that records what the strategy forwards and analyzes, in order. */
class FakeRelay implements RelayControl {
  readonly conn = 'run-c1';
  readonly analyzer = null as unknown as ConnectionAnalyzer;
  readonly log: Array<['forward' | 'analyze', Uint8Array]> = [];
  readonly events: WsdiagEvent[] = [];
  analyze(_leg: RelayLeg, bytes: Uint8Array): void {
    this.log.push(['analyze', bytes]);
  }
  forward(leg: RelayLeg, bytes: Uint8Array): void {
    this.log.push(['forward', bytes]);
    (leg as { forwarded: number }).forwarded += bytes.length;
  }
  corked(_leg: RelayLeg, fn: () => void): void {
    fn();
  }
  close(): void {}
  emit(event: WsdiagEvent): void {
    this.events.push(event);
  }
  end(): void {}
  reset(): void {}
  bytes(kind: 'forward' | 'analyze'): Uint8Array {
    return concatBytes(this.log.filter(([k]) => k === kind).map(([, b]) => b));
  }
}

function connect(registry: ToxicRegistry, timers = new FakeTimers()): { forwarding: Forwarding; relay: FakeRelay; leg: RelayLeg } {
  const addon = chaosAddon({ toxics: registry, seed: 's', timers, clock: () => new Date(0) });
  const relay = new FakeRelay();
  addon.handshake?.(relay.conn, {
    method: 'GET',
    path: '/',
    upstream: { path: '/', host: '127.0.0.1:1' },
    request: {},
    status: 101,
    response: {},
  });
  const end = { ip: '127.0.0.1', port: 1 };
  addon.connection?.({
    conn: relay.conn,
    path: '/',
    subprotocol: null,
    extensions: null,
    legs: { client: { client: end, server: end }, upstream: { client: end, server: end } },
  });
  const forwarding = addon.forwarding?.(relay);
  assert.ok(forwarding);
  return { forwarding, relay, leg: { dir: S2C, forwarded: 0 } };
}

describe('chaos forwarding while no toxic acts on a direction', () => {
  const frames = [
    encodeFrame({ opcode: 1, payload: 'one' }),
    encodeFrame({ opcode: 2, payload: new Uint8Array(300).fill(2) }),
    encodeFrame({ opcode: 1, fin: false, payload: 'fr' }),
    encodeFrame({ opcode: 9, payload: 'p' }),
    encodeFrame({ opcode: 0, payload: 'ag' }),
    encodeFrame({ opcode: 2, payload: new Uint8Array(70_000).fill(7) }),
    encodeFrame({ opcode: 1, payload: 'last' }),
  ];
  const stream = concatBytes(frames);
  const offsets = framesOf(stream).map((f) => f.offset);

  it('hands every chunk to the relay as it came: the chunk itself, forwarded then analyzed', () => {
    const registry = new ToxicRegistry();
    registry.add({ type: 'noop', stream: S2C });
    registry.add({ type: 'drop', stream: 'client->server' });
    const { forwarding, relay, leg } = connect(registry);
    const chunks = cut(stream, [1, 5, 200, 70_100]);
    for (const chunk of chunks) forwarding.data(leg, chunk);
    assert.deepEqual(
      relay.log.map(([kind, bytes]) => [kind, chunks.indexOf(bytes)]),
      chunks.flatMap((_, i) => [
        ['forward', i],
        ['analyze', i],
      ]),
    );
  });

  it('a toxic added then applies from the next frame not yet begun, wherever the stream was cut', () => {
    // Sample the offsets: every byte of the first frames' headers and payloads, then a stride.
    const points = [...Array.from({ length: 400 }, (_, i) => i + 1), ...Array.from({ length: 80 }, (_, i) => 400 + i * 887)];
    for (const at of points.filter((p) => p < stream.length)) {
      const registry = new ToxicRegistry();
      const { forwarding, relay, leg } = connect(registry);
      const [before, after] = cut(stream, [at]);
      forwarding.data(leg, before!);
      registry.add({ type: 'rsv', stream: S2C, attributes: { bit: 1, frames: 'all' } });
      forwarding.data(leg, after!);
      // Unmasked frames re-encoded with RSV1 set: the same bytes but for that bit.
      const expected = Uint8Array.from(stream);
      const changed = offsets.filter((offset) => offset >= at);
      for (const offset of changed) expected[offset]! |= 0x40;
      assert.ok(bytesEqual(relay.bytes('forward'), expected), `the bytes, cut at ${at}`);
      assert.ok(bytesEqual(relay.bytes('analyze'), expected), `what was analyzed, cut at ${at}`);
      assert.deepEqual(
        relay.events.map((e) => (e.type === 'fault' ? e.frame?.offset : null)),
        changed,
        `the faults, cut at ${at}`,
      );
    }
  });

  it('a chunk does not overtake what a delay still holds, even once no toxic is left', () => {
    const timers = new FakeTimers();
    const registry = new ToxicRegistry();
    registry.add({ type: 'delay', stream: S2C, name: 'hold', attributes: { ms: 50, frames: 'text' } });
    const { forwarding, relay, leg } = connect(registry, timers);
    forwarding.data(leg, frames[0]!);
    registry.remove('hold');
    forwarding.data(leg, frames[1]!);
    assert.equal(relay.log.length, 0, 'both wait');
    timers.advance(50);
    assert.ok(bytesEqual(relay.bytes('forward'), concatBytes([frames[0]!, frames[1]!])), 'in order, once the delay passed');
    forwarding.data(leg, frames[6]!);
    assert.equal(relay.log.at(-2)?.[1], frames[6], 'then straight through again');
  });
});
