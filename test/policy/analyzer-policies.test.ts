/**
 * End to end through ConnectionAnalyzer: flag, route, profile and learned policies, each for both
 * directions and both accepted types, on single-frame, fragmented, compressed and compressed+fragmented
 * messages. A message of the accepted type (with control frames around and inside it) gives nothing; one
 * of the other type gives exactly one violation at its first frame, naming its size and the policy source.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Direction } from '../../src/events/index.js';
import type { FrameSpec } from '../../src/protocol/encoder.js';
import { parsePolicyConfig } from '../../src/policy/config.js';
import { PolicyLearner } from '../../src/policy/learn.js';
import { flagTypePolicies, type PolicyInputs } from '../../src/policy/resolve.js';
import { TestCompressor } from '../support/deflate.js';
import { close, openConnection, ping, pong, summary, type TestConnection } from './harness.js';

type Source = 'flag' | 'route' | 'profile' | 'learned';
type Shape = 'single' | 'fragmented' | 'compressed' | 'compressed+fragmented';
type Accepted = 'text' | 'binary';

const SOURCES: Source[] = ['flag', 'route', 'profile', 'learned'];
const SHAPES: Shape[] = ['single', 'fragmented', 'compressed', 'compressed+fragmented'];
const DIRS: Direction[] = ['client->server', 'server->client'];
const PAYLOAD = '{"type":"update","id":42,"body":"a message long enough to split"}';

interface Setup {
  inputs: PolicyInputs;
  learner: PolicyLearner | null;
  subprotocol: string | null;
  source: string;
}

function setup(source: Source, dir: Direction, accepts: Accepted): Setup {
  const side = dir === 'client->server' ? 'server' : 'client';
  switch (source) {
    case 'flag':
      return {
        inputs: { flags: { typePolicies: flagTypePolicies(side === 'server' ? { serverAccepts: accepts } : { clientAccepts: accepts }) } },
        learner: null,
        subprotocol: null,
        source: `--${side}-accepts ${accepts}`,
      };
    case 'route': {
      const config = parsePolicyConfig(JSON.stringify({ routes: [{ path: '/live/*', [`${side}-accepts`]: accepts }] }), 'wsdiag.json');
      return { inputs: { config }, learner: null, subprotocol: null, source: 'route /live/* in wsdiag.json' };
    }
    case 'profile': {
      const subprotocol = accepts === 'text' ? 'wamp.2.json' : 'wamp.2.msgpack';
      return { inputs: {}, learner: null, subprotocol, source: `profile ${subprotocol} (WAMP Basic Profile, WebSocket Transport)` };
    }
    case 'learned': {
      const learner = new PolicyLearner();
      const teacher = openConnection({ conn: 'c0', path: '/live/feed', learner });
      const rejected = accepts === 'text' ? 0x2 : 0x1;
      if (dir === 'client->server') {
        teacher.client({ opcode: rejected, payload: 'no' });
        teacher.server(close(1003));
      } else {
        teacher.server({ opcode: rejected, payload: 'no' });
        teacher.client(close(1003));
      }
      teacher.end();
      const type = accepts === 'text' ? 'binary' : 'text';
      return { inputs: {}, learner, subprotocol: null, source: `learned from c0 (closed 1003 after a ${type} message #0, 2 bytes)` };
    }
  }
}

/** The frames of one message of `opcode` in the given shape, with a control frame inside fragmented ones. */
function message(opcode: number, shape: Shape, compressor: TestCompressor, control: FrameSpec): FrameSpec[] {
  const compressed = shape.startsWith('compressed');
  const body = compressed ? compressor.compress(PAYLOAD) : new TextEncoder().encode(PAYLOAD);
  if (!shape.endsWith('fragmented')) return [{ opcode, payload: body, rsv1: compressed }];
  const cut = Math.floor(body.length / 3);
  return [
    { opcode, payload: body.subarray(0, cut), fin: false, rsv1: compressed },
    control,
    { opcode: 0x0, payload: body.subarray(cut, 2 * cut), fin: false },
    { opcode: 0x0, payload: body.subarray(2 * cut) },
  ];
}

