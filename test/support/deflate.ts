/**
 * A permessage-deflate compressor for fixtures (RFC 7692 §7.2.1): compress with a sync flush and strip the
 * trailing 00 00 ff ff. `contextTakeover` keeps one LZ77 window across messages, as a real peer does.
 */
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
