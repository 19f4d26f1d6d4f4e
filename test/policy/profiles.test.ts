/**
 * Subprotocol profiles: each entry sets both directions as its specification requires, is applied by
 * the analyzer in both directions, and subprotocols whose specification leaves the type open get nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NOT_PROFILED, SUBPROTOCOL_PROFILES, explainProfileRows, findProfile } from '../../src/protocol/profiles.js';
import { resolveTypePolicies } from '../../src/policy/resolve.js';
import { binary, close, openConnection, ping, pong, summary, text } from './harness.js';

/** What each specification says, written out independently of the table. */
const EXPECTED: Record<string, 'text' | 'binary'> = {
  mqtt: 'binary',
  'mqttv3.1': 'binary',
  xmpp: 'text',
  'wamp.2.json': 'text',
  'wamp.2.msgpack': 'binary',
  'wamp.2.cbor': 'binary',
};

const profiledNames = SUBPROTOCOL_PROFILES.flatMap((p) => p.subprotocols);

describe('subprotocol profiles', () => {
  it('profile exactly the subprotocols whose specification fixes the message type', () => {
    assert.deepEqual([...profiledNames].sort(), Object.keys(EXPECTED).sort());
    for (const [name, type] of Object.entries(EXPECTED)) {
      const profile = findProfile(name);
      assert.ok(profile, name);
      assert.equal(profile.serverAccepts, type, `${name} server`);
      assert.equal(profile.clientAccepts, type, `${name} client`);
      assert.ok(profile.spec.length > 0 && profile.ref.length > 0 && profile.note.length > 0, `${name} is documented`);
    }
  });

  it('match subprotocol names exactly, as the handshake does', () => {
    assert.equal(findProfile('MQTT'), null);
    assert.equal(findProfile('mqtt '), null);
    assert.equal(findProfile(null), null);
    assert.equal(findProfile(''), null);
  });

  it('leave out what the specifications leave open, and never list a name twice', () => {
    const open = NOT_PROFILED.flatMap((u) => u.subprotocols);
    for (const name of [
      'ocpp1.6',
      'ocpp2.0.1',
      'ocpp2.0',
      'ocpp2.1',
      'graphql-transport-ws',
      'graphql-ws',
      'v10.stomp',
      'v11.stomp',
      'v12.stomp',
      'wamp.2.json.batched',
      'wamp.2.msgpack.batched',
    ]) {
      assert.ok(open.includes(name), `${name} is listed as not profiled`);
      assert.equal(findProfile(name), null, name);
      assert.deepEqual(resolveTypePolicies({}, { path: '/', subprotocol: name }).typePolicies, {}, name);
    }
    const all = [...profiledNames, ...open];
    assert.equal(new Set(all).size, all.length);
  });

  it('give wsdiag explain one row per subprotocol name', () => {
    assert.deepEqual(
      explainProfileRows(),
      profiledNames.map((subprotocol) => ({ subprotocol, messageType: EXPECTED[subprotocol] })),
    );
  });

  for (const [name, type] of Object.entries(EXPECTED)) {
    const wrong = type === 'text' ? binary('{"x":1}') : text('hello');
    const right = type === 'text' ? text('{"x":1}') : binary(Uint8Array.of(0x10, 0x00));
    const rule = type === 'text' ? 'unsupported-binary' : 'unsupported-text';

    it(`${name}: resolves to ${type} in both directions with the specification as source`, () => {
      const resolved = resolveTypePolicies({}, { path: '/any', subprotocol: name });
      const ref = findProfile(name)!.ref;
      assert.deepEqual(resolved.typePolicies, {
        'client->server': { accepts: type, source: `profile ${name} (${ref})` },
        'server->client': { accepts: type, source: `profile ${name} (${ref})` },
      });
      assert.deepEqual(resolved.origins, { 'client->server': 'profile', 'server->client': 'profile' });
    });

    it(`${name}: the analyzer flags the other type in both directions and blames the sender`, () => {
      const c = openConnection({ subprotocol: name });
      c.client(wrong, right);
      c.server(right, wrong);
      c.end();
      assert.deepEqual(summary(c.violations()), [
        [rule, 'client->server', 'client', 0],
        [rule, 'server->client', 'server', 1],
      ]);
      assert.match(
        c.violations()[0]!.message,
        new RegExp(`sent to a server that accepts only ${type} \\(policy: profile ${name.replace(/\./g, '\\.')} \\(`),
      );
      assert.match(c.violations()[1]!.message, /sent to a client that accepts only/);
    });

    it(`${name}: matching types and control frames give no violation`, () => {
      const c = openConnection({ subprotocol: name });
      c.client(ping('p'), right, right, close(1000));
      c.server(pong('p'), right, close(1000));
      c.end();
      assert.deepEqual(c.violations(), []);
    });
  }
});
