/**
 * A drain behind HAProxy: three wsdiag instances (`--admin`, `--grace 60000`) behind Debian's HAProxy
 * (examples/scale-out's config, health checks every 100 ms, `fall 1`), a real ws echo server upstream (and,
 * for the paths /hold/*, a peer that accepts and then never answers a Close).
 * SIGTERM to one instance: its /readyz answers 503 from the first moment, HAProxy's check marks it DOWN
 * (awaited on HAProxy's log), every client it held gets a Close 1001 from wsdiag, and new connections all
 * go to the two others and work. No ws client ever sees 1006. The drain lasts because one connection on the
 * draining instance has two peers that never answer its Close; when its client goes, the instance exits 0.
 * Skipped, saying why, without haproxy.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { computeAccept } from '../../src/protocol/handshake.js';
import { findBinary } from '../support/binaries.js';
import { closeServer, listen } from '../support/net.js';
import { connectRawClient, type RawClient } from '../support/raw-peers.js';
import { tempDir } from '../support/temp.js';
import { closedWith, nextMessages, openWsClient } from '../support/ws-servers.js';
import { STEP_MS, eventsOf, startBalancer, startInstance, type Balancer, type Instance } from './cluster.js';

const haproxy = findBinary('haproxy');
const skip = haproxy === null ? 'haproxy is not installed (apt-get install haproxy; .ci/run installs it)' : false;

/** Bounds the closes the test awaits at its end: far beyond the test, never reached by a passing run. */
const CLOSE_MS = 60_000;

interface Upstream {
  url: string;
  /** The /hold/* peers go away. */
  release(): void;
  close(): Promise<void>;
}

/**
 * The application behind the instances: a ws echo server, except that an upgrade to /hold/* is accepted by
 * a peer that then never reads nor answers (wsdiag's Close 1001 to it stays unanswered).
 */
