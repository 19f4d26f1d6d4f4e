/**
 * Fans each event out to several reporters (pino's multistream): the pretty log on stdout, JSON Lines
 * in a log file and the summary collector all see the same events in the same order.
 */
import type { WsdiagEvent } from '../events/index.js';
import type { Reporter } from './types.js';

export class MultiReporter implements Reporter {
  readonly #reporters: readonly Reporter[];

  constructor(reporters: readonly Reporter[]) {
    this.#reporters = [...reporters];
  }

  get reporters(): readonly Reporter[] {
    return this.#reporters;
  }

  write(event: WsdiagEvent): void {
    for (const reporter of this.#reporters) reporter.write(event);
  }

  async flush(): Promise<void> {
    await Promise.all(this.#reporters.map((reporter) => reporter.flush()));
  }

  async close(): Promise<void> {
    await Promise.all(this.#reporters.map((reporter) => (reporter.close ? reporter.close() : reporter.flush())));
  }
}
