/**
 * A permessage-deflate compressor for fixtures (RFC 7692 §7.2.1): compress with a sync flush and strip the
 * trailing 00 00 ff ff. `contextTakeover` keeps one LZ77 window across messages, as a real peer does.
 */
import zlib from 'node:zlib';
import { SyncZlib } from './zlib-sync.js';

export class TestCompressor {
  private readonly engine = new SyncZlib('deflate', 15);
  constructor(private readonly contextTakeover: boolean) {}

  compress(data: Uint8Array | string): Uint8Array {
    const input = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const blocks: Buffer[] = [];
    const error = this.engine.process(input, (block) => {
      blocks.push(Buffer.from(block));
    });
    if (error) throw new Error(error);
    if (!this.contextTakeover) this.engine.reset();
    const out = Buffer.concat(blocks);
    if (!out.subarray(out.length - 4).equals(Buffer.from([0, 0, 0xff, 0xff]))) throw new Error('sync flush did not end with the trailer');
    return Uint8Array.from(out.subarray(0, out.length - 4));
  }
}

/**
 * A sender that ends every message with Z_FINISH, so its last DEFLATE block has BFINAL set (RFC 7692
 * §7.2.3.4), as senders without an empty-stored-block flush do.
 *
 * `contextTakeover` primes each message's stream with the plaintext of the messages before it (its last
 * 2^windowBits bytes), so back references reach into earlier messages: what a peer keeping its window sends,
 * and what a receiver keeping its window (§7.2.2) must resolve. `emptyBlock` follows §7.2.1 to the letter:
 * append an empty stored block, strip 00 00 ff ff, which leaves one 0x00 after the final block (the RFC's
 * example); without it the message ends where the final block ends.
 */
export class FinalBlockCompressor {
  private history = new Uint8Array(0);
  private readonly windowBits: number;

  constructor(private readonly options: { contextTakeover: boolean; emptyBlock: boolean; windowBits?: number }) {
    this.windowBits = options.windowBits ?? 15;
  }

  compress(data: Uint8Array | string): Uint8Array {
    const input = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const primed = this.options.contextTakeover && this.history.length > 0;
    const stream = zlib.deflateRawSync(input, { windowBits: this.windowBits, ...(primed ? { dictionary: this.history } : {}) });
    if (this.options.contextTakeover) {
      const joined = Buffer.concat([this.history, input]);
      this.history = Uint8Array.from(joined.subarray(Math.max(0, joined.length - (1 << this.windowBits))));
    }
    return Uint8Array.from(this.options.emptyBlock ? Buffer.concat([stream, EMPTY_STORED_HEADER]) : stream);
  }
}

/** The header byte of an empty non-final stored block, all a §7.2.1 sender leaves of it after stripping. */
const EMPTY_STORED_HEADER = Uint8Array.of(0x00);
