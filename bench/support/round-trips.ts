/**
 * One measured window of closed-loop round trips through a relay process: messages per second, p99 latency,
 * and the relay's own CPU (user + system) per round trip, read from /proc at the window's edges.
 */
import { textPayload } from './frames.js';
import { runLoad } from './load.js';
import { must } from './must.js';
import { treeCpuMicros } from './proc-cpu.js';
import type { ExternalRelay } from './relays.js';
import { percentileOfSorted } from './stats.js';

export interface RoundTrips {
  messagesPerSecond: number;
  p99Ms: number;
  relayCpuUsPerMessage: number;
}

export interface WindowOptions {
  warmupMs: number;
  windowMs: number;
  /** Stop the window early after this many round trips. */
  maxMessages?: number;
}

export async function roundTripsThrough(
  relay: ExternalRelay,
  size: number,
  connections: number,
  options: WindowOptions,
): Promise<RoundTrips> {
  // Filled in by the load's window callbacks.
  const cpu: { before?: number; after?: number } = {};
  const result = await runLoad({
    url: `ws://127.0.0.1:${relay.port}/echo`,
    connections,
    payload: textPayload(size),
    warmupMs: options.warmupMs,
    measureMs: options.windowMs,
    maxMessages: options.maxMessages ?? 2_000_000,
    onWindow: (edge) => {
      if (edge === 'start') cpu.before = treeCpuMicros(relay.pid);
      else cpu.after = treeCpuMicros(relay.pid);
      return Promise.resolve();
    },
  });
  if (result.messages === 0) throw new Error(`${relay.name}: no message completed a round trip`);
  const used = must(cpu.after, 'relay CPU at the end of the window') - must(cpu.before, 'relay CPU at the start of the window');
  return {
    messagesPerSecond: result.messages / result.seconds,
    p99Ms: percentileOfSorted(result.latenciesMs, 99),
    relayCpuUsPerMessage: used / result.messages,
  };
}
