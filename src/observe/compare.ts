/**
 * Comparing two observations of the same WebSocket connection, one on each side of an intermediary:
 * what the client side sent and received against what the server side received and sent. Every
 * difference is a finding: illegal ones are failures blamed on the intermediary; legal ones (new mask
 * keys, re-fragmentation without extensions, pings it answered itself) are info.
 *
 * Pure: observations in, findings out. `wsdiag probe` builds the observations from its own two ends;
 * `wsdiag sandwich` builds them from the two legs of live traffic and calls the same compareConnection.
 */
import type { Direction } from '../events/index.js';
import { Opcode, opcodeName } from '../protocol/index.js';
import type { Redactor } from '../redact.js';
import type { RuleId } from '../rules/index.js';
import { compareHandshake } from './compare-handshake.js';
import { compareMessages } from './compare-messages.js';
import {
  PROBE_NAMES,
  collapse,
  failure,
  info,
  payloadNote,
  plural,
  receiverName,
  route,
  senderName,
  showPayload,
  sized,
  type EndpointNames,
} from './findings.js';
import type { ObservedControl, ObservedHandshake, ObservedStream, ProbeFinding } from './types.js';

/** What one side of the intermediary observed. */
export interface EndObservation {
  handshake: ObservedHandshake;
  /** The stream this side sent (client: client->server; server: server->client). */
  sent: ObservedStream;
  /** The stream this side received. */
  received: ObservedStream;
  /** When this side ended its connection itself (ms), or null. */
  localEndAt: number | null;
  /** When the connection was ended from the other end (FIN or reset arrived), or null. */
  remoteEndAt: number | null;
}

export interface ConnectionObservation {
  client: EndObservation;
  server: EndObservation;
}

export interface CompareOptions {
  /** One-way delay (ms) above which a small message or control frame counts as delayed; null = no bound. */
  maxLatencyMs?: number | null;
  /** What messages call the two observation points (default: the client and the reflector). */
  names?: EndpointNames;
  /** What handshake findings may quote of paths and subprotocols (default: credentials redacted). */
  redact?: Redactor;
}

export interface ConnectionComparison {
  findings: ProbeFinding[];
  /** Largest one-way delay of a small message or control frame (ms), or null when nothing was matched. */
  maxLatencyMs: number | null;
}

/** Messages and control frames up to this size are used to measure latency (larger ones measure throughput). */
export const LATENCY_MAX_BYTES = 64 * 1024;

export function compareConnection(obs: ConnectionObservation, options: CompareOptions = {}): ConnectionComparison {
  const names = options.names ?? PROBE_NAMES;
  const findings: ProbeFinding[] = [...compareHandshake(obs.client.handshake, obs.server.handshake, names, options.redact)];
  const upstream = compareStreams(obs.client.sent, obs.server.received, 'client->server', names);
  const downstream = compareStreams(obs.server.sent, obs.client.received, 'server->client', names);
  findings.push(...upstream.findings, ...downstream.findings);
  findings.push(...reconcilePings(upstream.controls, downstream.controls, 'client->server', names));
  findings.push(...reconcilePings(downstream.controls, upstream.controls, 'server->client', names));
  findings.push(...endingFindings(obs, names));

  const delays = [...upstream.delays, ...downstream.delays];
  const maxLatencyMs = delays.length === 0 ? null : Math.max(...delays.map((d) => d.ms));
  const bound = options.maxLatencyMs ?? null;
  if (bound !== null && maxLatencyMs !== null && maxLatencyMs > bound) {
    const worst = delays.reduce((a, b) => (b.ms > a.ms ? b : a));
    findings.push(
      failure(
        'latency',
        worst.dir,
        `${worst.what} took ${Math.round(worst.ms)} ms ${route(worst.dir, names)}, above the ${bound} ms bound.`,
      ),
    );
  }
  return { findings: collapse(findings), maxLatencyMs };
}

interface Delay {
  ms: number;
  dir: Direction;
  what: string;
}

/** Control frames of one direction, matched by opcode and payload. */
interface ControlDiff {
  lost: ObservedControl[];
  extra: ObservedControl[];
}

export interface StreamComparison {
  findings: ProbeFinding[];
  delays: Delay[];
  controls: ControlDiff;
}

