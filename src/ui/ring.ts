/**
 * A bounded ring of the most recent feed records, so a page opened late still sees the recent past. When
 * full, the oldest record goes and is counted: memory stays at `capacity` records whatever the traffic.
 */
export interface RingEntry {
  seq: number;
  /** The record as sent on the feed (JSON), serialised once for every page. */
  json: string;
}

export class Ring {
  readonly capacity: number;
  readonly #entries: Array<RingEntry | undefined>;
  /** Index of the oldest entry. */
  #head = 0;
  #size = 0;
  #evicted = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`ring capacity must be a whole number of 1 or more, got ${capacity}`);
    this.capacity = capacity;
    this.#entries = new Array<RingEntry | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Records dropped so far to make room (oldest first). */
  get evicted(): number {
    return this.#evicted;
  }

  push(entry: RingEntry): void {
    if (this.#size < this.capacity) {
      this.#entries[(this.#head + this.#size) % this.capacity] = entry;
      this.#size++;
      return;
    }
    this.#entries[this.#head] = entry;
    this.#head = (this.#head + 1) % this.capacity;
    this.#evicted++;
  }

  /** The entries, oldest first (a copy: later pushes do not change it). */
  snapshot(): RingEntry[] {
    const out: RingEntry[] = [];
    for (let i = 0; i < this.#size; i++) {
      const entry = this.#entries[(this.#head + i) % this.capacity];
      if (entry) out.push(entry);
    }
    return out;
  }

  /** The entry with this sequence number, while it is still in the ring. */
  find(seq: number): RingEntry | undefined {
    const oldest = this.#size === 0 ? undefined : this.#entries[this.#head];
    if (oldest === undefined) return undefined;
    const first = oldest.seq;
    // Sequence numbers are consecutive within one ring, so the position is arithmetic.
    const at = seq - first;
    if (!Number.isSafeInteger(at) || at < 0 || at >= this.#size) return undefined;
    const entry = this.#entries[(this.#head + at) % this.capacity];
    return entry?.seq === seq ? entry : undefined;
  }
}
