/**
 * Precedence, per direction: flags > config route > subprotocol profile > learned. Every pair is tested
 * both ways round (the more specific source present or absent), in both directions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Direction } from '../../src/events/index.js';
import { parsePolicyConfig } from '../../src/policy/config.js';
import { PolicyLearner } from '../../src/policy/learn.js';
import { acceptsFlagPolicy, flagTypePolicies, resolveTypePolicies, type PolicyInputs } from '../../src/policy/resolve.js';
import { binary, close, openConnection, text } from './harness.js';

type Level = 'flag' | 'route' | 'profile' | 'learned';
const LEVELS: Level[] = ['flag', 'route', 'profile', 'learned'];
const DIRS: Direction[] = ['client->server', 'server->client'];

const CONFIG = parsePolicyConfig(
  JSON.stringify({ routes: [{ path: '/feed', 'server-accepts': 'text', 'client-accepts': 'text' }] }),
  'wsdiag.json',
);

/** Teaches the learner, through a real connection, that the receiver of `dir` rejects binary on the route. */
function teach(learner: PolicyLearner, dir: Direction, subprotocol: string | null): void {
  const c = openConnection({ conn: 'c0', path: '/feed', subprotocol, learner });
  if (dir === 'client->server') {
    c.client(binary('x'));
    c.server(close(1003));
  } else {
    c.server(binary('x'));
    c.client(close(1003));
  }
  c.end();
}

/** The expected policy each level sets for a direction when present. */
function expected(level: Level, dir: Direction): { accepts: string; source: string } {
  switch (level) {
    case 'flag':
      return dir === 'client->server'
        ? { accepts: 'any', source: '--server-accepts any' }
        : { accepts: 'any', source: '--client-accepts any' };
    case 'route':
      return { accepts: 'text', source: 'route /feed in wsdiag.json' };
    case 'profile':
      return { accepts: 'binary', source: 'profile mqtt (MQTT 3.1.1 §6)' };
    case 'learned':
      return { accepts: 'text', source: 'learned from c0 (closed 1003 after a binary message #0, 1 byte)' };
  }
}

function inputsWith(levels: Level[], dir: Direction): { inputs: PolicyInputs; subprotocol: string | null } {
  const subprotocol = levels.includes('profile') ? 'mqtt' : 'chat';
  const inputs: PolicyInputs = {};
  if (levels.includes('flag'))
    inputs.flags = { typePolicies: flagTypePolicies(dir === 'client->server' ? { serverAccepts: 'any' } : { clientAccepts: 'any' }) };
  if (levels.includes('route')) inputs.config = CONFIG;
  if (levels.includes('learned')) {
    const learner = new PolicyLearner();
    teach(learner, dir, subprotocol);
    inputs.learner = learner;
  }
  return { inputs, subprotocol };
}

