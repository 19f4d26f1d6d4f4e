/**
 * The chaos API end to end on 127.0.0.1, through the typed client: add, list, get, update, remove, reset,
 * and every error with its status and reason; raw requests for what the client never sends (bad JSON, a
 * browser's Origin, a rebinding Host). A toxic added through the API reaches an open connection's engine
 * at its next frame.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startChaosApi, type RunningChaosApi } from '../../src/chaos/api.js';
import { ChaosApiError, ChaosClient } from '../../src/chaos/client.js';
import { ChaosDirection } from '../../src/chaos/engine.js';
import { ToxicRegistry } from '../../src/chaos/registry.js';
import { TOXIC_TYPES } from '../../src/chaos/toxics/index.js';
import type { ToxicType } from '../../src/chaos/types.js';
import { encodeFrame } from '../../src/protocol/encoder.js';
import { summarize } from './support.js';

/** The `error` of a JSON error body. */
const errorOf = (body: string): string => (JSON.parse(body) as { error: string }).error;

let api: RunningChaosApi;
let registry: ToxicRegistry;
let client: ChaosClient;

before(async () => {
  registry = new ToxicRegistry();
  api = await startChaosApi({ registry });
  client = new ChaosClient(api.url);
});
after(() => api.close());
beforeEach(() => registry.reset());

