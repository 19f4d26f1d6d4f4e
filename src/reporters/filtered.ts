/**
 * A reporter that passes on only the events a predicate keeps: `proxy --type/--grep/...` narrows what
 * stdout shows while the log file, the summary and the dashboard, next to it, still see everything.
 */
import type { WsdiagEvent } from '../events/index.js';
import type { Reporter } from './types.js';

export class FilteredReporter implements Reporter {
  readonly #inner: Reporter;
  readonly #keep: (event: WsdiagEvent) => boolean;

  constructor(inner: Reporter, keep: (event: WsdiagEvent) => boolean) {
    this.#inner = inner;
    this.#keep = keep;
  }

  write(event: WsdiagEvent): void {
    if (this.#keep(event)) this.#inner.write(event);
  }

  flush(): Promise<void> {
    return this.#inner.flush();
  }

  close(): Promise<void> {
    return this.#inner.close ? this.#inner.close() : this.#inner.flush();
  }
}
