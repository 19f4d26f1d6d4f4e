/**
 * Plays one case from both ends: dial through the intermediary, let the reflector take the connection,
 * run the steps (each side's frames, then a bounded wait until the other side has them), close, and
 * compare what each end sent with what the other received. Every wait is bounded; a wait that runs out
 * is evidence too (something was lost), and the comparison says what.
 */
import type { Side } from '../events/index.js';
import {
  classifyInvalid,
  compareConnection,
  compareHandshake,
  failure,
  plural,
  warning,
  type ConnectionObservation,
  type ObservedStream,
  type ProbeFinding,
} from '../observe/index.js';
import { Opcode } from '../protocol/index.js';
import type { ProbeCase, SendStep } from './cases.js';
import { openClient, type ClientOptions } from './client.js';
import type { Endpoint } from './endpoint.js';
import { PROBE_HEADER, type Reflector, type ReflectorSession } from './reflector.js';
import type { CaseResult, CaseStatus } from './types.js';
import { waitFor, within } from './wait.js';

export interface PlayContext {
  reflector: Reflector;
  client: Omit<ClientOptions, 'protocols' | 'extensions' | 'headers' | 'closeReply'>;
  runId: string;
  timeoutMs: number;
  idleMs: number;
  maxLatencyMs: number | null;
}

/** Extra time a wait gets per byte in flight (20 MB/s): big messages through slow intermediaries. */
const MS_PER_BYTE = 1 / 20_000;

export async function playCase(c: ProbeCase, ctx: PlayContext): Promise<CaseResult> {
  const started = performance.now();
  const label = `${ctx.runId} ${c.name}`;
  const first = c.steps[0];
  const firstFrames = first?.kind === 'send' && first.withHandshake ? first.frames() : undefined;
  const expectation = ctx.reflector.expect({ label, handshake: c.handshake, firstFrames, closeReply: c.close?.reply });
  let client: Endpoint | null = null;
  let server: Endpoint | null = null;
  try {
    const outcome = await openClient({
      ...ctx.client,
      protocols: c.handshake?.protocols,
      extensions: c.handshake?.extensions,
      headers: [[PROBE_HEADER, label]],
      closeReply: c.close?.reply,
    });
    if (!outcome.upgraded) {
      const session = expectation.arrived ? await expectation.session : null;
      session?.endpoint.destroy();
      const findings = session
        ? compareHandshake(outcome.handshake, session.handshake)
        : [
            failure(
              'handshake-refused',
              null,
              `The upgrade never reached the reflector: the client got ${JSON.stringify(outcome.statusLine)}.`,
            ),
          ];
      return result(c, started, findings, null);
    }
    client = outcome.endpoint;
    const session: ReflectorSession | null = await within(expectation.session, ctx.timeoutMs, null);
    if (!session) {
      return result(
        c,
        started,
        [
          failure(
            'handshake-refused',
            null,
            `The client got a 101, but no upgrade request reached the reflector within ${ctx.timeoutMs} ms.`,
          ),
        ],
        null,
      );
    }
    server = session.endpoint;
    const notes = await runSteps(c, client, server, ctx);
    const lingering = await closeConnection(c, client, server, ctx);
    client.destroy();
    server.destroy();

    const obs: ConnectionObservation = {
      client: {
        handshake: outcome.handshake,
        sent: client.sent.stream,
        received: client.received.stream,
        localEndAt: client.localEndAt,
        remoteEndAt: client.remoteEndAt,
      },
      server: {
        handshake: session.handshake,
        sent: server.sent.stream,
        received: server.received.stream,
        localEndAt: server.localEndAt,
        remoteEndAt: server.remoteEndAt,
      },
    };
    if (c.invalid) {
      return result(c, started, [...compareHandshake(obs.client.handshake, obs.server.handshake), classifyInvalid(c.invalid, obs)], null);
    }
    const comparison = compareConnection(obs, { maxLatencyMs: ctx.maxLatencyMs });
    const findings = [...comparison.findings, ...lingering];
    // A wait that ran out with nothing else to explain it is a failure of its own. Pings the intermediary
    // answered itself never reach the other side, so they explain a wait too.
    if (!findings.some((f) => f.severity === 'failure' || f.check === 'ping-answered-by-intermediary')) findings.push(...notes);
    return result(c, started, findings, comparison.maxLatencyMs);
  } finally {
    client?.destroy();
    server?.destroy();
    expectation.cancel();
  }
}

interface Counts {
  messages: number;
  pings: number;
  pongs: number;
  closes: number;
}

function counts(stream: ObservedStream): Counts {
  const n = (op: number) => stream.controls.filter((c) => c.opcode === op).length;
  return { messages: stream.messages.length, pings: n(Opcode.Ping), pongs: n(Opcode.Pong), closes: n(Opcode.Close) };
}

async function runSteps(c: ProbeCase, client: Endpoint, server: Endpoint, ctx: PlayContext): Promise<ProbeFinding[]> {
  const notes: ProbeFinding[] = [];
  const ends = { client, server };
  for (const step of c.steps) {
    if (client.finished || server.finished) break;
    if (step.kind === 'idle') {
      notes.push(...(await idle(client, server, ctx)));
      continue;
    }
    const note = await exchange(step, ends[step.from], ends[other(step.from)], ctx);
    if (note) notes.push(note);
  }
  return notes;
}

