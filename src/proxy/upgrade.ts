/**
 * Our replacement for http-proxy's WebSocket pass: the upgrade request relayed to the upstream, its
 * answer relayed back, the handshake checked on both, and on 101 the connection's addons asked for
 * their part, its settings resolved once, and the two sockets handed to a Relay. Unlike http-proxy's one-line pipe, nothing here can hide bytes from the analyzer, and an
 * 'error' listener is on each socket from the moment we hold it.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { SCHEMA_VERSION, type Clock, type ErrorEvent, type OpenEvent, type WsdiagEvent } from '../events/index.js';
import { checkUpgradeRequest, checkUpgradeResponse, type UpgradeRequestInfo, type Finding } from '../protocol/index.js';
import type { Redactor } from '../redact.js';
import { getRule } from '../rules/index.js';
import { ConnectionAnalyzer, type AnalyzerOptions } from '../session/index.js';
import type { AddonHost } from './addon-host.js';
import { HttpExchange } from './exchange.js';
import { plainBody, plainResponse, relayResponse, responseHead } from './http-head.js';
import { Relay } from './relay.js';
import { analyzerSettings, resolveSettings, settingsField, type ConnectionSettings, type SettingValues } from './settings.js';
import { upstreamPath, type Target } from './target.js';
import { hostPort } from '../text.js';
import type { ConnectionInfo, SocketAddress, TappedHandshake } from './types.js';
import { describeUpstreamError, requestUpstream, type UpstreamConnector, type UpstreamTls } from './upstream.js';

/** What the upgrade pass needs from the server that owns it. */
export interface UpgradeContext {
  target: Target;
  /** The target URL as messages show it. */
  shownTarget: string;
  tls: UpstreamTls;
  /** What events may show of the request (paths, subprotocols, reason phrases); the upstream always gets it as sent. */
  redact: Redactor;
  clock: Clock;
  emit: (event: WsdiagEvent) => void;
  /** --enforce refuses a bad upgrade request or 101 here; its frame part is a forwarding strategy (an addon). */
  enforce: boolean;
  idleTimeoutMs?: number;
  addons: AddonHost;
  /** The proxy's own settings (rank `proxy`), under every addon's layers. */
  proxySettings: Partial<SettingValues>;
  /** A connection's settings when no addon has a layer for it: resolved once for the run. */
  baseSettings: ConnectionSettings;
  /** The analyzer options `baseSettings` give, with redaction and suppression counting. */
  baseAnalyzer: Omit<AnalyzerOptions, 'conn' | 'onEvent' | 'clock'>;
  nextConnId: () => string;
  /** How to open the upstream connection (./reach.ts: --resolve, --upstream-proxy; forward mode dials every upstream that way); default straight to `target`. */
  connector?: UpstreamConnector;
  /** Forward mode: the target as `open` and `http` events show it (`wss://host:port`); reverse mode leaves it out. */
  eventTarget?: string;
  /** Registers an upgrade in flight so shutdown can abort it; returns the function that unregisters it. */
  trackPending: (abort: () => void) => () => void;
  /** Registers a live connection so shutdown can end it. */
  trackRelay: (relay: Relay) => void;
}

