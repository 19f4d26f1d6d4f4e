/**
 * The proxy's public options and handle (the library API behind `wsdiag proxy`, `demo` and `ci`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SecureContext } from 'node:tls';
import type { Clock, WsdiagEvent } from '../events/index.js';
import type { EventContentOptions } from '../session/index.js';
import type { ProxyAddon } from './addon.js';

export interface ListenAddress {
  host: string;
  /** 0 = any free port (read the bound one from RunningProxy.port or the `listening` event). */
  port: number;
}

/** A WebSocket connection as it opens (ProxyAddon.connection), as its events show it. */
export interface ConnectionInfo {
  /** The connection id its events carry (e.g. "k3f9x2-c1"). */
  conn: string;
  /** The request path, query included, with credentials redacted unless `showSecrets`. */
  path: string;
  subprotocol: string | null;
  extensions: string | null;
  /** The two TCP connections wsdiag holds for it, as their sockets see them. */
  legs: { client: TcpLeg; upstream: TcpLeg };
}

/** One TCP connection of a relayed WebSocket: its connecting end and its listening end. */
export interface TcpLeg {
  /** The client, or wsdiag's own end of the upstream connection. */
  client: SocketAddress;
  /** wsdiag's listener, or the upstream. */
  server: SocketAddress;
}

export interface SocketAddress {
  /** IPv4 dotted or IPv6 text, as node reports it ("0.0.0.0" when the socket no longer knows). */
  ip: string;
  port: number;
}

/** An upgrade as the proxy relayed it (ProxyAddon.handshake). */
export interface TappedHandshake {
  /** The request method (GET for any upgrade a server accepts). */
  method: string;
  /** The request target as the client sent it, query included, credentials redacted as in events (unless `showSecrets`). */
  path: string;
  /** The request as wsdiag passed it on: its target (the --target path in front, redacted as `path`) and Host header. */
  upstream: { path: string; host: string };
  /** The upgrade request's headers as the client sent them (node's IncomingMessage.headers). */
  request: IncomingHttpHeaders;
  /** The upstream's answer: 101, or the status of a refusal that was relayed instead. */
  status: number;
  response: IncomingHttpHeaders;
}

/**
 * `frames`, `preview` (EventContentOptions), `maxMessage`, `maxPerRule` and `pongTimeoutMs` are every
 * connection's settings unless an addon's settings layer says otherwise (./settings.ts: e.g. a config
 * route's max-message beats `maxMessage`).
 */
