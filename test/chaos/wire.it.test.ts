/**
 * Every toxic on the wire: real `ws` endpoints, `wsdiag chaos` (startChaos) between them, and a
 * `wsdiag proxy` downstream of the faults in each direction (wire-support.ts). For each toxic the proxy
 * downstream reports the rule the fault breaks, or nothing for the valid changes, and the `ws` endpoint
 * that receives the fault reacts as RFC 6455 says (it fails the connection with the right Close code, or
 * gets the same messages); the chaos run's own log has the fault, and its own analyzer's violation right
 * after it. Every wait is on an event; the only clock readings are lower bounds on delays.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import type { Direction } from '../../src/events/index.js';
import { MessagePolicies } from '../../src/policy/index.js';
import { waitForEvent } from '../support/wait.js';
import { closedWith, nextMessages } from '../support/ws-servers.js';
import { allClosed, downstreamRules, startWire, type Wire, type WireOptions } from './wire-support.js';

const C2S: Direction = 'client->server';
const S2C: Direction = 'server->client';

/** Runs `body` on a fresh wire and closes it whatever happens. */
async function withWire(options: WireOptions, body: (wire: Wire) => Promise<void>): Promise<void> {
  const wire = await startWire(options);
  try {
    await body(wire);
  } finally {
    await wire.close();
  }
}

/**
 * A fault toxic: after `act`, the proxy downstream of `dir` reports `rule` in `dir`, the receiver fails the
 * connection with a Close `code` (seen by the proxy beside it), and the chaos log has the fault with its own
 * analyzer's violation of the same frame just after it.
 */
async function expectFault(wire: Wire, dir: Direction, rule: string, code: number, type: string): Promise<void> {
  const downstream = wire.downstream(dir);
  const violation = await downstream.log.waitFor('violation', (v) => v.rule === rule && v.dir === dir);
  assert.equal(violation.dir, dir);
  const receiver = dir === C2S ? 'server' : 'client';
  const close = await downstream.log.waitFor('peer-close', (e) => e.by === receiver);
  assert.equal(close.code, code, `the ${receiver} fails the connection with ${code}`);
  assert.equal(close.cause?.rule, rule, 'its Close answers the injected fault');
  const events = wire.chaosLog.events;
  const at = events.findIndex((e) => e.type === 'fault' && e.toxic_type === type);
  assert.ok(at >= 0, `a ${type} fault in the chaos log`);
  const fault = events[at]!;
  const own = events.slice(at + 1).find((e) => e.type === 'violation');
  assert.ok(fault.type === 'fault' && own?.type === 'violation', 'the chaos run reports the violation it caused');
  assert.equal(own.rule, rule);
  assert.equal(own.frame?.index, fault.out_index, 'on the frame the fault changed');
  assert.deepEqual(
    events.slice(at + 1, events.indexOf(own)).filter((e) => e.type === 'violation'),
    [],
    'the violation comes right after its fault',
  );
}

/** A valid change: the connection closes normally and nobody reports anything. */
async function expectNothing(wire: Wire, type: string): Promise<void> {
  wire.client.close(1000, 'done');
  const { code } = await closedWith(wire.client);
  assert.equal(code, 1000);
  await allClosed(wire);
  assert.deepEqual(downstreamRules(wire), []);
  assert.deepEqual(wire.chaosLog.violations(), []);
  assert.ok(
    wire.chaosLog.of('fault').some((f) => f.toxic_type === type),
    `a ${type} fault was applied: ${JSON.stringify(wire.chaosLog.of('fault'))}`,
  );
}

function echoOf(ws: WebSocket, send: () => void): Promise<Array<{ data: Buffer; isBinary: boolean }>> {
  const got = nextMessages(ws, 1);
  send();
  return got;
}

