/**
 * `wsdiag sandwich` as a library call: the two listeners around the intermediary with their sinks,
 * run until `io.signal` aborts; then both stop, open connections are ended and compared, both summaries
 * (the legs' `summary`, then the `sandwich-summary`) are written, everything is flushed, and it resolves
 * with the exit code: 1 when a failure (a change RFC 6455 forbids) was found, else 0.
 */
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { systemClock, type WsdiagEvent } from '../events/index.js';
import { summaryCounts } from '../proxy/index.js';
import { MultiReporter, SummaryCollector } from '../reporters/index.js';
import { startSandwich, type SandwichOptions } from '../sandwich/index.js';
import { aborted, openLiveSinks, type LiveIO, type LiveOutputOptions } from './run.js';

export interface RunSandwichOptions extends LiveOutputOptions {
  /** The sandwich's options without the sinks and the clock, which the run owns. */
  sandwich: Omit<SandwichOptions, 'onEvent' | 'clock'>;
}

export async function runSandwich(options: RunSandwichOptions, io: LiveIO): Promise<ExitCodeValue> {
  const clock = io.clock ?? systemClock;
  const { reporters, logFailure } = openLiveSinks(options, io, { rest: 'the sandwich keeps relaying until Ctrl-C or SIGTERM' });
  const sinks = new MultiReporter(reporters);
  const legSummary = new SummaryCollector();
  const write = (event: WsdiagEvent): void => {
    legSummary.write(event);
    sinks.write(event);
  };
  const closeSinks = () => sinks.close();

  const { sandwich: sandwichOptions } = options;
  const sandwich = await startSandwich({
    ...sandwichOptions,
    clock,
    onEvent: write,
    // Both legs count their suppressed violations and refused clients into the legs' summary.
    proxy: { ...sandwichOptions.proxy, addons: [...(sandwichOptions.proxy?.addons ?? []), summaryCounts(legSummary)] },
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
