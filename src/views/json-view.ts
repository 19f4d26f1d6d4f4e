/**
 * The JSON view: a payload that parses as a JSON object or array, pretty-printed with its keys in the
 * order they were sent. A payload cut by the body limit cannot be parsed; it is shown raw with a note.
 */
import type { RenderContext, Rendered } from './context.js';
import { compactJson, jsonNode, parseJson, printJson, type JsonNode } from './json.js';
import { renderText } from './raw.js';
import { decodeUtf8, NodeBudget, TextOut } from './text.js';

/** The payload as JSON when it is a whole, valid JSON object or array; null otherwise. */
export function payloadJson(ctx: RenderContext): JsonNode | null {
  return jsonOfBytes(ctx.bytes, ctx.cut, ctx.limits.maxDepth);
}

/** `bytes` as JSON when they are a whole, valid JSON object or array; null otherwise. */
export function jsonOfBytes(bytes: Uint8Array, cut: boolean, maxDepth: number): JsonNode | null {
  if (cut || !looksLikeJson(bytes)) return null;
  const { text, valid } = decodeUtf8(bytes, false);
  if (!valid) return null;
  const node = parseJson(text, maxDepth);
  return node && (node.kind === 'object' || node.kind === 'array' || node.kind === 'deep') ? node : null;
}

/** First non-whitespace byte is `{` or `[`: cheap enough to try before parsing. */
export function looksLikeJson(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b || b === 0x5b;
  }
  return false;
}

export function renderJson(ctx: RenderContext, node: JsonNode): Rendered {
  const { limits } = ctx;
  const out = new TextOut(limits.maxTextChars);
  printJson(node, out, '', limits.maxDepth);
  const detail = jsonNode('json', node, new NodeBudget(limits.maxNodes), limits.maxDepth) ?? { label: 'json' };
  return { view: { protocol: 'json', summary: compactJson(node, limits.maxSummaryChars), text: out.toString(), detail } };
}

/** A cut payload that starts like JSON: raw text, saying why it is not pretty-printed. */
export function renderCutJson(ctx: RenderContext): Rendered {
  return renderText(ctx, ['JSON, but not whole: shown raw']);
}
