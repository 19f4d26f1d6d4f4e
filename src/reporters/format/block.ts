/**
 * The layout every event's text shares in the human log: a header line starting with the event's time,
 * then indented detail lines aligned under the text after the time. Every string that came from the wire
 * or a log file goes through `printable()` (an escape sequence in a Close reason must not drive the
 * terminal).
 */
import type { MessageEvent } from '../../events/index.js';
import type { MessageView } from '../../views/index.js';
import type { Palette } from '../color.js';
import { printable as p, timeOfDay, wrap } from '../../text.js';

export interface FormatOptions {
  palette: Palette;
  width?: number | undefined;
  /**
   * The views of `message` payloads in their connection's context (MessageViews, fed every event); without
   * it each message is viewed on its own, as if its connection had no subprotocol.
   */
  views?: { describe(event: MessageEvent): MessageView | null } | undefined;
}

/** Marks of a violation's severity; `error` events reuse the error mark. */
export const MARK = { error: '✖', warning: '⚠' } as const;

export const GAP = '  ';

/** Collects a header line and indented detail lines. */
export class Block {
  readonly #lines: string[] = [];
  readonly #time: string;
  readonly #indent: string;
  readonly #options: FormatOptions;

  constructor(ts: string, options: FormatOptions) {
    this.#options = options;
    const time = timeOfDay(ts);
    this.#time = options.palette.time(time);
    this.#indent = ' '.repeat(time.length + GAP.length);
  }

  get c(): Palette {
    return this.#options.palette;
  }

  header(...parts: string[]): void {
    this.#lines.push(this.#time + GAP + parts.filter((part) => part !== '').join(GAP));
  }

  /** A detail line, printed as is (no wrapping: tables, frame positions, previews). */
  detail(text: string): void {
    this.#lines.push(this.#indent + text);
  }

  /** A detail sentence wrapped at the width, continuation lines aligned after the label. */
  sentence(label: string, text: string): void {
    const prefix = label === '' ? '' : `${this.c.label(`${label}:`)} `;
    const visible = label === '' ? 0 : label.length + 2;
    const lines = wrap(
      p(text),
      this.#options.width,
      { prefix: this.#indent + prefix, visible: this.#indent.length + visible },
      { prefix: this.#indent + ' '.repeat(visible), visible: this.#indent.length + visible },
    );
    this.#lines.push(...lines);
  }

  text(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

export function labelled(c: Palette, label: string, value: string): string {
  return `${c.label(label)} ${value}`;
}
