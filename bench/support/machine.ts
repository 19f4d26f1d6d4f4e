/**
 * What the numbers were measured on, printed above every table and stored with the JSON results:
 * throughput means little without the core count, the CPU and the Node version.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { simdUnmask } from '../../src/protocol/scratch.js';

export interface MachineInfo {
  date: string;
  node: string;
  platform: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  ws: string;
  /** Whether ws found its optional native helper (it masks and unmasks in C when it does). */
  bufferutil: string | null;
  /** Whether our decoder unmasks with its WebAssembly SIMD kernel (else JavaScript and bufferutil). */
  simdUnmask: boolean;
  /** 1-minute load average when the run started: other work on the machine skews every number. */
  loadAverage: number;
}

const require = createRequire(import.meta.url);

export function machineInfo(): MachineInfo {
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    ws: packageVersion('ws') ?? 'missing',
    bufferutil: packageVersion('bufferutil'),
    simdUnmask,
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** One line for the top of a report. */
export function describeMachine(info: MachineInfo): string {
  const helper = info.bufferutil ? `with bufferutil ${info.bufferutil}` : 'without bufferutil';
  const ours = info.simdUnmask ? 'wsdiag unmasking with WebAssembly SIMD' : 'wsdiag unmasking without WebAssembly SIMD';
  return `${info.cpus} cores (${info.cpuModel}), ${info.memoryGiB} GiB, Node ${info.node} on ${info.platform}; ws ${info.ws} ${helper}; ${ours}; load average ${info.loadAverage} at start`;
}

function packageVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

/** Says on stderr when the machine is already busy, because the numbers will then be low and noisy. */
export function warnIfBusy(info: MachineInfo): void {
  if (info.loadAverage > info.cpus * 0.5) {
    process.stderr.write(
      `warning: load average ${info.loadAverage} on ${info.cpus} cores: other work is running, so these numbers will be low and noisy.\n`,
    );
  }
}
