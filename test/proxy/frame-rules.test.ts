/**
 * Each frame rule through the proxy, from a raw misbehaving client and from a raw misbehaving server: the
 * faulty frames are the decoder fixtures marked `proxy` (test/fixtures/decoder-streams.ts), sent after a
 * valid frame. The violation names the rule, direction, blame and frame, and the receiver still gets the
 * offending bytes exactly as sent (the proxy is transparent unless --enforce).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { concatBytes, encodeFrame } from '../../src/protocol/encoder.js';
import { getRule } from '../../src/rules/table.js';
import { INVALID_STREAMS } from '../fixtures/decoder-streams.js';
import { hex } from '../support/bytes.js';
import { parseFrames } from '../support/frame-oracle.js';
import { startTestProxy, type TestProxy } from '../support/proxy.js';
import { connectRawClient, startRawServer, type RawClient, type RawServer, type RawServerPeer } from '../support/raw-peers.js';

const CASES = INVALID_STREAMS.filter((f) => f.proxy);

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

  it('has a fixture for each side of each rule it sends', () => {
    assert.deepEqual(CASES.map((c) => `${c.findings[0]![0]} ${c.from}`).sort(), [
      'control-frame-fragmented client',
      'control-frame-fragmented server',
      'invalid-close-code client',
      'invalid-close-code server',
      'invalid-utf8-text client',
      'invalid-utf8-text server',
      'masked-server-frame server',
      'reserved-bits client',
      'reserved-bits server',
      'reserved-opcode client',
      'reserved-opcode server',
      'unmasked-client-frame client',
    ]);
  });

  for (const c of CASES) {
    const from = c.from;
    const [rule] = c.findings[0]!;
    it(`${rule} from the ${from}`, async () => {
      const { client, peer, conn } = await connectPair();
      const valid = encodeFrame({ opcode: 0x1, payload: 'fine', ...(from === 'client' ? { mask: true as const } : {}) });
      const bad = hex(c.bytes);
      const [frame] = parseFrames(bad).frames;
      const bytes = concatBytes([valid, bad]);
      const dir = from === 'client' ? 'client->server' : 'server->client';

      if (from === 'client') client.send(bytes);
      else peer.send(bytes);

      const violation = await harness.log.waitFor('violation', (v) => v.conn === conn && v.rule === rule);
      assert.equal(violation.dir, dir);
      assert.equal(violation.blame, from);
      assert.equal(violation.code, getRule(rule).code);
      assert.equal(violation.severity, 'error');
      assert.deepEqual(violation.frame, { index: 1, offset: valid.length, opcode: frame!.opcode, length: frame!.length });
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
});