/** One direction: what one point sent against what the other point received. */
export function compareStreams(
  sent: ObservedStream,
  arrived: ObservedStream,
  dir: Direction,
  names: EndpointNames = PROBE_NAMES,
): StreamComparison {
  const extensionsInPlay = sent.extensions !== null || arrived.extensions !== null;
  const messages = compareMessages(sent.messages, arrived.messages, { dir, extensionsInPlay });
  const findings = [...messages.findings];
  // Only the first message of a small write measures the intermediary: later ones in the same burst
  // queue behind their predecessors (throughput, not delay), and recording a big burst delays this
  // process's own reading of the other end.
  const leaders = burstLeaders(sent);
  const delays: Delay[] = messages.pairs
    .filter((p) => p.sent.length <= LATENCY_MAX_BYTES && leaders.has(p.sent))
    .map((p) => ({ ms: p.arrived.firstAt - p.sent.firstAt, dir, what: `A ${sized(p.sent.length)} message` }));

  findings.push(...frameFindings(sent, arrived, dir, names));
  const pingsAndPongs = matchControls(sent.controls, arrived.controls, dir, delays, findings);
  findings.push(...closeFindings(sent, arrived, dir, names));
  findings.push(...violationFindings(sent, arrived, dir, findings));
  if (arrived.stopped !== null && sent.stopped === null) {
    findings.push(
      failure('protocol-violation', dir, `The bytes that arrived could no longer be split into frames: ${arrived.stopped}.`, {
        rule: 'length-msb-set',
      }),
    );
  }
  return { findings, delays, controls: pingsAndPongs };
}

/** Messages sent first in a write of at most LATENCY_MAX_BURST messages (messages of one write share a timestamp). */
function burstLeaders(sent: ObservedStream): Set<ObservedStream['messages'][number]> {
  const bursts = new Map<number, ObservedStream['messages']>();
  for (const m of sent.messages) {
    const burst = bursts.get(m.firstAt);
    if (burst) burst.push(m);
    else bursts.set(m.firstAt, [m]);
  }
  const leaders = new Set<ObservedStream['messages'][number]>();
  for (const [leader, ...rest] of bursts.values()) if (leader && rest.length < LATENCY_MAX_BURST) leaders.add(leader);
  return leaders;
}

const LATENCY_MAX_BURST = 16;

/**
 * Frame headers: masking direction, reserved bits, mask keys and length encodings. Counted over the
 * whole stream, so the check holds even when the intermediary re-fragmented; keys and length forms are
 * compared frame by frame only when the frames still line up one to one.
 */
function frameFindings(sent: ObservedStream, arrived: ObservedStream, dir: Direction, names: EndpointNames): ProbeFinding[] {
  const findings: ProbeFinding[] = [];
  const count = (s: ObservedStream, pick: (f: ObservedStream['frames'][number]) => boolean) => s.frames.filter(pick).length;
  if (dir === 'client->server') {
    const lost = count(arrived, (f) => !f.masked) - count(sent, (f) => !f.masked);
    if (lost > 0) {
      findings.push(
        failure('mask-removed', dir, `${plural(lost, 'frame')} arrived at ${names.server} unmasked; every client frame was sent masked.`, {
          rule: 'unmasked-client-frame',
          rfc: 'RFC 6455 §5.1',
        }),
      );
    }
  } else {
    const added = count(arrived, (f) => f.masked) - count(sent, (f) => f.masked);
    if (added > 0) {
      findings.push(
        failure('mask-added', dir, `${plural(added, 'frame')} arrived at ${names.client} masked; ${names.server} sent them unmasked.`, {
          rule: 'masked-server-frame',
          rfc: 'RFC 6455 §5.1',
        }),
      );
    }
  }
  for (const bit of ['rsv1', 'rsv2', 'rsv3'] as const) {
    const diff = count(arrived, (f) => f[bit]) - count(sent, (f) => f[bit]);
    if (diff > 0) {
      findings.push(
        failure('rsv-added', dir, `${bit.toUpperCase()} is set on ${plural(diff, 'more frame')} than were sent with it.`, {
          rule: 'reserved-bits',
          rfc: 'RFC 6455 §5.2',
        }),
      );
    } else if (diff < 0) {
      findings.push(
        failure(
          'rsv-removed',
          dir,
          `${bit.toUpperCase()} was cleared on ${plural(-diff, 'frame')} sent with it${bit === 'rsv1' ? ' (a compressed frame that is no longer marked compressed)' : ''}.`,
          { rfc: 'RFC 6455 §5.2' },
        ),
      );
    }
  }
  const aligned =
    sent.frames.length === arrived.frames.length &&
    sent.frames.every((f, i) => {
      const a = arrived.frames[i];
      return a !== undefined && f.opcode === a.opcode && f.length === a.length;
    });
  if (aligned) {
    const rekeyed = sent.frames.filter((f, i) => {
      const a = arrived.frames[i];
      return f.masked && a?.masked === true && f.maskKey !== a.maskKey;
    }).length;
    if (rekeyed > 0)
      findings.push(
        info(
          'mask-key-changed',
          dir,
          `${plural(rekeyed, 'frame')} arrived with a new masking key (legal: the intermediary re-masked them).`,
        ),
      );
    const reencoded = sent.frames.filter((f, i) => f.lengthForm !== arrived.frames[i]?.lengthForm).length;
    if (reencoded > 0)
      findings.push(
        info('length-form-changed', dir, `${plural(reencoded, 'frame')} arrived with the payload length written in a different form.`),
      );
  }
  return findings;
}

