/**
 * One connection's analyzer wired the way the proxy wires it: policies resolved for the route, messages
 * and events fed to the learner, events collected. Frames are built with the pure encoder (client frames
 * masked, server frames not), so every test runs the real decoder.
 */
import { ConnectionAnalyzer } from '../../src/session/analyzer.js';
import type { Direction, PeerCloseEvent, ViolationEvent, WsdiagEvent } from '../../src/events/index.js';
import { closeBody, encodeFrame, type FrameSpec } from '../../src/protocol/encoder.js';
import type { ConnectionLearning, PolicyLearner } from '../../src/policy/learn.js';
import { resolveTypePolicies, type PolicyInputs, type ResolvedPolicies } from '../../src/policy/resolve.js';

export interface TestConnection {
  analyzer: ConnectionAnalyzer;
  resolved: ResolvedPolicies;
  learning: ConnectionLearning | null;
  events: WsdiagEvent[];
  /** Frames the client sends (masked). */
  client(...frames: FrameSpec[]): void;
  /** Frames the server sends (unmasked). */
  server(...frames: FrameSpec[]): void;
  violations(): ViolationEvent[];
  peerCloses(): PeerCloseEvent[];
  end(): void;
}

export interface OpenOptions {
  conn?: string;
  path?: string;
  subprotocol?: string | null;
  extensions?: string | null;
  inputs?: PolicyInputs;
  learner?: PolicyLearner | null;
}

export function openConnection(options: OpenOptions = {}): TestConnection {
  const conn = options.conn ?? 'c1';
  const path = options.path ?? '/';
  const subprotocol = options.subprotocol ?? null;
  const learner = options.learner ?? null;
  const resolved = resolveTypePolicies({ ...(options.inputs ?? {}), learner }, { path, subprotocol });
  const learning = learner ? learner.track({ conn, path, subprotocol, origins: resolved.origins }) : null;
  const events: WsdiagEvent[] = [];
  const analyzer = new ConnectionAnalyzer({
    conn,
    subprotocol,
    extensions: options.extensions ?? null,
    typePolicies: resolved.typePolicies,
    ...(resolved.maxMessage !== undefined ? { maxMessage: resolved.maxMessage } : {}),
    clock: () => new Date(0),
    ...(learning
      ? {
          observers: {
            'client->server': [{ messageEnd: (message) => learning.onMessage('client->server', message) }],
            'server->client': [{ messageEnd: (message) => learning.onMessage('server->client', message) }],
          },
        }
      : {}),
    onEvent: (event) => events.push(learning ? learning.observe(event) : event),
  });
  learning?.attach(analyzer);
  const push = (dir: Direction, masked: boolean, frames: FrameSpec[]): void => {
    for (const frame of frames) analyzer.push(dir, encodeFrame(masked ? { mask: true, ...frame } : frame));
  };
  return {
    analyzer,
    resolved,
    learning,
    events,
    client: (...frames) => push('client->server', true, frames),
    server: (...frames) => push('server->client', false, frames),
    violations: () => events.filter((e): e is ViolationEvent => e.type === 'violation'),
    peerCloses: () => events.filter((e): e is PeerCloseEvent => e.type === 'peer-close'),
    end: () => {
      analyzer.finish();
      learning?.end();
    },
  };
}

/** [rule, dir, blame, first frame index] of each violation. */
export function summary(violations: readonly ViolationEvent[]): Array<[string, Direction, string, number | null]> {
  return violations.map((v) => [v.rule, v.dir, v.blame, v.frame?.index ?? null]);
}

export const text = (payload: string, extra: Partial<FrameSpec> = {}): FrameSpec => ({ opcode: 0x1, payload, ...extra });
export const binary = (payload: string | Uint8Array, extra: Partial<FrameSpec> = {}): FrameSpec => ({ opcode: 0x2, payload, ...extra });
export const ping = (payload = ''): FrameSpec => ({ opcode: 0x9, payload });
export const pong = (payload = ''): FrameSpec => ({ opcode: 0xa, payload });
export const close = (code: number, reason = ''): FrameSpec => ({ opcode: 0x8, payload: closeBody(code, reason) });
