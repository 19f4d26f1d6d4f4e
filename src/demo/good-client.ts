/**
 * The demo's well-behaved client, written with the `ws` library as an application would: a few text
 * messages (each echoed back), a ping (answered by a pong), and a clean 1000 close. It shows what a
 * healthy connection looks like in wsdiag's log: open, close, no violation.
 */
import { once } from 'node:events';
import WebSocket from 'ws';
import type { ClientOutcome } from './faulty-clients.js';

export const GOOD_CLIENT_MESSAGES: readonly string[] = ['hello', 'how are you?', 'good bye for now'];

/** Thrown when the echo server does not echo: the demo's setup is broken, not a peer fault. */
export class EchoMismatch extends Error {
  override name = 'EchoMismatch';
}

export async function runGoodClient(url: string): Promise<ClientOutcome> {
  // No compression offer, so the frames in the log are the plain ones a reader can follow.
  const ws = new WebSocket(url, { perMessageDeflate: false });
  // Each `once()` below rejects on 'error'; this listener only keeps an error between two awaits (or
  // after a failure) from becoming an uncaught exception.
  ws.on('error', () => {});
  try {
    await once(ws, 'open');
    for (const text of GOOD_CLIENT_MESSAGES) {
      ws.send(text);
      const [data, isBinary] = (await once(ws, 'message')) as [Buffer, boolean];
      const echo = data.toString('utf8');
      if (isBinary || echo !== text) throw new EchoMismatch(`expected the echo ${JSON.stringify(text)}, got ${JSON.stringify(echo)}`);
    }
    ws.ping('ping');
    await once(ws, 'pong');
    ws.close(1000, 'done');
    const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
    return { serverClose: { code, reason: reason.toString('utf8') }, serverFault: null };
  } finally {
    // Only matters on failure: a connection that is already closed ignores it.
    ws.terminate();
  }
}
