/**
 * A small, deliberately broken WebSocket intermediary, to see `wsdiag probe` catch what real proxies,
 * load balancers and antivirus filters get wrong. It relays the opening handshake, then parses every
 * frame in both directions and re-emits it, committing the faults you switch on:
 *
 *   --rsv1                 set RSV1 on every data frame             (reserved bits, RFC 6455 §5.2)
 *   --strip-mask           forward client frames unmasked           (RFC 6455 §5.1)
 *   --text-to-binary       turn text frames into binary ones        (message type, §5.6)
 *   --drop-pongs           do not forward pongs                      (§5.5.3)
 *   --truncate [BYTES]     cut messages over BYTES (default 65536)  (altered payload)
 *   --swallow-close        do not forward Close frames               (§5.5.1, §7)
 *   --rewrite-close CODE   replace every Close code with CODE        (§5.5.1)
 *   --strip-extensions LEG remove Sec-WebSocket-Extensions from the request or the response (§9.1)
 *   --delay MS             hold every frame MS milliseconds          (latency)
 * and four legal changes, which the probe reports as info only:
 *   --remask               new masking keys on client frames
 *   --refragment BYTES     split data frames into frames of at most BYTES
 *   --answer-pings         answer pings with a pong itself instead of forwarding them
 *   --replace-key          send its own Sec-WebSocket-Key upstream (and the client the accept for the client's)
 * Without flags it is honest: every frame goes out exactly as it came in.
 *
 *   node dist/examples/mangling-proxy.js --listen 127.0.0.1:8081 --target ws://127.0.0.1:9001 --drop-pongs
 *   wsdiag probe --through ws://127.0.0.1:8081/ --reflector 127.0.0.1:9001
 *
 * It is an example, not a production proxy: each frame is held whole before it is re-emitted. Frames are
 * split by wsdiag's own decoder, from its payload events.
 */
import { randomBytes } from 'node:crypto';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { Opcode } from '../src/protocol/constants.js';
import { encodeFrame } from '../src/protocol/encoder.js';
import { computeAccept } from '../src/protocol/handshake.js';
import { FrameDecoder } from '../src/protocol/decoder.js';
import type { FrameHeader } from '../src/protocol/types.js';
import { readHead } from '../src/probe/http-head.js';

export interface ManglingFaults {
  rsv1?: boolean | undefined;
  stripMask?: boolean | undefined;
  textToBinary?: boolean | undefined;
  dropPongs?: boolean | undefined;
  /** Cut every message to this many bytes of payload. */
  truncate?: number | undefined;
  swallowClose?: boolean | undefined;
  rewriteClose?: number | undefined;
  stripExtensions?: 'request' | 'response' | undefined;
  delayMs?: number | undefined;
  remask?: boolean | undefined;
  refragment?: number | undefined;
  answerPings?: boolean | undefined;
  replaceKey?: boolean | undefined;
}

