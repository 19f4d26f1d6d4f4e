/**
 * Several listeners on one decoder: `combineSinks` makes one sink that calls each listener's methods in
 * order. It defines only the methods some listener defines, so the decoder still skips the events (and
 * the work behind them, such as unmasking binary payload) that nobody listens to.
 */
import type { DecoderSink } from './types.js';

/** Every method a sink can have (the Record type makes the compiler check the list is complete). */
const SINK_METHODS: Record<keyof DecoderSink, true> = {
  finding: true,
  frame: true,
  payload: true,
  frameEnd: true,
  close: true,
  ping: true,
  pong: true,
  messageStart: true,
  messageData: true,
  messageEnd: true,
  stopped: true,
};

/** The names of a sink's methods, in the order combineSinks considers them. */
export const SINK_METHOD_NAMES = Object.keys(SINK_METHODS) as readonly (keyof DecoderSink)[];

type Method = (...args: never[]) => void;

/** One sink calling `first`, then each of `more`, for every event any of them defines. */
export function combineSinks(first: DecoderSink, ...more: readonly Partial<DecoderSink>[]): DecoderSink {
  if (more.length === 0) return first;
  const sinks: readonly Partial<DecoderSink>[] = [first, ...more];
  const combined: Partial<Record<keyof DecoderSink, Method>> = {};
  for (const name of SINK_METHOD_NAMES) {
    // Bound, so listeners written as class methods keep their `this`.
    const calls = sinks.flatMap((sink) => {
      const method = sink[name] as Method | undefined;
      return method === undefined ? [] : [method.bind(sink)];
    });
    if (calls.length === 1) combined[name] = calls[0]!;
    else if (calls.length > 1) {
      combined[name] = (...args: never[]): void => {
        for (const call of calls) call(...args);
      };
    }
  }
  return combined as DecoderSink;
}
