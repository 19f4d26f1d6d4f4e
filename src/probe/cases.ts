/**
 * The probe's cases, as data. Each case is one WebSocket connection through the intermediary: the
 * handshake the client offers and the reflector answers, a list of steps (frames one side sends, or an
 * idle period), and who closes with which code and reason. The runner (run.ts) plays a case from both
 * ends and compares what arrived with what was sent (src/observe/compare.ts); nothing here says what to expect,
 * because what is expected is exactly what was sent.
 *
 * Frames are written unmasked here; the client masks each one with a fresh random key when it sends it
 * (unless the step is `exact`, for the invalid frames of --include-invalid). Payload generators are
 * functions so a 16 MiB payload exists only while its case runs.
 */
import { deflateRawSync, constants as zlibConstants } from 'node:zlib';
import type { Side } from '../events/index.js';
import type { InvalidSpec } from '../observe/index.js';
import { closeBody, type FrameSpec, Opcode } from '../protocol/index.js';
import type { RuleId } from '../rules/index.js';
import { allByteValues, binaryPayload, textPayload, utf8 } from './payloads.js';

export type { InvalidSpec };

export interface SendStep {
  kind: 'send';
  from: Side;
  frames: () => FrameSpec[];
  /** Send the frames exactly as given: no mask is added to client frames (invalid-frame cases). */
  exact?: boolean;
  /** The reflector sends these frames in the same write as its 101 response (the server speaks first). */
  withHandshake?: boolean;
}

/** Both sides stay quiet except for pings, for the --idle period. */
export interface IdleStep {
  kind: 'idle';
}

export type Step = SendStep | IdleStep;

export interface HandshakeScript {
  /** Subprotocols the client offers (Sec-WebSocket-Protocol), in order. */
  protocols?: string[];
  /** The subprotocol the reflector picks when it arrives among the offers. */
  serverProtocol?: string;
  /** The Sec-WebSocket-Extensions the client offers. */
  extensions?: string;
  /** What the reflector answers when a permessage-deflate offer arrives. */
  serverExtensions?: string;
}

export interface CloseScript {
  by: Side;
  /** null sends a Close with an empty body (no status code). */
  code: number | null;
  reason: string;
  /** The other side's answering Close; by default it echoes the code with an empty reason. */
  reply?: { code: number | null; reason: string };
}

export interface ProbeCase {
  /** "group/name"; --cases globs match it. */
  name: string;
  summary: string;
  handshake?: HandshakeScript;
  steps: Step[];
  /** The closing handshake; null when a step already sent the Close. */
  close: CloseScript | null;
  /** Set for the invalid-frame cases, which run only with --include-invalid. */
  invalid?: InvalidSpec;
}

// -------------------------------------------------------------------------------------------------
// Builders: small helpers so the table below reads as the list of cases it is.

const CLIENT_SEED = 0x0c11e47;
const SERVER_SEED = 0x5e7e4;

const text = (payload: Uint8Array | string, more: Partial<FrameSpec> = {}): FrameSpec => ({ opcode: Opcode.Text, payload, ...more });
const binary = (payload: Uint8Array, more: Partial<FrameSpec> = {}): FrameSpec => ({ opcode: Opcode.Binary, payload, ...more });
const ping = (payload: Uint8Array | string = ''): FrameSpec => ({ opcode: Opcode.Ping, payload });
const cont = (payload: Uint8Array | string, fin: boolean, more: Partial<FrameSpec> = {}): FrameSpec => ({
  opcode: Opcode.Continuation,
  payload,
  fin,
  ...more,
});

const send = (from: Side, frames: () => FrameSpec[], more: Partial<SendStep> = {}): SendStep => ({ kind: 'send', from, frames, ...more });
const bothWays = (client: () => FrameSpec[], server: () => FrameSpec[]): Step[] => [send('client', client), send('server', server)];

const NORMAL_CLOSE: CloseScript = { by: 'client', code: 1000, reason: '' };

/** A binary message of `length` bytes in each direction. */
function lengthCase(label: string, length: number): ProbeCase {
  return {
    name: `length/${label}`,
    summary: `a ${length}-byte binary message each way`,
    steps: bothWays(
      () => [binary(binaryPayload(length, CLIENT_SEED + length))],
      () => [binary(binaryPayload(length, SERVER_SEED + length))],
    ),
    close: NORMAL_CLOSE,
  };
}