function send(c: TestConnection, dir: Direction, frames: FrameSpec[]): void {
  if (dir === 'client->server') c.client(...frames);
  else c.server(...frames);
}

describe('message-type policies through the analyzer', () => {
  for (const source of SOURCES) {
    for (const dir of DIRS) {
      for (const accepts of ['text', 'binary'] as const) {
        for (const shape of SHAPES) {
          it(`${source}: ${dir}, receiver accepts ${accepts}, ${shape} messages`, () => {
            const s = setup(source, dir, accepts);
            const c = openConnection({
              conn: 'c1',
              path: '/live/feed?since=0',
              subprotocol: s.subprotocol,
              extensions: shape.startsWith('compressed') ? 'permessage-deflate' : null,
              inputs: s.inputs,
              learner: s.learner,
            });
            const other: Direction = dir === 'client->server' ? 'server->client' : 'client->server';
            const compressors = { 'client->server': new TestCompressor(true), 'server->client': new TestCompressor(true) };
            const right = accepts === 'text' ? 0x1 : 0x2;
            const wrong = accepts === 'text' ? 0x2 : 0x1;
            const control = dir === 'client->server' ? ping('k') : pong('k');

            const accepted = message(right, shape, compressors[dir], control);
            const rejected = message(wrong, shape, compressors[dir], control);
            send(c, dir, [control, ...accepted, ...rejected, close(1000)]);
            // The other direction carries the accepted type only: under a profile it is checked too.
            send(c, other, [...message(right, shape, compressors[other], dir === 'client->server' ? pong('k') : ping('k')), close(1000)]);
            c.end();

            const firstRejected = 1 + accepted.length;
            assert.deepEqual(summary(c.violations()), [
              [
                accepts === 'text' ? 'unsupported-binary' : 'unsupported-text',
                dir,
                dir === 'client->server' ? 'client' : 'server',
                firstRejected,
              ],
            ]);
            const violation = c.violations()[0]!;
            const spread = shape.endsWith('fragmented') ? `first frame #${firstRejected}, 3 frames` : `frame #${firstRejected}`;
            const receiver = dir === 'client->server' ? 'server' : 'client';
            assert.equal(
              violation.message,
              `${wrong === 0x2 ? 'Binary' : 'Text'} message of ${PAYLOAD.length} bytes (${spread}) sent to a ${receiver} that accepts only ${accepts} (policy: ${s.source}).`,
            );
            assert.equal(violation.code, 1003);
            assert.equal(violation.rfc, 'RFC 6455 §7.4.1');
            if (wrong === 0x2)
              assert.match(violation.hint, /^The payload is text \(it looks like JSON\): send it as a text frame \(opcode 0x1\)/);
            else assert.match(violation.hint, /accepts only binary: send this data as a binary frame \(opcode 0x2\)/);
          });
        }
      }
    }
  }

  it('a route max-message reaches the analyzer', () => {
    const config = parsePolicyConfig(JSON.stringify({ routes: [{ path: '/small', 'max-message': 8 }] }), 'wsdiag.json');
    const c = openConnection({ path: '/small', inputs: { config } });
    c.client({ opcode: 0x1, payload: '12345678' }, { opcode: 0x1, payload: '123456789' });
    c.end();
    assert.deepEqual(summary(c.violations()), [['message-too-big', 'client->server', 'client', 1]]);
  });

  it('no policy, no 1003 violations whatever the types', () => {
    const c = openConnection({ path: '/live/feed', subprotocol: 'v12.stomp' });
    c.client({ opcode: 0x1, payload: 'SEND\n\n\u0000' }, { opcode: 0x2, payload: Uint8Array.of(0, 1, 2) });
    c.server({ opcode: 0x2, payload: Uint8Array.of(0xff) }, { opcode: 0x1, payload: 'MESSAGE\n\n\u0000' });
    c.end();
    assert.deepEqual(c.violations(), []);
  });
});
