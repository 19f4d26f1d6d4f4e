/**
 * Forward mode: wsdiag as the explicit HTTP proxy a browser or an app is pointed at. Three kinds of
 * request reach it:
 *
 * - absolute-URI requests (`GET http://host:port/path`, `GET ws://host/chat` with an Upgrade): relayed
 *   to that origin by the same web and upgrade passes as reverse mode, with a target per request;
 * - `CONNECT host:port`: the upstream is dialled first (an unreachable host is a 502), then, for a host
 *   `intercept` matches, the tunnel is served as HTTP itself: TLS terminated with a leaf for the SNI name
 *   when the client's first byte is a ClientHello (0x16), plain HTTP otherwise (ws:// through CONNECT, as
 *   Chromium sends it); each request in it goes to `https://host:port` (or `http://`) over wsdiag's own,
 *   verified, TLS connection. Other hosts get a blind byte tunnel (./tunnel.ts);
 * - anything else (a request for the proxy itself): a 400 saying how to use it.
 *
 * The per-request target lives in a route: a tunnel's route is found from the socket a request arrived
 * on (a WeakMap, so it goes with the socket); an absolute-URI request's route is made from its URL. Every
 * upstream TCP connection is opened by `ctx.dial` (./dial.ts, or ./reach.ts with --resolve and --upstream-proxy).
 */