export function handleUpgrade(ctx: UpgradeContext, req: IncomingMessage, client: Socket, clientHead: Buffer): void {
  // First thing: a client that resets now must not crash the process (http-proxy #1468).
  const onEarlyClientError = (): void => {};
  client.on('error', onEarlyClientError);

  const conn = ctx.nextConnId();
  const clientAddress = hostPort(client.remoteAddress ?? 'unknown', client.remotePort ?? 0);
  // What events and messages show; the upstream gets the request target as sent (requestTarget).
  const requestTarget = req.url ?? '/';
  const path = ctx.redact.path(requestTarget);
  const requestInfo: UpgradeRequestInfo = { method: req.method ?? '', httpVersion: req.httpVersion, headers: req.headers };
  const requestFindings = checkUpgradeRequest(requestInfo);
  const tapped = (status: number, response: IncomingMessage['headers']): TappedHandshake => ({
    method: req.method ?? '',
    path,
    upstream: { path: ctx.redact.path(upstreamPath(ctx.target, requestTarget)), host: ctx.target.hostHeader },
    request: req.headers,
    status,
    response,
  });

  // An upgrade that does not become a WebSocket connection is an HTTP exchange like any other: its `http`
  // event comes once the client has had its whole answer (or went away). One that does is told by `open`.
  const exchange = new HttpExchange(
    {
      conn,
      client: clientAddress,
      method: req.method ?? '',
      path,
      upgrade: true,
      ...(ctx.eventTarget !== undefined ? { target: ctx.eventTarget } : {}),
    },
    ctx.clock,
    ctx.emit,
  );
  let answered = 0;
  const endExchange = (): void => exchange.end(answered, !client.writableFinished);
  client.once('finish', endExchange);
  client.once('close', endExchange);
  /** wsdiag's own answer, and the end of the client connection. */
  const answer = (status: number, text: string): void => {
    answered = status;
    exchange.countResponse(plainBody(text));
    client.end(plainResponse(status, text));
  };

  // Until the relay owns the client socket, shutdown ends it from here (also while an answer that is
  // not a 101 is still being relayed).
  let upstreamReq: ClientRequest | null = null;
  let settled = false;
  const untrack = ctx.trackPending(() => {
    // Shutdown: whatever the upstream does next is not news.
    settled = true;
    upstreamReq?.destroy();
    client.destroy();
    // Now, not on the socket's 'close', which may come only after the run's summary.
    endExchange();
  });
  // The client gave up before the upstream answered: drop the upstream request too.
  const onEarlyClientClose = (): void => {
    untrack();
    if (settled) return;
    settled = true;
    upstreamReq?.destroy();
  };
  client.on('close', onEarlyClientClose);
  /** The first answer wins; later ones (after the client left) are dropped. */
  const settle = (): boolean => {
    if (settled) return false;
    settled = true;
    return true;
  };

  if (ctx.enforce && hasError(requestFindings)) {
    settled = true;
    reportHandshakeOnly(ctx, conn, requestFindings, []);
    const rules = ruleList(requestFindings);
    emitError(
      ctx,
      conn,
      `--enforce refused the upgrade request from ${clientAddress} for ${path} (${rules}); the upstream was not contacted.`,
    );
    answer(400, `wsdiag --enforce refused this WebSocket upgrade request:\n${findingLines(requestFindings)}`);
    return;
  }

  upstreamReq = requestUpstream(
    ctx.target,
    ctx.tls,
    {
      method: req.method ?? 'GET',
      path: upstreamPath(ctx.target, requestTarget),
      rawHeaders: req.rawHeaders,
    },
    ctx.connector,
  );

  upstreamReq.on('error', (err: NodeJS.ErrnoException) => {
    if (!settle()) return;
    reportHandshakeOnly(ctx, conn, requestFindings, []);
    const message = describeUpstreamError(ctx.shownTarget, err);
    emitError(ctx, conn, `${message}.`);
    if (!client.destroyed) answer(502, `wsdiag: ${message}`);
  });

  upstreamReq.on('response', (res: IncomingMessage) => {
    if (!settle()) {
      res.destroy();
      return;
    }
    reportHandshakeOnly(ctx, conn, requestFindings, []);
    const status = res.statusCode ?? 0;
    ctx.addons.answered(conn, tapped(status, res.headers));
    const statusText = res.statusMessage ? `${status} ${ctx.redact.text(res.statusMessage)}` : String(status);
    emitError(
      ctx,
      conn,
      `The upstream answered the upgrade of ${path} with ${statusText} instead of 101 Switching Protocols; the answer was relayed to the client.`,
      status,
    );
    answered = status;
    relayResponse(res, client, exchange.countResponse);
  });

  upstreamReq.on('upgrade', (res: IncomingMessage, upstream: Socket, upstreamHead: Buffer) => {
    const onEarlyUpstreamError = (): void => {};
    upstream.on('error', onEarlyUpstreamError);
    if (!settle() || client.destroyed) {
      upstream.destroy();
      return;
    }
    const check = checkUpgradeResponse(requestInfo, { statusCode: res.statusCode ?? 0, headers: res.headers }, ctx.redact);

    if (ctx.enforce && hasError(check.findings)) {
      reportHandshakeOnly(ctx, conn, requestFindings, check.findings);
      const rules = ruleList(check.findings);
      emitError(ctx, conn, `--enforce refused the upstream's 101 response for ${path} (${rules}); the client got a 502.`);
      answer(502, `wsdiag --enforce refused the upstream's WebSocket handshake:\n${findingLines(check.findings)}`);
      upstream.destroy();
      return;
    }

    // The decoder gets the handshake as negotiated; events and addons (the policies quote the route) get
    // it as shown. Profiles are named by subprotocols redaction never touches (mqtt, wamp.2.json).
    const subprotocol = check.subprotocol === null ? null : ctx.redact.subprotocols(check.subprotocol);
    const extensions = check.extensions === null ? null : ctx.redact.text(check.extensions);
    const legs = {
      client: { client: remoteOf(client), server: localOf(client) },
      upstream: { client: localOf(upstream), server: remoteOf(upstream) },
    };
    const info: ConnectionInfo = { conn, path, subprotocol, extensions, legs };
    const handshake = tapped(res.statusCode ?? 101, res.headers);
    const addons = ctx.addons.open(info, handshake);
    // Settings are resolved here, once: the subprotocol is known and no byte has been decoded yet.
    const settings = addons.layers.length === 0 ? ctx.baseSettings : resolveSettings(ctx.proxySettings, addons.layers);
    const relay = new Relay({
      conn,
      client,
      upstream,
      analyzer: {
        ...(settings === ctx.baseSettings ? ctx.baseAnalyzer : { ...ctx.baseAnalyzer, ...analyzerSettings(settings) }),
        extensions: check.extensions,
        subprotocol: check.subprotocol,
        ...(addons.observers ? { observers: addons.observers } : {}),
      },
      emit: addons.emit,
      clock: ctx.clock,
      ...(ctx.addons.forwarding ? { forwarding: ctx.addons.forwarding } : {}),
      ...(ctx.idleTimeoutMs !== undefined ? { idleTimeoutMs: ctx.idleTimeoutMs } : {}),
      ...(addons.tap ? { tap: addons.tap } : {}),
      ...(addons.tapEnd ? { tapEnd: addons.tapEnd } : {}),
      ...(addons.sent ? { sent: addons.sent } : {}),
      ...(addons.ended ? { ended: addons.ended } : {}),
    });
    // The relay's own listeners are attached: the placeholders can go, and shutdown goes through the relay.
    client.off('error', onEarlyClientError);
    client.off('close', onEarlyClientClose);
    client.off('finish', endExchange);
    client.off('close', endExchange);
    exchange.cancel();
    upstream.off('error', onEarlyUpstreamError);
    untrack();

    client.write(responseHead(res));
    const open: OpenEvent = {
      v: SCHEMA_VERSION,
      type: 'open',
      ts: ctx.clock().toISOString(),
      conn,
      client: clientAddress,
      path,
      subprotocol,
      extensions,
    };
    if (ctx.eventTarget !== undefined) open.target = ctx.eventTarget;
    const decided = settingsField(settings);
    if (decided) open.settings = decided;
    addons.emit(open);
    relay.analyzer.report('client->server', requestFindings);
    relay.analyzer.report('server->client', check.findings);
    ctx.trackRelay(relay);
    addons.opened({
      conn,
      settings,
      setTypePolicy: (dir, policy) => relay.analyzer.setTypePolicy(dir, policy),
      emit: addons.emit,
      stats: () => relay.stats(),
      afterWrites: (dir, done) => relay.afterWrites(dir, done),
    });
    relay.start(clientHead, upstreamHead);
  });
}