/** The error a call is rejected with. */
async function failure(promise: Promise<unknown>): Promise<ChaosApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ChaosApiError, `a ChaosApiError, got ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}

/** A raw request, for what the client never sends. */
function raw(
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: api.host, port: api.port, method, path, headers: options.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('the chaos API through ChaosClient', () => {
  it('binds loopback by default and gives its URL', () => {
    assert.equal(api.host, '127.0.0.1');
    assert.equal(api.url, `http://127.0.0.1:${api.port}`);
  });

  it('adds, lists, gets, updates, removes, resets', async () => {
    assert.deepEqual(await client.list(), []);
    const added = await client.add({ type: 'latency', stream: 'server->client', attributes: { latency: 20 } });
    assert.deepEqual(added, {
      name: 'latency-s2c',
      type: 'latency',
      stream: 'server->client',
      toxicity: 1,
      attributes: { latency: 20, jitter: 0 },
    });
    await client.add({ name: 'antivirus', type: 'drop', stream: 'server->client', toxicity: 0.5 });
    assert.deepEqual(
      (await client.list()).map((t) => t.name),
      ['latency-s2c', 'antivirus'],
    );
    assert.deepEqual(await client.get('antivirus'), {
      name: 'antivirus',
      type: 'drop',
      stream: 'server->client',
      toxicity: 0.5,
      attributes: { frames: 'pong' },
    });
    const updated = await client.update<'latency'>('latency-s2c', { toxicity: 0.25, attributes: { jitter: 5 } });
    assert.deepEqual([updated.toxicity, updated.attributes], [0.25, { latency: 20, jitter: 5 }]);
    await client.remove('antivirus');
    assert.deepEqual(
      (await client.list()).map((t) => t.name),
      ['latency-s2c'],
    );
    await client.reset();
    assert.deepEqual(await client.list(), []);
  });

  it('lists the toxic types with their attributes', async () => {
    const types = await client.types();
    assert.deepEqual(
      types.map((t) => t.type),
      TOXIC_TYPES,
    );
    assert.deepEqual(types.find((t) => t.type === 'rsv')?.attributes['bit'], {
      kind: 'integer',
      default: 1,
      min: 1,
      max: 3,
      description: 'which reserved bit to set',
    });
  });

  it('withToxic turns a fault on for one step and off again, even when the step fails', async () => {
    const seen = await client.withToxic({ type: 'rsv', stream: 'client->server', attributes: { bit: 2 } }, async (toxic) => {
      assert.equal(toxic.attributes.bit, 2);
      return (await client.list()).map((t) => t.name);
    });
    assert.deepEqual(seen, ['rsv-c2s']);
    assert.deepEqual(await client.list(), []);
    await assert.rejects(
      client.withToxic({ type: 'noop', stream: 'client->server' }, () => Promise.reject(new Error('step failed'))),
      /step failed/,
    );
    assert.deepEqual(await client.list(), []);
  });

  it('an unknown type is a 404 listing the known ones', async () => {
    const error = await failure(client.add({ type: 'slow_close' as ToxicType, stream: 'client->server' }));
    assert.equal(error.status, 404);
    assert.equal(error.reason, 'type: unknown toxic type "slow_close"');
    assert.deepEqual(error.known, TOXIC_TYPES);
    assert.equal(error.exitCode, 3);
  });

  it('a bad attribute is a 400 naming it; a name in use a 409; an unknown toxic a 404', async () => {
    const bad = await failure(client.add({ type: 'fragment', stream: 'client->server', attributes: { size: 0 } }));
    assert.deepEqual([bad.status, bad.reason], [400, 'attributes.size: expected an integer from 1 to 2147483647, got 0']);
    await client.add({ type: 'noop', stream: 'client->server' });
    const dup = await failure(client.add({ type: 'noop', stream: 'client->server' }));
    assert.deepEqual([dup.status, dup.reason], [409, 'name: toxic "noop-c2s" already exists']);
    const missing = await failure(client.remove('nope'));
    assert.deepEqual([missing.status, missing.reason], [404, 'toxic "nope" not found']);
    const update = await failure(client.update('noop-c2s', { toxicity: -1 }));
    assert.deepEqual([update.status, update.reason], [400, 'toxicity: expected a probability from 0 to 1, got -1']);
  });

  it('names with URL-special characters are refused at add, and paths are decoded', async () => {
    const error = await failure(client.add({ name: 'a b', type: 'noop', stream: 'client->server' }));
    assert.equal(error.status, 400);
    await client.add({ name: 'x.y_z-1', type: 'noop', stream: 'client->server' });
    assert.equal((await client.get('x.y_z-1')).name, 'x.y_z-1');
  });

  it('an unreachable API is a ChaosApiError with status 0', async () => {
    const closed = await startChaosApi({ registry: new ToxicRegistry() });
    await closed.close();
    const error = await failure(new ChaosClient(closed.url).list());
    assert.equal(error.status, 0);
    assert.match(error.reason, /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});

describe('the chaos API, raw', () => {
  it('bad JSON is a 400 with the reason', async () => {
    const res = await raw('POST', '/toxics', { body: '{"type": "rsv",', headers: { 'Content-Type': 'application/json' } });
    assert.equal(res.status, 400);
    assert.match(res.headers['content-type'] as string, /^application\/json/);
    const body = JSON.parse(res.body) as { error: string; status: number };
    assert.equal(body.status, 400);
    assert.match(body.error, /^bad request body: not JSON \(/);
    const empty = await raw('PATCH', '/toxics/x');
    assert.equal(errorOf(empty.body), 'bad request body: empty (expected a JSON object)');
  });

  it('unknown routes are 404, wrong methods 405 with Allow', async () => {
    const route = await raw('GET', '/proxies');
    assert.equal(route.status, 404);
    assert.match(errorOf(route.body), /^no such route: GET \/proxies/);
    const method = await raw('DELETE', '/toxics');
    assert.equal(method.status, 405);
    assert.equal(method.headers['allow'], 'GET, POST');
  });

  it('an oversized body is a 413', async () => {
    const res = await raw('POST', '/toxics', {
      body: JSON.stringify({ type: 'noop', stream: 'client->server', name: 'x', pad: 'y'.repeat(70_000) }),
    });
    assert.equal(res.status, 413);
  });

  it('refuses web pages (Origin) and other Host names (DNS rebinding)', async () => {
    const origin = await raw('POST', '/reset', { headers: { Origin: 'http://evil.example' } });
    assert.equal(origin.status, 403);
    const host = await raw('GET', '/toxics', { headers: { Host: `evil.example:${api.port}` } });
    assert.equal(host.status, 403);
    assert.match(errorOf(host.body), /DNS rebinding/);
    const local = await raw('GET', '/toxics', { headers: { Host: `localhost:${api.port}` } });
    assert.equal(local.status, 200);
  });

  it('answers POST on a toxic as PATCH (as toxiproxy does) and DELETE with 204', async () => {
    await client.add({ name: 'n', type: 'noop', stream: 'client->server' });
    const res = await raw('POST', '/toxics/n', { body: '{"toxicity": 0.5}' });
    assert.deepEqual([res.status, (JSON.parse(res.body) as { toxicity: number }).toxicity], [200, 0.5]);
    const del = await raw('DELETE', '/toxics/n');
    assert.deepEqual([del.status, del.body], [204, '']);
  });
});

describe('changes through the API reach open connections', () => {
  it('at the next frame', async () => {
    const engine = new ChaosDirection({ direction: 'client->server', toxics: registry, seed: 's', connection: 'c1' });
    const frame = encodeFrame({ opcode: 1, payload: 'tick', mask: true });
    assert.equal(summarize(engine.push(frame, 0), engine).faults.length, 0);
    await client.add({ type: 'rsv', stream: 'client->server', attributes: { bit: 1 } });
    const hit = summarize(engine.push(frame, 0), engine);
    assert.deepEqual(
      hit.faults.map((f) => f.toxic),
      ['rsv-c2s'],
    );
    await client.remove('rsv-c2s');
    assert.equal(summarize(engine.push(frame, 0), engine).faults.length, 0);
  });
});