import { Agent as HttpAgent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { SCHEMA_VERSION, type Clock, type WsdiagEvent } from '../events/index.js';
import { printable, hostPort } from '../text.js';
import type { ClientAllowList } from './allow.js';
import { connectOver, poolingAgent, type Dial, type Done } from './dial.js';
import type { HostMatcher } from './host-glob.js';
import { plainResponse } from './http-head.js';
import { parseTarget, type Target } from './target.js';
import { relayBlind } from './tunnel.js';
import { handleUpgrade, type UpgradeContext } from './upgrade.js';
import { describeUpstreamError, type UpstreamConnector, type UpstreamTls } from './upstream.js';
import type { CertificateSource } from './types.js';
import type { WebPass, WebRoute } from './web.js';

/** What forward mode needs from the server that owns it. */
export interface ForwardContext {
  /** The proxy's HTTP server: a tunnel served as HTTP is handed to it as a new connection. */
  server: Server;
  /** Everything the upgrade pass needs but the target, which each route brings. */
  upgrade: Omit<UpgradeContext, 'target' | 'shownTarget'>;
  /** The web pass, made without a target. */
  web: WebPass;
  leaves: CertificateSource;
  intercept: HostMatcher;
  /** Null: only loopback listeners, every client served. */
  allow: ClientAllowList | null;
  tls: UpstreamTls;
  /** Opens every upstream TCP connection: ./dial.ts straight, or ./reach.ts (--resolve, --upstream-proxy). */
  dial: Dial;
  emit: (event: WsdiagEvent) => void;
  clock: Clock;
  /** A fresh id for a blind tunnel (`<run>-t1`). */
  nextTunnelId: () => string;
  trackPending: (abort: () => void) => () => void;
}

export interface ForwardPass {
  request(req: IncomingMessage, res: ServerResponse): void;
  upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void;
  connect(req: IncomingMessage, socket: Socket, head: Buffer): void;
  /** Ends the intercepted tunnels still open (after the relays in them were given their grace). */
  close(): void;
}

/** Where the requests of one tunnel, or one absolute-URI request, go. */
interface Route {
  http: WebRoute;
  ws: { target: Target; shown: string; connector: UpstreamConnector };
}

/** The first byte of a TLS record carrying a handshake message: a ClientHello opens every TLS connection. */
const TLS_HANDSHAKE = 0x16;

const CONNECT_OK = 'HTTP/1.1 200 Connection established\r\n\r\n';

export function createForwardPass(ctx: ForwardContext): ForwardPass {
  const routes = new WeakMap<Socket, Route>();
  const tunnels = new Set<Socket>();
  // Absolute-URI requests share two pools, keyed by host and port as node's agents do.
  const directAgents = {
    http: poolingAgent(false, (options, done) =>
      connectOver(() => ctx.dial(options.host, options.port), false, options.host, ctx.tls, done),
    ),
    https: poolingAgent(true, (options, done) =>
      connectOver(() => ctx.dial(options.host, options.port), true, options.host, ctx.tls, done),
    ),
  };

  const emitError = (message: string, conn: string | null = null): void =>
    ctx.emit({ v: SCHEMA_VERSION, type: 'error', ts: ctx.clock().toISOString(), conn, message });
  const who = (socket: Socket): string => hostPort(socket.remoteAddress ?? 'unknown', socket.remotePort ?? 0);

  /** False (and the client told 403) for a client outside the allowed ranges. */
  const allowed = (socket: Socket, refuse: (text: string) => void): boolean => {
    if (ctx.allow === null || routes.has(socket) || ctx.allow.allows(socket.remoteAddress ?? '')) return true;
    emitError(
      `Client ${who(socket)} is not in the allowed client ranges (${ctx.allow.sources.join(', ')}); it was answered 403 Forbidden.`,
    );
    refuse('wsdiag: this proxy does not serve your address.');
    return false;
  };

  /** An absolute-URI request's route, its URL rewritten to origin form for the passes; null if not one. */
  const directRoute = (req: IncomingMessage): Route | null => {
    const text = req.url ?? '';
    if (!/^(?:https?|wss?):\/\//i.test(text)) return null;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return null;
    }
    const secure = url.protocol === 'https:' || url.protocol === 'wss:';
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
    req.url = `${url.pathname}${url.search}`;
    const connect = (done: Done): void => connectOver(() => ctx.dial(host, port), secure, host, ctx.tls, done);
    return routeFor(secure, host, port, connect, directAgents[secure ? 'https' : 'http']);
  };

  const notAProxyRequest = (who: string): string =>
    `wsdiag is running as a forward proxy: set http://${who} as the client's HTTP proxy (e.g. curl --proxy, ` +
    'HTTPS_PROXY, chromium --proxy-server) rather than requesting it directly.';

  /** Serves a CONNECT tunnel's decrypted (or plain) stream as HTTP, through the server's own parser. */
  const serveAsHttp = (socket: Socket, route: Route): void => {
    routes.set(socket, route);
    ctx.server.emit('connection', socket);
  };

  const intercept = (client: Socket, upstream: Socket, head: Buffer, host: string, port: number): void => {
    // The connection dialled to check the host is the tunnel's first upstream connection.
    let spare: Socket | null = upstream;
    upstream.on('error', () => undefined);
    const tcp = (): Promise<Socket> => {
      const socket = spare;
      spare = null;
      return socket !== null && !socket.destroyed && socket.readyState === 'open' ? Promise.resolve(socket) : ctx.dial(host, port);
    };
    const routeOf = (secure: boolean, servername: string): Route => {
      const connect = (done: Done): void => connectOver(tcp, secure, servername, ctx.tls, done);
      const agent = poolingAgent(secure, (_options, done) => connect(done));
      client.once('close', () => agent.destroy());
      return routeFor(secure, host, port, connect, agent);
    };
    tunnels.add(client);
    client.once('close', () => {
      tunnels.delete(client);
      spare?.destroy();
      spare = null;
    });
    // Minted while the client sends its ClientHello (or served from the cache).
    const leaf = ctx.leaves.get(host);
    leaf.catch(() => undefined);

    const decide = (first: Buffer): void => {
      if (first[0] !== TLS_HANDSHAKE) {
        serveAsHttp(client, routeOf(false, host));
        // The server's parser reads the socket's handle directly: the bytes already read are given to it as data.
        client.emit('data', first);
        return;
      }
      // TLSSocket reads what is buffered in the socket before it takes over its handle.
      client.pause();
      client.unshift(first);
      leaf.then(
        (certificate) => {
          if (client.destroyed) return;
          const secure = new TLSSocket(client, {
            isServer: true,
            secureContext: certificate.secureContext,
            SNICallback: ctx.leaves.sniCallback,
            ALPNProtocols: ['http/1.1'],
          });
          const onHandshakeError = (err: NodeJS.ErrnoException): void => {
            emitError(`TLS with client ${who(client)} for ${hostPort(host, port)} failed: ${err.message}${clientTrustHint(err)}`);
            secure.destroy();
          };
          secure.once('error', onHandshakeError);
          secure.once('secure', () => {
            secure.off('error', onHandshakeError);
            // The name the client asked for is the one to verify upstream (it differs from a CONNECT to an address).
            const servername = typeof secure.servername === 'string' && secure.servername !== '' ? secure.servername : host;
            serveAsHttp(secure, routeOf(true, servername));
          });
        },
        (err: unknown) => {
          emitError(
            `Cannot intercept ${hostPort(host, port)} for client ${who(client)}: ${err instanceof Error ? err.message : String(err)}.`,
          );
          client.destroy();
        },
      );
    };
    if (head.length > 0) decide(head);
    else client.once('data', decide);
  };

  return {
    request(req, res) {
      const refuse = (text: string): void => {
        res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
        res.end(`${text}\n`);
      };
      if (!allowed(req.socket, refuse)) return;
      const route = routes.get(req.socket) ?? directRoute(req);
      if (route === null) {
        res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
        res.end(`${notAProxyRequest(hostPort(req.socket.localAddress ?? '127.0.0.1', req.socket.localPort ?? 0))}\n`);
        return;
      }
      // A forward proxy's own hop-by-hop header (browsers send it with absolute-URI requests) is not the upstream's business.
      delete req.headers['proxy-connection'];
      ctx.web.handle(req, res, route.http);
    },

    upgrade(req, socket, head) {
      socket.on('error', () => undefined);
      if (!allowed(socket, (text) => socket.end(plainResponse(403, text)))) return;
      const route = routes.get(socket) ?? directRoute(req);
      if (route === null) {
        socket.end(plainResponse(400, notAProxyRequest(hostPort(socket.localAddress ?? '127.0.0.1', socket.localPort ?? 0))));
        return;
      }
      const { target, shown, connector } = route.ws;
      handleUpgrade({ ...ctx.upgrade, target, shownTarget: shown, connector, eventTarget: shown }, req, socket, head);
    },

    connect(req, socket, head) {
      socket.on('error', () => undefined);
      const client = who(socket);
      if (!allowed(socket, (text) => socket.end(plainResponse(403, text)))) return;
      if (routes.has(socket)) {
        emitError(`Client ${client} sent a CONNECT inside a CONNECT tunnel; it was answered 400.`);
        socket.end(plainResponse(400, 'wsdiag: CONNECT inside a tunnel is not supported.'));
        return;
      }
      const authority = parseAuthority(req.url ?? '');
      if (authority === null) {
        emitError(
          `Client ${client} sent a malformed CONNECT request ("${printable(shorten(req.url ?? ''))}"): expected CONNECT host:port; it was answered 400.`,
        );
        socket.end(plainResponse(400, 'wsdiag: a CONNECT request needs host:port (e.g. CONNECT example.com:443).'));
        return;
      }
      const { host, port } = authority;
      let aborted = false;
      const untrack = ctx.trackPending(() => {
        aborted = true;
        socket.destroy();
      });
      ctx.dial(host, port).then(
        (upstream) => {
          untrack();
          if (aborted || socket.destroyed) {
            upstream.destroy();
            return;
          }
          socket.write(CONNECT_OK);
          if (ctx.intercept.matches(host)) intercept(socket, upstream, head, host, port);
          else
            relayBlind({
              conn: ctx.nextTunnelId(),
              client: socket,
              upstream,
              head,
              host,
              port,
              clock: ctx.clock,
              emit: ctx.emit,
              trackPending: ctx.trackPending,
            });
        },
        (err: unknown) => {
          untrack();
          if (aborted) return;
          const message = describeUpstreamError(hostPort(host, port), err as NodeJS.ErrnoException);
          emitError(`CONNECT ${hostPort(host, port)} from client ${client}: ${message}; it was answered 502.`);
          if (!socket.destroyed) socket.end(plainResponse(502, `wsdiag: ${message}`));
        },
      );
    },

    close() {
      for (const socket of [...tunnels]) socket.destroy();
      tunnels.clear();
      directAgents.http.destroy();
      directAgents.https.destroy();
    },
  };
}

/** A route to `host`:`port` whose connections `connect` opens and `agent` pools (plain HTTP). */
function routeFor(secure: boolean, host: string, port: number, connect: (done: Done) => void, agent: HttpAgent): Route {
  const authority = hostPort(host, port);
  const shown = `${secure ? 'wss' : 'ws'}://${authority}`;
  return {
    http: { origin: `${secure ? 'https' : 'http'}://${authority}`, agent },
    ws: { target: parseTarget(shown), shown, connector: (_target, _tls, done) => connect(done) },
  };
}

/** `host:port` of a CONNECT request (`[v6]:port` for IPv6), or null. */
export function parseAuthority(text: string): { host: string; port: number } | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/.exec(text);
  if (!match) return null;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return null;
  return { host: match[1] ?? match[2] ?? '', port };
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** The likely reason a client refused wsdiag's certificate. */
function clientTrustHint(err: NodeJS.ErrnoException): string {
  return /unknown ca|bad certificate|certificate unknown/i.test(err.message)
    ? ". The client does not trust wsdiag's CA: `wsdiag ca` shows how to trust it (or leave the host out of --intercept)."
    : '.';
}
