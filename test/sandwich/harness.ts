/**
 * A sandwich around a broken intermediary (test/support/intermediary.ts: wsdiag chaos with toxics, or a
 * relay that edits the handshake) for one test:
 *
 *   ws client ─► front (rig-c1) ─► intermediary ─► return (rig-r1) ─► ws target (echo, deflate, "chat")
 *
 * The run id is pinned to RIG_RUN, so tests name connections as they appear in the events.
 * Every event is kept; waits resolve on the events themselves, bounded by a deadline.
 */
import type { WebSocket } from 'ws';
import { startIntermediary, type Intermediary, type IntermediaryFaults } from '../support/intermediary.js';
import { startSandwich, type RunningSandwich } from '../../src/sandwich/run.js';
import type { SandwichFindingEvent, SandwichSummaryEvent, WsdiagEvent } from '../../src/events/index.js';
import { startWsServer, type WsServer } from '../support/ws-servers.js';
import { occupiedPort } from '../support/net.js';
import { EventLog } from '../support/event-log.js';

/** The rig's run id: connection ids are rig-c1, rig-r1… */
export const RIG_RUN = 'rig';

export interface Rig {
  sandwich: RunningSandwich;
  intermediary: Intermediary;
  target: WsServer;
  events: WsdiagEvent[];
  /** The URL a client dials (the front listener), with `path`. */
  url(path?: string): string;
  findings(): SandwichFindingEvent[];
  /** Resolves with the first event (seen or to come) that `match` accepts. */
  waitFor<T extends WsdiagEvent>(match: (e: WsdiagEvent) => e is T, what: string, ms?: number): Promise<T>;
  waitFor(match: (e: WsdiagEvent) => boolean, what: string, ms?: number): Promise<WsdiagEvent>;
  /** Resolves once `conns` have all emitted their `close` event (their pairs are then compared). */
  closed(...conns: string[]): Promise<void>;
  /** Stops the sandwich (once) and everything around it; resolves with the summary. */
  stop(): Promise<SandwichSummaryEvent>;
}

export interface RigOptions {
  /** What the intermediary does (default: nothing, an honest relay). */
  faults?: IntermediaryFaults;
  /** Replaces the target's echo behaviour. */
  onConnection?: (ws: WebSocket) => void;
  lingerMs?: number;
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const target = await startWsServer(
    {
      perMessageDeflate: { threshold: 0 },
      handleProtocols: (offered: Set<string>) => (offered.has('chat') ? 'chat' : false),
    },
    options.onConnection,
  );
  const log = new EventLog();
  // The intermediary's port is held while the sandwich binds its own listeners on port 0: released
  // before, the system could hand that very port to one of them.
  const via = await occupiedPort();
  let sandwich: RunningSandwich;
  try {
    sandwich = await startSandwich({
      listen: { host: '127.0.0.1', port: 0 },
      returnListen: { host: '127.0.0.1', port: 0 },
      via: `ws://127.0.0.1:${via.port}/`,
      target: target.url,
      runId: RIG_RUN,
      lingerMs: options.lingerMs ?? 3000,
      // Through JSON, as a log would hold it (and proof that every event serialises).
      onEvent: log.push,
    });
  } catch (err) {
    await via.release();
    await target.close();
    throw err;
  }
  await via.release();
  let intermediary: Intermediary;
  try {
    intermediary = await startIntermediary(sandwich.back.url, options.faults, via.port);
  } catch (err) {
    // What started is closed, so a failed test ends instead of keeping its file's process alive.
    await sandwich.close();
    await target.close();
    throw err;
  }
  let summary: Promise<SandwichSummaryEvent> | null = null;
  const waitFor = (match: (e: WsdiagEvent) => boolean, what: string, ms?: number) => log.waitForMatch(match, what, ms);
  return {
    sandwich,
    intermediary,
    target,
    events: log.events,
    url: (path = '/') => `${sandwich.front.url}${path}`,
    findings: () => log.events.filter((e): e is SandwichFindingEvent => e.type === 'sandwich-finding'),
    waitFor: waitFor,
    closed: async (...conns) => {
      for (const conn of conns) await waitFor((e) => e.type === 'close' && e.conn === conn, `the close event of ${conn}`);
    },
    stop: () =>
      (summary ??= (async () => {
        const result = await sandwich.close();
        await intermediary.close();
        await target.close();
        return result;
      })()),
  };
}

export function isFinding(check: string, dir?: string) {
  return (e: WsdiagEvent): e is SandwichFindingEvent =>
    e.type === 'sandwich-finding' && e.check === check && (dir === undefined || e.dir === dir);
}

/** "check dir" strings of the failures, for compact assertions. */
export function failures(rig: Rig): string[] {
  return rig
    .findings()
    .filter((f) => f.severity === 'failure')
    .map((f) => `${f.check} ${f.dir}`);
}
