/**
 * Canonical Huffman decoding tables for DEFLATE (RFC 1951 §3.2.2), built the way zlib's inftrees.c builds
 * them: a root table indexed by the next `rootBits` input bits, and second-level tables for longer codes.
 *
 * Each entry is one int32 so the hot loop does a single typed-array load per symbol:
 *
 *     value << 16 | op << 8 | bits
 *
 * `bits` is the full code length to consume (root + second level). `op` says what the entry means, and
 * `value` carries the literal byte, the length or distance base, or the second-level table offset.
 */

/** A literal byte (lit/len table) or a code-length symbol 0..18 (code-length table). */
export const OP_LITERAL = 0x00;
/** A length or distance base; the low 4 bits of the op are the number of extra bits that follow. */
export const OP_BASE = 0x10;
/** Symbol 256: end of block. */
export const OP_END = 0x20;
/** No valid symbol: an unused code of an incomplete table, or symbols 286/287 and 30/31 of the fixed tables. */
export const OP_INVALID = 0x40;
/** A root entry pointing to a second-level table; the low 4 bits of the op are that table's index bits. */
export const OP_LINK = 0x80;

/** What the symbols of a table mean, and which zlib rule applies to incomplete codes. */
export const TableKind = { CodeLengths: 0, LiteralLength: 1, Distance: 2 } as const;
export type TableKind = (typeof TableKind)[keyof typeof TableKind];

/** Outcome of building a table: `Empty` means no symbol has a code (every lookup yields OP_INVALID). */
export const BuildResult = { Ok: 0, Empty: 1, Invalid: 2 } as const;
export type BuildResult = (typeof BuildResult)[keyof typeof BuildResult];

export const MAX_CODE_BITS = 15;

/** Root bits used for dynamic blocks (fixed blocks use their exact maximum code lengths, 9 and 5). */
export const LITLEN_ROOT_BITS = 10;
export const DIST_ROOT_BITS = 8;
export const CODELEN_ROOT_BITS = 7;

/*
 * Table sizes. A complete code gives each second-level table of depth d at least d + 1 symbols (a full
 * binary subtree of depth d has at least d + 1 leaves), and the ratio 2^d / (d + 1) grows with d, so the
 * worst case packs the symbols into tables of the greatest depth (15 - root). Incomplete codes are only
 * accepted when the longest code has 1 bit, which never needs a second level.
 *   lit/len: 1024 + floor(286 / 6) * 32 + 2^3 = 2536;  distance: 256 + floor(30 / 8) * 128 + 2^5 = 672.
 */
export const LITLEN_TABLE_SIZE = 2560;
export const DIST_TABLE_SIZE = 768;
export const CODELEN_TABLE_SIZE = 1 << CODELEN_ROOT_BITS;

/** Length base and extra bits for symbols 257..285 (RFC 1951 §3.2.5). */
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
/** Distance base and extra bits for symbols 0..29. */
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385,
  24577,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

export function makeEntry(value: number, op: number, bits: number): number {
  return (value << 16) | (op << 8) | bits;
}

/** An unused code. One bit, like zlib, so the error is reported as soon as the first bit is known. */
const INVALID_ENTRY = makeEntry(0, OP_INVALID, 1);

function symbolEntry(kind: TableKind, symbol: number, bits: number): number {
  if (kind === TableKind.CodeLengths) return makeEntry(symbol, OP_LITERAL, bits);
  if (kind === TableKind.Distance) {
    return symbol < 30 ? makeEntry(DIST_BASE[symbol]!, OP_BASE | DIST_EXTRA[symbol]!, bits) : makeEntry(0, OP_INVALID, bits);
  }
  if (symbol < 256) return makeEntry(symbol, OP_LITERAL, bits);
  if (symbol === 256) return makeEntry(0, OP_END, bits);
  if (symbol < 286) return makeEntry(LENGTH_BASE[symbol - 257]!, OP_BASE | LENGTH_EXTRA[symbol - 257]!, bits);
  return makeEntry(0, OP_INVALID, bits);
}

function reverseBits(code: number, length: number): number {
  let reversed = 0;
  for (let i = 0; i < length; i++) {
    reversed = (reversed << 1) | (code & 1);
    code >>>= 1;
  }
  return reversed;
}

// Scratch space shared by every build: building is synchronous and never re-entered.
const count = new Uint16Array(MAX_CODE_BITS + 1);
const nextCode = new Uint16Array(MAX_CODE_BITS + 1);
const codes = new Uint16Array(288);
const groupBits = new Uint8Array(1 << LITLEN_ROOT_BITS);

