/**
 * The real capture tools the integration tests lean on: tcpdump to capture loopback traffic while a test
 * runs, tshark to cross-check what Wireshark's dissector makes of the same file. Tests skip, with the
 * reason, when a tool is missing or cannot capture (no permission).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { analyzeCaptureBytes } from '../../../src/capture/analyze.js';
import { droppedByKernel } from '../../../src/live/sniff.js';
import { findBinary } from '../../support/binaries.js';
import { startProcess } from '../../support/cli.js';
import { waitForFile } from '../../support/wait.js';

export function hasTool(name: string): boolean {
  return findBinary(name) !== null;
}

/** Why tcpdump cannot be used here, or null when it can. */
export function tcpdumpUnavailable(): string | null {
  if (!hasTool('tcpdump')) return 'tcpdump is not installed (apt-get install tcpdump)';
  const probe = spawnSync('tcpdump', ['-D'], { encoding: 'utf8' });
  if (probe.status !== 0) return `tcpdump cannot list interfaces: ${(probe.stderr || '').trim().split('\n')[0]}`;
  if (!/\blo\b/.test(probe.stdout)) return 'no loopback interface "lo" to capture on';
  return null;
}

export function tsharkUnavailable(): string | null {
  return hasTool('tshark') ? null : 'tshark is not installed (apt-get install tshark)';
}

export interface Capture {
  file: string;
  /**
   * Stops tcpdump once `done()` says the file holds what the test needs, and resolves with the bytes.
   * Rejects if tcpdump says it dropped packets: the capture is then incomplete, through no fault of ours.
   */
  stop(done: (bytes: Uint8Array) => boolean, what: string): Promise<Uint8Array>;
  kill(): void;
}

/**
 * Starts `tcpdump -i lo -U -w FILE port ...` and resolves once tcpdump says it is listening. Packets reach
 * the file as they come (-U, --immediate-mode); `stop` waits until the file holds what the test needs
 * (checked each time tcpdump writes), then stops tcpdump with SIGINT so it flushes and exits.
 */
export async function startTcpdump(file: string, ports: number[], extra: string[] = []): Promise<Capture> {
  const filter = ports.map((p) => `tcp port ${p}`).join(' or ');
  // -Z root: keep writing as root, as the test's temporary directory belongs to root. -B: a 64 MiB ring, so
  // bursts of 64 KiB loopback packets fit while a loaded machine makes tcpdump wait for a CPU.
  const tcpdump = startProcess('tcpdump', [
    '-i',
    'lo',
    '-U',
    '--immediate-mode',
    '-B',
    '65536',
    '-n',
    '-s',
    '0',
    '-Z',
    'root',
    '-w',
    file,
    ...extra,
    filter,
  ]);
  await tcpdump.waitForStderr('listening on', 'tcpdump to start listening');
  return {
    file,
    kill: () => tcpdump.kill('SIGKILL'),
    stop: async (done, what) => {
      // The file grows as tcpdump writes each packet: re-read it at each change until it holds what the test waits for.
      await waitForFile(file, (bytes) => (done(bytes) ? true : undefined), `the capture to hold ${what}`, 15_000);
      const { stderr } = await tcpdump.stop('SIGINT');
      const dropped = droppedByKernel(stderr);
      if (dropped > 0) throw new Error(`tcpdump dropped ${dropped} packets (the machine is too busy for it): the capture is incomplete`);
      return readFileSync(file);
    },
  };
}

/** True once the capture shows `count` WebSocket connections ended by the endpoints (not by the capture's end). */
export function connectionsClosed(count: number): (bytes: Uint8Array) => boolean {
  return (bytes) => {
    if (bytes.length < 24) return false;
    const { events } = analyzeCaptureBytes(bytes);
    return events.filter((e) => e.type === 'close' && e.how !== 'capture-end').length >= count;
  };
}

/** One line per packet that tshark dissected as WebSocket. */
export interface TsharkPacket {
  stream: number;
  src: string;
  opcodes: number[];
}

/** `tshark -r FILE -Y websocket -T fields -e tcp.stream -e ip.src -e tcp.srcport -e websocket.opcode`. */
export function tsharkWebSocket(file: string, extra: string[] = []): TsharkPacket[] {
  const result = spawnSync(
    'tshark',
    [
      '-r',
      file,
      ...extra,
      '-Y',
      'websocket',
      '-T',
      'fields',
      '-E',
      'occurrence=a',
      '-E',
      'aggregator=,',
      '-e',
      'tcp.stream',
      '-e',
      'ip.src',
      '-e',
      'ipv6.src',
      '-e',
      'tcp.srcport',
      '-e',
      'websocket.opcode',
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`tshark failed: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [stream = '', ip4 = '', ip6 = '', port = '', opcodes = ''] = line.split('\t');
      const ip = ip4 !== '' ? ip4 : ip6;
      return {
        stream: Number(stream),
        src: ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`,
        opcodes: opcodes
          .split(',')
          .filter((o) => o !== '')
          .map(Number),
      };
    });
}

/** tshark's opcodes per "stream src" (the sending endpoint), in order. */
export function tsharkOpcodes(packets: TsharkPacket[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const p of packets) {
    const key = `${p.stream} ${p.src}`;
    out.set(key, [...(out.get(key) ?? []), ...p.opcodes]);
  }
  return out;
}
