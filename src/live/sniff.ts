/**
 * `wsdiag sniff` as a library call: tcpdump captures an interface and writes pcap to a pipe
 * (`tcpdump -U -w -`), and the capture analyzer judges it as it comes, with the proxy's sinks (stdout,
 * the log file, the summary), until `io.signal` aborts or tcpdump ends. Passive: nothing is re-pointed,
 * nothing relayed; what the capture misses is reported as a gap, TLS connections as not decodable.
 *
 * tcpdump's own failures are one line each, with its reason: not installed (exit 3), not allowed to capture
 * (exit 3), an interface or a filter it refuses (exit 2). At the stop, tcpdump is told to finish (SIGTERM),
 * what it flushed is judged, connections still open are closed (`how: "capture-end"`), then the summary.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { CaptureRun, type CaptureJudgeOptions } from '../analyze/index.js';
import { ConfigError, ExitCode, OperationalError, type ExitCodeValue } from '../errors.js';
import { systemClock } from '../events/index.js';
import { createFilter, type FilterOptions } from '../filter/index.js';
import { MultiReporter, SummaryCollector } from '../reporters/index.js';
import { openLiveSinks, type LiveIO, type LiveOutputOptions } from './run.js';

export interface RunSniffOptions extends LiveOutputOptions {
  /** The interface to capture on, as tcpdump names it (`tcpdump -D` lists them; `any` is every one). */
  interface: string;
  /** Capture only TCP traffic to or from these ports (any port without them). */
  ports?: readonly number[];
  /** More of tcpdump's filter language (BPF), joined to the ports with `and`; e.g. "host 10.0.0.2". */
  bpf?: string;
  /** How connections are judged: the proxy's options of the same names. */
  judge?: CaptureJudgeOptions;
  /** Which events stdout shows (src/filter/); the log file and the summary get every one. */
  filter?: FilterOptions;
  /** The capture program (default `tcpdump`, looked up on PATH). */
  tcpdump?: string;
}

/** The tcpdump filter for `ports` and `bpf`: TCP only, as nothing else can hold a WebSocket. */
export function captureFilter(ports: readonly number[] = [], bpf = ''): string {
  const byPort = ports.map((port) => `tcp port ${port}`).join(' or ');
  const extra = bpf.trim();
  if (byPort !== '' && extra !== '') return `(${byPort}) and (${extra})`;
  if (byPort !== '') return byPort;
  return extra !== '' ? `tcp and (${extra})` : 'tcp';
}

/** `tcpdump ARGS`: packets written to stdout as they come, not buffered (-U, --immediate-mode), whole (-s 0). */
export function tcpdumpArgs(iface: string, filter: string): string[] {
  return ['-i', iface, '-U', '--immediate-mode', '-s', '0', '-w', '-', filter];
}

type Tcpdump = ChildProcessByStdio<null, Readable, Readable>;