describe('header toxics on the wire', () => {
  for (const bit of [1, 2, 3]) {
    it(`rsv bit ${bit} client->server: reserved-bits downstream, the ws server closes 1002`, () =>
      withWire({ toxics: [{ type: 'rsv', stream: C2S, attributes: { bit } }] }, async (wire) => {
        wire.client.send('hello');
        await expectFault(wire, C2S, 'reserved-bits', 1002, 'rsv');
        assert.equal((await closedWith(wire.client)).code, 1002);
      }));
  }

  it('rsv server->client: reserved-bits downstream, the ws client closes 1002', () =>
    withWire({ toxics: [{ type: 'rsv', stream: S2C, attributes: { bit: 1 } }] }, async (wire) => {
      wire.client.send('hello');
      await expectFault(wire, S2C, 'reserved-bits', 1002, 'rsv');
    }));

  it('reserved-opcode: reserved-opcode downstream, the ws server closes 1002', () =>
    withWire({ toxics: [{ type: 'reserved-opcode', stream: C2S, attributes: { opcode: 0xb } }] }, async (wire) => {
      wire.client.send('hello');
      await expectFault(wire, C2S, 'reserved-opcode', 1002, 'reserved-opcode');
    }));

  it('non-minimal-length: non-minimal-length downstream; ws does not check the length form and echoes', () =>
    withWire({ toxics: [{ type: 'non-minimal-length', stream: C2S, attributes: { form: 64 } }] }, async (wire) => {
      const [echo] = await echoOf(wire.client, () => wire.client.send('hello'));
      assert.equal(echo!.data.toString(), 'hello');
      const violation = await wire.far.log.waitFor('violation', (v) => v.rule === 'non-minimal-length');
      assert.equal(violation.dir, C2S);
      const fault = wire.chaosLog.of('fault')[0]!;
      assert.deepEqual([fault.before, fault.after], [{ length_form: 7 }, { length_form: 64 }]);
      assert.equal(wire.chaosLog.of('violation')[0]?.rule, 'non-minimal-length');
    }));
});

describe('mask toxics on the wire', () => {
  it('client->server (the mask removed): unmasked-client-frame downstream, the ws server closes 1002', () =>
    withWire({ toxics: [{ type: 'mask', stream: C2S }] }, async (wire) => {
      wire.client.send('hello');
      await expectFault(wire, C2S, 'unmasked-client-frame', 1002, 'mask');
    }));

  it('remask (valid): fresh keys on the client frames, the server gets the same message, nothing is reported', () =>
    withWire({ toxics: [{ type: 'remask', stream: C2S }] }, async (wire) => {
      const [echo] = await echoOf(wire.client, () => wire.client.send('hello'));
      assert.equal(echo!.data.toString(), 'hello');
      await expectNothing(wire, 'remask');
    }));

  it('server->client (a mask added): masked-server-frame downstream, the ws client closes 1002', () =>
    withWire({ toxics: [{ type: 'mask', stream: S2C }] }, async (wire) => {
      wire.client.send('hello');
      await expectFault(wire, S2C, 'masked-server-frame', 1002, 'mask');
    }));
});

describe('message toxics on the wire', () => {
  it('retype binary → text of bytes that are not UTF-8: invalid-utf8-text downstream, the ws server closes 1007', () =>
    withWire({ toxics: [{ type: 'retype', stream: C2S, attributes: { to: 'text' } }] }, async (wire) => {
      wire.client.send(Buffer.from([0xff, 0xfe, 0x00]));
      await expectFault(wire, C2S, 'invalid-utf8-text', 1007, 'retype');
    }));

  it('retype text → binary toward a client that accepts text: unsupported-binary downstream; ws gets a binary message', () =>
    withWire(
      {
        toxics: [{ type: 'retype', stream: S2C, attributes: { to: 'binary' } }],
        near: { addons: [MessagePolicies.load({ clientAccepts: 'text', learn: false })] },
      },
      async (wire) => {
        const [echo] = await echoOf(wire.client, () => wire.client.send('hello'));
        assert.deepEqual([echo!.data.toString(), echo!.isBinary], ['hello', true]);
        const violation = await wire.near.log.waitFor('violation', (v) => v.rule === 'unsupported-binary');
        assert.equal(violation.dir, S2C);
      },
    ));

  it('corrupt-utf8: invalid-utf8-text downstream, the ws server closes 1007', () =>
    withWire({ toxics: [{ type: 'corrupt-utf8', stream: C2S, attributes: { offset: 1 } }] }, async (wire) => {
      wire.client.send('hello');
      await expectFault(wire, C2S, 'invalid-utf8-text', 1007, 'corrupt-utf8');
    }));
});

describe('fragmentation toxics on the wire (valid: nothing to report)', () => {
  it('fragment: the server gets the same message in fragments, nothing is reported', () =>
    withWire({ toxics: [{ type: 'fragment', stream: C2S, attributes: { size: 2 } }] }, async (wire) => {
      const [echo] = await echoOf(wire.client, () => wire.client.send('hello world'));
      assert.equal(echo!.data.toString(), 'hello world');
      await expectNothing(wire, 'fragment');
      // 11 bytes in fragments of 2: six frames reached the server, then the Close.
      const close = wire.far.log.of('close')[0]!;
      assert.equal(close.frames[C2S], 7);
    }));

  it('coalesce: a fragmented message reaches the server as one frame, nothing is reported', () =>
    withWire({ toxics: [{ type: 'coalesce', stream: C2S }] }, async (wire) => {
      const echoed = nextMessages(wire.client, 1);
      wire.client.send('hel', { fin: false });
      wire.client.send('lo', { fin: true });
      assert.equal((await echoed)[0]!.data.toString(), 'hello');
      await expectNothing(wire, 'coalesce');
      assert.equal(wire.near.log.of('close')[0]!.frames[C2S], 3, 'the client sent two fragments and a Close');
      assert.equal(wire.far.log.of('close')[0]!.frames[C2S], 2, 'the server got one frame and the Close');
    }));
});

