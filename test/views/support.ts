/**
 * Helpers for the view tests. Importing this module has no side effects (the test runner also loads it
 * as a file).
 */
import assert from 'node:assert/strict';
import {
  describeMessage,
  resolveLimits,
  type MessageInput,
  type MessageView,
  type ViewLimits,
  type ViewNode,
} from '../../src/views/index.js';

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export { hex } from '../support/bytes.js';

export type Input = Partial<MessageInput> & Pick<MessageInput, 'bytes'>;

export function input(partial: Input): MessageInput {
  return { subprotocol: null, kind: 'text', truncated: false, ...partial };
}

/** The view, checked against the promises every view makes. */
export function view(partial: Input, limits?: Partial<ViewLimits>): MessageView {
  const result = describeMessage(input(partial), limits ? { limits } : {});
  assertWellFormed(result, resolveLimits(limits));
  return result;
}

/** C0/C1 controls and bidi overrides must never reach a terminal raw. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export function assertWellFormed(result: MessageView, limits: ViewLimits): void {
  assert.ok(result.summary.length <= limits.maxSummaryChars, `summary of ${result.summary.length} characters`);
  assert.ok(!UNSAFE.test(result.summary) && !result.summary.includes('\n'), `unsafe summary ${JSON.stringify(result.summary)}`);
  assert.ok(result.text.length <= limits.maxTextChars, `text of ${result.text.length} characters`);
  assert.ok(!UNSAFE.test(result.text), `unsafe text ${JSON.stringify(result.text.slice(0, 200))}`);
  if (result.detail) {
    const nodes = countNodes(result.detail);
    // The root and the per-packet wrappers are the renderer's own; the budget bounds the rest.
    assert.ok(nodes <= limits.maxNodes + limits.maxPackets + 2, `${nodes} detail nodes`);
  }
}

export function countNodes(node: ViewNode): number {
  let count = 0;
  const stack = [node];
  while (stack.length > 0) {
    const next = stack.pop()!;
    count++;
    for (const child of next.children ?? []) stack.push(child);
  }
  return count;
}

/** The value of the first node with this label, searching the whole tree. */
export function findValue(node: ViewNode | undefined, label: string): string | undefined {
  const stack = node ? [node] : [];
  while (stack.length > 0) {
    const next = stack.shift()!;
    if (next.label === label && next.value !== undefined) return next.value;
    stack.push(...(next.children ?? []));
  }
  return undefined;
}
