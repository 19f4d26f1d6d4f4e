/**
 * The parent side of the relay benchmark's child processes: fork one, wait until it listens, ask it for
 * its CPU and memory counters, stop it. Each request has one reply; requests are not interleaved.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** A child's counters at one instant. */
export interface ChildStats {
  /** process.cpuUsage() of the child, in microseconds. */
  cpu: { user: number; system: number };
  rss: number;
  /** Peak RSS of the child's whole life (VmHWM; the current RSS where /proc is missing). */
  maxRss: number;
  /** Events the child's proxy emitted, by type (wsdiag only). */
  events: Record<string, number>;
}

export interface ChildReady {
  port: number;
  /** Second port of the echo child: the raw sink used for the 1 GiB message. */
  sinkPort?: number;
  /** The JSON Lines log the wsdiag child writes to. */
  log?: string;
}

type Reply = { type: 'ready'; ready: ChildReady } | { type: 'stats'; stats: ChildStats } | { type: 'error'; message: string };

const SCRIPT = fileURLToPath(new URL('./relay-child.js', import.meta.url));

export class BenchChild {
  private constructor(
    readonly role: string,
    private readonly child: ChildProcess,
    readonly ready: ChildReady,
  ) {}

  /** Forks relay-child.js in `role` (echo | bare | wsdiag) and resolves once it listens. */
  static async start(role: string, args: readonly string[] = []): Promise<BenchChild> {
    const child = fork(SCRIPT, [role, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const reply = await nextReply(child, 15_000);
    if (reply.type !== 'ready') throw new Error(`${role} child: ${reply.type === 'error' ? reply.message : 'unexpected reply'}`);
    return new BenchChild(role, child, reply.ready);
  }

  /** The child's process id (for /proc CPU readings). */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  async stats(): Promise<ChildStats> {
    this.child.send({ type: 'stats' });
    const reply = await nextReply(this.child, 15_000);
    if (reply.type !== 'stats') throw new Error(`${this.role} child: ${reply.type === 'error' ? reply.message : 'unexpected reply'}`);
    return reply.stats;
  }

  /** Asks the child to close its servers and exit; kills it if it has not gone in 5 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

async function nextReply(child: ChildProcess, timeoutMs: number): Promise<Reply> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const [message] = (await Promise.race([
      once(child, 'message', { signal: ac.signal }),
      once(child, 'exit', { signal: ac.signal }).then(([code]) => {
        throw new Error(`child exited with ${String(code)} before answering`);
      }),
    ])) as [Reply];
    return message;
  } catch (err) {
    if (ac.signal.aborted) throw new Error(`child did not answer within ${timeoutMs} ms`, { cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