describe('control frame toxics on the wire', () => {
  it('drop pongs: the client never gets its pong, the proxy downstream reports ping-unanswered', () =>
    withWire({ toxics: [{ type: 'drop', stream: S2C, attributes: { frames: 'pong' } }], near: { pongTimeoutMs: 300 } }, async (wire) => {
      let pongs = 0;
      wire.client.on('pong', () => pongs++);
      wire.client.ping('are you there');
      const violation = await wire.near.log.waitFor('violation', (v) => v.rule === 'ping-unanswered');
      assert.deepEqual([violation.dir, violation.blame], [C2S, 'server']);
      // The server did answer: the proxy between chaos and the server saw the pong go by.
      assert.deepEqual(wire.far.log.violations(), []);
      assert.equal(wire.chaosLog.of('fault')[0]?.toxic_type, 'drop');
      assert.equal(pongs, 0);
    }));

  it('delay pongs: the pong arrives late, nothing is reported', () =>
    withWire({ toxics: [{ type: 'delay', stream: S2C, attributes: { frames: 'pong', ms: 200 } }] }, async (wire) => {
      const started = performance.now();
      const pong = waitForEvent(wire.client, 'pong');
      wire.client.ping('p');
      await pong;
      assert.ok(performance.now() - started >= 195, `the pong took ${performance.now() - started} ms`);
      await expectNothing(wire, 'delay');
    }));

  it('duplicate pongs: the client gets two pongs (an unsolicited pong is legal), nothing is reported', () =>
    withWire({ toxics: [{ type: 'duplicate', stream: S2C, attributes: { frames: 'pong', copies: 1 } }] }, async (wire) => {
      const pongs: string[] = [];
      const two = new Promise<void>((resolve) =>
        wire.client.on('pong', (data: Buffer) => {
          pongs.push(data.toString());
          if (pongs.length === 2) resolve();
        }),
      );
      wire.client.ping('p');
      await two;
      assert.deepEqual(pongs, ['p', 'p']);
      await expectNothing(wire, 'duplicate');
    }));

  it('inject-ping toward the server (unmasked): unmasked-client-frame downstream, the ws server closes 1002', () =>
    withWire({ toxics: [{ type: 'inject-ping', stream: C2S }] }, async (wire) => {
      wire.client.send('hello');
      await expectFault(wire, C2S, 'unmasked-client-frame', 1002, 'inject-ping');
    }));

  it('inject-ping toward the client: the ws client answers it, nothing is reported', () =>
    withWire({ toxics: [{ type: 'inject-ping', stream: S2C, attributes: { payload: 'hi' } }] }, async (wire) => {
      const ping = waitForEvent(wire.client, 'ping');
      wire.client.send('hello');
      const [payload] = await ping;
      assert.equal(String(payload), 'hi');
      await expectNothing(wire, 'inject-ping');
    }));

  it('close-code 1005 (never sent on the wire): invalid-close-code downstream, the ws client closes 1002', () =>
    withWire(
      {
        toxics: [{ type: 'close-code', stream: S2C, attributes: { code: 1005 } }],
        onServer: (ws) => ws.on('message', () => ws.close(1000, 'bye')),
      },
      async (wire) => {
        wire.client.send('close please');
        await expectFault(wire, S2C, 'invalid-close-code', 1002, 'close-code');
        const fault = wire.chaosLog.of('fault')[0]!;
        assert.deepEqual([fault.before, fault.after], [{ code: 1000 }, { code: 1005 }]);
      },
    ));
});

