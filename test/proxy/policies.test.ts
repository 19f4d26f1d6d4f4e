/**
 * Message-type policies through the real proxy (issue 4): flags, a config route, a subprotocol profile
 * and a policy learned from an endpoint's 1003 close, with real `ws` clients and servers.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { WebSocket } from 'ws';
import { MessagePolicies } from '../../src/policy/runtime.js';
import type { EventLog } from '../support/event-log.js';
import { startTestProxy as startProxyHarness } from '../support/proxy.js';
import { tempDir } from '../support/temp.js';
import { closedWith, nextMessages, openWsClient, startWsServer, type WsServer } from '../support/ws-servers.js';

const dir = tempDir('proxy-policies').path;
const servers: WsServer[] = [];
const proxies: Array<{ close(): Promise<void> }> = [];
after(async () => {
  // Also on failure: an open proxy would keep the test process alive.
  await Promise.all(proxies.map((p) => p.close()));
  await Promise.all(servers.map((s) => s.close()));
});

/** An echo server that, like a strict text-only endpoint, closes with 1003 on binary. */
async function textOnlyServer(): Promise<WsServer> {
  const server = await startWsServer({ handleProtocols: (protocols) => [...protocols][0] ?? false }, (ws: WebSocket) => {
    ws.on('error', () => {});
    ws.on('message', (data, binary) => {
      if (binary) ws.close(1003, 'text only');
      else ws.send(data, { binary: false });
    });
  });
  servers.push(server);
  return server;
}

async function startTestProxy(...args: Parameters<typeof startProxyHarness>): ReturnType<typeof startProxyHarness> {
  const harness = await startProxyHarness(...args);
  proxies.push(harness.proxy);
  return harness;
}

