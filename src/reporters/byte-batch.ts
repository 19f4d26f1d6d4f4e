/**
 * Lines gathered as UTF-8 in one buffer, to be handed to a stream in one write: each line is encoded once,
 * straight into place, and no string of hundreds of kilobytes is joined (and flattened, and converted)
 * on the relay's thread. See LineSink's `gatherMs`.
 */
export class ByteBatch {
  readonly #capacity: number;
  #bytes: Buffer | null = null;
  #used = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get empty(): boolean {
    return this.#used === 0;
  }

  /** Adds `text` and returns true, or returns false when it might not fit in the room left (take() first). */
  add(text: string): boolean {
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, two units, is 4).
    if (text.length * 3 > this.#capacity - this.#used) return false;
    this.#bytes ??= Buffer.allocUnsafe(this.#capacity);
    this.#used += this.#bytes.write(text, this.#used, 'utf8');
    return true;
  }

  /** Drops what was gathered (the stream went away); the buffer is kept for reuse. */
  clear(): void {
    this.#used = 0;
  }

  /**
   * The gathered bytes, the batch left empty. A batch mostly empty (gathered for a quiet while) is copied
   * out and its buffer kept, so a slow trickle of lines does not take a new buffer of the full capacity
   * for each write; a fuller one is handed over whole and a new buffer taken next time.
   */
  take(): Buffer {
    const bytes = this.#bytes;
    const used = this.#used;
    this.#used = 0;
    if (bytes === null) return Buffer.alloc(0);
    if (used < this.#capacity / 4) return Buffer.from(bytes.subarray(0, used));
    this.#bytes = null;
    return bytes.subarray(0, used);
  }
}
