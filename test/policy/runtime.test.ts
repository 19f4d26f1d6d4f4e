/**
 * MessagePolicies: the run-level addon the proxy, ci and demo build from their flags. A bad config fails
 * before anything starts; each connection gets settings layers and hooks that carry a lesson from one
 * connection to the next.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.js';
import type { PeerCloseEvent, ViolationEvent } from '../../src/events/index.js';
import { encodeFrame, closeBody, type FrameSpec } from '../../src/protocol/encoder.js';
import { MessagePolicies } from '../../src/policy/runtime.js';
import { resolveSettings } from '../../src/proxy/settings.js';
import { wireConnection } from '../support/addons.js';
import { tempDir } from '../support/temp.js';

/** Wires one connection as the proxy does: the policies are its only addon. */
function connect(policies: MessagePolicies, conn: string, path: string, subprotocol: string | null) {
  const { analyzer, events, end } = wireConnection([policies], { conn, path, subprotocol });
  return {
    events,
    client: (spec: FrameSpec) => analyzer.push('client->server', encodeFrame({ mask: true, ...spec })),
    server: (spec: FrameSpec) => analyzer.push('server->client', encodeFrame(spec)),
    end,
    violations: () => events.filter((e): e is ViolationEvent => e.type === 'violation'),
    peerClose: () => events.find((e): e is PeerCloseEvent => e.type === 'peer-close'),
  };
}

describe('MessagePolicies', () => {
  const dir = tempDir('policies').path;

  it('fails on a bad config before any connection', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ "routes": [ { "path": "/x", "client-accepts": "bin" } ] }');
    assert.throws(
      () => MessagePolicies.load({ configFile: file }),
      (err: Error) =>
        err instanceof UsageError &&
        err.message === `${file}:1:49: routes[0]["client-accepts"]: expected "text", "binary" or "any", got "bin"`,
    );
  });

  it('resolves flags, config and profiles per connection', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, JSON.stringify({ routes: [{ path: '/rpc', 'client-accepts': 'text', 'max-message': 64 }] }));
    const policies = MessagePolicies.load({ serverAccepts: 'text', configFile: file });
    const rpc = resolveSettings({}, policies.layers({ path: '/rpc?x', subprotocol: 'mqtt' }));
    assert.deepEqual(rpc.serverAccepts, { accepts: 'text', source: '--server-accepts text' });
    assert.deepEqual(rpc.clientAccepts, { accepts: 'text', source: `route /rpc in ${file}` });
    assert.equal(rpc.maxMessage, 64);
    assert.deepEqual(rpc.origins.maxMessage, { rank: 'route', source: `route /rpc in ${file}` });
    const other = resolveSettings({}, policies.layers({ path: '/other', subprotocol: 'mqtt' }));
    assert.equal(other.clientAccepts?.source, 'profile mqtt (MQTT 3.1.1 §6)');
    assert.equal(other.origins.maxMessage, undefined);
    const flagged = new MessagePolicies({ maxMessage: 10 }, policies.config);
    const flaggedRpc = resolveSettings({}, flagged.layers({ path: '/rpc', subprotocol: null }));
    assert.equal(flaggedRpc.maxMessage, 10);
    assert.deepEqual(flaggedRpc.origins.maxMessage, { rank: 'flag', source: '--max-message' });
  });

  it('carries a lesson from one connection to the next and to open ones', () => {
    const policies = new MessagePolicies({});
    const open = connect(policies, 'c1', '/chat', null);
    const teacher = connect(policies, 'c2', '/chat', null);
    teacher.client({ opcode: 0x2, payload: 'hi' });
    teacher.server({ opcode: 0x8, payload: closeBody(1003) });
    teacher.end();
    assert.equal(teacher.peerClose()?.blame, 'client');
    assert.match(teacher.peerClose()!.explain, /right after wsdiag relayed it binary message #0 \(frame #0, 2 bytes\)/);

    open.client({ opcode: 0x2, payload: 'hi' });
    open.end();
    const next = connect(policies, 'c3', '/chat', null);
    next.client({ opcode: 0x2, payload: 'hi' });
    next.end();
    for (const c of [open, next]) {
      assert.deepEqual(
        c.violations().map((v) => [v.rule, v.dir, v.frame?.index]),
        [['unsupported-binary', 'client->server', 0]],
      );
      assert.match(c.violations()[0]!.message, /policy: learned from c2 \(closed 1003 after a binary message #0, 2 bytes\)/);
    }
  });

  it('--no-learn keeps every connection to its own policies', () => {
    const policies = new MessagePolicies({ learn: false });
    const teacher = connect(policies, 'c1', '/chat', null);
    teacher.client({ opcode: 0x2, payload: 'hi' });
    teacher.server({ opcode: 0x8, payload: closeBody(1003) });
    teacher.end();
    assert.match(teacher.peerClose()!.explain, /learning is off/);
    const next = connect(policies, 'c2', '/chat', null);
    next.client({ opcode: 0x2, payload: 'hi' });
    next.end();
    assert.deepEqual(next.violations(), []);
    assert.deepEqual(policies.learner.lessons, []);
  });
});
