/**
 * The file behind `proxy --pcap FILE`: opened (created or emptied) before the proxy listens, so a path
 * that cannot be written is exit 2 before any client connects; written as the traffic comes, never
 * holding more than PCAP_MAX_PENDING unwritten bytes (the recorder leaves payloads out while it is full,
 * src/proxy/pcap.ts); a write failure is remembered, the run goes on, and it ends with exit 3.
 */
import { closeSync, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { OperationalError, UsageError } from '../errors.js';
import type { PcapOutput } from '../proxy/index.js';
import { describeFsError } from '../reporters/index.js';

/** Bytes handed to the file and not yet written, at most (a disk slower than the traffic costs no more memory). */
export const PCAP_MAX_PENDING = 32 * 1024 * 1024;

export class PcapFile implements PcapOutput {
  readonly path: string;
  readonly #stream: WriteStream;
  readonly #maxPending: number;
  #error: Error | undefined;
  #closed = false;

  /** Throws a UsageError naming the path when it cannot be opened for writing. */
  constructor(path: string, maxPending = PCAP_MAX_PENDING) {
    this.path = path;
    this.#maxPending = maxPending;
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (err) {
      throw new UsageError(`cannot open pcap file ${path}: ${describeFsError(err)}`, { cause: err });
    }
    try {
      this.#stream = createWriteStream(path, { fd });
    } catch (err) {
      closeSync(fd);
      throw new UsageError(`cannot open pcap file ${path}: ${describeFsError(err)}`, { cause: err });
    }
    this.#stream.on('error', (err: Error) => {
      this.#error ??= err;
      this.#closed = true;
    });
  }

  get full(): boolean {
    return this.#stream.writableLength > this.#maxPending;
  }

  write(bytes: Uint8Array): void {
    if (this.#closed || bytes.length === 0) return;
    this.#stream.write(bytes);
  }

  close(): Promise<void> {
    if (this.#closed) {
      this.#stream.destroy();
      return Promise.resolve();
    }
    this.#closed = true;
    return new Promise((resolve) => {
      this.#stream.end(() => resolve());
      // A failing end calls back with nothing: the 'error' listener records why, and 'close' follows.
      this.#stream.once('close', () => resolve());
    });
  }

  /** Throws the OperationalError a write failure deserves, if there was one. */
  check(): void {
    if (this.#error)
      throw new OperationalError(`cannot write pcap file ${this.path}: ${describeFsError(this.#error)}`, { cause: this.#error });
  }
}
