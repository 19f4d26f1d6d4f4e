/**
 * `wsdiag chaos` as a user runs it (the built bin/wsdiag.js in a child process): its HTTP API end to end
 * through ChaosClient and raw requests (list, add, update, remove, reset, bad JSON → 400 with a reason, an
 * unknown type → 404 with the known ones), toxics from --config and --toxic in order, faults in the JSON
 * log next to the violations they cause, the summary's count per toxic, and the usage errors (exit 2, one
 * line on stderr) that stop it before anything listens.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ChaosApiError, ChaosClient } from '../../src/index.js';
import { runCli, startCli } from '../support/cli.js';
import { closedWith, nextMessages, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

let server: WsServer;
before(async () => {
  server = await startWsServer();
});
after(() => server.close());

const dir = mkdtempSync(join(tmpdir(), 'wsdiag-chaos-'));

/** The JSON lines of a type the command printed so far. */
function linesOf(lines: string[], type: string): Array<Record<string, unknown>> {
  return lines.filter((l) => l.includes(`"type":"${type}"`)).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('wsdiag chaos with --api', () => {
  it('serves the API: toxics from --config then --toxic, add/list/update/remove/reset, errors with reasons', async () => {
    const config = join(dir, 'toxics.json');
    writeFileSync(config, JSON.stringify({ toxics: [{ name: 'from-file', type: 'noop', stream: 'client->server' }] }));
    const run = startCli([
      'chaos',
      '--target',
      server.url,
      '--listen',
      '127.0.0.1:0',
      '--api',
      '127.0.0.1:0',
      '--config',
      config,
      '--toxic',
      'noop:server->client:name=from-flag',
      '--seed',
      '9',
      '--json',
    ]);
    const port = await run.port();
    const api = await run.waitForStderr(/chaos API on (http:\/\/\S+)/, 'the API address');
    assert.match(run.stderr(), /chaos seed 9 /);
    const url = api[1]!;
    const chaos = new ChaosClient(url);

    assert.deepEqual(
      (await chaos.list()).map((t) => t.name),
      ['from-file', 'from-flag'],
    );
    await chaos.reset();
    assert.deepEqual(await chaos.list(), []);

    // On: the server gets RSV2 and fails the connection; the log has the fault, then the violation.
    const added = await chaos.add({ type: 'rsv', stream: 'client->server', attributes: { bit: 2 } });
    assert.deepEqual([added.name, added.toxicity, added.attributes], ['rsv-c2s', 1, { bit: 2, frames: 'data' }]);
    assert.deepEqual(
      (await chaos.list()).map((t) => t.name),
      ['rsv-c2s'],
    );
    const first = await openWsClient(`ws://127.0.0.1:${port}/`);
    first.send('one');
    assert.equal((await closedWith(first)).code, 1002);
    await run.waitForLine((l) => l.includes('"type":"violation"'), 'the violation');
    const [fault] = linesOf(run.lines(), 'fault');
    assert.equal(fault?.['toxic'], 'rsv-c2s');
    assert.ok(
      run.lines().findIndex((l) => l.includes('"type":"fault"')) < run.lines().findIndex((l) => l.includes('"type":"violation"')),
      'the fault comes before the violation it causes',
    );

    // Off for the next step: toxicity 0, then removed.
    const updated = await chaos.update<'rsv'>('rsv-c2s', { toxicity: 0 });
    assert.equal(updated.toxicity, 0);
    assert.equal(updated.attributes.bit, 2, 'an update keeps the attributes it does not name');
    const second = await openWsClient(`ws://127.0.0.1:${port}/`);
    const echo = nextMessages(second, 1);
    second.send('two');
    assert.equal((await echo)[0]!.data.toString(), 'two');
    second.close(1000);
    await closedWith(second);
    await chaos.remove('rsv-c2s');
    assert.deepEqual(await chaos.list(), []);

    // Errors carry a reason; an unknown type lists the known ones.
    const badJson = await fetch(`${url}/toxics`, { method: 'POST', body: '{"type": "rsv",' });
    assert.equal(badJson.status, 400);
    const badBody = (await badJson.json()) as { error: string; status: number };
    assert.equal(badBody.status, 400);
    assert.match(badBody.error, /not JSON/);
    const unknownType = await fetch(`${url}/toxics`, {
      method: 'POST',
      body: JSON.stringify({ type: 'gremlin', stream: 'client->server' }),
    });
    assert.equal(unknownType.status, 404);
    const unknownBody = (await unknownType.json()) as { error: string; known: string[] };
    assert.match(unknownBody.error, /unknown toxic type "gremlin"/);
    assert.ok(unknownBody.known.includes('rsv') && unknownBody.known.includes('drop'), unknownBody.known.join(','));
    const missing = await chaos.remove('rsv-c2s').then(
      () => null,
      (error: unknown) => error,
    );
    assert.ok(missing instanceof ChaosApiError && missing.status === 404, String(missing));
    const badAttribute = await chaos.add({ type: 'rsv', stream: 'client->server', attributes: { bit: 4 as 1 } }).then(
      () => null,
      (error: unknown) => error,
    );
    assert.ok(badAttribute instanceof ChaosApiError && badAttribute.status === 400, String(badAttribute));
    assert.match(badAttribute.reason, /attributes\.bit: expected an integer from 1 to 3, got 4/);

    const exit = await run.stop('SIGINT');
    assert.deepEqual([exit.code, exit.signal], [0, null]);
    const [summary] = linesOf(run.lines(), 'summary');
    assert.deepEqual(summary?.['faults'], { 'rsv-c2s': 1 });
  });
});

describe('wsdiag chaos: usage errors (exit 2, before anything listens)', () => {
  const cases: Array<[string, string[], RegExp]> = [
    [
      '--enforce, the other forwarding strategy',
      ['--enforce'],
      /^wsdiag: --enforce cannot be used with fault injection: both decide how bytes are forwarded/,
    ],
    [
      'an unknown toxic type',
      ['--toxic', 'gremlin:client->server'],
      /--toxic "gremlin:client->server": unknown toxic type "gremlin" \(known: noop, rsv/,
    ],
    [
      'a bad attribute',
      ['--toxic', 'rsv:client->server:bit=4'],
      /--toxic "rsv:client->server:bit=4": bit: expected an integer from 1 to 3, got 4/,
    ],
    ['a missing direction', ['--toxic', 'rsv'], /--toxic "rsv": expected TYPE:DIRECTION/],
    ['one name twice', ['--toxic', 'noop:client->server:name=x', '--toxic', 'noop:server->client:name=x'], /toxic name "x" is used twice/],
    ['an unreadable --config', ['--config', join(dir, 'missing.json')], /cannot read .*missing\.json: ENOENT/],
    ['an empty --seed', ['--seed', ''], /--seed must not be empty/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const result = await runCli(['chaos', '--target', server.url, '--listen', '127.0.0.1:0', ...args]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
      assert.equal(result.stdout, '', 'nothing listened');
    });
  }

  it('a bad --config file names the file and the entry', async () => {
    const config = join(dir, 'bad.json');
    writeFileSync(
      config,
      JSON.stringify({
        toxics: [
          { type: 'noop', stream: 'client->server' },
          { type: 'fragment', stream: 'client->server', attributes: { size: 0 } },
        ],
      }),
    );
    const result = await runCli(['chaos', '--target', server.url, '--config', config]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /bad\.json: toxics\[1\]\.attributes\.size: expected an integer from 1 to/);
  });
});
