/**
 * A tiny WebAssembly SIMD kernel that unmasks in place: it XORs bytes [start, end) of its own memory with a
 * repeated 32-bit key word, 64 bytes per loop turn, then 16, then one. Copying a piece into that memory (a
 * V8 memcpy) and calling the kernel costs well under half of one call into a native addon below a few
 * KiB, which is where most WebSocket messages are, and keeps pace with bufferutil above.
 *
 * The module is assembled here, byte by byte, from this WebAssembly text (it is small enough to read, and
 * it saves a build tool):
 *
 *   (module
 *     (memory (export "memory") 1)                 ;; 64 KiB: the work area
 *     (func (export "xor") (param $start i32) (param $end i32) (param $word i32)
 *       (local $key v128)
 *       (local.set $key (i32x4.splat (local.get $word)))
 *       (block $done64 (loop $next64                ;; 64 bytes at a time
 *         (br_if $done64 (i32.gt_u (i32.add (local.get $start) (i32.const 64)) (local.get $end)))
 *         (v128.store offset=0  (local.get $start) (v128.xor (v128.load offset=0  (local.get $start)) (local.get $key)))
 *         ... the same at offsets 16, 32 and 48 ...
 *         (local.set $start (i32.add (local.get $start) (i32.const 64)))
 *         (br $next64)))
 *       (block $done16 (loop $next16                ;; then 16
 *         (br_if $done16 (i32.gt_u (i32.add (local.get $start) (i32.const 16)) (local.get $end)))
 *         (v128.store (local.get $start) (v128.xor (v128.load (local.get $start)) (local.get $key)))
 *         (local.set $start (i32.add (local.get $start) (i32.const 16)))
 *         (br $next16)))
 *       (block $done1 (loop $next1                  ;; then byte by byte, turning the key
 *         (br_if $done1 (i32.ge_u (local.get $start) (local.get $end)))
 *         (i32.store8 (local.get $start) (i32.xor (i32.load8_u (local.get $start)) (local.get $word)))
 *         (local.set $word (i32.rotr (local.get $word) (i32.const 8)))
 *         (local.set $start (i32.add (local.get $start) (i32.const 1)))
 *         (br $next1))))
 *
 * Blocks of 16 and 64 bytes keep the key's phase (both are multiples of 4), so one word serves the whole
 * range; the kernel never touches a byte outside [start, end), so several payloads can share the area.
 */

/** Bytes of the work area (a piece larger than this is unmasked in several turns). */
export const XOR_AREA_BYTES = 64 * 1024;

export interface XorKernel {
  /** The work area: a view of the kernel's memory (page-aligned). */
  readonly bytes: Uint8Array;
  /** XORs bytes[start, end) with `word` repeated (little-endian: word & 0xff masks byte `start`). */
  xor(start: number, end: number, word: number): void;
}

// WebAssembly binary opcodes used below (https://webassembly.github.io/spec/core/binary/).
const I32 = 0x7f;
const V128 = 0x7b;
const FUNC_TYPE = 0x60;
const EMPTY_BLOCK = 0x40;
const BLOCK = 0x02;
const LOOP = 0x03;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_LOAD8_U = 0x2d;
const I32_STORE8 = 0x3a;
const I32_CONST = 0x41;
const I32_GT_U = 0x4b;
const I32_GE_U = 0x4f;
const I32_ADD = 0x6a;
const I32_XOR = 0x73;
const I32_ROTR = 0x78;
const SIMD = 0xfd;
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;
const I32X4_SPLAT = 0x11;
const V128_XOR = 0x51;
/** Memory-access alignment hint (log2): none promised, since a range may start anywhere. */
const UNALIGNED = 0;

// Locals: the three parameters, then $key.
const START = 0;
const END_AT = 1;
const WORD = 2;
const KEY = 3;

/** mem[$start + offset .. +16) ^= $key */
function xorVectorAt(offset: number): number[] {
  return [
    LOCAL_GET,
    START,
    LOCAL_GET,
    START,
    SIMD,
    V128_LOAD,
    UNALIGNED,
    offset,
    LOCAL_GET,
    KEY,
    SIMD,
    V128_XOR,
    SIMD,
    V128_STORE,
    UNALIGNED,
    offset,
  ];
}