export interface ManglingProxy {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startManglingProxy(options: {
  host?: string;
  port?: number;
  target: string;
  faults?: ManglingFaults;
}): Promise<ManglingProxy> {
  const target = new URL(options.target);
  const faults = options.faults ?? {};
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    // Without this, Nagle's algorithm holds small frames (a ping) for up to 40 ms: latency the probe reports.
    client.setNoDelay(true);
    void relay(client, target, faults, sockets).catch(() => client.destroy());
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    host,
    port,
    url: `ws://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** One connection: the handshake relayed (minus a header when asked), then frames re-emitted. */
async function relay(client: Socket, target: URL, faults: ManglingFaults, sockets: Set<Socket>): Promise<void> {
  // eslint-disable-next-line prefer-const -- assigned once the request is read; the error handler above the assignment needs the name
  let upstream: Socket | undefined;
  client.on('error', () => upstream?.destroy());
  const request = await readHead(client, 10_000, 'the upgrade request');
  const server = connect({ host: target.hostname, port: Number(target.port || 80), allowHalfOpen: true });
  upstream = server;
  upstream.setNoDelay(true);
  sockets.add(upstream);
  upstream.on('close', () => sockets.delete(server));
  upstream.on('error', () => client.destroy());
  // --replace-key: what a proxy that terminates the handshake does; the client must still get a valid accept.
  const clientKey = request.head.headers['sec-websocket-key'];
  const replaceKey = faults.replaceKey === true && clientKey !== undefined;
  const requestHeaders = replaceKey
    ? { ...request.head.headers, 'sec-websocket-key': randomBytes(16).toString('base64') }
    : request.head.headers;
  upstream.write(rebuild(request.head.startLine, requestHeaders, faults.stripExtensions === 'request'));
  if (request.leftover.length > 0) upstream.write(request.leftover);
  const response = await readHead(upstream, 10_000, 'the upgrade response');
  const responseHeaders =
    replaceKey && response.head.headers['sec-websocket-accept'] !== undefined
      ? { ...response.head.headers, 'sec-websocket-accept': computeAccept(clientKey) }
      : response.head.headers;
  client.write(rebuild(response.head.startLine, responseHeaders, faults.stripExtensions === 'response'));

  if (!/^HTTP\/1\.1 101/.test(response.head.startLine)) {
    client.write(response.leftover);
    upstream.pipe(client);
    client.pipe(upstream);
    return;
  }
  pump(client, upstream, 'client', faults, Buffer.alloc(0));
  pump(upstream, client, 'server', faults, response.leftover);
}

/** A head rebuilt from its parsed lines (node-style lower-case names are fine on the wire). */
function rebuild(startLine: string, headers: Record<string, string>, stripExtensions: boolean): string {
  const lines = Object.entries(headers)
    .filter(([name]) => !(stripExtensions && name === 'sec-websocket-extensions'))
    .map(([name, value]) => `${name}: ${value}\r\n`);
  return `${startLine}\r\n${lines.join('')}\r\n`;
}

/** Reads frames from `from`, applies the faults, writes them to `to` (in order, even with --delay). */
function pump(from: Socket, to: Socket, sender: 'client' | 'server', faults: ManglingFaults, leftover: Buffer): void {
  let chunks: Uint8Array[] = [];
  let messageBytes = 0;
  let delayed = 0;
  let ended = false;
  // Every frame is held the same time, so the timers fire in arrival order and order is kept.
  const emit = (bytes: Uint8Array) => {
    if (!faults.delayMs) {
      to.write(bytes);
      return;
    }
    delayed++;
    setTimeout(() => {
      if (!to.destroyed) to.write(bytes);
      if (--delayed === 0 && ended) to.end();
    }, faults.delayMs);
  };
  let h: FrameHeader | null = null;
  // wsdiag's decoder splits the frames (it judges them too, but this proxy ignores its findings).
  const parser = new FrameDecoder(
    {
      finding: () => {},
      frame: (header) => {
        h = header;
        chunks = [];
      },
      payload: (chunk) => {
        chunks.push(chunk.slice());
      },
      frameEnd: () => {
        if (h === null) return;
        const isData = h.opcode <= Opcode.Binary;
        let payload: Uint8Array = Buffer.concat(chunks);
        if (isData && faults.truncate !== undefined) {
          const room = Math.max(0, faults.truncate - messageBytes);
          payload = payload.subarray(0, room);
        }
        if (isData) messageBytes = h.fin ? 0 : messageBytes + payload.length;
        if (faults.answerPings && h.opcode === Opcode.Ping) {
          // Back to the sender: masked only toward the server.
          from.write(encodeFrame({ opcode: Opcode.Pong, payload, ...(sender === 'server' ? { mask: randomBytes(4) } : {}) }));
          return;
        }
        for (const frame of mangle(h, payload, sender, faults)) emit(frame);
      },
    },
    { from: sender, maxMessage: 0 },
  );
  from.on('data', (chunk: Buffer) => parser.push(chunk));
  from.on('end', () => {
    ended = true;
    if (delayed === 0) to.end();
  });
  if (leftover.length > 0) parser.push(leftover);
  from.resume();
}

/** The frames one received frame becomes: none (dropped), itself, or several (re-fragmented). */
function mangle(h: FrameHeader, payload: Uint8Array, sender: 'client' | 'server', faults: ManglingFaults): Uint8Array[] {
  if (faults.dropPongs && h.opcode === Opcode.Pong) return [];
  if (h.opcode === Opcode.Close) {
    if (faults.swallowClose) return [];
    if (faults.rewriteClose !== undefined && payload.length >= 2) {
      payload = Buffer.from(payload);
      payload[0] = faults.rewriteClose >> 8;
      payload[1] = faults.rewriteClose & 0xff;
    }
  }
  const isData = h.opcode <= Opcode.Binary;
  const opcode = faults.textToBinary && h.opcode === Opcode.Text ? Opcode.Binary : h.opcode;
  const masked = h.masked && !(faults.stripMask && sender === 'client');
  const key = () => (!masked ? undefined : faults.remask ? randomBytes(4) : (h.maskKey ?? undefined));
  const base = {
    rsv1: h.rsv1 || (Boolean(faults.rsv1) && isData),
    rsv2: h.rsv2,
    rsv3: h.rsv3,
    // Keep the sender's length encoding unless re-fragmenting: honest means byte for byte.
    lengthForm: payload.length === h.length ? h.lengthForm : undefined,
  };
  const size = faults.refragment;
  if (!isData || size === undefined || payload.length <= size) {
    return [encodeFrame({ ...base, opcode, fin: h.fin, payload, mask: key() })];
  }
  const frames: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += size) {
    const last = at + size >= payload.length;
    frames.push(
      encodeFrame({
        opcode: at === 0 ? opcode : Opcode.Continuation,
        fin: last && h.fin,
        rsv1: at === 0 && base.rsv1,
        payload: payload.subarray(at, at + size),
        mask: key(),
      }),
    );
  }
  return frames;
}

// -------------------------------------------------------------------------------------------------
// Command line

function parseBytes(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} expects a whole number, got "${value}"`);
    return n;
  };
}