/**
 * Fills `table` for the code lengths `lengths[start .. start + n)`. Follows zlib's inftrees.c rules: an
 * over-subscribed set is invalid; an incomplete set is invalid unless it is a lit/len or distance code
 * whose longest code has one bit (a single used symbol); a set with no codes at all builds a table in
 * which every lookup is invalid, and the caller decides whether that is acceptable.
 */
export function buildTable(
  lengths: Uint8Array,
  start: number,
  n: number,
  kind: TableKind,
  table: Int32Array,
  rootBits: number,
): BuildResult {
  count.fill(0);
  for (let s = 0; s < n; s++) count[lengths[start + s]!]!++;
  let max = MAX_CODE_BITS;
  while (max > 0 && count[max] === 0) max--;
  const rootSize = 1 << rootBits;
  table.fill(INVALID_ENTRY, 0, rootSize);
  if (max === 0) return BuildResult.Empty;

  let left = 1;
  for (let len = 1; len <= MAX_CODE_BITS; len++) {
    left = (left << 1) - count[len]!;
    if (left < 0) return BuildResult.Invalid; // over-subscribed
  }
  if (left > 0 && (kind === TableKind.CodeLengths || max !== 1)) return BuildResult.Invalid; // incomplete

  // Canonical codes (RFC 1951 §3.2.2), stored bit-reversed because DEFLATE sends codes MSB first while the
  // bit buffer is read LSB first.
  let code = 0;
  count[0] = 0;
  for (let len = 1; len <= MAX_CODE_BITS; len++) {
    code = (code + count[len - 1]!) << 1;
    nextCode[len] = code;
  }
  for (let s = 0; s < n; s++) {
    const len = lengths[start + s]!;
    if (len !== 0) codes[s] = reverseBits(nextCode[len]!++, len);
  }

  const rootMask = rootSize - 1;
  // Short codes fill every root slot whose low `len` bits match.
  for (let s = 0; s < n; s++) {
    const len = lengths[start + s]!;
    if (len === 0 || len > rootBits) continue;
    const entry = symbolEntry(kind, s, len);
    for (let i = codes[s]!; i < rootSize; i += 1 << len) table[i] = entry;
  }
  if (max <= rootBits) return BuildResult.Ok;

  // Long codes: one second-level table per root prefix, as deep as the longest code under that prefix.
  groupBits.fill(0, 0, rootSize);
  for (let s = 0; s < n; s++) {
    const len = lengths[start + s]!;
    if (len <= rootBits) continue;
    const prefix = codes[s]! & rootMask;
    if (len - rootBits > groupBits[prefix]!) groupBits[prefix] = len - rootBits;
  }
  let offset = rootSize;
  for (let prefix = 0; prefix < rootSize; prefix++) {
    const subBits = groupBits[prefix]!;
    if (subBits === 0) continue;
    table[prefix] = makeEntry(offset, OP_LINK | subBits, rootBits);
    offset += 1 << subBits;
  }
  if (offset > table.length) throw new Error('internal error: Huffman table overflow');
  for (let s = 0; s < n; s++) {
    const len = lengths[start + s]!;
    if (len <= rootBits) continue;
    const link = table[codes[s]! & rootMask]!;
    const base = link >>> 16;
    const subSize = 1 << ((link >>> 8) & 15);
    const entry = symbolEntry(kind, s, len);
    for (let i = codes[s]! >>> rootBits; i < subSize; i += 1 << (len - rootBits)) table[base + i] = entry;
  }
  return BuildResult.Ok;
}

function buildFixed(kind: TableKind, lengths: number[], rootBits: number): Int32Array {
  const table = new Int32Array(1 << rootBits);
  buildTable(Uint8Array.from(lengths), 0, lengths.length, kind, table, rootBits);
  return table;
}

/** Fixed lit/len code (RFC 1951 §3.2.6), all 288 symbols so 286 and 287 decode as invalid, like zlib. */
export const FIXED_LITLEN_BITS = 9;
export const FIXED_LITLEN = buildFixed(
  TableKind.LiteralLength,
  Array.from({ length: 288 }, (_, s) => (s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8)),
  FIXED_LITLEN_BITS,
);
/** Fixed distance code: 32 five-bit codes, 30 and 31 invalid. */
export const FIXED_DIST_BITS = 5;
export const FIXED_DIST = buildFixed(TableKind.Distance, new Array<number>(32).fill(5), FIXED_DIST_BITS);