describe('stream-cutting toxics on the wire', () => {
  it('truncate: truncated-frame downstream; both ws endpoints see the connection end abnormally (1006)', () =>
    withWire({ toxics: [{ type: 'truncate', stream: C2S, attributes: { keep: 2 } }] }, async (wire) => {
      const serverClosed = closedWith(wire.serverSide);
      const clientClosed = closedWith(wire.client);
      wire.client.send('hello');
      const violation = await wire.far.log.waitFor('violation', (v) => v.rule === 'truncated-frame');
      assert.equal(violation.dir, C2S);
      assert.equal((await serverClosed).code, 1006);
      assert.equal((await clientClosed).code, 1006);
      await allClosed(wire);
      // wsdiag cut the stream itself: its own analyzer does not blame the client for it.
      assert.deepEqual(wire.chaosLog.violations(), []);
      assert.equal(wire.chaosLog.of('fault')[0]?.toxic_type, 'truncate');
      assert.deepEqual([wire.chaosLog.of('close')[0]?.ended_by, wire.chaosLog.of('close')[0]?.how], ['proxy', 'fin']);
    }));

  it('truncate with end=false: a shorter, valid frame; the server gets (and echoes) what is left, nothing is reported', () =>
    withWire({ toxics: [{ type: 'truncate', stream: C2S, attributes: { keep: 3, end: false } }] }, async (wire) => {
      const [echo] = await echoOf(wire.client, () => wire.client.send('hello'));
      assert.equal(echo!.data.toString(), 'hel');
      await expectNothing(wire, 'truncate');
    }));

  it('reset: the server gets part of a frame then a reset; truncated-frame downstream, both ends see 1006', () =>
    withWire({ toxics: [{ type: 'reset', stream: C2S, attributes: { bytes: 3 } }] }, async (wire) => {
      const serverClosed = closedWith(wire.serverSide);
      const clientClosed = closedWith(wire.client);
      wire.client.send('hello');
      const violation = await wire.far.log.waitFor('violation', (v) => v.rule === 'truncated-frame');
      assert.equal(violation.dir, C2S);
      assert.equal((await serverClosed).code, 1006);
      assert.equal((await clientClosed).code, 1006);
      await allClosed(wire);
      const close = wire.chaosLog.of('close')[0]!;
      assert.deepEqual([close.ended_by, close.how, close.bytes[C2S]], ['proxy', 'reset', 3]);
      assert.equal(wire.chaosLog.of('fault')[0]?.toxic_type, 'reset');
    }));
});

describe('permessage-deflate toxics on the wire', () => {
  const deflate = { server: { perMessageDeflate: { threshold: 0 } }, client: { perMessageDeflate: { threshold: 0 } } };

  it('deflate corrupt: invalid-compressed-data downstream, the ws server closes 1007', () =>
    withWire({ ...deflate, toxics: [{ type: 'deflate', stream: C2S, attributes: { fault: 'corrupt' } }] }, async (wire) => {
      wire.client.send('hello hello hello hello');
      await expectFault(wire, C2S, 'invalid-compressed-data', 1007, 'deflate');
    }));

  it('deflate rsv1-uncompressed: invalid-compressed-data downstream, the ws server closes 1007', () =>
    withWire(
      {
        ...deflate,
        toxics: [{ type: 'deflate', stream: C2S, attributes: { fault: 'rsv1-uncompressed' } }],
      },
      async (wire) => {
        // A message sent uncompressed on a connection that negotiated permessage-deflate.
        wire.client.send('hello', { compress: false });
        await expectFault(wire, C2S, 'invalid-compressed-data', 1007, 'deflate');
      },
    ));
});

describe('timing toxics on the wire (nothing to report)', () => {
  it('noop: the traffic is relayed as it came, nothing is reported or injected', () =>
    withWire({ toxics: [{ type: 'noop', stream: C2S }] }, async (wire) => {
      const [echo] = await echoOf(wire.client, () => wire.client.send('hello'));
      assert.equal(echo!.data.toString(), 'hello');
      wire.client.close(1000);
      await closedWith(wire.client);
      await allClosed(wire);
      assert.deepEqual(downstreamRules(wire), []);
      assert.deepEqual(wire.chaosLog.of('fault'), []);
    }));

  it('latency: each message arrives at least the latency later, nothing is reported', () =>
    withWire({ toxics: [{ type: 'latency', stream: S2C, attributes: { latency: 150 } }] }, async (wire) => {
      const started = performance.now();
      const [echo] = await echoOf(wire.client, () => wire.client.send('hello'));
      assert.equal(echo!.data.toString(), 'hello');
      assert.ok(performance.now() - started >= 145, `took ${performance.now() - started} ms`);
      await expectNothing(wire, 'latency');
    }));

  it('bandwidth: 10 kB at 50 kB/s takes at least 150 ms, nothing is reported', () =>
    withWire({ toxics: [{ type: 'bandwidth', stream: S2C, attributes: { rate: 50 } }] }, async (wire) => {
      const payload = Buffer.alloc(10_000, 0x61);
      const started = performance.now();
      const [echo] = await echoOf(wire.client, () => wire.client.send(payload));
      assert.ok(echo!.data.equals(payload));
      // 2500-byte pieces 50 ms apart: the fourth one leaves 150 ms after the first.
      assert.ok(performance.now() - started >= 145, `took ${performance.now() - started} ms`);
      await expectNothing(wire, 'bandwidth');
    }));
});
