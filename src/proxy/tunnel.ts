/**
 * A blind CONNECT tunnel: the forward proxy's way with a host it does not intercept. Bytes are piped both
 * ways unread (no per-chunk work: the sizes come from the upstream socket's own counters), and one
 * `tunnel` event tells the story once both sides are done.
 */
import type { Socket } from 'node:net';
import { SCHEMA_VERSION, type Clock, type TunnelEvent, type WsdiagEvent } from '../events/index.js';
import { hostPort } from '../text.js';

export interface BlindTunnel {
  conn: string;
  client: Socket;
  /** Connected already (./dial.ts). */
  upstream: Socket;
  /** Bytes the client sent after its CONNECT request, before the tunnel was up. */
  head: Buffer;
  host: string;
  port: number;
  clock: Clock;
  emit: (event: WsdiagEvent) => void;
  /** Registers the tunnel so shutdown can end it; returns the function that unregisters it. */
  trackPending: (abort: () => void) => () => void;
}

export function relayBlind({ conn, client, upstream, head, host, port, clock, emit, trackPending }: BlindTunnel): void {
  const started = clock().getTime();
  const clientAddress = hostPort(client.remoteAddress ?? 'unknown', client.remotePort ?? 0);
  let endedBy: TunnelEvent['ended_by'] | null = null;
  let how: TunnelEvent['how'] = 'fin';
  const first = (side: TunnelEvent['ended_by'], kind: TunnelEvent['how']): void => {
    if (endedBy !== null) return;
    endedBy = side;
    how = kind;
  };
  const failed = (side: TunnelEvent['ended_by'], err: NodeJS.ErrnoException): void =>
    first(side, err.code === 'ECONNRESET' || err.code === 'EPIPE' ? 'reset' : 'error');

  let done = false;
  const finish = (): void => {
    if (done) return;
    done = true;
    untrack();
    emit({
      v: SCHEMA_VERSION,
      type: 'tunnel',
      ts: clock().toISOString(),
      conn,
      client: clientAddress,
      host,
      port,
      // What reached the upstream socket from the client (head included), and what it read from the server.
      client_bytes: upstream.bytesWritten,
      server_bytes: upstream.bytesRead,
      duration_ms: Math.max(0, clock().getTime() - started),
      ended_by: endedBy ?? 'client',
      how,
    });
  };
  const untrack = trackPending(() => {
    first('proxy', 'shutdown');
    client.destroy();
    upstream.destroy();
    finish();
  });

  client.on('error', (err: NodeJS.ErrnoException) => {
    failed('client', err);
    upstream.destroy();
  });
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    failed('server', err);
    client.destroy();
  });
  client.once('end', () => first('client', 'fin'));
  upstream.once('end', () => first('server', 'fin'));
  // A side gone for good: the other gets what is still queued for it, then its end.
  let closed = 0;
  const onClose = (other: Socket) => (): void => {
    other.destroySoon();
    if (++closed === 2) finish();
  };
  client.once('close', onClose(upstream));
  upstream.once('close', onClose(client));

  if (head.length > 0) upstream.write(head);
  client.pipe(upstream);
  upstream.pipe(client);
  client.resume();
}
