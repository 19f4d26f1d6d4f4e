/**
 * The dashboard's HTTP server: the page and its assets, the explain texts and message views as JSON, and
 * the live feed (a WebSocket at /feed) attached to a UiHub. Every request passes the checks of
 * ./security.ts first; every answer carries a Content-Security-Policy that forbids inline scripts (the
 * import map is allowed by its hash) and tells the browser not to sniff types or frame the page.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { listenOn } from '../listen.js';
import { hostPort } from '../text.js';
import { loadAssets } from './assets.js';
import { explainTopic } from './explain-api.js';
import type { UiHub } from './hub.js';
import { describeForUi } from './message-view.js';
import { hostAllowed, needsToken, newToken, originAllowed, presentedToken, tokenMatches, TOKEN_COOKIE } from './security.js';

export interface UiServerOptions {
  hub: UiHub;
  host: string;
  /** 0 = any free port. */
  port: number;
  /**
   * Require the token even on loopback (tests; a shared machine). Off the loopback it is always required.
   * A string is used as the token instead of a random one.
   */
  token?: boolean | string;
  /** The library option that chose the address, named in a listen error (default `ui`). */
  option?: string;
}

export interface RunningUi {
  address: string;
  port: number;
  /** The dashboard's address, without the token: safe to log. */
  url: string;
  /** What to open: the address with `?token=` when one is required (print it once, never log it). */
  openUrl: string;
  token: string | undefined;
  close(): Promise<void>;
}

export async function startUiServer(options: UiServerOptions): Promise<RunningUi> {
  const assets = loadAssets();
  const tokenRequired = options.token !== undefined && options.token !== false ? true : needsToken(options.host);
  const token = tokenRequired ? (typeof options.token === 'string' ? options.token : newToken()) : undefined;
  const hub = options.hub;
  let port = options.port;

  const common = (res: ServerResponse): void => {
    res.setHeader('Content-Security-Policy', assets.csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
  };

  /** The reason a request is refused, or undefined when it may go on. */
  const refusal = (req: IncomingMessage, url: URL): string | undefined => {
    if (!hostAllowed(req.headers.host, port, tokenRequired)) {
      return `wsdiag: this dashboard answers only to its own address (Host "${req.headers.host ?? ''}" refused: DNS rebinding protection).`;
    }
    if (token !== undefined && !tokenMatches(token, presentedToken(url, req.headers.cookie, req.headers.authorization))) {
      return 'wsdiag: missing or wrong token: open the dashboard with the URL (and ?token=…) wsdiag printed when it started.';
    }
    return undefined;
  };

  const server = createServer((req, res) => {
    common(res);
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const refused = refusal(req, url);
    if (refused) return plain(res, 403, refused);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return plain(res, 405, 'wsdiag: the dashboard only answers GET.');
    }
    if (url.searchParams.has('token') && token !== undefined) {
      // Jupyter's way: the token in the URL becomes a cookie, and the address bar loses it.
      res.setHeader('Set-Cookie', `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`);
      if (url.pathname === '/') {
        res.writeHead(303, { Location: '/' });
        return res.end();
      }
    }
    if (url.pathname === '/' || url.pathname === '/index.html') return send(res, 200, 'text/html; charset=utf-8', assets.html);
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      return res.end();
    }
    if (url.pathname === '/api/explain') {
      const answer = explainTopic(url.searchParams.get('topic'), url.searchParams.get('lang'));
      return json(res, answer.status, answer.body);
    }
    if (url.pathname === '/api/view') return json(res, ...messageView(url));
    const asset = assets.files.get(url.pathname);
    if (asset) return send(res, 200, asset.type, asset.body);
    return plain(res, 404, 'wsdiag: not found.');
  });

  const messageView = (url: URL): [number, unknown] => {
    const seq = Number(url.searchParams.get('seq'));
    const record = Number.isSafeInteger(seq) ? hub.record(seq) : undefined;
    const event = record?.event;
    if (!event || event['type'] !== 'message') return [404, { error: 'that message is no longer in the server buffer (--ui-buffer)' }];
    const data = typeof event['data'] === 'string' ? event['data'] : '';
    const bytes = event['encoding'] === 'base64' ? Buffer.from(data, 'base64') : Buffer.from(data, 'utf8');
    // The page knows which subprotocol the message's connection negotiated (its `open` event).
    const subprotocol = url.searchParams.get('subprotocol');
    const view = describeForUi({
      subprotocol: subprotocol === null || subprotocol === '' ? null : subprotocol.slice(0, 256),
      kind: String(event['kind']),
      bytes,
      truncated: event['truncated'] === true,
    });
    return [200, view];
  };

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1024 });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const refused =
      url.pathname !== '/feed'
        ? 'wsdiag: not found.'
        : (refusal(req, url) ??
          (originAllowed(req.headers.origin, req.headers.host)
            ? undefined
            : `wsdiag: the live feed refuses Origin "${req.headers.origin ?? ''}".`));
    if (refused) {
      const status = refused === 'wsdiag: not found.' ? '404 Not Found' : '403 Forbidden';
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(refused)}\r\n\r\n${refused}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // The page never sends anything that matters; a page that does is ignored, not trusted.
      ws.on('message', () => undefined);
      hub.attach(ws);
    });
  });

  await listenOn(server, options.host, options.port, { option: options.option ?? 'ui' });
  server.on('error', () => undefined);
  const bound = server.address() as AddressInfo;
  port = bound.port;
  const shownHost = bound.address === '0.0.0.0' ? '127.0.0.1' : bound.address === '::' ? '::1' : bound.address;
  const url = `http://${hostPort(shownHost, bound.port)}/`;

  let closing: Promise<void> | undefined;
  return {
    address: bound.address,
    port: bound.port,
    url,
    openUrl: token === undefined ? url : `${url}?token=${token}`,
    token,
    close: () =>
      (closing ??= (async () => {
        await hub.close();
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
}

function send(res: ServerResponse, status: number, type: string, body: Buffer): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': body.length });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(body)));
}

function plain(res: ServerResponse, status: number, text: string): void {
  send(res, status, 'text/plain; charset=utf-8', Buffer.from(`${text}\n`));
}
