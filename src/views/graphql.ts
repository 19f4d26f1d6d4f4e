/**
 * GraphQL over WebSocket, both protocols that share the name "graphql-ws":
 *
 * - graphql-transport-ws, the protocol of the `graphql-ws` library (its PROTOCOL.md, "Message types"):
 *   connection_init, connection_ack, ping, pong, subscribe, next, error, complete. Anything else makes
 *   the server close with 4400 ("Invalid message").
 * - subscriptions-transport-ws, Apollo's legacy protocol (its PROTOCOL.md), whose subprotocol name is
 *   `graphql-ws`: connection_init, connection_ack, connection_error, ka, start, data, error, stop,
 *   complete, connection_terminate.
 *
 * So the subprotocol `graphql-ws` means the legacy protocol, not the library called graphql-ws. Every
 * message is a JSON object with `type`, and optionally `id` and `payload`.
 */
import type { RenderContext, Rendered } from './context.js';
import { NotThisProtocol } from './context.js';
import { compactJson, jsonNode, member, printJson, stringValue, textOf, type JsonNode } from './json.js';
import { payloadJson } from './json-view.js';
import { cutNote } from './raw.js';
import { NodeBudget, oneLine, textLines, TextOut } from './text.js';
import type { ViewNode, ViewProtocol } from './types.js';

export type GraphqlProtocol = Extract<ViewProtocol, 'graphql-transport-ws' | 'subscriptions-transport-ws'>;

export const TRANSPORT_TYPES = new Set(['connection_init', 'connection_ack', 'ping', 'pong', 'subscribe', 'next', 'error', 'complete']);
export const LEGACY_TYPES = new Set([
  'connection_init',
  'connection_ack',
  'connection_error',
  'ka',
  'start',
  'data',
  'error',
  'stop',
  'complete',
  'connection_terminate',
]);

/** Types only one of the two protocols has: enough to tell them apart from content alone. */
export function graphqlProtocolOfType(type: string): GraphqlProtocol | undefined {
  if (TRANSPORT_TYPES.has(type) && !LEGACY_TYPES.has(type)) return 'graphql-transport-ws';
  if (LEGACY_TYPES.has(type) && !TRANSPORT_TYPES.has(type)) return 'subscriptions-transport-ws';
  return undefined;
}

/** The subprotocol names: the library's protocol, and the legacy one that kept the name graphql-ws. */
export function graphqlProtocolFromSubprotocol(subprotocol: string | null): GraphqlProtocol | undefined {
  if (subprotocol === 'graphql-transport-ws') return 'graphql-transport-ws';
  if (subprotocol === 'graphql-ws') return 'subscriptions-transport-ws';
  return undefined;
}

/** The message as a JSON object with a string `type`, or undefined. */
export function graphqlMessage(ctx: RenderContext): { node: JsonNode; type: string } | undefined {
  const node = payloadJson(ctx);
  const type = stringValue(member(node ?? undefined, 'type'));
  return node && type !== undefined ? { node, type } : undefined;
}

export function renderGraphql(ctx: RenderContext, protocol: GraphqlProtocol): Rendered {
  const { limits } = ctx;
  const message = graphqlMessage(ctx);
  if (!message) {
    throw new NotThisProtocol(
      ctx.cut
        ? `${protocol} message cut by the body limit: shown raw`
        : `not a ${protocol} message: a JSON object with a "type" is expected`,
    );
  }
  const { node, type } = message;
  const id = member(node, 'id');
  const idText = id === undefined ? undefined : textOf(id);
  const payload = member(node, 'payload');
  const notes: string[] = [];
  const known = protocol === 'graphql-transport-ws' ? TRANSPORT_TYPES : LEGACY_TYPES;
  if (!known.has(type)) {
    const other = graphqlProtocolOfType(type);
    notes.push(
      other && other !== protocol
        ? `"${oneLine(type, 40)}" is a ${other} message, but the subprotocol ${protocol === 'subscriptions-transport-ws' ? '"graphql-ws" names subscriptions-transport-ws' : `is ${protocol}`}: client and server disagree on the protocol`
        : `"${oneLine(type, 40)}" is not a ${protocol} message type${protocol === 'graphql-transport-ws' ? ' (the server closes with 4400)' : ''}`,
    );
  }
  // connection_init carries what the client authenticates with (a token, headers): mask it.
  const mask = { maskSecrets: type === 'connection_init' };
  const query = stringValue(member(payload, 'query'));
  const operationName = stringValue(member(payload, 'operationName'));

  let detailText: string | undefined;
  if ((type === 'subscribe' || type === 'start') && payload) {
    detailText = operationName ?? (query !== undefined ? oneLine(query.replace(/\s+/g, ' ').trim(), 100) : undefined);
  } else if (type === 'error' && payload) {
    const first = payload.kind === 'array' ? payload.items[0] : payload;
    detailText = stringValue(member(first, 'message')) ?? compactJson(payload, 100);
  } else if (payload) {
    detailText = compactJson(payload, limits.maxSummaryChars, mask);
  }
  let summary = type;
  if (idText !== undefined) summary += ` id ${oneLine(idText, 40)}`;
  if (detailText !== undefined) summary += `: ${detailText}`;

  const out = new TextOut(limits.maxTextChars).line(
    `${protocol} ${oneLine(type, 40)}${idText !== undefined ? ` (id ${oneLine(idText, 80)})` : ''}`,
  );
  for (const note of notes) out.line(`(${note})`);
  const note = cutNote(ctx);
  if (note !== '') out.line(note);
  const budget = new NodeBudget(limits.maxNodes);
  const children: ViewNode[] = [];
  budget.leaf(children, 'type', type);
  if (idText !== undefined) budget.leaf(children, 'id', idText);
  if (payload) {
    if (query !== undefined) {
      // The query is a GraphQL document with its own line breaks: show it as written.
      if (operationName !== undefined) out.line(`operation: ${oneLine(operationName, 200)}`);
      out.line('query:');
      out.lines(textLines(query, '  ', limits.maxTextChars));
      const variables = member(payload, 'variables');
      if (variables && !isNull(variables)) {
        out.line('variables:');
        printJson(variables, out, '  ', limits.maxDepth);
      }
      const extensions = member(payload, 'extensions');
      if (extensions && !isNull(extensions)) {
        out.line('extensions:');
        printJson(extensions, out, '  ', limits.maxDepth, { maskSecrets: true });
      }
    } else {
      out.line('payload:');
      printJson(payload, out, '  ', limits.maxDepth, mask);
    }
    const tree = jsonNode('payload', payload, budget, limits.maxDepth, mask);
    if (tree) children.push(tree);
  }
  for (const n of notes) budget.leaf(children, 'note', n);
  return {
    view: {
      protocol,
      summary: oneLine(summary, limits.maxSummaryChars),
      text: out.toString(),
      detail: { label: `${protocol} ${type}`, children },
    },
  };
}

function isNull(node: JsonNode): boolean {
  return node.kind === 'literal' && node.source === 'null';
}
