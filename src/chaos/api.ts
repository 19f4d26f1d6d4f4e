/**
 * The chaos run's HTTP API, modelled on toxiproxy's (one proxy, so its `/proxies/{proxy}` prefix goes):
 *
 *   GET    /toxics          every toxic, in the order they apply            200 [TOXIC…]
 *   POST   /toxics          add one (body: TOXIC; name, toxicity, attributes optional)   201 TOXIC
 *   GET    /toxics/{name}   one toxic                                        200 TOXIC
 *   PATCH  /toxics/{name}   change its toxicity or attributes (POST also accepted, as toxiproxy)   200 TOXIC
 *   DELETE /toxics/{name}   remove it                                        204
 *   POST   /reset           remove every toxic                               204
 *   GET    /types           the toxic types, their attributes and defaults   200 [TYPE…]
 *
 * Errors are JSON `{"error": "…", "status": N}` (toxiproxy's shape): 400 for a body that is not JSON or
 * not a valid toxic (the message names the field or attribute), 404 for an unknown toxic or route, and
 * for an unknown type (with `known`, the list of types), 405 for a method a route does not take (with
 * Allow), 409 for a name in use, 413 for a body over 64 KiB.
 *
 * Changes reach open connections at their next frame. The API has no authentication: it binds loopback
 * by default, answers there only to requests whose Host names this machine (DNS rebinding), and refuses
 * every request carrying an Origin header, which browsers add to cross-site writes, so a web page cannot
 * drive it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOn } from '../listen.js';
import { isLocalHostHeader, isLoopback } from '../proxy/index.js';
import { hostPort } from '../text.js';
import { ToxicError, type ToxicRegistry } from './registry.js';
import { describeToxicTypes } from './toxics/index.js';
import type { ChaosErrorBody } from './types.js';

export const DEFAULT_CHAOS_API_PORT = 8474;
const MAX_BODY = 64 * 1024;

export interface ChaosApiOptions {
  registry: ToxicRegistry;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port); toxiproxy's is 8474 (DEFAULT_CHAOS_API_PORT). */
  port?: number;
}

export interface RunningChaosApi {
  host: string;
  port: number;
  /** `http://HOST:PORT` (no trailing slash), what ChaosClient takes. */
  url: string;
  close(): Promise<void>;
}

export async function startChaosApi(options: ChaosApiOptions): Promise<RunningChaosApi> {
  const host = options.host ?? '127.0.0.1';
  let port = options.port ?? 0;
  const server: Server = createServer(
    (req, res) => void handle(options.registry, req, res, port, !isLoopback(host) && host !== 'localhost'),
  );
  await listenOn(server, host, port, { label: 'chaos API' });
  port = (server.address() as AddressInfo).port;
  return {
    host,
    port,
    url: `http://${hostPort(host, port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Route = { methods: Record<string, (req: IncomingMessage, name: string) => Promise<Answer> | Answer> };
type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

async function handle(registry: ToxicRegistry, req: IncomingMessage, res: ServerResponse, port: number, anyHost: boolean): Promise<void> {
  let answer: Answer;
  try {
    answer = await route(registry, req, port, anyHost);
  } catch (error) {
    answer = errorAnswer(error);
  }
  if (res.headersSent || res.destroyed) return;
  res.setHeader('Cache-Control', 'no-store');
  for (const [header, value] of Object.entries(answer.headers ?? {})) res.setHeader(header, value);
  if (answer.body === undefined) {
    res.writeHead(answer.status).end();
    return;
  }
  res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8' }).end(`${JSON.stringify(answer.body)}\n`);
}

async function route(registry: ToxicRegistry, req: IncomingMessage, port: number, anyHost: boolean): Promise<Answer> {
  if (req.headers.origin !== undefined)
    throw new ToxicError(403, 'requests from web pages (with an Origin header) are refused: the chaos API is for test code');
  if (!anyHost && !isLocalHostHeader(req.headers.host, port)) {
    throw new ToxicError(
      403,
      `Host "${req.headers.host ?? ''}" refused: this API answers only to its own loopback address (DNS rebinding protection)`,
    );
  }
  const path = new URL(req.url ?? '/', 'http://chaos.invalid').pathname.replace(/(.)\/+$/, '$1');
  const method = req.method ?? 'GET';
  let selected: Route | null = null;
  let name = '';
  if (path === '/toxics') {
    selected = {
      methods: {
        GET: () => ({ status: 200, body: registry.list() }),
        POST: async (r) => ({ status: 201, body: registry.add(await readJson(r)) }),
      },
    };
  } else if (path.startsWith('/toxics/') && path.indexOf('/', 8) < 0) {
    try {
      name = decodeURIComponent(path.slice(8));
    } catch {
      throw new ToxicError(400, `malformed %-escape in ${path}`);
    }
    const update = async (r: IncomingMessage, n: string): Promise<Answer> => ({ status: 200, body: registry.update(n, await readJson(r)) });
    selected = {
      methods: {
        GET: (_r, n) => ({ status: 200, body: registry.get(n) }),
        PATCH: update,
        POST: update,
        DELETE: (_r, n) => {
          registry.remove(n);
          return { status: 204 };
        },
      },
    };
  } else if (path === '/reset') {
    selected = {
      methods: {
        POST: () => {
          registry.reset();
          return { status: 204 };
        },
      },
    };
  } else if (path === '/types') {
    selected = { methods: { GET: () => ({ status: 200, body: describeToxicTypes() }) } };
  }
  if (!selected) throw new ToxicError(404, `no such route: ${method} ${path} (routes: /toxics, /toxics/{name}, /reset, /types)`);
  const handler = selected.methods[method];
  if (!handler) {
    const allow = Object.keys(selected.methods).join(', ');
    return { ...errorAnswer(new ToxicError(405, `${method} is not allowed on ${path} (allowed: ${allow})`)), headers: { Allow: allow } };
  }
  return handler(req, name);
}

function errorAnswer(error: unknown): Answer {
  if (error instanceof ToxicError) {
    const body: ChaosErrorBody = { error: error.message, status: error.status };
    if (error.known) body.known = error.known;
    return { status: error.status, body };
  }
  return { status: 500, body: { error: `internal error: ${(error as Error).message}`, status: 500 } satisfies ChaosErrorBody };
}

/** The request body as JSON; a bad one is a 400 that says why, an oversized one a 413. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  // An oversized body is read to its end (and dropped) before the answer, so the client gets to read it.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  }
  if (size > MAX_BODY) throw new ToxicError(413, `request body over ${MAX_BODY} bytes`);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ToxicError(
      400,
      `bad request body: ${text.trim() === '' ? 'empty (expected a JSON object)' : `not JSON (${(error as Error).message})`}`,
    );
  }
}
