/**
 * Helpers for the chaos engine tests: build toxics, run an engine over chunks, and read what it wrote
 * back with the project's decoder (the receiver's view) and the tests' independent frame parser.
 */
import { senderOf, type Direction } from '../../src/events/index.js';
import { ChaosDirection, staticToxics, type ToxicSource } from '../../src/chaos/engine.js';
import type { ChaosTimers } from '../../src/chaos/runner.js';
import { validateToxic } from '../../src/chaos/registry.js';
import type { AnyToxic, ChaosAction, FaultRecord, ToxicAttributeMap, ToxicType } from '../../src/chaos/types.js';
import { concatBytes } from '../../src/protocol/encoder.js';
import type { TypePolicy } from '../../src/protocol/message-type.js';
import { decodeChunks, rules, type DecodeRun } from '../support/decode.js';
import { parseFrames, type OracleFrame } from '../support/frame-oracle.js';

export function toxic<T extends ToxicType>(
  type: T,
  stream: Direction,
  attributes: Partial<ToxicAttributeMap[T]> = {},
  extra: { toxicity?: number; name?: string } = {},
): AnyToxic {
  return validateToxic({ type, stream, attributes, ...extra });
}

export interface ChaosRun {
  /** Everything written, joined. */
  out: Uint8Array;
  actions: ChaosAction[];
  faults: FaultRecord[];
  /** The engine sent FIN (a cut, or the input's end). */
  ended: boolean;
  reset: boolean;
  engine: ChaosDirection;
}

export interface RunOptions {
  direction: Direction;
  seed?: string;
  connection?: string;
  extensions?: string | null;
  /** Call end() after the chunks (default false). */
  end?: boolean;
  /** The clock for each push (default 0). */
  now?: number;
}

/** Pushes the chunks through a fresh engine and gathers what it asked for. */
export function runChaos(
  chunks: Uint8Array | readonly Uint8Array[],
  toxics: readonly AnyToxic[] | ToxicSource,
  options: RunOptions,
): ChaosRun {
  const engine = new ChaosDirection({
    direction: options.direction,
    toxics: Array.isArray(toxics) ? staticToxics(toxics as AnyToxic[]) : (toxics as ToxicSource),
    seed: options.seed ?? 'test-seed',
    connection: options.connection ?? 'c1',
    extensions: options.extensions ?? null,
  });
  const list = chunks instanceof Uint8Array ? [chunks] : chunks;
  const actions: ChaosAction[] = [];
  for (const chunk of list) actions.push(...engine.push(chunk, options.now ?? 0));
  if (options.end) actions.push(...engine.end(options.now ?? 0));
  return summarize(actions, engine);
}

export function summarize(actions: ChaosAction[], engine: ChaosDirection): ChaosRun {
  const writes: Uint8Array[] = [];
  const faults: FaultRecord[] = [];
  let ended = false;
  let reset = false;
  for (const action of actions) {
    if (action.type === 'write') writes.push(action.bytes);
    else if (action.type === 'fault') faults.push(action.fault);
    else if (action.type === 'end') ended = true;
    else if (action.type === 'reset') reset = true;
  }
  return { out: concatBytes(writes), actions, faults, ended, reset, engine };
}

/** What the receiver's decoder makes of the output (with payload listeners, so messages are collected). */
export function receive(
  bytes: Uint8Array,
  direction: Direction,
  options: { extensions?: string | null; typePolicy?: TypePolicy } = {},
): DecodeRun {
  return decodeChunks(
    [bytes],
    {
      from: senderOf(direction),
      extensions: options.extensions ?? null,
      maxMessage: 0,
      ...(options.typePolicy ? { typePolicy: options.typePolicy } : {}),
    },
    true,
  );
}

export { rules };

/** The frames in the bytes, by the tests' own parser. */
export function framesOf(bytes: Uint8Array): OracleFrame[] {
  return parseFrames(bytes).frames;
}

/** Each data message the receiver got, as [opcode, text or hex]. */
export function messagesOf(run: DecodeRun): Array<[number, string]> {
  return (run.heard?.messages ?? []).map((m) => {
    const opcode = run.heard!.headers.get(m.firstFrame)!.opcode;
    return [opcode, opcode === 1 ? Buffer.from(m.data).toString('utf8') : Buffer.from(m.data).toString('hex')];
  });
}

export function bytesEqual(actual: Uint8Array, expected: Uint8Array): boolean {
  return Buffer.from(actual).equals(Buffer.from(expected));
}

/** A clock and timers the test moves by hand. */
export class FakeTimers implements ChaosTimers {
  time = 0;
  private timers: Array<{ at: number; callback: () => void; id: number }> = [];
  private nextId = 1;
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, callback, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  /** Moves the clock to `to`, firing due timers in order. */
  advance(to: number): void {
    for (;;) {
      const due = this.timers.filter((t) => t.at <= to).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = to;
  }
  get pending(): number {
    return this.timers.length;
  }
}
