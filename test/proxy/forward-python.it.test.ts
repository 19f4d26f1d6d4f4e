/**
 * A python-websockets client through wsdiag in forward mode (issue 15's "done when"), TLS intercepted with a
 * leaf from wsdiag's CA, to wss://app.test:PORT sent to 127.0.0.1 by `resolve`.
 *
 * Debian's python3-websockets is 10.4, which has no `proxy=` argument (it came in websockets 15), and PyPI is
 * not reachable here. So the client uses `proxy=` when the installed version has it, and otherwise opens
 * the CONNECT tunnel by hand and gives websockets the socket (`sock=`, with `ssl=` and
 * `server_hostname=`): the same bytes reach wsdiag either way. Skipped when /usr/bin/python3 has no
 * websockets (apt-get install python3-websockets; .ci/run installs it).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { startProxy, type RunningProxy } from '../../src/proxy/index.js';
import { CertificateAuthority, LeafCertificates } from '../../src/tls/index.js';
import { runProcess } from '../support/cli.js';
import { EventLog } from '../support/event-log.js';
import { closeServer, listen } from '../support/net.js';
import { tempDir } from '../support/temp.js';

const PYTHON = '/usr/bin/python3';

function pythonWebsockets(): string | false {
  const probe = spawnSync(PYTHON, ['-c', 'import websockets; print(websockets.__version__)'], { encoding: 'utf8' });
  return probe.status === 0 ? false : `${PYTHON} has no websockets module (apt-get install python3-websockets)`;
}

/** The client: argv = proxy port, target URL, CA file. Prints the version and path it took, then OK. */
const CLIENT = String.raw`
import asyncio, socket, ssl, sys
from urllib.parse import urlsplit
import websockets

proxy_port, url, cafile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
major = int(websockets.__version__.split('.')[0])
context = ssl.create_default_context(cafile=cafile)

def tunnel(host, port):
    sock = socket.create_connection(('127.0.0.1', proxy_port), timeout=10)
    sock.sendall(f'CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n'.encode())
    answer = b''
    while b'\r\n\r\n' not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            raise SystemExit('the proxy closed the tunnel')
        answer += chunk
    status = answer.split(b'\r\n', 1)[0]
    if b' 200 ' not in status + b' ':
        raise SystemExit(f'CONNECT refused: {status!r}')
    sock.settimeout(None)
    return sock

async def main():
    parts = urlsplit(url)
    if major >= 15:
        how = 'proxy='
        connect = websockets.connect(url, proxy=f'http://127.0.0.1:{proxy_port}', ssl=context)
    else:
        how = 'sock='
        connect = websockets.connect(url, sock=tunnel(parts.hostname, parts.port), ssl=context, server_hostname=parts.hostname)
    print(f'websockets {websockets.__version__} via {how}', flush=True)
    async with connect as ws:
        payloads = ['hello from python', bytes(range(256)) * 4, 'é' * 40000]
        for p in payloads:
            await ws.send(p)
            echo = await ws.recv()
            assert echo == p, f'echo of {len(p)} differs'
        await ws.close(1000, 'done')
    print('OK', flush=True)

asyncio.run(main())
`;

describe('python-websockets through forward mode', { skip: pythonWebsockets(), timeout: 120_000 }, () => {
  const dir = tempDir('forward-python');
  let server: Server;
  let port: number;
  let proxy: RunningProxy;
  let caFile: string;
  const log = new EventLog();

  before(async () => {
    const [upstreamCa, wsdiagCa] = await Promise.all([
      CertificateAuthority.open({ dir: join(dir.path, 'upstream-ca') }),
      CertificateAuthority.open({ dir: join(dir.path, 'wsdiag-ca') }),
    ]);
    caFile = wsdiagCa.certPath;
    const upstreamLeaves = await LeafCertificates.create(upstreamCa);
    server = createServer({ SNICallback: upstreamLeaves.sniCallback });
    const wss = new WebSocketServer({ server, perMessageDeflate: true });
    wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
    port = await listen(server);
    proxy = await startProxy({
      listen: { host: '127.0.0.1', port: 0 },
      onEvent: log.push,
      forward: { certificates: await LeafCertificates.create(wsdiagCa) },
      resolve: { 'app.test': '127.0.0.1' },
      ca: upstreamCa.certPem,
    });
  });
  after(async () => {
    await proxy.close();
    server.closeAllConnections();
    await closeServer(server);
  });

  it('relays its wss connection intercepted, every echo exact, no false positive', async () => {
    const run = await runProcess(PYTHON, ['-c', CLIENT, String(proxy.port), `wss://app.test:${port}/py`, caFile], { timeoutMs: 60_000 });
    assert.equal(run.code, 0, `python failed:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^websockets \S+ via (proxy=|sock=)\nOK\n$/);
    const open = await log.waitFor('open');
    assert.equal(open.target, `wss://app.test:${port}`);
    assert.equal(open.path, '/py');
    const close = await log.waitFor('close', (c) => c.conn === open.conn);
    assert.ok(close);
    assert.deepEqual(log.of('violation'), [], 'no violation');
    assert.deepEqual(log.of('error'), [], 'no error');
  });
});