export interface ProxyOptions extends EventContentOptions {
  /**
   * ws:, wss:, http: or https: URL of the upstream; its path is a prefix of every relayed path. Absent:
   * forward mode (an explicit proxy, see `forward`).
   */
  target?: string;
  /** `reverse` (the default with a target) relays to `target`; `forward` (the default without one) is an explicit proxy. */
  mode?: 'reverse' | 'forward';
  /** Forward mode's options (./forward.ts). */
  forward?: ForwardOptions;
  /** Default 127.0.0.1:8080. */
  listen?: ListenAddress;
  /** Every event: listening, open, frame, violation, peer-close, close, error. The one event stream. */
  onEvent: (event: WsdiagEvent) => void;
  /**
   * What joins the relay (./addon.ts): message policies, recorders, the dashboard, run summaries... in
   * this order: their hooks are called in it, and of two settings layers of one rank the later wins.
   */
  addons?: readonly ProxyAddon[];
  /** Largest message before `message-too-big` (bytes, 0 = no limit). */
  maxMessage?: number;
  /** Violations logged individually per rule and connection (default 20). */
  maxPerRule?: number;
  /**
   * Fail a connection on its first violation instead of relaying it (see README, --enforce): the
   * built-in forwarding strategy (./forwarding.ts), so no addon with `forwarding` may come with it.
   */
  enforce?: boolean;
  /** Do not verify the upstream's TLS certificate. */
  insecure?: boolean;
  /** Extra CA certificate(s) (PEM) trusted for the upstream. */
  ca?: string | Buffer;
  /**
   * Upstream names sent to chosen addresses, as curl's --resolve without the port: `{ 'app.test':
   * '127.0.0.1' }`; `*.example` covers every name under example. TLS still uses the name (SNI, certificate check).
   */
  resolve?: Readonly<Record<string, string>>;
  /**
   * Reach every upstream through this HTTP proxy with CONNECT: `http://[user:pass@]host:port`. The
   * credentials go in Proxy-Authorization and appear in no message or event.
   */
  upstreamProxy?: string;
  /** Serve TLS to clients (wss:// and https:// to wsdiag) with this certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  clock?: Clock;
  /** End a WebSocket connection after this long without a byte in either direction (default: never). */
  idleTimeoutMs?: number;
  /**
   * A Ping left this long (ms) without a Pong is reported as `ping-unanswered` (default 30000); 0 = only
   * when the connection ends.
   */
  pongTimeoutMs?: number;
  /** How long --enforce waits for both Close replies before it drops the connection (default 2000 ms). */
  enforceGraceMs?: number;
  /**
   * Client connections served at once (WebSockets, plain HTTP requests and idle keep-alive connections);
   * beyond it a request or upgrade is answered 503 and the connection closed. 0 = no limit. Default: from
   * the open-file limit, two descriptors per connection (see ./limits.ts defaultMaxConnections).
   */
  maxConnections?: number;
  /** A client that has not sent complete request headers after this long is answered 408 and closed (default 10000 ms; 0 = no limit). */
  headerTimeoutMs?: number;
  /**
   * close(): how long open WebSockets get to complete the closing handshake wsdiag starts with a Close
   * 1001 to both sides, before what is left is cut (default 5000 ms).
   */
  shutdownGraceMs?: number;
  /** Where operator warnings go (default: one line on stderr). */
  onWarning?: (message: string) => void;
  /**
   * This run's id: in the `listening` event (`run`) and in every connection id (`<run>-c1`), so the ids of
   * runs that append to one log never meet. Lowercase letters and digits. Default: a fresh random one
   * (6 base36 characters); pin it in tests, or to reuse an id of your own.
   */
  runId?: string;
  /**
   * Connection ids are the run id, `-`, this prefix and a counter (default "c": k3f9x2-c1, k3f9x2-c2, ...);
   * plain HTTP client connections are counted apart, as `h1`, `h2`... (`<prefix>h` for another prefix).
   */
  connPrefix?: string;
  /**
   * How the connection counters run (WebSocket `c` and plain HTTP `h` ids alike): `start`, `start + step`,
   * `start + 2 * step`... (default 1 and 1). Proxies that share a run id number their connections apart this
   * way: the relay workers of `runProxy({ workers })` are given start k and step N, so worker 1 of 2 has c1,
   * c3, c5... (and h1, h3...) and worker 2 has c2, c4, c6...
   */
  connCounter?: { start: number; step: number };
}

/** Where intercepted tunnels get their certificates: a leaf per server name (src/tls/ LeafCertificates is one). */
export interface CertificateSource {
  /** The leaf for a host name or address; rejects for a name no certificate can carry. */
  get(host: string): Promise<{ readonly secureContext: SecureContext }>;
  /** For TLSSocket's SNICallback: the leaf for the name the client sent. */
  readonly sniCallback: (servername: string, callback: (err: Error | null, ctx?: SecureContext) => void) => void;
}

/** Forward mode: what is intercepted, with which CA, and who may use the proxy. */
export interface ForwardOptions {
  /** Host globs whose CONNECT tunnels wsdiag terminates TLS for (default every host, `["*"]`); the others are tunnelled blind. */
  intercept?: readonly string[];
  /**
   * The leaf certificates intercepted tunnels are served with (src/tls/ LeafCertificates, minted from the
   * local CA). Required in forward mode; runProxy makes it from `caDir`.
   */
  certificates?: CertificateSource;
  /** The local CA's directory, for runProxy to open (default ~/.wsdiag; created on first use). */
  caDir?: string;
  /** Listen on an address other than loopback (refused without it: an open proxy is an abuse magnet). */
  allowRemote?: boolean;
  /** With `allowRemote`, the client ranges served (CIDR, e.g. 192.168.1.0/24); loopback clients always are. */
  allowFrom?: readonly string[];
}

export interface RunningProxy {
  /** The bound address, e.g. "127.0.0.1" or "::1". */
  address: string;
  port: number;
  /** The run id in the `listening` event and every connection id (ProxyOptions.runId, or the random one). */
  runId: string;
  /** ws://host:port (wss:// with `tls`): what a WebSocket client dials instead of the target. */
  url: string;
  /** http://host:port (https:// with `tls`). */
  httpUrl: string;
  /**
   * Stops accepting and ends every connection: each WebSocket gets a Close 1001 on both sides at a frame
   * boundary and up to `shutdownGraceMs` to complete the closing handshake. Resolves once every
   * connection emitted its close event.
   */
  close(): Promise<void>;
}
