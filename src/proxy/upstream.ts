/**
 * Opening the upstream side of an upgrade: the client's request re-sent to the target over a socket of
 * our own making (half-close allowed, TLS verified unless told otherwise), and upstream errors turned
 * into one readable sentence.
 */
import { request, type ClientRequest, type RequestOptions } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { Target } from './target.js';

export interface UpstreamTls {
  /** Skip certificate verification. */
  insecure: boolean;
  /** Extra trusted CA certificate(s), PEM. */
  ca?: string | Buffer;
}

export interface UpstreamRequest {
  method: string;
  /** Path and query as the upstream should see them (target prefix included). */
  path: string;
  /** Header lines as node's `rawHeaders` gives them: [name, value, name, value, ...]. */
  rawHeaders: string[];
}

/**
 * Opens the connection an upstream request goes over, asynchronously (forward mode dials through
 * ./dial.ts): `done` gets the socket, TLS already started on it for a secure target, or the error.
 */
export type UpstreamConnector = (target: Target, tls: UpstreamTls, done: (err: Error | null, socket?: Socket) => void) => void;

/** http.request's createConnection, in its asynchronous form (node calls back with the socket). */
type CreateConnection = NonNullable<RequestOptions['createConnection']>;

/**
 * Sends the upgrade request upstream. The caller listens for 'upgrade' (101), 'response' (anything
 * else) and 'error' (unreachable, TLS failure) on the returned request. `connector`: how to open the
 * connection (default: straight to the target, as reverse mode does).
 */
export function requestUpstream(target: Target, tls: UpstreamTls, req: UpstreamRequest, connector?: UpstreamConnector): ClientRequest {
  const upstream = request({
    method: req.method,
    path: req.path,
    headers: withHost(req.rawHeaders, target.hostHeader) as unknown as Record<string, string>,
    setHost: false,
    // Our own socket: allowHalfOpen so a FIN from the upstream does not end our side before the client
    // has finished sending (the relay passes each FIN on itself).
    createConnection: connector
      ? (((_options: unknown, done: (err: Error | null, socket?: Socket) => void) => {
          connector(target, tls, done);
          return undefined;
        }) as unknown as CreateConnection)
      : () => openSocket(target, tls),
  });
  upstream.end();
  return upstream;
}

function openSocket(target: Target, tls: UpstreamTls): Socket {
  if (!target.secure) return netConnect({ host: target.host, port: target.port, allowHalfOpen: true });
  return tlsConnect({ ...upstreamTlsOptions(target.host, tls), port: target.port });
}

/**
 * The options of wsdiag's own TLS connection to an upstream `host` (verified unless `insecure`, only
 * http/1.1 offered); `socket`: an already connected TCP socket to start it on.
 */
export function upstreamTlsOptions(host: string, tls: UpstreamTls, socket?: Socket): ConnectionOptions {
  // tls.connect passes allowHalfOpen on to its TLSSocket, though ConnectionOptions does not declare it.
  const options: ConnectionOptions & { allowHalfOpen: boolean } = {
    ...(socket !== undefined ? { socket } : {}),
    host,
    // SNI takes host names only (RFC 6066 §3).
    ...(isIP(host) === 0 ? { servername: host } : {}),
    rejectUnauthorized: !tls.insecure,
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ALPNProtocols: ['http/1.1'],
    allowHalfOpen: true,
  };
  return options;
}

/**
 * The client's header lines with Host set to the target's (the upstream may route on it), everything
 * else (Origin, Sec-WebSocket-*, cookies) passed through as sent.
 */
export function withHost(rawHeaders: readonly string[], host: string): string[] {
  const out: string[] = [];
  let replaced = false;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const value = rawHeaders[i + 1];
    if (name === undefined || value === undefined) break; // never: the loop stops before the last pair
    if (name.toLowerCase() === 'host') {
      if (replaced) continue;
      replaced = true;
      out.push(name, host);
    } else {
      out.push(name, value);
    }
  }
  return replaced ? out : ['Host', host, ...out];
}

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const PLAIN_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listens there)',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'the upstream reset the connection before answering',
  EPROTO: 'TLS protocol error (is the target really TLS? try ws:// or http://)',
};

/**
 * One sentence on why the upstream could not be reached, with the way out for certificate problems.
 * `shownTarget`: the target's URL as messages show it (its path redacted).
 */
export function describeUpstreamError(shownTarget: string, err: NodeJS.ErrnoException): string {
  const where = `upstream ${shownTarget}`;
  const code = err.code ?? '';
  if (TLS_TRUST_CODES.has(code)) {
    return `cannot reach ${where}: its TLS certificate is not trusted (${err.message}); trust its CA with --ca FILE, or skip verification with --insecure`;
  }
  const reason = PLAIN_REASONS[code];
  return `cannot reach ${where}: ${reason ? `${reason} (${code})` : err.message}`;
}
