/**
 * `describeMessage`: which view fits a message, and the view. Detection goes by the negotiated
 * subprotocol first (mqtt, mqttv3.1, v1x.stomp, graphql-transport-ws, graphql-ws), then by the path
 * (Socket.IO and Engine.IO negotiate none: `/socket.io/`, `/engine.io/`, `EIO=` say it), then by content.
 * A view that does not fit the bytes falls back to the raw form (text, or a hex dump) with a note saying
 * why; nothing here throws, whatever the bytes.
 */
import { NotThisProtocol, type RenderContext, type Rendered, type ViewState } from './context.js';
import { graphqlProtocolFromSubprotocol, graphqlProtocolOfType, renderGraphql } from './graphql.js';
import { member, stringValue } from './json.js';
import { looksLikeJson, payloadJson, renderCutJson, renderJson } from './json-view.js';
import { looksLikeMqttConnect, mqttLevelFromSubprotocol, renderMqtt } from './mqtt.js';
import { renderControl, renderRaw } from './raw.js';
import { eioFromPath, engineIoPath, looksLikeEngineIo, renderEngineIo } from './socketio.js';
import { looksLikeStomp, renderStomp, stompVersionFromSubprotocol } from './stomp.js';
import { clip, decodeUtf8, oneLine } from './text.js';
import { DEFAULT_VIEW_LIMITS, type MessageInput, type MessageView, type ViewLimits } from './types.js';

export interface DescribeOptions {
  limits?: Partial<ViewLimits>;
}

/** The view of one message, on its own (see ConversationViews for what a connection's history adds). */
export function describeMessage(input: MessageInput, options: DescribeOptions = {}): MessageView {
  return renderMessage(input, {}, resolveLimits(options.limits)).view;
}

/** The limits with defaults filled in; nonsense values (negative, NaN) fall back to the defaults. */
export function resolveLimits(partial: Partial<ViewLimits> | undefined): ViewLimits {
  const limits = { ...DEFAULT_VIEW_LIMITS };
  if (partial) {
    for (const key of Object.keys(limits) as Array<keyof ViewLimits>) {
      const value = partial[key];
      if (typeof value === 'number' && Number.isFinite(value) && value >= 1) limits[key] = Math.floor(value);
    }
  }
  // Below these no view can say anything useful.
  limits.maxSummaryChars = Math.max(limits.maxSummaryChars, 16);
  limits.maxTextChars = Math.max(limits.maxTextChars, 128);
  return limits;
}

/** The view and what it tells about later messages. Internal: ConversationViews passes the state. */
export function renderMessage(raw: MessageInput, state: ViewState, limits: ViewLimits): Rendered {
  const input = normalize(raw);
  const { bytes } = input;
  const eio = state.eio ?? eioFromPath(input.path);
  const ctx: RenderContext = {
    input,
    bytes: bytes.length > limits.maxInputBytes ? bytes.subarray(0, limits.maxInputBytes) : bytes,
    cut: input.truncated || bytes.length > limits.maxInputBytes,
    limits,
    state: eio === undefined ? state : { ...state, eio },
  };
  try {
    return bounded(choose(ctx), limits);
  } catch {
    // A bug in a view must not cost the log its line: the raw form, and failing that a bare line.
    try {
      return bounded(renderRaw(ctx, ['the protocol view failed on this message; shown raw']), limits);
    } catch {
      return { view: { protocol: 'hex', summary: `${ctx.bytes.length} bytes`, text: `${ctx.bytes.length} bytes` } };
    }
  }
}

const KINDS: ReadonlySet<string> = new Set(['text', 'binary', 'ping', 'pong', 'close']);

/** The input as its type says, whatever a JavaScript caller passed: every field checked once, here. */
function normalize(input: unknown): MessageInput {
  const value: Partial<Record<keyof MessageInput, unknown>> = typeof input === 'object' && input !== null ? input : {};
  const normalized: MessageInput = {
    subprotocol: typeof value.subprotocol === 'string' ? value.subprotocol : null,
    kind: typeof value.kind === 'string' && KINDS.has(value.kind) ? (value.kind as MessageInput['kind']) : 'binary',
    bytes: value.bytes instanceof Uint8Array ? value.bytes : new Uint8Array(0),
    truncated: value.truncated === true,
    path: typeof value.path === 'string' ? value.path : null,
  };
  if (value.dir === 'client->server' || value.dir === 'server->client') normalized.dir = value.dir;
  if (typeof value.size === 'number' && Number.isSafeInteger(value.size) && value.size >= 0) normalized.size = value.size;
  return normalized;
}

function choose(ctx: RenderContext): Rendered {
  const { input } = ctx;
  if (input.kind === 'ping' || input.kind === 'pong' || input.kind === 'close') return renderControl(ctx);

  // 1. The subprotocol both sides agreed on.
  const subprotocol = input.subprotocol;
  const lower = subprotocol?.toLowerCase() ?? null;
  if (lower === 'mqtt' || lower === 'mqttv3.1') return attempt(ctx, () => renderMqtt(ctx, mqttLevelFromSubprotocol(subprotocol)));
  const stompVersion = stompVersionFromSubprotocol(subprotocol);
  if (stompVersion !== undefined || lower === 'stomp') return attempt(ctx, () => renderStomp(ctx, stompVersion));
  const graphql = graphqlProtocolFromSubprotocol(subprotocol);
  if (graphql !== undefined) return attempt(ctx, () => renderGraphql(ctx, graphql));

  // 2. The path: Engine.IO (and Socket.IO over it) has no subprotocol.
  const engine = engineIoPath(input.path);
  if (engine !== undefined || ctx.state.known === 'engine.io') {
    return attempt(ctx, () => renderEngineIo(ctx, { bare: engine !== undefined && !engine.socketIo }));
  }

  // 3. The content.
  if (input.kind === 'binary' && looksLikeMqttConnect(ctx.bytes)) return attempt(ctx, () => renderMqtt(ctx, undefined));
  if (looksLikeStomp(ctx.bytes)) return attempt(ctx, () => renderStomp(ctx, undefined));
  if (input.kind === 'text' && looksLikeEngineIo(decodeUtf8(ctx.bytes, ctx.cut).text)) {
    return attempt(ctx, () => renderEngineIo(ctx, { bare: false }));
  }
  const json = payloadJson(ctx);
  const type = stringValue(member(json ?? undefined, 'type'));
  const graphqlByContent = type !== undefined ? graphqlProtocolOfType(type) : undefined;
  if (graphqlByContent !== undefined) return attempt(ctx, () => renderGraphql(ctx, graphqlByContent));
  if (json) return renderJson(ctx, json);
  if (ctx.cut && looksLikeJson(ctx.bytes) && decodeUtf8(ctx.bytes, true).valid) return renderCutJson(ctx);
  return renderRaw(ctx);
}

/** Runs a protocol view; when the bytes do not follow the protocol, the raw form says why. */
function attempt(ctx: RenderContext, view: () => Rendered): Rendered {
  try {
    return view();
  } catch (error) {
    if (error instanceof NotThisProtocol) return renderRaw(ctx, [error.message]);
    return renderRaw(ctx, ['the protocol view failed on this message; shown raw']);
  }
}

/** The last guard on the sizes the limits promise. */
function bounded(rendered: Rendered, limits: ViewLimits): Rendered {
  const view = rendered.view;
  view.summary = oneLine(view.summary, limits.maxSummaryChars);
  if (view.text.length > limits.maxTextChars) view.text = clip(view.text, limits.maxTextChars);
  return rendered;
}