/**
 * Pings and pongs, matched by opcode and payload in order. Lost and extra ones are returned for
 * reconcilePings, which needs the other direction to tell a lost ping from one the intermediary answered.
 */
function matchControls(
  sent: readonly ObservedControl[],
  arrived: readonly ObservedControl[],
  dir: Direction,
  delays: Delay[],
  findings: ProbeFinding[],
): ControlDiff {
  const isPingPong = (c: ObservedControl) => c.opcode === Opcode.Ping || c.opcode === Opcode.Pong;
  const key = (c: ObservedControl) => `${c.opcode}:${Buffer.from(c.payload).toString('hex')}:${c.length}`;
  const waiting = new Map<string, ObservedControl[]>();
  for (const c of sent.filter(isPingPong)) {
    const list = waiting.get(key(c));
    if (list) list.push(c);
    else waiting.set(key(c), [c]);
  }
  const extra: ObservedControl[] = [];
  let moved = 0;
  for (const a of arrived.filter(isPingPong)) {
    const s = waiting.get(key(a))?.shift();
    if (!s) {
      extra.push(a);
      continue;
    }
    delays.push({ ms: a.at - s.at, dir, what: `A ${sized(s.length)} ${opcodeName(s.opcode)}` });
    if (s.dataFramesBefore !== a.dataFramesBefore) moved++;
  }
  if (moved > 0) {
    findings.push(
      info(
        'control-moved',
        dir,
        `${plural(moved, 'control frame')} arrived at a different place among the data frames (legal: control frames may be interleaved anywhere).`,
      ),
    );
  }
  return { lost: [...waiting.values()].flat().sort((a, b) => a.frame - b.frame), extra };
}

/**
 * Lost pings are failures unless the intermediary answered them itself (the sender got a pong with the
 * same payload that the far end never sent): that is legal. Pongs the far end never sent are legal too
 * (an unsolicited pong is a heartbeat, RFC 6455 §5.5.3); lost pongs are not.
 */
function reconcilePings(forward: ControlDiff, backward: ControlDiff, dir: Direction, names: EndpointNames): ProbeFinding[] {
  const findings: ProbeFinding[] = [];
  const answeredLocally = [...backward.extra.filter((c) => c.opcode === Opcode.Pong)];
  for (const c of forward.lost) {
    const payload = Buffer.from(c.payload);
    if (c.opcode === Opcode.Ping) {
      const k = answeredLocally.findIndex((p) => Buffer.from(p.payload).equals(payload));
      if (k >= 0) {
        answeredLocally.splice(k, 1);
        findings.push(
          info(
            'ping-answered-by-intermediary',
            dir,
            `A ${sized(c.length)} ping never reached ${receiverName(dir, names)}; the intermediary answered it with a pong itself (allowed).`,
          ),
        );
        continue;
      }
    }
    const altered = forward.extra.find((e) => e.opcode === c.opcode && e.length === c.length);
    if (altered) {
      forward.extra.splice(forward.extra.indexOf(altered), 1);
      findings.push(
        failure(
          'control-altered',
          dir,
          `A ${opcodeName(c.opcode)} with payload ${showPayload(c.payload)} arrived with payload ${showPayload(altered.payload)}.`,
          { rfc: 'RFC 6455 §5.5.2' },
        ),
      );
      continue;
    }
    findings.push(
      failure(
        c.opcode === Opcode.Ping ? 'ping-lost' : 'pong-lost',
        dir,
        `A ${sized(c.length)} ${opcodeName(c.opcode)}${payloadNote(c.payload)} sent ${route(dir, names)} did not arrive.`,
        { rfc: c.opcode === Opcode.Ping ? 'RFC 6455 §5.5.2' : 'RFC 6455 §5.5.3' },
      ),
    );
  }
  // Pongs that answered a lost ping in the other direction are explained there.
  const explained = new Set(backward.lost.filter((c) => c.opcode === Opcode.Ping).map((c) => Buffer.from(c.payload).toString('hex')));
  for (const c of forward.extra) {
    if (c.opcode === Opcode.Pong && explained.has(Buffer.from(c.payload).toString('hex'))) continue;
    findings.push(
      info(
        'control-added',
        dir,
        `A ${sized(c.length)} ${opcodeName(c.opcode)}${payloadNote(c.payload)} that nobody sent arrived at ${receiverName(dir, names)} (the intermediary's own; legal).`,
      ),
    );
  }
  return findings;
}