/**
 * One side sends a step's frames; resolves once the other side received as many messages, pings,
 * pongs and Closes as were sent and the sender got a pong for each ping, or once the connection stalls
 * (a side's stream ended) or the wait runs out. Returns a note when it ran out.
 */
async function exchange(step: SendStep, sender: Endpoint, receiver: Endpoint, ctx: PlayContext): Promise<ProbeFinding | null> {
  // Frames sent with the 101 are already out: count them from the start of the stream.
  const zero: Counts = { messages: 0, pings: 0, pongs: 0, closes: 0 };
  const sentBefore = step.withHandshake ? zero : counts(sender.sent.stream);
  const receivedBefore = step.withHandshake ? zero : counts(receiver.received.stream);
  const pongsBefore = step.withHandshake ? 0 : counts(sender.received.stream).pongs;
  const bytesBefore = sender.sent.stream.bytes;
  if (!step.withHandshake) sender.send(step.frames(), step.exact);
  const sent = counts(sender.sent.stream);
  const want = {
    messages: receivedBefore.messages + sent.messages - sentBefore.messages,
    pings: receivedBefore.pings + sent.pings - sentBefore.pings,
    pongs: receivedBefore.pongs + sent.pongs - sentBefore.pongs,
    closes: receivedBefore.closes + sent.closes - sentBefore.closes,
  };
  const wantPongs = pongsBefore + sent.pings - sentBefore.pings;
  const satisfied = () => {
    const got = counts(receiver.received.stream);
    return (
      got.messages >= want.messages &&
      got.pings >= want.pings &&
      got.pongs >= want.pongs &&
      got.closes >= want.closes &&
      counts(sender.received.stream).pongs >= wantPongs
    );
  };
  const stalled = () => sender.received.stream.endedAt !== null || receiver.received.stream.endedAt !== null;
  const budget = ctx.timeoutMs + (sender.sent.stream.bytes - bytesBefore) * MS_PER_BYTE;
  if (await waitFor([sender, receiver], () => satisfied() || stalled(), budget)) return null;
  const got = counts(receiver.received.stream);
  const missing = want.messages - got.messages;
  const what = missing > 0 ? plural(missing, 'message') : 'control frames';
  return failure(
    'timeout',
    sender.side === 'client' ? 'client->server' : 'server->client',
    `The ${receiver.side === 'server' ? 'reflector' : 'client'} was still waiting for ${what} from the ${sender.side === 'server' ? 'reflector' : 'client'} after ${Math.round(budget)} ms.`,
  );
}

/** Both sides stay quiet for the idle period except for a ping each, every second (or twice per period). */
async function idle(client: Endpoint, server: Endpoint, ctx: PlayContext): Promise<ProbeFinding[]> {
  const interval = Math.max(50, Math.min(1000, ctx.idleMs / 2));
  const deadline = performance.now() + ctx.idleMs;
  let n = 0;
  const notes: ProbeFinding[] = [];
  while (performance.now() < deadline) {
    // Wake early if the intermediary ends the connection while it is idle.
    const ended = await waitFor(
      [client, server],
      () => client.finished || server.finished,
      Math.min(interval, deadline - performance.now()),
    );
    if (ended) break;
    n++;
    for (const [sender, receiver] of [
      [client, server],
      [server, client],
    ] as const) {
      const note = await exchange(
        { kind: 'send', from: sender.side, frames: () => [{ opcode: Opcode.Ping, payload: `idle ping ${n} from the ${sender.side}` }] },
        sender,
        receiver,
        ctx,
      );
      if (note) notes.push(note);
    }
  }
  return notes;
}

/** The closing handshake, then the end of TCP at both ends. */
async function closeConnection(c: ProbeCase, client: Endpoint, server: Endpoint, ctx: PlayContext): Promise<ProbeFinding[]> {
  if (c.close) {
    const closer = c.close.by === 'client' ? client : server;
    if (!closer.closeSent && !closer.finished) closer.sendClose(c.close.code, c.close.reason);
  }
  const exchanged = () => (client.closeSent || client.finished) && (server.closeSent || server.finished);
  const over = () => client.finished && server.finished;
  if (!(await waitFor([client, server], () => over() || (exchanged() && (client.finished || server.finished)), ctx.timeoutMs))) return [];
  if (over()) return [];
  // One end is closed; the other should follow at once if the intermediary passes the end on.
  if (await waitFor([client, server], over, Math.min(ctx.timeoutMs, 2000))) return [];
  const open: Side = client.finished ? 'server' : 'client';
  return [
    warning(
      'timeout',
      null,
      `After the closing handshake the ${open === 'server' ? 'reflector' : 'client'}'s connection was still open ${Math.min(ctx.timeoutMs, 2000)} ms after the other end had closed: the intermediary does not pass the end of the connection on.`,
    ),
  ];
}

function other(side: Side): Side {
  return side === 'client' ? 'server' : 'client';
}

function result(c: ProbeCase, started: number, findings: ProbeFinding[], maxLatencyMs: number | null): CaseResult {
  return {
    case: c.name,
    summary: c.summary,
    status: statusOf(findings),
    durationMs: Math.round(performance.now() - started),
    findings,
    maxLatencyMs: maxLatencyMs === null ? null : Math.round(maxLatencyMs * 10) / 10,
    error: null,
  };
}

export function statusOf(findings: readonly ProbeFinding[]): CaseStatus {
  if (findings.some((f) => f.severity === 'failure')) return 'fail';
  if (findings.some((f) => f.severity === 'warning')) return 'warn';
  return 'pass';
}
