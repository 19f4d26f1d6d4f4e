/**
 * `wsdiag sandwich` as a library call: the two listeners around the intermediary with their sinks,
 * run until `io.signal` aborts; then both stop, open connections are ended and compared, both summaries
 * (the legs' `summary`, then the `sandwich-summary`) are written, everything is flushed, and it resolves
 * with the exit code: 1 when a failure (a change RFC 6455 forbids) was found, else 0.
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { systemClock } from '../events.js';
import { SummaryCollector } from '../reporters/index.js';
import { stdoutClosedNotice } from '../reporters/line-sink.js';
import { SandwichJsonl, SandwichPretty, openSandwichLog, type SandwichSink } from '../sandwich/output.js';
import { startSandwich } from '../sandwich/run.js';
import type { SandwichEvent, SandwichOptions } from '../sandwich/types.js';
import { LogFailure, aborted, livePrettyOptions, type LiveIO, type LiveOutputOptions } from './run.js';

export interface RunSandwichOptions extends LiveOutputOptions {
  /** The sandwich's options without the sinks and the clock, which the run owns. */
  sandwich: Omit<SandwichOptions, 'onEvent' | 'onSuppressed' | 'clock'>;
}

export async function runSandwich(options: RunSandwichOptions, io: LiveIO): Promise<ExitCodeValue> {
  const clock = io.clock ?? systemClock;
  const stdoutClosed = stdoutClosedNotice(io.stderr, {
    rest: 'the sandwich keeps relaying until Ctrl-C or SIGTERM',
    ...(options.log !== undefined ? { log: options.log } : {}),
  });
  const output: SandwichSink = options.json
    ? new SandwichJsonl(io.stdout, { onClosed: stdoutClosed })
    : new SandwichPretty(io.stdout, livePrettyOptions(options, io), stdoutClosed);
  const logFailure = new LogFailure(options.log);
  const log = options.log !== undefined ? openSandwichLog(options.log, logFailure.onClosed) : undefined;
  const sinks = log ? [output, log] : [output];
  const legSummary = new SummaryCollector();
  const write = (event: SandwichEvent): void => {
    if (event.type !== 'sandwich-finding' && event.type !== 'sandwich-summary') legSummary.write(event);
    for (const sink of sinks) sink.write(event);
  };
  const closeSinks = () => Promise.all(sinks.map((sink) => sink.close()));

  const { sandwich: sandwichOptions } = options;
  const sandwich = await startSandwich({
    ...sandwichOptions,
    clock,
    onEvent: write,
    onSuppressed: (violation) => legSummary.countSuppressed(violation.rule, violation.code),
    proxy: { ...sandwichOptions.proxy, onRefused: (kind) => legSummary.countRefused(kind) },
  }).catch(async (err: unknown) => {
    await closeSinks();
    throw err;
  });
  await aborted(io.signal);
  const summary = await sandwich.close();
  write(legSummary.summary(clock));
  write(summary);
  await closeSinks();
  logFailure.check();
  return sandwich.failed ? ExitCode.Violations : ExitCode.Ok;
}