/** i32.const of a value in [0, 8192), in signed LEB128 (64 is 0xc0 0x00: a lone 0x40 would read as -64). */
function i32Const(value: number): number[] {
  return value < 64 ? [I32_CONST, value] : [I32_CONST, (value & 0x7f) | 0x80, value >> 7];
}

/** $start += step */
function advance(step: number): number[] {
  return [LOCAL_GET, START, ...i32Const(step), I32_ADD, LOCAL_SET, START];
}

/** A loop that leaves when `exitIf` (an i32 condition) holds, else runs `body` and goes round again. */
function loopUntil(exitIf: number[], body: number[]): number[] {
  return [BLOCK, EMPTY_BLOCK, LOOP, EMPTY_BLOCK, ...exitIf, BR_IF, 1, ...body, BR, 0, END, END];
}

/** A loop that runs `body`, then advances $start by `step`, while $start + step <= $end. */
function stridedLoop(step: number, body: number[]): number[] {
  return loopUntil([LOCAL_GET, START, ...i32Const(step), I32_ADD, LOCAL_GET, END_AT, I32_GT_U], [...body, ...advance(step)]);
}

const XOR_BODY = [
  1,
  1,
  V128, // locals: one v128 ($key)
  LOCAL_GET,
  WORD,
  SIMD,
  I32X4_SPLAT,
  LOCAL_SET,
  KEY,
  ...stridedLoop(64, [...xorVectorAt(0), ...xorVectorAt(16), ...xorVectorAt(32), ...xorVectorAt(48)]),
  ...stridedLoop(16, xorVectorAt(0)),
  // Then byte by byte, turning the key: while $start < $end.
  ...loopUntil(
    [LOCAL_GET, START, LOCAL_GET, END_AT, I32_GE_U],
    [
      LOCAL_GET,
      START,
      LOCAL_GET,
      START,
      I32_LOAD8_U,
      UNALIGNED,
      0,
      LOCAL_GET,
      WORD,
      I32_XOR,
      I32_STORE8,
      UNALIGNED,
      0,
      LOCAL_GET,
      WORD,
      ...i32Const(8),
      I32_ROTR,
      LOCAL_SET,
      WORD,
      ...advance(1),
    ],
  ),
  END, // function
];

/** Unsigned LEB128, for section and body sizes. */
function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    const byte = value & 0x7f;
    value >>>= 7;
    out.push(value === 0 ? byte : byte | 0x80);
  } while (value !== 0);
  return out;
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(text: string): number[] {
  return [text.length, ...Array.from(text, (c) => c.charCodeAt(0))];
}

const MEMORY_PAGES = 1;

/** The part of the WebAssembly JavaScript API used here (its types ship with the DOM library, not Node's). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};

const MODULE_BYTES = Uint8Array.from([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // "\0asm", version 1
  ...section(1, [1, FUNC_TYPE, 3, I32, I32, I32, 0]), // types: (i32, i32, i32) -> ()
  ...section(3, [1, 0]), // functions: one, of type 0
  ...section(5, [1, 0x00, MEMORY_PAGES]), // memory: one, no maximum
  ...section(7, [2, ...name('memory'), 0x02, 0, ...name('xor'), 0x00, 0]), // exports
  ...section(10, [1, ...uleb(XOR_BODY.length), ...XOR_BODY]), // code
]);

/**
 * Instantiates a kernel with its own memory, or returns null where WebAssembly SIMD is unavailable
 * (`--jitless`, `--no-experimental-wasm-simd`, or a CPU without SSE4.1): callers then unmask another way.
 */
export function loadXorKernel(): XorKernel | null {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(MODULE_BYTES));
    const memory = instance.exports.memory as { buffer: ArrayBuffer };
    const xor = instance.exports.xor as (start: number, end: number, word: number) => void;
    return { bytes: new Uint8Array(memory.buffer, 0, XOR_AREA_BYTES), xor };
  } catch {
    return null;
  }
}
