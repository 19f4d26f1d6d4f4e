/**
 * Test support: a synchronous, reusable raw DEFLATE engine on top of node:zlib's native handle, used to
 * build compressed fixtures with and without context takeover (the decoder itself inflates with its own
 * StreamInflater).
 *
 * Why not the public API: zlib's streams are asynchronous (the decoder must stay synchronous to be
 * sans-IO and split-invariant), and zlib.inflateRawSync is one-shot (it closes its engine after each call,
 * so no LZ77 window survives between messages for context takeover). The handle's `writeSync` is what
 * inflateRawSync itself runs on; we drive it the same way but keep the engine open, and hand each output
 * block to the caller before producing the next, so output memory is one block whatever the ratio.
 */
import zlib from 'node:zlib';

interface NativeHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  reset(): void;
  close(): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

interface EngineInternals {
  _handle: NativeHandle;
  _writeState: Uint32Array;
}

const OUTPUT_BLOCK = 16 * 1024;

/** Takes each output block, valid only during the call. */
export type BlockHandler = (block: Uint8Array) => void;

export class SyncZlib {
  private readonly handle: NativeHandle;
  private readonly state: Uint32Array;
  private readonly out = new Uint8Array(OUTPUT_BLOCK);
  private error: string | null = null;
  private closed = false;

  constructor(kind: 'inflate' | 'deflate', windowBits: number) {
    const engine = (kind === 'inflate'
      ? zlib.createInflateRaw({ windowBits })
      : zlib.createDeflateRaw({ windowBits })) as unknown as EngineInternals;
    this.handle = engine._handle;
    this.state = engine._writeState;
    // Called synchronously from writeSync on bad data; record instead of destroying a stream nobody reads.
    this.handle.onerror = (message) => {
      this.error = message;
    };
  }

  /**
   * Processes input with Z_SYNC_FLUSH, handing each output block to onBlock (valid only during the call).
   * Returns null on success, or the zlib error message on invalid data.
   */
  process(input: Uint8Array, onBlock: BlockHandler): string | null {
    if (this.closed) return 'engine closed after an earlier error';
    let inOff = 0;
    let inLen = input.length;
    for (;;) {
      this.handle.writeSync(zlib.constants.Z_SYNC_FLUSH, input, inOff, inLen, this.out, 0, OUTPUT_BLOCK);
      if (this.error !== null) {
        this.close();
        return this.error;
      }
      const availOut = this.state[0]!;
      const availIn = this.state[1]!;
      const produced = OUTPUT_BLOCK - availOut;
      if (produced > 0) onBlock(this.out.subarray(0, produced));
      inOff += inLen - availIn;
      inLen = availIn;
      // A full output block means zlib has more to give for this input.
      if (availOut !== 0) return null;
    }
  }

  /** Forgets the LZ77 window (no context takeover). */
  reset(): void {
    if (!this.closed) this.handle.reset();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.close();
  }
}
