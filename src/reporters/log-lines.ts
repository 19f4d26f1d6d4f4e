/**
 * Splits a byte stream into numbered lines. Works on bytes, so a UTF-8 character cut between two reads
 * is decoded whole, and keeps at most `maxLineBytes` of an unfinished line, so a file with no newlines
 * (a binary file passed by mistake) cannot exhaust memory: such a line comes out as `tooLong`.
 */

export interface LogLine {
  /** The line without its `\n` (and without a `\r` before it). Empty when `tooLong`. */
  text: string;
  /** 1-based line number in the current file. */
  number: number;
  /** The line exceeded the limit and was dropped. */
  tooLong?: boolean;
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;

export class LineSplitter {
  readonly #maxLineBytes: number;
  #parts: Buffer[] = [];
  #partBytes = 0;
  #overflow = false;
  #lineNumber = 0;

  constructor(maxLineBytes = DEFAULT_MAX_LINE_BYTES) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** The complete lines in `chunk` (plus what earlier chunks left unfinished). */
  push(chunk: Buffer): LogLine[] {
    const lines: LogLine[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      lines.push(this.#finish(chunk.subarray(start, nl)));
      start = nl + 1;
    }
    this.#keep(chunk.subarray(start));
    return lines;
  }

  /** The last line when the input ended without a newline, if there is one. */
  end(): LogLine[] {
    if (this.#partBytes === 0 && !this.#overflow) return [];
    return [this.#finish(Buffer.alloc(0))];
  }

  /** Forgets any unfinished line and numbers from 1 again (a truncated or replaced file). */
  reset(): void {
    this.#parts = [];
    this.#partBytes = 0;
    this.#overflow = false;
    this.#lineNumber = 0;
  }

  #keep(bytes: Buffer): void {
    if (bytes.length === 0 || this.#overflow) return;
    if (this.#partBytes + bytes.length > this.#maxLineBytes) {
      this.#overflow = true;
      this.#parts = [];
      this.#partBytes = 0;
      return;
    }
    // Copy: the caller reuses its read buffer.
    this.#parts.push(Buffer.from(bytes));
    this.#partBytes += bytes.length;
  }

  #finish(tail: Buffer): LogLine {
    const number = ++this.#lineNumber;
    const tooLong = this.#overflow || this.#partBytes + tail.length > this.#maxLineBytes;
    const bytes = tooLong ? Buffer.alloc(0) : Buffer.concat([...this.#parts, tail]);
    this.#parts = [];
    this.#partBytes = 0;
    this.#overflow = false;
    if (tooLong) return { text: '', number, tooLong: true };
    const text = bytes.toString('utf8');
    return { text: text.endsWith('\r') ? text.slice(0, -1) : text, number };
  }
}
