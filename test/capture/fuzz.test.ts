/**
 * Property tests for the whole capture pipeline: whatever the bytes (random, or a real-looking capture
 * with bytes flipped, inserted or deleted), it never throws and gives the same events however the file is
 * cut into chunks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CaptureAnalyzer } from '../../src/capture/analyze.js';
import type { CaptureEvent } from '../../src/capture/events.js';
import { PcapngWriter, SyntheticTcp } from '../../src/capture/writer.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { TestCompressor } from '../support/deflate.js';
import { Conversation, switchingProtocols, upgradeRequest } from './support/conversation.js';

const NUM_RUNS = Number(process.env['WSDIAG_FUZZ_RUNS'] ?? 150);

function analyze(chunks: Uint8Array[]): CaptureEvent[] {
  const events: CaptureEvent[] = [];
  const analyzer = new CaptureAnalyzer({
    onEvent: (e) => events.push(e),
    analyzer: { frames: true },
    clock: () => new Date(0),
    maxConnections: 8,
    maxBufferedPerDirection: 4096,
  });
  for (const chunk of chunks) analyzer.push(chunk);
  analyzer.end();
  return JSON.parse(JSON.stringify(events)) as CaptureEvent[];
}

function cutAt(bytes: Uint8Array, offsets: number[]): Uint8Array[] {
  const sorted = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const at of sorted) {
    chunks.push(bytes.subarray(start, at));
    start = at;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** Two seeds to mutate: a pcap of a compressed conversation, and a pcapng from the writer. */
function pcapSeed(): Uint8Array {
  const compressor = new TestCompressor(true);
  const c = new Conversation()
    .handshake()
    .send('client', upgradeRequest({ 'Sec-WebSocket-Extensions': 'permessage-deflate' }))
    .send('server', switchingProtocols({ 'Sec-WebSocket-Extensions': 'permessage-deflate' }))
    .send('client', encodeFrame({ opcode: 1, rsv1: true, payload: compressor.compress('compressed, compressed'), mask: true }))
    .send('server', encodeFrame({ opcode: 2, payload: new Uint8Array(3000).fill(9) }), 1000)
    .send('client', encodeFrame({ opcode: 8, payload: closeBody(1000, 'bye'), mask: true }))
    .fin('client')
    .fin('server');
  return c.pcap();
}

function pcapngSeed(): Uint8Array {
  const writer = new PcapngWriter();
  const iface = writer.addInterface({ name: 'leg', linkType: 'ethernet' });
  const tcp = new SyntheticTcp({
    writer,
    interfaceId: iface.id,
    linkType: 'ethernet',
    client: { ip: '::1', port: 5 },
    server: { ip: '::1', port: 6 },
  });
  const ts = { sec: 1, nsec: 0 };
  return concatBytes([
    writer.header(),
    iface.block,
    tcp.open(ts),
    tcp.send('client', new TextEncoder().encode(upgradeRequest()), ts),
    tcp.send('server', new TextEncoder().encode(switchingProtocols()), ts),
    tcp.send('server', encodeFrame({ opcode: 1, payload: 'hi' }), ts),
    tcp.end('client', ts),
  ]);
}

const seeds = [pcapSeed(), pcapngSeed()];

const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'insert', 'delete')), {
      minLength: 1,
      maxLength: 8,
    }),
  )
  .map(([seed, edits]) => {
    const out = Array.from(seed);
    for (const [at, value, kind] of edits) {
      const i = at % out.length;
      if (kind === 'flip') out[i] = out[i]! ^ (value || 1);
      else if (kind === 'insert') out.splice(i, 0, value);
      else out.splice(i, 1);
    }
    return Uint8Array.from(out);
  });

describe('capture pipeline fuzzing', () => {
  it('reads the unmutated seeds without problems', () => {
    for (const seed of seeds) {
      const events = analyze([seed]);
      assert.ok(events.some((e) => e.type === 'open'));
      assert.deepEqual(
        events.filter((e) => e.type === 'capture-problem' || e.type === 'violation'),
        [],
      );
    }
  });

  it('never throws and gives the same events however a mutated capture is cut', () => {
    fc.assert(
      fc.property(mutated, fc.array(fc.nat(), { maxLength: 5 }), (bytes, offsets) => {
        const whole = analyze([bytes]);
        assert.deepEqual(analyze(cutAt(bytes, offsets)), whole);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('never throws on random bytes, with or without a capture header in front', () => {
    const header = seeds[0]!.subarray(0, 24);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.boolean(), (random, withHeader) => {
        const bytes = withHeader ? concatBytes([header, random]) : random;
        const events = analyze([bytes]);
        if (!withHeader && bytes.length >= 4) assert.ok(events.some((e) => e.type === 'capture-problem'));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
