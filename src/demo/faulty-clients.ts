/**
 * The demo's misbehaving clients: each one opens a real WebSocket connection on a raw socket and commits
 * one classic fault, then waits for the server to react (its Close) and for the connection to end.
 * They work against any server; the demo points them at wsdiag in front of its own upstream, and the
 * tests point them straight at the upstream.
 */
import { Opcode, encodeFrame } from '../protocol/index.js';
import type { RuleId } from '../rules/index.js';
import { openRawConnection, randomMask, type CloseReceived } from './raw-client.js';

/** What a demo client saw of the server. */
export interface ClientOutcome {
  /** The server's Close (null: the connection ended without one). */
  serverClose: CloseReceived | null;
  /** The first rule the server's own frames broke, as the client's decoder saw it. */
  serverFault: RuleId | null;
}

/**
 * "café au lait" encoded as Latin-1 (ISO 8859-1): the é is the single byte 0xE9, which UTF-8 reads as the
 * start of a 3-byte sequence that the following space breaks.
 */
const LATIN1_TEXT = Buffer.from('café au lait', 'latin1');

/** JSON sent as a binary frame: the classic `ws.send(Buffer.from(json))` mistake. */
const JSON_AS_BYTES = new TextEncoder().encode('{"hello":"world"}');

/** A text frame without a mask: every client frame must be masked (RFC 6455 §5.1). */
export function unmaskedFrame(): Uint8Array {
  return encodeFrame({ opcode: Opcode.Text, payload: 'hello, without a mask' });
}

/** Opcode 0x3 is reserved for future non-control frames (RFC 6455 §5.2). */
export function reservedOpcodeFrame(): Uint8Array {
  return encodeFrame({ opcode: 0x3, payload: 'opcode 3 means nothing yet', mask: randomMask() });
}

/** RSV1 says "compressed", but no permessage-deflate was negotiated (RFC 6455 §5.2, RFC 7692 §6). */
export function rsvBitsFrame(): Uint8Array {
  return encodeFrame({ opcode: Opcode.Text, rsv1: true, payload: 'compressed? no extension agreed', mask: randomMask() });
}

/** A ping with FIN clear: control frames must not be fragmented (RFC 6455 §5.5). */
export function fragmentedPingFrame(): Uint8Array {
  return encodeFrame({ opcode: Opcode.Ping, fin: false, payload: 'are you there', mask: randomMask() });
}

/** A text frame carrying Latin-1 bytes (RFC 6455 §8.1 wants UTF-8). */
export function invalidUtf8Frame(): Uint8Array {
  return encodeFrame({ opcode: Opcode.Text, payload: LATIN1_TEXT, mask: randomMask() });
}

/** A well-formed binary message whose content is JSON text. */
export function binaryJsonFrame(): Uint8Array {
  return encodeFrame({ opcode: Opcode.Binary, payload: JSON_AS_BYTES, mask: randomMask() });
}

/** Connects, sends `frames`, and waits for the server's Close and the end of the connection. */
export async function sendFaultyFrames(url: string, frames: readonly Uint8Array[]): Promise<ClientOutcome> {
  const connection = await openRawConnection(url);
  for (const frame of frames) connection.send(frame);
  const serverClose = await connection.serverClose;
  await connection.ended;
  const fault = await connection.serverFault;
  return { serverClose, serverFault: fault?.rule ?? null };
}

/**
 * A strict client facing a server that breaks the protocol: it waits for the server's first fault (a
 * masked frame, from the demo upstream's faulty path), fails the connection with a Close carrying that
 * rule's code (1002 for framing faults), and waits for the server's answer and the end of the connection.
 */
export async function closeOnServerFault(url: string): Promise<ClientOutcome> {
  const connection = await openRawConnection(url);
  const fault = await connection.serverFault;
  if (fault !== null) connection.sendClose(1002, fault.rule);
  const serverClose = await connection.serverClose;
  await connection.ended;
  return { serverClose, serverFault: fault?.rule ?? null };
}