async function main(): Promise<void> {
  const program = new Command('mangling-proxy')
    .description('a deliberately broken WebSocket intermediary for trying out wsdiag probe')
    .requiredOption('--target <url>', "where to forward (ws://HOST:PORT, e.g. the probe's reflector)")
    .option('--listen <host:port>', 'where to listen', '127.0.0.1:8081')
    .option('--rsv1', 'set RSV1 on every data frame')
    .option('--strip-mask', 'forward client frames unmasked')
    .option('--text-to-binary', 'turn text frames into binary ones')
    .option('--drop-pongs', 'do not forward pongs')
    .option('--truncate [bytes]', 'cut messages over BYTES (default 65536)')
    .option('--swallow-close', 'do not forward Close frames')
    .option('--rewrite-close <code>', 'replace every Close code with CODE', parseBytes('--rewrite-close'))
    .option('--strip-extensions <leg>', 'remove Sec-WebSocket-Extensions from the "request" or the "response"')
    .option('--delay <ms>', 'hold every frame MS milliseconds', parseBytes('--delay'))
    .option('--remask', 'legal: new masking keys on client frames')
    .option('--refragment <bytes>', 'legal: split data frames into frames of at most BYTES', parseBytes('--refragment'))
    .option('--answer-pings', 'legal: answer pings with a pong instead of forwarding them')
    .option('--replace-key', 'legal: send its own Sec-WebSocket-Key upstream (the client still gets the accept for its key)')
    .parse();
  const o = program.opts<Record<string, string | number | boolean | undefined>>();
  const [host = '127.0.0.1', port = '8081'] = String(o['listen']).split(/:(?=\d+$)/);
  const leg = o['stripExtensions'];
  if (leg !== undefined && leg !== 'request' && leg !== 'response') program.error('--strip-extensions takes "request" or "response"');
  const truncate =
    o['truncate'] === undefined ? undefined : o['truncate'] === true ? 65536 : parseBytes('--truncate')(String(o['truncate']));
  const proxy = await startManglingProxy({
    host,
    port: Number(port),
    target: String(o['target']),
    faults: {
      rsv1: Boolean(o['rsv1']),
      stripMask: Boolean(o['stripMask']),
      textToBinary: Boolean(o['textToBinary']),
      dropPongs: Boolean(o['dropPongs']),
      truncate,
      swallowClose: Boolean(o['swallowClose']),
      rewriteClose: o['rewriteClose'] as number | undefined,
      stripExtensions: leg as ManglingFaults['stripExtensions'],
      delayMs: o['delay'] as number | undefined,
      remask: Boolean(o['remask']),
      refragment: o['refragment'] as number | undefined,
      answerPings: Boolean(o['answerPings']),
      replaceKey: Boolean(o['replaceKey']),
    },
  });
  process.stdout.write(`mangling proxy on ws://${proxy.host}:${proxy.port}/ → ${String(o['target'])}\n`);
  const stop = () => void proxy.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
