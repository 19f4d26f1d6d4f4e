/**
 * One validator for every way toxics come in: API bodies (through the registry), config files and
 * `--toxic` values. Defaults are filled in, and every error names the field or attribute at fault.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { loadChaosConfig, parseChaosConfig, parseToxicFlag } from '../../src/chaos/config.js';
import { ToxicError, ToxicRegistry, validateToxic } from '../../src/chaos/registry.js';
import { TOXIC_TYPES, describeToxicTypes } from '../../src/chaos/toxics/index.js';
import { tempDir } from '../support/temp.js';

const dir = tempDir('chaos');

function rejects(fn: () => unknown, status: number, message: RegExp): ToxicError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ToxicError, `expected a ToxicError, got ${String(caught)}`);
  assert.ok(caught instanceof UsageError, 'a usage error (exit 2) for the CLI');
  assert.equal(caught.status, status, caught.message);
  assert.match(caught.message, message);
  return caught;
}

describe('validateToxic', () => {
  it('fills in the name, toxicity and attribute defaults', () => {
    assert.deepEqual(validateToxic({ type: 'rsv', stream: 'client->server' }), {
      name: 'rsv-c2s',
      type: 'rsv',
      stream: 'client->server',
      toxicity: 1,
      attributes: { bit: 1, frames: 'data' },
    });
    assert.deepEqual(
      validateToxic({ type: 'close-code', stream: 'server->client', name: 'cc', toxicity: 0.25, attributes: { code: 4000 } }),
      {
        name: 'cc',
        type: 'close-code',
        stream: 'server->client',
        toxicity: 0.25,
        attributes: { code: 4000, reason: null },
      },
    );
  });

  it('every type validates with its defaults alone, and lists them', () => {
    for (const type of TOXIC_TYPES) validateToxic({ type, stream: 'client->server' });
    const types = describeToxicTypes();
    assert.deepEqual(
      types.map((t) => t.type),
      TOXIC_TYPES,
    );
    assert.deepEqual(types.find((t) => t.type === 'fragment')?.attributes['size'], {
      kind: 'integer',
      default: 16,
      min: 1,
      max: 0x7fff_ffff,
      description: 'payload bytes per fragment',
    });
    assert.equal(types.find((t) => t.type === 'coalesce')?.valid, true);
  });

  it('rejects what is wrong, naming it', () => {
    rejects(() => validateToxic('rsv'), 400, /a toxic is a JSON object/);
    rejects(() => validateToxic({ stream: 'client->server' }), 400, /^type: required/);
    const unknown = rejects(
      () => validateToxic({ type: 'slow_close', stream: 'client->server' }),
      404,
      /^type: unknown toxic type "slow_close"/,
    );
    assert.deepEqual(unknown.known, TOXIC_TYPES);
    rejects(() => validateToxic({ type: 'rsv' }), 400, /^stream: required/);
    rejects(
      () => validateToxic({ type: 'rsv', stream: 'upstream' }),
      400,
      /^stream: expected "client->server" or "server->client", got "upstream"/,
    );
    rejects(
      () => validateToxic({ type: 'rsv', stream: 'client->server', toxicity: 2 }),
      400,
      /^toxicity: expected a probability from 0 to 1, got 2/,
    );
    rejects(() => validateToxic({ type: 'rsv', stream: 'client->server', name: 'a/b' }), 400, /^name: /);
    rejects(() => validateToxic({ type: 'rsv', stream: 'client->server', colour: 'red' }), 400, /^colour: unknown field/);
    rejects(
      () => validateToxic({ type: 'rsv', stream: 'client->server', attributes: { bit: 4 } }),
      400,
      /^attributes\.bit: expected an integer from 1 to 3, got 4/,
    );
    rejects(
      () => validateToxic({ type: 'rsv', stream: 'client->server', attributes: { bit: '1' } }),
      400,
      /^attributes\.bit: expected an integer from 1 to 3, got "1"/,
    );
    rejects(
      () => validateToxic({ type: 'rsv', stream: 'client->server', attributes: { bits: 1 } }),
      400,
      /^attributes\.bits: unknown attribute of rsv \(known: bit, frames\)/,
    );
    rejects(() => validateToxic({ type: 'noop', stream: 'client->server', attributes: { x: 1 } }), 400, /it has none/);
    rejects(
      () => validateToxic({ type: 'drop', stream: 'client->server', attributes: { frames: 'pongs' } }),
      400,
      /^attributes\.frames: expected one of all, data, message/,
    );
    rejects(
      () => validateToxic({ type: 'duplicate', stream: 'client->server', attributes: { frames: 'text' } }),
      400,
      /^attributes\.frames: expected one of control, ping, pong, close/,
    );
    rejects(
      () => validateToxic({ type: 'reserved-opcode', stream: 'client->server', attributes: { opcode: 8 } }),
      400,
      /^attributes\.opcode: expected one of 3, 4, 5, 6, 7, 11/,
    );
    rejects(
      () => validateToxic({ type: 'inject-ping', stream: 'client->server', attributes: { payload: 'x'.repeat(126) } }),
      400,
      /at most 125 bytes/,
    );
    rejects(
      () => validateToxic({ type: 'close-code', stream: 'client->server', attributes: { reason: 5 } }),
      400,
      /^attributes\.reason: expected a string or null/,
    );
  });
});

describe('ToxicRegistry', () => {
  it('adds, lists in order, updates (merging attributes), removes and resets', () => {
    const registry = new ToxicRegistry();
    const v0 = registry.version;
    registry.add({ type: 'latency', stream: 'server->client', attributes: { latency: 10 } });
    registry.add({ type: 'drop', stream: 'server->client', name: 'antivirus' });
    assert.deepEqual(
      registry.list().map((t) => t.name),
      ['latency-s2c', 'antivirus'],
    );
    assert.deepEqual(registry.update('latency-s2c', { attributes: { jitter: 5 } }).attributes, { latency: 10, jitter: 5 });
    assert.equal(registry.update('latency-s2c', { toxicity: 0.5, type: 'latency' }).toxicity, 0.5);
    rejects(() => registry.update('latency-s2c', { type: 'drop' }), 400, /^type: cannot be changed/);
    rejects(() => registry.update('latency-s2c', { attributes: { latency: -1 } }), 400, /^attributes\.latency: /);
    rejects(() => registry.add({ type: 'drop', stream: 'server->client', name: 'antivirus' }), 409, /already exists/);
    rejects(() => registry.get('nope'), 404, /toxic "nope" not found/);
    assert.equal(registry.toxicsFor('server->client').length, 2);
    assert.equal(registry.toxicsFor('client->server').length, 0);
    registry.remove('antivirus');
    assert.deepEqual(
      registry.list().map((t) => t.name),
      ['latency-s2c'],
    );
    registry.reset();
    assert.deepEqual(registry.list(), []);
    assert.ok(registry.version > v0);
  });

  it('hands out copies: changing what list() returned changes nothing', () => {
    const registry = new ToxicRegistry([validateToxic({ type: 'rsv', stream: 'client->server' })]);
    const [listed] = registry.list();
    (listed!.attributes as { bit: number }).bit = 3;
    assert.equal((registry.get('rsv-c2s').attributes as { bit: number }).bit, 1);
  });
});

describe('--toxic', () => {
  it('parses TYPE:DIRECTION[:KEY=VALUE,...]', () => {
    assert.deepEqual(parseToxicFlag('rsv:client->server:toxicity=0.5'), {
      name: 'rsv-c2s',
      type: 'rsv',
      stream: 'client->server',
      toxicity: 0.5,
      attributes: { bit: 1, frames: 'data' },
    });
    assert.deepEqual(parseToxicFlag('drop:server->client').attributes, { frames: 'pong' });
    assert.deepEqual(parseToxicFlag('reserved-opcode:server->client:opcode=0xb,frames=all,name=op').attributes, {
      opcode: 0xb,
      frames: 'all',
    });
    assert.equal(parseToxicFlag('reserved-opcode:server->client:name=op').name, 'op');
    assert.deepEqual(parseToxicFlag('close-code:server->client:code=1001,reason=going%2C%20bye').attributes, {
      code: 1001,
      reason: 'going, bye',
    });
    assert.deepEqual(parseToxicFlag('close-code:server->client:reason=null').attributes, { code: 1000, reason: null });
    assert.deepEqual(parseToxicFlag('inject-ping:client->server:masked=true,payload=').attributes, {
      payload: '',
      masked: true,
      frames: 'message',
    });
  });

  it('says what is wrong, quoting the value', () => {
    rejects(() => parseToxicFlag('rsv'), 400, /^--toxic "rsv": expected TYPE:DIRECTION\[:KEY=VALUE\[,KEY=VALUE\.\.\.\]\]/);
    const unknown = rejects(() => parseToxicFlag('latencyy:client->server'), 404, /unknown toxic type "latencyy" \(known: noop, rsv, /);
    assert.ok(unknown.known?.includes('latency'));
    rejects(() => parseToxicFlag('rsv:upstream'), 400, /expected a direction after "rsv:": client->server or server->client/);
    rejects(() => parseToxicFlag('rsv:client->server:bit'), 400, /expected KEY=VALUE, got "bit"/);
    rejects(
      () => parseToxicFlag('rsv:client->server:bit=4'),
      400,
      /^--toxic "rsv:client->server:bit=4": bit: expected an integer from 1 to 3, got 4$/,
    );
    rejects(() => parseToxicFlag('rsv:client->server:bit=one'), 400, /bit: expected an integer from 1 to 3, got "one"/);
    rejects(() => parseToxicFlag('rsv:client->server:bit=1,bit=2'), 400, /bit is given twice/);
    rejects(() => parseToxicFlag('rsv:client->server:size=2'), 400, /unknown key "size" for rsv \(known: name, toxicity, bit, frames\)/);
    rejects(() => parseToxicFlag('rsv:client->server:toxicity=high'), 400, /toxicity: expected a probability from 0 to 1, got "high"/);
    rejects(() => parseToxicFlag('rsv:client->server:toxicity=1.5'), 400, /toxicity: expected a probability from 0 to 1, got 1\.5/);
    rejects(() => parseToxicFlag('inject-ping:client->server:masked=yes'), 400, /masked: expected true or false, got "yes"/);
    rejects(() => parseToxicFlag('close-code:client->server:reason=%E0%A4%A'), 400, /malformed %-escape/);
  });
});

describe('config file', () => {
  it('is {"toxics": [...]} with the API schema', () => {
    const toxics = parseChaosConfig(
      JSON.stringify({
        toxics: [
          { type: 'drop', stream: 'server->client' },
          { name: 'split', type: 'fragment', stream: 'client->server', attributes: { size: 3 } },
        ],
      }),
      'chaos.json',
    );
    assert.deepEqual(
      toxics.map((t) => [t.name, t.type, t.attributes]),
      [
        ['drop-s2c', 'drop', { frames: 'pong' }],
        ['split', 'fragment', { size: 3, frames: 'data' }],
      ],
    );
    assert.deepEqual(parseChaosConfig('{"toxics": []}', 'x'), []);
  });

  it('errors name the file and the entry', () => {
    rejects(() => parseChaosConfig('{"toxics": [', 'c.json'), 400, /^c\.json: not JSON: /);
    rejects(() => parseChaosConfig('[]', 'c.json'), 400, /^c\.json: expected an object \{"toxics": \[\.\.\.\]\}/);
    rejects(() => parseChaosConfig('{"toxic": []}', 'c.json'), 400, /^c\.json: toxic: unknown field/);
    rejects(() => parseChaosConfig('{"toxics": {}}', 'c.json'), 400, /^c\.json: toxics: expected an array/);
    rejects(
      () => parseChaosConfig('{"toxics": [{"type": "rsv", "stream": "client->server", "attributes": {"bit": 9}}]}', 'c.json'),
      400,
      /^c\.json: toxics\[0\]\.attributes\.bit: expected an integer/,
    );
    rejects(() => parseChaosConfig('{"toxics": [1]}', 'c.json'), 400, /^c\.json: toxics\[0\]: a toxic is a JSON object, got 1/);
    rejects(
      () => parseChaosConfig('{"toxics": [{"type": "x", "stream": "client->server"}]}', 'c.json'),
      404,
      /^c\.json: toxics\[0\]\.type: unknown toxic type "x"/,
    );
    rejects(
      () =>
        parseChaosConfig(
          '{"toxics": [{"type": "rsv", "stream": "client->server"}, {"type": "rsv", "stream": "client->server"}]}',
          'c.json',
        ),
      409,
      /^c\.json: toxics\[1\]\.name: "rsv-c2s" is used twice/,
    );
  });

  it('loads from a file; an unreadable one is a usage error', async () => {
    const path = dir.file('chaos.json');
    await writeFile(path, '{"toxics": [{"type": "reset", "stream": "client->server", "attributes": {"bytes": 100}}]}');
    assert.deepEqual(
      (await loadChaosConfig(path)).map((t) => t.attributes),
      [{ bytes: 100 }],
    );
    await assert.rejects(
      loadChaosConfig(dir.file('missing.json')),
      (error: unknown) => error instanceof UsageError && /cannot read .*missing\.json: ENOENT/.test(error.message),
    );
  });
});