function closeFindings(sent: ObservedStream, arrived: ObservedStream, dir: Direction, names: EndpointNames): ProbeFinding[] {
  const closes = (s: ObservedStream) => s.controls.filter((c) => c.opcode === Opcode.Close);
  const [s] = closes(sent);
  const [a] = closes(arrived);
  if (s && !a) {
    return [
      failure('close-swallowed', dir, `The Close ${describeClose(s)} sent ${route(dir, names)} did not arrive.`, {
        rfc: 'RFC 6455 §5.5.1',
      }),
    ];
  }
  if (!s && a) {
    return [
      failure(
        'close-added',
        dir,
        `A Close ${describeClose(a)} arrived at ${receiverName(dir, names)} that ${senderName(dir, names)} never sent: the intermediary closed the connection itself.`,
        { rfc: 'RFC 6455 §7.1.2' },
      ),
    ];
  }
  if (!s || !a) return [];
  const findings: ProbeFinding[] = [];
  if (s.close?.code !== a.close?.code) {
    findings.push(
      failure('close-code-rewritten', dir, `The Close code ${s.close?.code ?? '(none)'} arrived as ${a.close?.code ?? '(none)'}.`, {
        rfc: 'RFC 6455 §5.5.1',
      }),
    );
  }
  if (s.close?.reason !== a.close?.reason) {
    findings.push(
      failure(
        'close-reason-rewritten',
        dir,
        `The Close reason ${JSON.stringify(s.close?.reason ?? '')} arrived as ${JSON.stringify(a.close?.reason ?? '')}.`,
        { rfc: 'RFC 6455 §5.5.1' },
      ),
    );
  }
  return findings;
}

export function describeClose(c: ObservedControl): string {
  if (!c.close || c.close.code === null) return '(no status code)';
  return c.close.reason === '' ? `${c.close.code}` : `${c.close.code} ${JSON.stringify(c.close.reason)}`;
}

/**
 * Rules broken by the bytes that arrived but not by the bytes that were sent: the intermediary broke
 * them. Rules a structural finding of this direction already names are not repeated.
 */
function violationFindings(
  sent: ObservedStream,
  arrived: ObservedStream,
  dir: Direction,
  already: readonly ProbeFinding[],
): ProbeFinding[] {
  const covered = new Set(already.filter((f) => f.dir === dir && f.rule !== undefined).map((f) => f.rule));
  const tally = (s: ObservedStream) => {
    const m = new Map<RuleId, number>();
    for (const v of s.violations) m.set(v.rule, (m.get(v.rule) ?? 0) + 1);
    return m;
  };
  const before = tally(sent);
  const findings: ProbeFinding[] = [];
  const reported = new Map<RuleId, number>();
  for (const v of arrived.violations) {
    if (covered.has(v.rule)) continue;
    const n = (reported.get(v.rule) ?? 0) + 1;
    reported.set(v.rule, n);
    if (n <= (before.get(v.rule) ?? 0)) continue;
    findings.push(
      failure(
        'protocol-violation',
        dir,
        `${v.message} (${v.frame === null ? 'handshake' : `frame #${v.frame} as it arrived`}; the frames sent did not break this rule)`,
        { rule: v.rule },
      ),
    );
  }
  return findings;
}

/**
 * Who ended the TCP connection. An end that reached one side before the other side ended anything was
 * the intermediary's doing (an idle timeout, a crash, a policy).
 */
function endingFindings(obs: ConnectionObservation, names: EndpointNames): ProbeFinding[] {
  const findings: ProbeFinding[] = [];
  const check = (victim: EndObservation, other: EndObservation, side: string, dir: Direction) => {
    if (victim.remoteEndAt === null) return;
    if (other.localEndAt !== null && other.localEndAt <= victim.remoteEndAt) return;
    if (victim.localEndAt !== null && victim.localEndAt <= victim.remoteEndAt) return;
    const withClose = victim.received.controls.some((c) => c.opcode === Opcode.Close);
    findings.push(
      failure(
        'connection-closed-by-intermediary',
        dir,
        `The connection to ${side} was ended by the intermediary while both endpoints still had it open${withClose ? '' : ', without a Close frame'}.`,
      ),
    );
  };
  check(obs.client, obs.server, names.client, 'server->client');
  check(obs.server, obs.client, names.server, 'client->server');
  return findings;
}