function remoteOf(socket: Socket): SocketAddress {
  return { ip: socket.remoteAddress ?? UNKNOWN_IP, port: socket.remotePort ?? 0 };
}

function localOf(socket: Socket): SocketAddress {
  return { ip: socket.localAddress ?? UNKNOWN_IP, port: socket.localPort ?? 0 };
}

/** A socket closed before it was asked no longer knows its addresses. */
const UNKNOWN_IP = '0.0.0.0';

/**
 * Handshake findings of an upgrade that never became a connection (refused, unreachable, non-101): they
 * are still violations of that connection id, but no `open`/`close` pair surrounds them.
 */
function reportHandshakeOnly(ctx: UpgradeContext, conn: string, requestFindings: Finding[], responseFindings: Finding[]): void {
  if (requestFindings.length === 0 && responseFindings.length === 0) return;
  const analyzer = new ConnectionAnalyzer({
    ...ctx.baseAnalyzer,
    conn,
    clock: ctx.clock,
    onEvent: ctx.emit,
  });
  analyzer.report('client->server', requestFindings);
  analyzer.report('server->client', responseFindings);
}

function emitError(ctx: UpgradeContext, conn: string, message: string, status?: number): void {
  const event: ErrorEvent = { v: SCHEMA_VERSION, type: 'error', ts: ctx.clock().toISOString(), conn, message };
  if (status !== undefined) event.status = status;
  ctx.emit(event);
}

function hasError(findings: readonly Finding[]): boolean {
  return findings.some((f) => getRule(f.rule).severity === 'error');
}

function ruleList(findings: readonly Finding[]): string {
  return [...new Set(findings.map((f) => f.rule))].join(', ');
}

function findingLines(findings: readonly Finding[]): string {
  return findings.map((f) => `- ${f.rule}: ${f.message}`).join('\n');
}