export async function runSniff(options: RunSniffOptions, io: LiveIO): Promise<ExitCodeValue> {
  checkInterface(options.interface);
  const clock = io.clock ?? systemClock;
  const filter = captureFilter(options.ports, options.bpf);
  const program = options.tcpdump ?? 'tcpdump';
  const summary = new SummaryCollector();
  const keep = options.filter ? createFilter(options.filter) : undefined;
  const { reporters: sinks, logFailure } = openLiveSinks(options, io, {
    rest: 'the capture goes on until Ctrl-C or SIGTERM',
    ...(keep ? { shown: keep } : {}),
  });
  const reporters = new MultiReporter([...sinks, summary]);
  const run = new CaptureRun(options.judge ?? {}, (event) => reporters.write(event));

  let child: Tcpdump;
  try {
    child = spawn(program, tcpdumpArgs(options.interface, filter), { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    await reporters.close();
    throw new OperationalError(`cannot run ${program}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const capture = watch(child, program, filter);
  child.stdout.on('data', (chunk: Buffer) => run.push(chunk));

  try {
    await capture.started(io.signal);
  } catch (err) {
    child.kill('SIGKILL');
    await capture.exited;
    await reporters.close();
    throw err;
  }
  if (!io.signal.aborted) io.stderr.write(`wsdiag: capturing on ${options.interface} (${filter}); Ctrl-C to stop\n`);

  const onAbort = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  io.signal.addEventListener('abort', onAbort, { once: true });
  if (io.signal.aborted) onAbort();
  const exit = await capture.exited;
  io.signal.removeEventListener('abort', onAbort);

  run.end();
  reporters.write(summary.summary(clock));
  await reporters.close();
  const dropped = droppedByKernel(capture.stderr());
  if (dropped > 0)
    io.stderr.write(
      `wsdiag: ${program} says the kernel dropped ${dropped} packet${dropped === 1 ? '' : 's'} it could not keep up with; bytes they carried show as gaps.\n`,
    );
  logFailure.check();
  // Stopped by us, or by the Ctrl-C that reached it too (it then exits 0), is the normal end.
  if (exit.code !== 0 && !(io.signal.aborted && exit.signal !== null)) {
    throw new OperationalError(
      `${program} stopped capturing: ${tcpdumpReason(capture.stderr()) ?? `exit status ${exit.code ?? exit.signal}`}`,
    );
  }
  return ExitCode.Ok;
}

/** An interface name tcpdump could take (a typo such as an empty name is caught before it runs). */
function checkInterface(name: string): void {
  if (name.trim() === '' || /\s/.test(name)) {
    throw new ConfigError('interface', (n) => `${n('interface')} "${name}" is not an interface name (tcpdump -D lists them; any = all)`);
  }
}

interface Watched {
  /** Resolves once tcpdump says it is listening; rejects with why it could not start (or resolves when `signal` aborts first). */
  started(signal: AbortSignal): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/** Follows tcpdump's stderr (its "listening on" line, its reasons, its counts at exit) and its exit. */
function watch(child: Tcpdump, program: string, filter: string): Watched {
  let stderr = '';
  let spawnError: NodeJS.ErrnoException | null = null;
  const changed = new Set<() => void>();
  const notify = (): void => {
    for (const listener of changed) listener();
  };
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    // Only its first lines and its last ones matter; a flood of warnings is cut.
    stderr = (stderr + text).slice(-16_384);
    notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      spawnError = err;
      notify();
      resolve({ code: null, signal: null });
    });
    child.once('close', (code, signal) => {
      notify();
      resolve({ code, signal });
    });
  });
  let over = false;
  void exited.then(() => (over = true));
  return {
    exited,
    stderr: () => stderr,
    started: (signal) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          const failed = spawnError;
          if (failed !== null) finish(() => reject(spawnFailure(program, failed)));
          else if (/listening on /.test(stderr)) finish(resolve);
          else if (over || child.exitCode !== null) finish(() => reject(startFailure(program, filter, stderr)));
          else if (signal.aborted) finish(resolve);
        };
        const finish = (then: () => void): void => {
          changed.delete(check);
          signal.removeEventListener('abort', check);
          then();
        };
        changed.add(check);
        signal.addEventListener('abort', check, { once: true });
        void exited.then(check);
        check();
      }),
  };
}

function spawnFailure(program: string, err: NodeJS.ErrnoException): OperationalError {
  if (err.code === 'ENOENT')
    return new OperationalError(`cannot run ${program}: it is not installed or not on PATH (install it, e.g. apt-get install tcpdump)`, {
      cause: err,
    });
  if (err.code === 'EACCES') return new OperationalError(`cannot run ${program}: permission denied (EACCES)`, { cause: err });
  return new OperationalError(`cannot run ${program}: ${err.message}`, { cause: err });
}

/** tcpdump exited before it listened: its reason, as a usage error when it refused what it was given. */
function startFailure(program: string, filter: string, stderr: string): OperationalError | ConfigError {
  const reason = tcpdumpReason(stderr) ?? 'it exited without saying why';
  if (/syntax error|can't parse filter|parse error/i.test(reason))
    return new ConfigError('bpf', `the capture filter "${filter}" is not valid: ${program} says: ${reason}`);
  if (/no such device|doesn't exist|not found/i.test(reason))
    return new ConfigError(
      'interface',
      (n) => `${n('interface')}: ${program} cannot capture there: ${reason} (tcpdump -D lists the interfaces)`,
    );
  if (/permission|not permitted/i.test(reason))
    return new OperationalError(
      `${program} is not allowed to capture: ${reason}; run wsdiag sniff as root, or give ${program} the capture capabilities (setcap cap_net_raw,cap_net_admin=eip $(command -v ${program}))`,
    );
  return new OperationalError(`${program} could not start capturing: ${reason}`);
}

/** tcpdump's complaint in one line: its "tcpdump: …" lines and the detail after them, its counts left out. */
export function tcpdumpReason(stderr: string): string | null {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^listening on |^\d+ packets? (captured|received|dropped)/.test(line) && !/listening on /.test(line));
  if (lines.length === 0) return null;
  return lines
    .slice(0, 3)
    .map((line) => line.replace(/^tcpdump: /, ''))
    .join(' ');
}

/** tcpdump's count at exit of the packets the kernel dropped because it did not keep up. */
export function droppedByKernel(stderr: string): number {
  const match = /(\d+) packets? dropped by kernel/.exec(stderr);
  return match ? Number(match[1]) : 0;
}