function closeCase(by: Side, code: number): ProbeCase {
  const other: Side = by === 'client' ? 'server' : 'client';
  return {
    name: `close/${by}-${code}`,
    summary: `the ${by} closes with ${code} and a reason; the ${other} answers ${code} with its own reason`,
    steps: [send(by, () => [text(`${by} says goodbye with ${code}`)])],
    close: { by, code, reason: `${by} closes with ${code}`, reply: { code, reason: `${other} agrees: ${code}` } },
  };
}

/** Splits `bytes` at the given offsets into a fragmented message of `opcode`. */
function fragments(opcode: number, bytes: Uint8Array, cuts: number[], more: Partial<FrameSpec> = {}): FrameSpec[] {
  const ends = [...cuts, bytes.length];
  const frames: FrameSpec[] = [];
  let start = 0;
  for (const [i, end] of ends.entries()) {
    const piece = bytes.subarray(start, end);
    const fin = i === ends.length - 1;
    frames.push(i === 0 ? { opcode, payload: piece, fin, ...more } : cont(piece, fin));
    start = end;
  }
  return frames;
}

/** permessage-deflate compression of one message without context takeover (RFC 7692 §7.2.1). */
export function deflateMessage(data: Uint8Array): Uint8Array {
  const out = deflateRawSync(data, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  // A sync flush ends with the empty stored block 00 00 ff ff, which the sender removes.
  return new Uint8Array(out.subarray(0, out.length - 4));
}

const DEFLATE_OFFER = 'permessage-deflate; client_no_context_takeover; server_no_context_takeover';
const DEFLATE_ANSWER = 'permessage-deflate; client_no_context_takeover; server_no_context_takeover';

function compressedMessages(side: Side): FrameSpec[] {
  const words = utf8(`${side} `.repeat(2000) + 'compressed with permessage-deflate');
  const packed = deflateMessage(words);
  const second = deflateMessage(binaryPayload(4096, side === 'client' ? CLIENT_SEED : SERVER_SEED).map((b) => b & 0x0f));
  const half = second.length >> 1;
  return [
    text(packed, { rsv1: true }),
    // A compressed message in two frames: RSV1 only on the first (RFC 7692 §6.1).
    { opcode: Opcode.Binary, payload: second.subarray(0, half), fin: false, rsv1: true },
    cont(second.subarray(half), true),
    // Uncompressed messages stay legal on a connection that negotiated compression.
    text(`${side}: an uncompressed message on a compressed connection`),
  ];
}

function pipeline(side: Side, count: number): FrameSpec[] {
  const frames: FrameSpec[] = [];
  for (let i = 0; i < count; i++) {
    const label = `${side} message ${String(i + 1).padStart(4, '0')} of ${count}`;
    frames.push(side === 'client' ? text(label) : binary(utf8(label)));
  }
  return frames;
}

/** "€" is E2 82 AC and "😀" is F0 9F 98 80: cut inside each so no fragment is valid UTF-8 on its own. */
function splitUtf8(side: Side): FrameSpec[] {
  const bytes = utf8(`${side}: price 5€, mood 😀, done`);
  const euro = bytes.indexOf(0xe2);
  const smile = bytes.indexOf(0xf0);
  return fragments(Opcode.Text, bytes, [euro + 1, smile + 2, smile + 3]);
}

function fragmentedWithPings(side: Side): FrameSpec[] {
  const seed = side === 'client' ? CLIENT_SEED : SERVER_SEED;
  const body = side === 'client' ? textPayload(3000, seed) : binaryPayload(3000, seed);
  const opcode = side === 'client' ? Opcode.Text : Opcode.Binary;
  // Three fragments, a ping between each two.
  return fragments(opcode, body, [1000, 2000]).flatMap((fragment, i) =>
    i === 0 ? [fragment] : [ping(`${side} ping between fragments ${i} and ${i + 1}`), fragment],
  );
}

function sentinel(side: Side): FrameSpec {
  return text(`${side}: a valid message after the invalid frame`);
}

/** A client frame with a fixed mask (exact steps add none). */
const MASK = Uint8Array.of(0x1f, 0x2e, 0x3d, 0x4c);

function invalidCase(name: string, summary: string, from: Side, rule: RuleId, frame: FrameSpec): ProbeCase {
  const masked = (spec: FrameSpec): FrameSpec => (from === 'client' ? { mask: MASK, ...spec } : spec);
  return {
    name: `invalid/${name}`,
    summary,
    invalid: { from, rule },
    steps: [send(from, () => [masked(frame)], { exact: true }), send(from, () => [masked(sentinel(from))], { exact: true })],
    close: NORMAL_CLOSE,
  };
}

// -------------------------------------------------------------------------------------------------
// The table

export const CASES: readonly ProbeCase[] = [
  {
    name: 'text/hello',
    summary: 'a short text message each way',
    steps: bothWays(
      () => [text('Hello from the wsdiag probe client')],
      () => [text('Hello from the wsdiag probe reflector')],
    ),
    close: NORMAL_CLOSE,
  },
  {
    name: 'binary/small',
    summary: 'a 32-byte binary message each way',
    steps: bothWays(
      () => [binary(binaryPayload(32, CLIENT_SEED))],
      () => [binary(binaryPayload(32, SERVER_SEED))],
    ),
    close: NORMAL_CLOSE,
  },
  {
    name: 'empty/text',
    summary: 'an empty text message each way',
    steps: bothWays(
      () => [text('')],
      () => [text('')],
    ),
    close: NORMAL_CLOSE,
  },
  lengthCase('0', 0),
  lengthCase('125', 125),
  lengthCase('126', 126),
  lengthCase('65535', 65535),
  lengthCase('65536', 65536),
  lengthCase('1MiB', 1024 * 1024),
  lengthCase('16MiB', 16 * 1024 * 1024),
  {
    name: 'text/65536-utf8',
    summary: 'a 65536-byte text message of 1- to 4-byte characters each way',
    steps: bothWays(
      () => [text(textPayload(65536, CLIENT_SEED))],
      () => [text(textPayload(65536, SERVER_SEED))],
    ),
    close: NORMAL_CLOSE,
  },
  {
    name: 'fragmented/interleaved-pings',
    summary: 'a message in three fragments with a ping between each, each way',
    steps: bothWays(
      () => fragmentedWithPings('client'),
      () => fragmentedWithPings('server'),
    ),
    close: NORMAL_CLOSE,
  },
  {
    name: 'utf8/split-across-fragments',
    summary: 'text whose multi-byte characters are cut across fragment boundaries, each way',
    steps: bothWays(
      () => splitUtf8('client'),
      () => splitUtf8('server'),
    ),
    close: NORMAL_CLOSE,
  },
  {
    name: 'bytes/all-256',
    summary: 'a binary message holding every byte value, each way',
    steps: bothWays(
      () => [binary(allByteValues())],
      () => [binary(allByteValues(true))],
    ),
    close: NORMAL_CLOSE,
  },
  {
    name: 'ping/125-both-ways',
    summary: 'a 125-byte ping each way (answered by a pong with the same payload), and an empty one',
    steps: bothWays(
      () => [ping(binaryPayload(125, CLIENT_SEED)), ping()],
      () => [ping(binaryPayload(125, SERVER_SEED)), ping()],
    ),
    close: NORMAL_CLOSE,
  },
  closeCase('client', 1000),
  closeCase('client', 1001),
  closeCase('client', 3000),
  closeCase('client', 4999),
  closeCase('server', 1000),
  closeCase('server', 1001),
  closeCase('server', 3000),
  closeCase('server', 4999),
  {
    name: 'close/no-status',
    summary: 'the client closes with an empty Close body (no status code)',
    steps: [],
    close: { by: 'client', code: null, reason: '', reply: { code: null, reason: '' } },
  },
  {
    name: 'subprotocol/pass-through',
    summary: 'the client offers two subprotocols, the reflector picks the second',
    handshake: { protocols: ['wsdiag.probe.v2', 'wsdiag.probe.v1'], serverProtocol: 'wsdiag.probe.v1' },
    steps: bothWays(
      () => [text('speaking wsdiag.probe.v1')],
      () => [text('wsdiag.probe.v1 it is')],
    ),
    close: NORMAL_CLOSE,
  },
  {
    name: 'deflate/pass-through',
    summary: 'permessage-deflate negotiated end to end; compressed messages (one fragmented) and an uncompressed one, each way',
    handshake: { extensions: DEFLATE_OFFER, serverExtensions: DEFLATE_ANSWER },
    steps: bothWays(
      () => compressedMessages('client'),
      () => compressedMessages('server'),
    ),
    close: NORMAL_CLOSE,
  },
  {
    name: 'pipeline/1000-messages',
    summary: '1000 messages written at once, each way; order must hold',
    steps: bothWays(
      () => pipeline('client', 1000),
      () => pipeline('server', 1000),
    ),
    close: NORMAL_CLOSE,
  },
  {
    name: 'server-first/with-101',
    summary: 'the reflector sends a message in the same write as its 101, before the client says anything',
    steps: [
      send('server', () => [text('the server speaks first')], { withHandshake: true }),
      send('client', () => [text('the client answers')]),
    ],
    close: NORMAL_CLOSE,
  },
  {
    name: 'idle/pings',
    summary: 'both sides stay idle for --idle seconds, pinging each other, then exchange a message',
    steps: [
      { kind: 'idle' },
      ...bothWays(
        () => [text('still there after the idle period')],
        () => [text('still here')],
      ),
    ],
    close: NORMAL_CLOSE,
  },

  // --include-invalid: each sends one invalid frame, then a valid message, to see what the intermediary does.
  invalidCase('reserved-opcode', 'the client sends a frame with reserved opcode 0x3', 'client', 'reserved-opcode', {
    opcode: 0x3,
    payload: 'reserved',
  }),
  invalidCase(
    'rsv1-without-extension',
    'the client sets RSV1 with no extension negotiated',
    'client',
    'reserved-bits',
    text('rsv1 set', { rsv1: true }),
  ),
  invalidCase('unmasked-client-frame', 'the client sends an unmasked text frame', 'client', 'unmasked-client-frame', {
    ...text('not masked'),
    mask: undefined,
  }),
  invalidCase(
    'masked-server-frame',
    'the server sends a masked text frame',
    'server',
    'masked-server-frame',
    text('masked by the server', { mask: MASK }),
  ),
  invalidCase(
    'control-too-long',
    'the client sends a 126-byte ping',
    'client',
    'control-frame-too-long',
    ping(binaryPayload(126, CLIENT_SEED)),
  ),
  invalidCase('fragmented-ping', 'the client sends a ping with FIN clear', 'client', 'control-frame-fragmented', {
    ...ping('fragmented ping'),
    fin: false,
  }),
  invalidCase(
    'invalid-utf8',
    'the client sends a text message that is not UTF-8',
    'client',
    'invalid-utf8-text',
    text(Uint8Array.of(0x68, 0x69, 0xff, 0xfe)),
  ),
  invalidCase(
    'non-minimal-length',
    'the client writes a 5-byte payload with a 16-bit length',
    'client',
    'non-minimal-length',
    text('short', { lengthForm: 16 }),
  ),
  invalidCase(
    'unexpected-continuation',
    'the client sends a continuation frame with no message started',
    'client',
    'unexpected-continuation',
    cont('orphan', true),
  ),
  {
    name: 'invalid/close-code-1005',
    summary: 'the client closes with code 1005, which may never be sent',
    invalid: { from: 'client', rule: 'invalid-close-code' },
    steps: [send('client', () => [{ opcode: Opcode.Close, payload: closeBody(1005, 'local code'), mask: MASK }], { exact: true })],
    close: null,
  },
];

/** Case names for `--list` and messages. */
export function caseNames(): string[] {
  return CASES.map((c) => c.name);
}

/**
 * The cases a run includes: those matching any of the comma-separated globs (`*` matches any run of
 * characters, `/` included), invalid ones only with includeInvalid. Returns the globs that matched
 * nothing, so the CLI can say which one was mistyped.
 */
export function selectCases(globs: string | undefined, includeInvalid: boolean): { cases: ProbeCase[]; unmatched: string[] } {
  const candidates = CASES.filter((c) => includeInvalid || !c.invalid);
  if (globs === undefined || globs.trim() === '') return { cases: candidates, unmatched: [] };
  const patterns = globs
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
  const compiled = patterns.map((glob) => ({ glob, regexp: new RegExp(`^${glob.split('*').map(escapeRegExp).join('.*')}$`) }));
  const unmatched = compiled.filter(({ regexp }) => !candidates.some((c) => regexp.test(c.name))).map(({ glob }) => glob);
  return { cases: candidates.filter((c) => compiled.some(({ regexp }) => regexp.test(c.name))), unmatched };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
