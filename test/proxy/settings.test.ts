/**
 * A connection's settings are resolved in one place (src/proxy/settings.ts): defaults < the proxy's
 * options < learned < profile < route < flag, the later of two layers of one rank winning. One case per
 * source, one per conflict (each pair of ranks, given in both orders), and what the `open` event shows.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TypePolicy } from '../../src/protocol/message-type.js';
import {
  DEFAULT_SETTINGS,
  SETTINGS_RANKS,
  analyzerSettings,
  resolveSettings,
  settingsField,
  type AddonRank,
  type SettingsLayer,
} from '../../src/proxy/settings.js';

const ADDON_RANKS: AddonRank[] = ['learned', 'profile', 'route', 'flag'];

function layer(rank: AddonRank, source: string, values: SettingsLayer['values']): SettingsLayer {
  return { rank, source, values };
}

function policy(accepts: TypePolicy['accepts'], source: string): TypePolicy {
  return { accepts, source };
}

describe('settings: one source at a time', () => {
  it('nothing set: the defaults, with no origin and nothing for the open event', () => {
    const settings = resolveSettings({}, []);
    const { origins, ...values } = settings;
    assert.deepEqual(values, DEFAULT_SETTINGS);
    assert.deepEqual(origins, {});
    assert.equal(settingsField(settings), undefined);
    assert.deepEqual(analyzerSettings(settings), {
      maxMessage: 100 * 1024 * 1024,
      typePolicies: { 'client->server': null, 'server->client': null },
      frames: false,
      preview: true,
      maxPerRule: 20,
      pongTimeoutMs: 30_000,
    });
  });

  it("the proxy's options: every value they give, named as proxy options, and not shown in the open event", () => {
    const settings = resolveSettings({ maxMessage: 10, frames: true, preview: false, maxPerRule: 3, pongTimeoutMs: 0 }, []);
    assert.equal(settings.maxMessage, 10);
    assert.equal(settings.frames, true);
    assert.equal(settings.preview, false);
    assert.equal(settings.maxPerRule, 3);
    assert.equal(settings.pongTimeoutMs, 0);
    for (const name of ['maxMessage', 'frames', 'preview', 'maxPerRule', 'pongTimeoutMs'] as const) {
      assert.deepEqual(settings.origins[name], { rank: 'proxy', source: 'proxy options' });
    }
    assert.equal(settings.origins.serverAccepts, undefined);
    assert.equal(settingsField(settings), undefined);
  });

  for (const rank of ADDON_RANKS) {
    it(`a ${rank} layer alone: its values, its source, and the open event names it`, () => {
      const accepts = policy('text', `${rank} source`);
      const settings = resolveSettings({}, [layer(rank, `${rank} source`, { serverAccepts: accepts, maxMessage: 64 })]);
      assert.equal(settings.serverAccepts, accepts);
      assert.equal(settings.clientAccepts, null);
      assert.equal(settings.maxMessage, 64);
      assert.deepEqual(settings.origins.serverAccepts, { rank, source: `${rank} source` });
      assert.deepEqual(settingsField(settings), { server_accepts: `${rank} source`, max_message: `${rank} source` });
      assert.deepEqual(analyzerSettings(settings).typePolicies, { 'client->server': accepts, 'server->client': null });
    });
  }
});

describe('settings: conflicts', () => {
  it('ranks go from weakest to strongest in this order', () => {
    assert.deepEqual([...SETTINGS_RANKS], ['proxy', 'learned', 'profile', 'route', 'flag']);
  });

  for (const rank of ADDON_RANKS) {
    it(`a ${rank} layer beats the proxy's options`, () => {
      const settings = resolveSettings({ maxMessage: 10 }, [layer(rank, rank, { maxMessage: 20 })]);
      assert.equal(settings.maxMessage, 20);
      assert.deepEqual(settingsField(settings), { max_message: rank });
    });
  }

  ADDON_RANKS.forEach((weaker, i) => {
    for (const stronger of ADDON_RANKS.slice(i + 1)) {
      for (const order of ['weaker first', 'stronger first'] as const) {
        it(`${stronger} beats ${weaker} (${order})`, () => {
          const weak = layer(weaker, `the ${weaker}`, { clientAccepts: policy('binary', `the ${weaker}`), maxMessage: 1 });
          const strong = layer(stronger, `the ${stronger}`, { clientAccepts: policy('text', `the ${stronger}`), maxMessage: 2 });
          const settings = resolveSettings({}, order === 'weaker first' ? [weak, strong] : [strong, weak]);
          assert.equal(settings.clientAccepts?.accepts, 'text');
          assert.equal(settings.maxMessage, 2);
          assert.deepEqual(settingsField(settings), { client_accepts: `the ${stronger}`, max_message: `the ${stronger}` });
        });
      }
    }
  });

  it('two layers of one rank: the later wins', () => {
    const settings = resolveSettings({}, [layer('route', 'first', { maxMessage: 1 }), layer('route', 'second', { maxMessage: 2 })]);
    assert.equal(settings.maxMessage, 2);
    assert.deepEqual(settings.origins.maxMessage, { rank: 'route', source: 'second' });
  });

  it('each setting is decided on its own: a stronger layer only overrides what it sets', () => {
    const settings = resolveSettings({ maxPerRule: 5 }, [
      layer('profile', 'profile mqtt (MQTT 3.1.1 §6)', {
        serverAccepts: policy('binary', 'profile mqtt (MQTT 3.1.1 §6)'),
        clientAccepts: policy('binary', 'profile mqtt (MQTT 3.1.1 §6)'),
      }),
      layer('route', 'route /uploads/** in wsdiag.json', { maxMessage: 1_048_576 }),
      layer('flag', '--client-accepts any', { clientAccepts: policy('any', '--client-accepts any') }),
    ]);
    assert.equal(settings.serverAccepts?.accepts, 'binary');
    // `any` from a stronger rank switches the weaker rank's check off for that direction.
    assert.equal(settings.clientAccepts?.accepts, 'any');
    assert.equal(settings.maxPerRule, 5);
    assert.deepEqual(settingsField(settings), {
      server_accepts: 'profile mqtt (MQTT 3.1.1 §6)',
      client_accepts: '--client-accepts any',
      max_message: 'route /uploads/** in wsdiag.json',
    });
  });

  it('a value left undefined in a layer does not override anything', () => {
    const settings = resolveSettings({ maxMessage: 10 }, [layer('flag', 'flag', { maxMessage: undefined as unknown as number })]);
    assert.equal(settings.maxMessage, 10);
    assert.deepEqual(settings.origins.maxMessage, { rank: 'proxy', source: 'proxy options' });
  });

  it('the layers given are not reordered or changed', () => {
    const layers = [layer('flag', 'b', { frames: true }), layer('learned', 'a', { frames: false })];
    const copy = structuredClone(layers);
    resolveSettings({}, layers);
    assert.deepEqual(layers, copy);
  });
});
