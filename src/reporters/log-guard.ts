/**
 * Tells a file that is not a wsdiag log (a text file, another tool's log, a binary passed by mistake)
 * from a wsdiag log with a few bad lines in it. wsdiag writes each event whole, so its logs start with an
 * event; a line that is not one is then a line a writer cut short (a crash mid-write) and is only warned
 * about. Before the first event, though, such lines are evidence against the whole file: their warnings
 * are held back, and once FOREIGN_LINE_LIMIT of them came first, or the file ended (with `-f`: everything
 * it held was read) with nothing else, the file is refused with one message instead of a warning per line.
 */
import { UsageError } from '../errors.js';
import { printable } from '../text.js';

/** Lines that are not wsdiag events, at the start of a file, after which it is judged not to be a log. */
export const FOREIGN_LINE_LIMIT = 5;

/** How much of the first line the refusal quotes. */
const QUOTE_CHARS = 60;

export interface BadLine {
  number: number;
  /** The line as read ('' for a line too long to keep). */
  text: string;
  /** Why it is not an event, e.g. "not JSON". */
  reason: string;
}

export class LogGuard {
  readonly #file: string;
  readonly #warn: (line: BadLine) => void;
  /** Bad lines seen before the first event, warnings not yet shown. */
  #held: BadLine[] = [];
  #sawEvent = false;

  /** `warn` shows one bad line's warning (at once, or once the file has proved to be a log). */
  constructor(file: string, warn: (line: BadLine) => void) {
    this.#file = file;
    this.#warn = warn;
  }

  /** A line that is a wsdiag event (or one of the sandwich's own lines): the file is a log. */
  event(): void {
    if (this.#sawEvent) return;
    this.#sawEvent = true;
    for (const line of this.#held) this.#warn(line);
    this.#held = [];
  }

  /** A non-empty line that is not an event: warned about, or held; throws when the file is judged foreign. */
  bad(line: BadLine): void {
    if (this.#sawEvent) return this.#warn(line);
    this.#held.push(line);
    const [first = line] = this.#held;
    if (this.#held.length >= FOREIGN_LINE_LIMIT)
      throw this.#refusal(first, `none of its first ${FOREIGN_LINE_LIMIT} lines is a wsdiag event`);
  }

  /** The reader has read everything the file holds; throws when all of it was lines that are not events. */
  caughtUp(): void {
    const [first] = this.#held;
    if (this.#sawEvent || first === undefined) return;
    const count = this.#held.length;
    throw this.#refusal(first, count === 1 ? 'its only line is not a wsdiag event' : `none of its ${count} lines is a wsdiag event`);
  }

  #refusal(first: BadLine, what: string): UsageError {
    const chars = [...first.text];
    const text = chars.length > QUOTE_CHARS ? `${chars.slice(0, QUOTE_CHARS).join('')}…` : first.text;
    const quote = first.text === '' ? '' : `: "${printable(text)}"`;
    return new UsageError(`${this.#file} does not look like a wsdiag log: ${what} (line ${first.number}, ${first.reason}${quote})`);
  }
}