async function startUpstream(): Promise<Upstream> {
  const wss = new WebSocketServer({ noServer: true });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const held = new Set<Socket>();
  const server = createServer();
  server.on('upgrade', (request, socket: Socket, head) => {
    if (request.url?.startsWith('/hold/')) {
      held.add(socket);
      socket.on('error', () => {});
      const accept = computeAccept(String(request.headers['sec-websocket-key']));
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });
  const port = await listen(server);
  return {
    url: `ws://127.0.0.1:${port}`,
    release: () => {
      for (const socket of held) socket.destroy();
    },
    close: async () => {
      for (const socket of held) socket.destroy();
      for (const ws of wss.clients) ws.terminate();
      await closeServer(server);
    },
  };
}

/** The instance whose `open` event has `path` (each client's path is its own). */
function whereOpened(instances: readonly Instance[], path: string): Promise<Instance> {
  const opened = (line: string): boolean => line.includes('"type":"open"') && line.includes(`"path":"${path}"`);
  // Mostly on stdout already (the client got its echo through it): waits only for the rest.
  const seen = instances.find((instance) => instance.child.lines().some(opened));
  if (seen) return Promise.resolve(seen);
  return Promise.any(
    instances.map(async (instance) => {
      await instance.child.waitForLine(opened, `the open of ${path}`, STEP_MS);
      return instance;
    }),
  );
}

interface LiveClient {
  ws: WebSocket;
  path: string;
  at: Instance;
  /** The code of the Close it got (or 1006 if the connection just ended). */
  closed: Promise<number>;
}

/** A ws client through the balancer, located, with an echo checked. */
async function liveClient(port: number, instances: readonly Instance[], path: string): Promise<LiveClient> {
  const ws = await openWsClient(`ws://127.0.0.1:${port}${path}`);
  const closed = closedWith(ws, CLOSE_MS).then((c) => c.code);
  const echo = nextMessages(ws, 1, STEP_MS);
  ws.send(path);
  assert.equal(String((await echo)[0]?.data), path);
  return { ws, path, at: await whereOpened(instances, path), closed };
}

describe('a drain behind HAProxy', { skip }, () => {
  const dir = tempDir('drain');
  let upstream: Upstream | undefined;
  const instances: Instance[] = [];
  let balancer: Balancer | undefined;
  const holds: RawClient[] = [];

  before(async () => {
    const target = (upstream = await startUpstream()).url;
    for (const id of ['a', 'b', 'c']) instances.push(await startInstance(id, target, dir, ['--grace', '60000']));
    balancer = await startBalancer(haproxy!, dir, instances, { inter: '100ms', fall: 1, rise: 1 });
  });

  after(async () => {
    for (const hold of holds) hold.socket.destroy();
    await balancer?.stop();
    for (const instance of instances) await instance.child.stop('SIGTERM', STEP_MS).catch(() => {});
    await upstream?.close();
  });

  it('marks the draining instance DOWN, sends new connections to the others, and no client sees 1006', async () => {
    assert.ok(balancer, 'started');
    const { port } = balancer;
    // One raw client per instance that never answers a Close, to a peer that does not either (leastconn: one
    // each), then two ws clients each.
    const held = new Map<Instance, RawClient>();
    for (let i = 0; i < 3; i++) {
      const hold = await connectRawClient(port, { path: `/hold/${i}` });
      holds.push(hold);
      assert.equal(hold.statusCode, 101);
      held.set(await whereOpened(instances, `/hold/${i}`), hold);
    }
    assert.equal(held.size, 3, 'leastconn gave each instance one');
    const earlier: LiveClient[] = [];
    for (let i = 0; i < 6; i++) earlier.push(await liveClient(port, instances, `/before/${i}`));

    const draining = instances[1]!;
    const inFlight = earlier.filter((c) => c.at === draining);
    assert.ok(inFlight.length > 0, 'the draining instance holds ws clients');
    draining.child.kill('SIGTERM');
    await balancer.down(draining.id);
    assert.match(balancer.child.stderr(), new RegExp(`Server wsdiag/${draining.id} is DOWN, reason: Layer7 wrong status, code: 503`));
    // Every client it held got wsdiag's Close 1001 (the raw one too: it just never answers).
    for (const client of inFlight) assert.equal(await client.closed, 1001, client.path);
    const hold = held.get(draining)!;
    await hold.collector.until(
      () => (hold.body()[0] === 0x88 && hold.body().readUInt16BE(2) === 1001 ? true : undefined),
      'the Close 1001',
    );

    // New connections, while it still drains: all through the two others, all working.
    const others = instances.filter((i) => i !== draining);
    const fresh: LiveClient[] = [];
    for (let i = 0; i < 3; i++) {
      fresh.push(...(await Promise.all([0, 1, 2, 3].map((j) => liveClient(port, others, `/after/${i * 4 + j}`)))));
    }
    assert.equal(eventsOf(draining, 'open').filter((e) => String(e['path']).startsWith('/after/')).length, 0, 'none to the draining one');
    assert.deepEqual(new Set(fresh.map((c) => c.at)), new Set(others), 'both others took new connections');
    assert.equal(draining.child.child.exitCode, null, 'still draining meanwhile');

    // The clients of the two others end normally; none of any kind saw 1006.
    for (const client of [...earlier, ...fresh].filter((c) => c.at !== draining)) client.ws.close(1000);
    const codes = await Promise.all([...earlier, ...fresh].map((c) => c.closed));
    assert.deepEqual(
      codes.map((code, i) => [[...earlier, ...fresh][i]!.path, code]),
      [...earlier, ...fresh].map((c) => [c.path, c.at === draining ? 1001 : 1000]),
    );

    // The stubborn peers go: the drain ends, the instance exits 0 after its summary.
    hold.socket.destroy();
    upstream?.release();
    const exit = await draining.child.exited(STEP_MS);
    assert.deepEqual([exit.code, exit.signal], [0, null], exit.stderr);
    assert.match(exit.stdout, /"type":"summary"/);
  });
});
