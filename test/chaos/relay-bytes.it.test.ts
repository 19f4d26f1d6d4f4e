/**
 * The chaos relay byte for byte, on real sockets (raw peers that send exact bytes and record every byte
 * they get): with every toxic of every type at toxicity 0 the bytes each side receives are exactly the
 * bytes the other side sent (invalid frames included, with and without permessage-deflate); and the same
 * seed on the same traffic gives the same bytes (masking keys included) and the same faults, however the
 * sender's writes were split, while another seed gives other faults.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startChaos } from '../../src/chaos/index.js';
import { TOXIC_TYPES } from '../../src/chaos/toxics/index.js';
import { DIRECTIONS, type FaultEvent } from '../../src/events/index.js';
import { closeBody, concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { EventLog } from '../support/event-log.js';
import { connectRawClient, startRawServer } from '../support/raw-peers.js';

/** A bit of everything, valid and not, as a client (masked) or a server would send it. */
function traffic(masked: boolean): Uint8Array[] {
  const mask = masked ? Uint8Array.of(1, 2, 3, 4) : undefined;
  return [
    encodeFrame({ opcode: 1, payload: 'hello', mask }),
    encodeFrame({ opcode: 2, payload: new Uint8Array(300).fill(7), mask }),
    encodeFrame({ opcode: 1, payload: 'frag', fin: false, mask }),
    encodeFrame({ opcode: 9, payload: 'ping', mask }),
    encodeFrame({ opcode: 0, payload: 'mented', mask }),
    encodeFrame({ opcode: 10, payload: 'pong', mask }),
    encodeFrame({ opcode: 2, payload: 'long form', lengthForm: 64, mask }),
    // Faults of the sender's own, which the relay passes on as they are.
    encodeFrame({ opcode: 1, payload: 'rsv', rsv2: true, mask }),
    encodeFrame({ opcode: 1, payload: 'unmasked either way' }),
    encodeFrame({ opcode: 1, payload: Uint8Array.of(0xff, 0xfe), mask }),
    encodeFrame({ opcode: 0xb, payload: 'reserved', mask }),
    encodeFrame({ opcode: 8, payload: closeBody(1000, 'bye'), mask }),
  ];
}

/** Every toxic type in both directions, each at toxicity 0. */
const DORMANT = TOXIC_TYPES.flatMap((type) => DIRECTIONS.map((stream) => ({ type, stream, toxicity: 0 })));

async function relay(options: {
  toxics: readonly unknown[];
  seed?: string;
  deflate?: boolean;
  /** Client frames, each written on its own (true) or all in one write (false). */
  split?: boolean;
}): Promise<{ atServer: Buffer; atClient: Buffer; sent: { c2s: Buffer; s2c: Buffer }; faults: FaultEvent[]; inForce: number }> {
  const c2s = traffic(true);
  const s2c = traffic(false);
  const extensions = options.deflate ? { 'Sec-WebSocket-Extensions': 'permessage-deflate' } : {};
  const server = await startRawServer((peer) => {
    peer.accept({ headers: extensions });
    for (const frame of s2c) peer.send(frame);
    peer.socket.end();
  });
  const log = new EventLog();
  const chaos = await startChaos({
    target: server.url,
    listen: { host: '127.0.0.1', port: 0 },
    onEvent: log.push,
    toxics: options.toxics,
    seed: options.seed ?? 'bytes',
  });
  try {
    const client = await connectRawClient(chaos.port, { headers: extensions, allowHalfOpen: true });
    if (options.split) for (const frame of c2s) client.send(frame);
    else client.send(concatBytes(c2s));
    client.socket.end();
    const peer = await server.peer();
    await peer.collector.waitForEnd();
    await client.collector.waitForEnd();
    await log.waitFor('close');
    return {
      atServer: peer.body(),
      atClient: client.body(),
      sent: { c2s: Buffer.concat(c2s), s2c: Buffer.concat(s2c) },
      faults: log.of('fault'),
      inForce: chaos.registry.list().length,
    };
  } finally {
    await chaos.close();
    await server.close();
  }
}

describe('chaos on the wire: toxicity 0 changes nothing', () => {
  for (const deflate of [false, true]) {
    it(`every toxic type, both directions, at toxicity 0${deflate ? ', permessage-deflate negotiated' : ''}: byte-identical both ways`, async () => {
      const run = await relay({ toxics: DORMANT, deflate, split: true });
      assert.equal(run.inForce, TOXIC_TYPES.length * 2);
      assert.ok(run.atServer.equals(run.sent.c2s), 'the server got exactly what the client sent');
      assert.ok(run.atClient.equals(run.sent.s2c), 'the client got exactly what the server sent');
      assert.deepEqual(run.faults, []);
    });
  }
});

describe('chaos on the wire: the same seed gives the same faults', () => {
  const toxics = [
    { type: 'rsv', stream: 'client->server', toxicity: 0.4, attributes: { bit: 2, frames: 'all' } },
    { type: 'fragment', stream: 'client->server', toxicity: 0.5, attributes: { size: 3 } },
    { type: 'inject-ping', stream: 'client->server', toxicity: 0.3, attributes: { masked: true, frames: 'all' } },
    { type: 'non-minimal-length', stream: 'server->client', toxicity: 0.5, attributes: { form: 16 } },
    { type: 'mask', stream: 'server->client', toxicity: 0.5 },
  ];

  /** A fault without what changes from run to run (its time, the run id in its connection id). */
  const comparable = (faults: FaultEvent[]) => faults.map(({ ts: _ts, conn, ...fault }) => ({ ...fault, conn: conn.replace(/^.*-/, '') }));

  it('twice with one seed (one write, then a write per frame): the same bytes and faults; another seed: other faults', async () => {
    const first = await relay({ toxics, seed: 'alpha', split: false });
    const second = await relay({ toxics, seed: 'alpha', split: true });
    assert.ok(first.faults.length >= 5, `faults were drawn: ${first.faults.length}`);
    assert.deepEqual(comparable(second.faults), comparable(first.faults));
    assert.ok(second.atServer.equals(first.atServer), 'the server got the same bytes, masking keys included');
    assert.ok(second.atClient.equals(first.atClient), 'the client got the same bytes');
    assert.ok(!first.atServer.equals(first.sent.c2s), 'the toxics did change the traffic');
    const other = await relay({ toxics, seed: 'beta', split: false });
    assert.notDeepEqual(comparable(other.faults), comparable(first.faults));
  });
});
