/**
 * The differential itself: the two legs of one connection compared with the probe's pure comparison
 * (src/observe/compare.ts), and each ProbeFinding turned into a `sandwich-finding` event blamed on the
 * intermediary, with each leg's side of the story as evidence. Pure: legs in, events out.
 *
 * The legs are compared as they came; what a finding shows of them (paths, subprotocols, Close reasons,
 * quoted control payloads) goes through the redactor, like every other event of the legs.
 */
import { SCHEMA_VERSION, type Clock, type Direction } from '../events/index.js';
import {
  columnOf,
  compareConnection,
  compareHandshake,
  type CheckId,
  type EndpointNames,
  type ObservedStream,
  type ProbeFinding,
} from '../observe/index.js';
import { REDACT_SECRETS, type Redactor } from '../redact.js';
import type { LegRecord } from './leg.js';
import type { LegEvidence, MatchedBy, SandwichFindingEvent, StreamEvidence } from './types.js';

/** What the comparison's sentences call the two observation points. */
export const SANDWICH_NAMES: EndpointNames = { client: 'the front leg', server: 'the return leg' };

export interface PairToCompare {
  front: LegRecord;
  return: LegRecord;
  by: MatchedBy;
  /** Still open when wsdiag stopped (see `interruptedFinding`). */
  interrupted?: boolean;
}

export interface DiffOptions {
  maxLatencyMs?: number | null;
  clock: Clock;
  /** What findings and evidence may show of credentials, as the legs' proxies (default: redacted). */
  redact?: Redactor;
}

export function comparePair(pair: PairToCompare, options: DiffOptions): SandwichFindingEvent[] {
  const redact = options.redact ?? REDACT_SECRETS;
  const obs = { client: pair.front.observation(), server: pair.return.observation() };
  // Without a 101 on both legs there is no WebSocket traffic to compare, only the handshakes.
  const findings =
    pair.front.upgraded && pair.return.upgraded
      ? compareConnection(obs, { maxLatencyMs: options.maxLatencyMs ?? null, names: SANDWICH_NAMES, redact }).findings
      : compareHandshake(obs.client.handshake, obs.server.handshake, SANDWICH_NAMES, redact);
  const ts = options.clock().toISOString();
  const out: SandwichFindingEvent[] = [];
  for (const raw of findings) {
    const f = pair.interrupted ? interruptedFinding(raw) : raw;
    if (f === null) continue;
    out.push({
      v: SCHEMA_VERSION,
      type: 'sandwich-finding',
      ts,
      conn: pair.front.conn,
      return_conn: pair.return.conn,
      check: f.check,
      severity: f.severity,
      blame: 'intermediary',
      dir: f.dir,
      // Close reasons and control payloads are quoted from live traffic.
      message: redact.text(f.message),
      evidence: {
        matched_by: pair.by,
        ...(f.rule !== undefined ? { rule: f.rule } : {}),
        ...(f.rfc !== undefined ? { rfc: f.rfc } : {}),
        front: legEvidence(pair.front, f, redact),
        return: legEvidence(pair.return, f, redact),
        ...(pair.interrupted ? { interrupted: true as const } : {}),
      },
    });
  }
  return out;
}

/** Checks that traffic still inside the intermediary when wsdiag stopped can explain. */
const IN_FLIGHT_CHECKS = new Set<CheckId>([
  'message-dropped',
  'message-truncated',
  'message-incomplete',
  'ping-lost',
  'pong-lost',
  'close-swallowed',
]);

/**
 * A pair cut by wsdiag's own shutdown: the ending is wsdiag's doing, not the intermediary's (dropped),
 * and a loss may be bytes that were still on their way (a warning, which does not fail the run).
 */
function interruptedFinding(f: ProbeFinding): ProbeFinding | null {
  if (f.check === 'connection-closed-by-intermediary') return null;
  if (f.severity !== 'failure' || !IN_FLIGHT_CHECKS.has(f.check)) return f;
  return {
    ...f,
    severity: 'warning',
    message: `${f.message} (The connection was still open when wsdiag stopped: this may be traffic still inside the intermediary.)`,
  };
}

function legEvidence(leg: LegRecord, f: ProbeFinding, redact: Redactor): LegEvidence {
  const h = leg.handshake;
  const header = (value: string | undefined, show: (v: string) => string): string | null => (value === undefined ? null : show(value));
  const evidence: LegEvidence = {
    conn: leg.conn,
    // Already as events show it: the proxy hands the legs the redacted path.
    path: h.path,
    key: leg.key,
    status: h.status,
    offered: {
      subprotocols: header(h.request['sec-websocket-protocol'], redact.subprotocols),
      extensions: header(h.request['sec-websocket-extensions'], redact.text),
    },
    subprotocol: leg.upgraded ? header(h.response?.['sec-websocket-protocol'], redact.subprotocols) : null,
    extensions: leg.upgraded ? header(h.response?.['sec-websocket-extensions'], redact.text) : null,
  };
  if (f.dir !== null && leg.upgraded && columnOf(f) !== 'handshake')
    evidence.stream = streamEvidence(leg.streams[f.dir].stream, f.dir, f.rule, redact);
  return evidence;
}

function streamEvidence(stream: ObservedStream, dir: Direction, rule: string | undefined, redact: Redactor): StreamEvidence {
  const evidence: StreamEvidence = {
    dir,
    bytes: stream.bytes,
    frames: stream.frames.length,
    messages: stream.messages.length,
    closes: stream.controls.flatMap((c) => (c.close ? [{ code: c.close.code, reason: redact.text(c.close.reason) }] : [])),
  };
  if (rule !== undefined) {
    evidence.violations = stream.violations
      .filter((v) => v.rule === rule)
      .slice(0, 3)
      .map((v) => ({ rule: v.rule, frame: v.frame, message: v.message }));
  }
  return evidence;
}