describe('message-type policies through the proxy', () => {
  it('--server-accepts text flags a binary message before the server closes, and links the close to it', async () => {
    const server = await textOnlyServer();
    const { proxy, log } = await startTestProxy(server.url, { addons: [new MessagePolicies({ serverAccepts: 'text' })] });
    const ws = await openWsClient(`${proxy.url}/feed`);
    ws.send('{"ok":true}');
    await nextMessages(ws, 1);
    ws.send(Buffer.from('{"op":"subscribe"}'));
    assert.equal((await closedWith(ws)).code, 1003);
    const conn = (await log.waitFor('open')).conn;
    await log.closed(conn);
    const [violation] = log.of('violation', conn);
    assert.equal(violation?.rule, 'unsupported-binary');
    assert.equal(violation?.code, 1003);
    assert.equal(violation?.blame, 'client');
    assert.match(
      violation!.message,
      /^Binary message of 18 bytes \(frame #1\) sent to a server that accepts only text \(policy: --server-accepts text\)\.$/,
    );
    assert.match(violation!.hint, /^The payload is text \(it looks like JSON\)/);
    const close = log.of('peer-close', conn).find((c) => c.by === 'server')!;
    assert.equal(close.cause?.rule, 'unsupported-binary');
    await proxy.close();
  });

  it('a config route applies by path glob, and a flag beats it', async () => {
    const server = await textOnlyServer();
    const config = join(dir, 'wsdiag.json');
    writeFileSync(config, JSON.stringify({ routes: [{ path: '/bin/**', 'client-accepts': 'binary' }] }));
    const { proxy, log } = await startTestProxy(server.url, { addons: [MessagePolicies.load({ configFile: config })] });
    const ws = await openWsClient(`${proxy.url}/bin/stream`);
    ws.send('echo me');
    await nextMessages(ws, 1);
    ws.close();
    const conn = (await log.waitFor('open')).conn;
    await log.closed(conn);
    assert.deepEqual(log.violations(conn), [['unsupported-text', 'server->client', 'server']]);
    assert.match(log.of('violation', conn)[0]!.message, /policy: route \/bin\/\*\* in .*wsdiag\.json/);
    assert.deepEqual(log.of('open', conn)[0]?.settings, { client_accepts: `route /bin/** in ${config}` });
    await proxy.close();

    const flagged = await startTestProxy(server.url, { addons: [MessagePolicies.load({ configFile: config, clientAccepts: 'any' })] });
    const ws2 = await openWsClient(`${flagged.proxy.url}/bin/stream`);
    ws2.send('echo me');
    await nextMessages(ws2, 1);
    ws2.close();
    const conn2 = (await flagged.log.waitFor('open')).conn;
    await flagged.log.closed(conn2);
    assert.deepEqual(flagged.log.violations(conn2), []);
    assert.deepEqual(flagged.log.of('open', conn2)[0]?.settings, { client_accepts: '--client-accepts any' });
    await flagged.proxy.close();
  });

  it("max message: a route's beats the proxy's option, --max-message beats the route, and the open event names the winner", async () => {
    const server = await startWsServer();
    servers.push(server);
    const config = join(dir, 'sizes.json');
    writeFileSync(config, JSON.stringify({ routes: [{ path: '/up/**', 'max-message': 100 }] }));
    const send50 = async (url: string, log: EventLog, n: number): Promise<string> => {
      const ws = await openWsClient(url);
      ws.send('x'.repeat(50));
      await nextMessages(ws, 1);
      ws.close();
      const conn = (await log.waitForCount('open', n))[n - 1]!.conn;
      await log.closed(conn);
      return conn;
    };
    // The proxy's own maxMessage (10) applies where no route matches; the route's 100 on /up/**.
    const { proxy, log } = await startTestProxy(server.url, { maxMessage: 10, addons: [MessagePolicies.load({ configFile: config })] });
    const up = await send50(`${proxy.url}/up/file`, log, 1);
    const other = await send50(`${proxy.url}/other`, log, 2);
    assert.deepEqual(log.violations(up), []);
    assert.deepEqual(log.of('open', up)[0]?.settings, { max_message: `route /up/** in ${config}` });
    assert.deepEqual(log.violations(other), [
      ['message-too-big', 'client->server', 'client'],
      ['message-too-big', 'server->client', 'server'],
    ]);
    assert.equal(log.of('open', other)[0]?.settings, undefined);
    assert.match(log.of('violation', other)[0]!.message, /10-byte limit/);
    await proxy.close();

    // --max-message (the policies' flag layer) beats the route.
    const flagged = await startTestProxy(server.url, { addons: [MessagePolicies.load({ configFile: config, maxMessage: 20 })] });
    const flaggedUp = await send50(`${flagged.proxy.url}/up/file`, flagged.log, 1);
    assert.deepEqual(flagged.log.of('open', flaggedUp)[0]?.settings, { max_message: '--max-message' });
    assert.match(flagged.log.of('violation', flaggedUp)[0]!.message, /20-byte limit/);
    await flagged.proxy.close();
  });

  it('the mqtt subprotocol profile: text from either side is flagged, binary is not', async () => {
    const server = await startWsServer({ handleProtocols: () => 'mqtt' }, (ws: WebSocket) =>
      ws.on('message', (d, binary) => ws.send(d, { binary })),
    );
    servers.push(server);
    const { proxy, log } = await startTestProxy(server.url, { addons: [new MessagePolicies({})] });
    const ws = await openWsClient(proxy.url, 'mqtt');
    ws.send(Buffer.from([0x10, 0x00]));
    ws.send('CONNECT as text');
    await nextMessages(ws, 2);
    ws.close();
    const conn = (await log.waitFor('open')).conn;
    await log.closed(conn);
    assert.deepEqual(log.violations(conn), [
      ['unsupported-text', 'client->server', 'client'],
      ['unsupported-text', 'server->client', 'server'],
    ]);
    assert.match(log.of('violation', conn)[0]!.message, /policy: profile mqtt/);
    assert.deepEqual(log.of('open', conn)[0]?.settings, {
      server_accepts: 'profile mqtt (MQTT 3.1.1 §6)',
      client_accepts: 'profile mqtt (MQTT 3.1.1 §6)',
    });
    await proxy.close();
  });

  it('learning: a 1003 close after a binary message teaches the route; the next connection is checked', async () => {
    const server = await textOnlyServer();
    const { proxy, log } = await startTestProxy(server.url, { addons: [new MessagePolicies({})] });
    const first = await openWsClient(`${proxy.url}/chat`);
    first.send(Buffer.from('hello as bytes'));
    assert.equal((await closedWith(first)).code, 1003);
    const c1 = (await log.waitFor('open')).conn;
    await log.closed(c1);
    assert.deepEqual(log.violations(c1), [], 'nothing was known before the server said so');
    const close = log.of('peer-close', c1).find((c) => c.by === 'server')!;
    assert.equal(close.blame, 'client');
    assert.match(close.explain, /right after wsdiag relayed it binary message #0/);

    const second = await openWsClient(`${proxy.url}/chat?room=2`);
    second.send(Buffer.from('again'));
    assert.equal((await closedWith(second)).code, 1003);
    const c2 = (await log.waitFor('open', (e) => e.conn !== c1)).conn;
    await log.closed(c2);
    assert.deepEqual(log.violations(c2), [['unsupported-binary', 'client->server', 'client']]);
    assert.match(log.of('violation', c2)[0]!.message, new RegExp(`policy: learned from ${c1}`));
    assert.equal(log.of('open', c1)[0]?.settings, undefined, 'nothing decided by a policy on the first connection');
    assert.match(
      log.of('open', c2)[0]?.settings?.['server_accepts'] ?? '',
      new RegExp(`^learned from ${c1} \\(closed 1003 after a binary message #0`),
    );
    await proxy.close();
  });

  it('--enforce with a 1003 policy: the binary message never reaches the server; its sender gets Close 1003', async () => {
    const received: string[] = [];
    const server = await startWsServer({}, (ws: WebSocket) => {
      ws.on('error', () => {});
      ws.on('message', (data, binary) => received.push(`${binary ? 'binary' : 'text'}:${String(data)}`));
    });
    servers.push(server);
    const { proxy, log } = await startTestProxy(server.url, { enforce: true, addons: [new MessagePolicies({ serverAccepts: 'text' })] });
    const ws = await openWsClient(`${proxy.url}/feed`);
    ws.send('fine');
    ws.send(Buffer.from('not text'));
    const closed = await closedWith(ws);
    assert.deepEqual(closed, { code: 1003, reason: 'unsupported-binary' });
    const conn = (await log.waitFor('open')).conn;
    const close = await log.closed(conn);
    assert.equal(close.how, 'enforce');
    assert.deepEqual(received, ['text:fine'], 'only the message before the fault was relayed');
    assert.deepEqual(log.violations(conn), [['unsupported-binary', 'client->server', 'client']]);
  });

  it('--no-learn: the close is explained but nothing is learned', async () => {
    const server = await textOnlyServer();
    const { proxy, log } = await startTestProxy(server.url, { addons: [new MessagePolicies({ learn: false })] });
    for (let i = 0; i < 2; i++) {
      const ws = await openWsClient(`${proxy.url}/chat`);
      ws.send(Buffer.from('bytes'));
      await closedWith(ws);
    }
    await log.waitForCount('close', 2);
    assert.deepEqual(log.violations(), []);
    await proxy.close();
  });
});
