/** A JSON value as a collapsible tree (native details/summary), every key and value a text node. */
import { html } from 'htm/preact';
import type { VNode } from 'preact';

const MAX_CHILDREN = 500;

export function JsonTree({ value, name, depth = 0 }: { value: unknown; name?: string; depth?: number }): VNode {
  const label = name === undefined ? null : html`<span class="json-key">${name}</span><span class="json-punct">: </span>`;
  if (value === null || typeof value !== 'object') {
    return html`<div class="json-leaf">
      ${label}<span class=${`json-${value === null ? 'null' : typeof value}`}>${JSON.stringify(value)}</span>
    </div>`;
  }
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  const brackets = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  const shown = entries.slice(0, MAX_CHILDREN);
  return html`<details class="json-node" open=${depth < 2}>
    <summary>
      ${label}<span class="json-punct">${brackets[0]}</span
      ><span class="json-count">${entries.length} ${Array.isArray(value) ? 'items' : 'keys'}</span
      ><span class="json-punct">${brackets[1]}</span>
    </summary>
    <div class="json-children">
      ${shown.map(([k, v]) => html`<${JsonTree} value=${v} name=${k} depth=${depth + 1} />`)}
      ${entries.length > shown.length ? html`<div class="json-more">… ${entries.length - shown.length} more</div>` : null}
    </div>
  </details>`;
}
