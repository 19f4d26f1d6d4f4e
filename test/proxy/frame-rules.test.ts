/**
 * Each frame rule through the proxy, from a raw misbehaving client and from a raw misbehaving server:
 * the violation names the rule, direction, blame and frame, and the receiver still gets the offending
 * bytes exactly as sent (the proxy is transparent unless --enforce).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Side } from '../../src/events/index.js';
import { closeBody, concatBytes, encodeFrame, type FrameSpec } from '../../src/protocol/encoder.js';
import { startTestProxy, type TestProxy } from '../helpers/proxy.js';
import { connectRawClient, startRawServer, type RawClient, type RawServer, type RawServerPeer } from '../helpers/raw-peers.js';

interface RuleCase {
  rule: string;
  code: number;
  /** Sides that can break the rule (the masking rules belong to one side each). */
  from: Side[];
  /** The offending frame; `mask` is what a well-behaved sender of that side would use. */
  frame: (mask: true | undefined) => FrameSpec;
}

const CASES: RuleCase[] = [
  { rule: 'unmasked-client-frame', code: 1002, from: ['client'], frame: () => ({ opcode: 0x1, payload: 'no mask' }) },
  { rule: 'masked-server-frame', code: 1002, from: ['server'], frame: () => ({ opcode: 0x1, payload: 'masked', mask: true }) },
  { rule: 'reserved-opcode', code: 1002, from: ['client', 'server'], frame: (mask) => ({ opcode: 0x3, payload: 'x', mask }) },
  { rule: 'reserved-bits', code: 1002, from: ['client', 'server'], frame: (mask) => ({ opcode: 0x1, payload: 'rsv', rsv2: true, mask }) },
  {
    rule: 'control-frame-fragmented',
    code: 1002,
    from: ['client', 'server'],
    frame: (mask) => ({ opcode: 0x9, payload: 'ping', fin: false, mask }),
  },
  {
    rule: 'invalid-utf8-text',
    code: 1007,
    from: ['client', 'server'],
    frame: (mask) => ({ opcode: 0x1, payload: Uint8Array.of(0x68, 0xff, 0xfe), mask }),
  },
  {
    rule: 'invalid-close-code',
    code: 1002,
    from: ['client', 'server'],
    frame: (mask) => ({ opcode: 0x8, payload: closeBody(1005, 'reserved'), mask }),
  },
];

describe('frame rules through the proxy', () => {
  let server: RawServer;
  let harness: TestProxy;

  before(async () => {
    server = await startRawServer();
    harness = await startTestProxy(server.url);
  });
  after(async () => {
    await harness.proxy.close();
    await server.close();
  });

  /** A client and the upstream peer it reached through the proxy, with the connection id. */
  async function connectPair(): Promise<{ client: RawClient; peer: RawServerPeer; conn: string }> {
    const index = server.peers.length;
    const client = await connectRawClient(harness.proxy.port);
    assert.equal(client.statusCode, 101);
    const peer = await server.peer(index);
    const open = await harness.log.waitFor('open', (o) => o.client === `127.0.0.1:${client.socket.localPort}`);
    return { client, peer, conn: open.conn };
  }

  for (const c of CASES) {
    for (const from of c.from) {
      it(`${c.rule} from the ${from}`, async () => {
        const { client, peer, conn } = await connectPair();
        const mask = from === 'client' ? true : undefined;
        const valid = encodeFrame({ opcode: 0x1, payload: 'fine', mask });
        const spec = c.frame(mask);
        const bad = encodeFrame(spec);
        const bytes = concatBytes([valid, bad]);
        const dir = from === 'client' ? 'client->server' : 'server->client';

        if (from === 'client') client.send(bytes);
        else peer.send(bytes);

        const violation = await harness.log.waitFor('violation', (v) => v.conn === conn && v.rule === c.rule);
        assert.equal(violation.dir, dir);
        assert.equal(violation.blame, from);
        assert.equal(violation.code, c.code);
        assert.equal(violation.severity, 'error');
        const headerLength = 2 + (spec.mask ? 4 : 0);
        assert.deepEqual(violation.frame, { index: 1, offset: valid.length, opcode: spec.opcode, length: bad.length - headerLength });
        assert.match(violation.rfc, /^RFC \d+ §/);
        assert.ok(violation.message.length > 0 && violation.hint.length > 0);

        // Transparent: the receiver got exactly what the sender wrote, offending frame included.
        const receiver =
          from === 'client' ? { collector: peer.collector, body: peer.body } : { collector: client.collector, body: client.body };
        const received = await receiver.collector.until(
          () => (receiver.body().length >= bytes.length ? receiver.body() : undefined),
          `the ${from === 'client' ? 'server' : 'client'} to receive the frames`,
        );
        assert.deepEqual(Buffer.from(received), Buffer.from(bytes));

        client.socket.destroy();
        const close = await harness.log.closed(conn);
        assert.equal(close.violations, harness.log.of('violation', conn).length);
      });
    }
  }
});
