/**
 * One measured window of closed-loop round trips through a relay child: messages per second, p99 latency,
 * and the relay's own CPU (user + system) per round trip, read from its process at the window's edges.
 */
import type { BenchChild, ChildStats } from './child.js';
import { textPayload } from './frames.js';
import { runLoad } from './load.js';
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

export async function roundTripsThrough(relay: BenchChild, size: number, connections: number, options: WindowOptions): Promise<RoundTrips> {
  const edges: { before?: ChildStats; after?: ChildStats } = {};
  const result = await runLoad({
    url: `ws://127.0.0.1:${relay.ready.port}/echo`,
    connections,
    payload: textPayload(size),
    warmupMs: options.warmupMs,
    measureMs: options.windowMs,
    maxMessages: options.maxMessages ?? 2_000_000,
    onWindow: async (edge) => {
      if (edge === 'start') edges.before = await relay.stats();
      else edges.after = await relay.stats();
    },
  });
  if (result.messages === 0 || !edges.before || !edges.after) throw new Error(`${relay.role}: no message completed a round trip`);
  const start = edges.before.cpu;
  const end = edges.after.cpu;
  return {
    messagesPerSecond: result.messages / result.seconds,
    p99Ms: percentileOfSorted(result.latenciesMs, 99),
    relayCpuUsPerMessage: (end.user - start.user + (end.system - start.system)) / result.messages,
  };
}
