/**
 * `wsdiag probe` as a library call: a probe run with its reports. The matrix (or one JSON line per case)
 * is written as each case ends, the JUnit file once the run is over; it resolves with the exit code
 * (DESIGN §5). The JUnit path is checked before anything listens, so a typo is exit 2, not a lost report.
 *
 * A reader that goes away (`wsdiag probe | head`) stops the run after the case in progress, as `signal` does.
 */
import { writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { ConfigError, OperationalError, type ExitCodeValue, type OptionNamer } from '../errors.js';
import { systemClock, type Clock } from '../events/index.js';
import { createOutput, createPalette, shouldUseColor, describeFsError } from '../reporters/index.js';
import { caseEvent, probeHeading, renderProbeJunit, summaryEvent } from './report.js';
import { probeExitCode, resolveProbeOptions, runProbe, type ProbeOptions } from './run.js';

export interface ProbeReportOptions extends Omit<ProbeOptions, 'onStart' | 'onCase' | 'signal'> {
  /** JSON Lines on stdout (a `probe-case` object per case, then a `probe-summary`) instead of the matrix. */
  json?: boolean;
  /** Also write a JUnit XML report here. */
  junit?: string;
  /** false turns colour off; colour also needs a terminal and no NO_COLOR. */
  color?: boolean;
}

export interface ProbeIO {
  stdout: Writable & { isTTY?: boolean };
  /** Aborting stops the run after the case in progress; the reports cover the cases that ran. */
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
}

export async function runProbeReport(options: ProbeReportOptions, io: ProbeIO): Promise<ExitCodeValue> {
  resolveProbeOptions(options);
  if (options.junit !== undefined) writeJunit(options.junit, '');

  const clock = io.clock ?? systemClock;
  const startedAt = clock();
  const stop = new AbortController();
  const abort = (): void => stop.abort();
  if (io.signal?.aborted) abort();
  io.signal?.addEventListener('abort', abort, { once: true });
  const color = shouldUseColor({ stream: io.stdout, flag: options.color ?? true, env: io.env ?? process.env });
  // A reader that goes away stops the run (the output stays quiet after: no EPIPE becomes an uncaught error).
  const output = createOutput({ json: options.json === true, stream: io.stdout, color, frames: false, quiet: false, onClosed: abort });
  try {
    const summary = await runProbe({
      ...options,
      signal: stop.signal,
      // The matrix's heading; its rows are the probe-case events' text.
      onStart: (plan) => {
        if (!options.json && !output.closed) io.stdout.write(probeHeading(plan, createPalette(color)));
      },
      onCase: (result) => output.write(caseEvent(result, clock)),
    });
    output.write(summaryEvent(summary, clock));
    await output.flush();
    if (options.junit !== undefined) writeJunit(options.junit, renderProbeJunit(summary, startedAt));
    return probeExitCode(summary);
  } finally {
    io.signal?.removeEventListener('abort', abort);
  }
}

function writeJunit(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (err) {
    const message = (n: OptionNamer) => `cannot write ${n('junit')} file ${path}: ${describeFsError(err)}`;
    // Before the run, a bad path is the user's to fix (exit 2); after it, the environment failed (exit 3).
    throw text === '' ? new ConfigError('junit', message, { cause: err }) : new OperationalError(message, { cause: err, option: 'junit' });
  }
}