describe('policy precedence', () => {
  for (const dir of DIRS) {
    for (const level of LEVELS) {
      it(`${dir}: ${level} alone applies`, () => {
        const { inputs, subprotocol } = inputsWith([level], dir);
        const resolved = resolveTypePolicies(inputs, { path: '/feed?id=7', subprotocol });
        assert.deepEqual(resolved.typePolicies[dir], expected(level, dir));
        assert.equal(resolved.origins[dir], level);
      });
    }
    for (let i = 0; i < LEVELS.length; i++) {
      for (let j = i + 1; j < LEVELS.length; j++) {
        const winner = LEVELS[i]!;
        const loser = LEVELS[j]!;
        it(`${dir}: ${winner} wins over ${loser}`, () => {
          const { inputs, subprotocol } = inputsWith([winner, loser], dir);
          const resolved = resolveTypePolicies(inputs, { path: '/feed', subprotocol });
          assert.deepEqual(resolved.typePolicies[dir], expected(winner, dir));
          assert.equal(resolved.origins[dir], winner);
        });
      }
    }
  }

  it('each direction resolves on its own', () => {
    const config = parsePolicyConfig(JSON.stringify({ routes: [{ subprotocol: 'mqtt', 'client-accepts': 'any' }] }), 'w.json');
    const resolved = resolveTypePolicies({ config }, { path: '/', subprotocol: 'mqtt' });
    assert.deepEqual(resolved.typePolicies, {
      'client->server': { accepts: 'binary', source: 'profile mqtt (MQTT 3.1.1 §6)' },
      'server->client': { accepts: 'any', source: 'route (subprotocol mqtt) in w.json' },
    });
    assert.deepEqual(resolved.origins, { 'client->server': 'profile', 'server->client': 'route' });
  });

  it('a route that does not match, or sets nothing for a direction, falls through', () => {
    const resolved = resolveTypePolicies({ config: CONFIG }, { path: '/other', subprotocol: 'mqtt' });
    assert.equal(resolved.route, null);
    assert.equal(resolved.typePolicies['client->server']?.source, 'profile mqtt (MQTT 3.1.1 §6)');
    const onlySize = parsePolicyConfig(JSON.stringify({ routes: [{ path: '/feed', 'max-message': 10 }] }), 'w.json');
    const sized = resolveTypePolicies({ config: onlySize }, { path: '/feed', subprotocol: null });
    assert.deepEqual(sized.typePolicies, {});
    assert.equal(sized.maxMessage, 10);
    assert.equal(sized.maxMessageSource, 'route /feed in w.json');
  });

  it('--max-message given by the user wins over the route; absent, the route applies', () => {
    const config = parsePolicyConfig(JSON.stringify({ routes: [{ path: '/**', 'max-message': 1024 }] }), 'w.json');
    assert.equal(resolveTypePolicies({ config, flags: { maxMessage: 5 } }, { path: '/', subprotocol: null }).maxMessage, 5);
    assert.equal(
      resolveTypePolicies({ config, flags: { maxMessage: 5 } }, { path: '/', subprotocol: null }).maxMessageSource,
      '--max-message',
    );
    assert.equal(resolveTypePolicies({ config }, { path: '/', subprotocol: null }).maxMessage, 1024);
    assert.equal(resolveTypePolicies({}, { path: '/', subprotocol: null }).maxMessage, undefined);
  });

  it('learned policies are ignored when the learner is off, and nothing at all gives no policy', () => {
    const learner = new PolicyLearner();
    teach(learner, 'client->server', null);
    const off = new PolicyLearner({ enabled: false });
    teach(off, 'client->server', null);
    assert.equal(resolveTypePolicies({ learner }, { path: '/feed', subprotocol: null }).typePolicies['client->server']?.accepts, 'text');
    assert.deepEqual(resolveTypePolicies({ learner: off }, { path: '/feed', subprotocol: null }).typePolicies, {});
    assert.deepEqual(resolveTypePolicies({}, { path: '/feed', subprotocol: null }), {
      typePolicies: {},
      origins: {},
      route: null,
      profile: null,
    });
  });

  it('names flag sources after the flag the user typed', () => {
    assert.deepEqual(flagTypePolicies({ serverAccepts: 'text', clientAccepts: 'binary' }), {
      'client->server': { accepts: 'text', source: '--server-accepts text' },
      'server->client': { accepts: 'binary', source: '--client-accepts binary' },
    });
    assert.deepEqual(flagTypePolicies({}), {});
    assert.deepEqual(acceptsFlagPolicy('server->client', 'text'), { 'server->client': { accepts: 'text', source: '--accepts text' } });
  });

  it('a flag of "any" switches a profile check off for its direction only', () => {
    const inputs: PolicyInputs = { flags: { typePolicies: flagTypePolicies({ serverAccepts: 'any' }) } };
    const c = openConnection({ subprotocol: 'mqtt', inputs });
    c.client(text('hello'));
    c.server(text('hello'));
    c.end();
    assert.deepEqual(
      c.violations().map((v) => [v.rule, v.dir]),
      [['unsupported-text', 'server->client']],
    );
  });
});
