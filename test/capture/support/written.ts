/**
 * A WebSocket conversation on one leg written by the pcapng writer, as the proxy would record it: the
 * handshake, a text message and a ping from the client, a 200 000-byte binary message and a pong from the
 * server, and the closing handshake.
 */
import { SyntheticTcp, PcapngWriter, type WriterLinkType } from '../../../src/capture/writer.js';
import { closeBody, concatBytes, encodeFrame } from '../../../src/protocol/encoder.js';
import { computeAccept } from '../../../src/protocol/handshake.js';

const KEY = 'x3JJHMbDL1EzLkh9GBhXDw==';
const enc = (s: string) => new TextEncoder().encode(s);

/** The file, and the opcodes each side sent. */
export function writtenConversation(
  options: { linkType?: WriterLinkType; client?: string; server?: string; isn?: { client: number; server: number } } = {},
): {
  file: Uint8Array;
  frames: { client: number[]; server: number[] };
} {
  const writer = new PcapngWriter();
  const iface = writer.addInterface({
    name: 'client leg',
    description: 'between the client and wsdiag',
    linkType: options.linkType ?? 'raw',
  });
  const tcp = new SyntheticTcp({
    writer,
    interfaceId: iface.id,
    linkType: options.linkType ?? 'raw',
    client: { ip: options.client ?? '127.0.0.1', port: 43210 },
    server: { ip: options.server ?? '127.0.0.1', port: 9001 },
    ...(options.isn ? { isn: options.isn } : {}),
  });
  let ms = 1_700_000_000_000;
  const ts = () => {
    ms += 1.5;
    return { sec: Math.floor(ms / 1000), nsec: Math.round((ms % 1000) * 1e6) };
  };
  const parts = [writer.header(), iface.block, tcp.open(ts())];
  parts.push(
    tcp.send(
      'client',
      enc(
        `GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
      ts(),
    ),
  );
  parts.push(
    tcp.send(
      'server',
      enc(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${computeAccept(KEY)}\r\n\r\n`,
      ),
      ts(),
    ),
  );
  parts.push(
    tcp.send(
      'client',
      concatBytes([encodeFrame({ opcode: 1, payload: 'hi', mask: true }), encodeFrame({ opcode: 9, payload: 'p', mask: true })]),
      ts(),
    ),
  );
  parts.push(tcp.send('server', encodeFrame({ opcode: 2, payload: new Uint8Array(200_000).fill(3) }), ts()));
  parts.push(tcp.send('server', encodeFrame({ opcode: 10, payload: 'p' }), ts()));
  parts.push(tcp.send('client', encodeFrame({ opcode: 8, payload: closeBody(1000, 'done'), mask: true }), ts()));
  parts.push(tcp.send('server', encodeFrame({ opcode: 8, payload: closeBody(1000, 'done') }), ts()));
  parts.push(tcp.end('server', ts()), tcp.end('client', ts()));
  return { file: concatBytes(parts), frames: { client: [1, 9, 8], server: [2, 10, 8] } };
}
