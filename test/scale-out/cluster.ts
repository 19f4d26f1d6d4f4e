/**
 * Three wsdiag instances behind Debian's HAProxy, as examples/scale-out runs them, on loopback ports chosen
 * at run time: each instance (`wsdiag proxy --instance ID --admin --log`) is started first and tells its
 * ports in its `listening` event; HAProxy's config is examples/scale-out/haproxy.cfg with those ports (and
 * faster health checks where a test asks). HAProxy's state is read from its stats socket (`show servers
 * state`) and awaited on its log (stderr: "Server wsdiag/b is DOWN"), never slept for.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startCli, startProcess, type RunningChild } from '../support/cli.js';
import { heldPorts } from '../support/net.js';
import type { TempDir } from '../support/temp.js';
import { pollUntil } from '../support/wait.js';

const HAPROXY_CFG = fileURLToPath(new URL('../../../examples/scale-out/haproxy.cfg', import.meta.url));

/** Generous: a loaded 2-core machine runs three node processes, HAProxy and the test here. */
export const START_MS = 30_000;
export const STEP_MS = 30_000;

export interface Instance {
  /** Its --instance id, also its server name in HAProxy. */
  id: string;
  child: RunningChild;
  /** The relay's port (--listen) and the admin endpoint's (--admin). */
  port: number;
  adminPort: number;
  /** Its --log file. */
  log: string;
}

/** `wsdiag proxy --instance ID --admin --log --json` on free loopback ports, resolved once it listens. */
export async function startInstance(id: string, target: string, dir: TempDir, extra: readonly string[] = []): Promise<Instance> {
  const log = dir.file(`${id}.log`);
  const child = startCli([
    'proxy',
    '--target',
    target,
    '--listen',
    '127.0.0.1:0',
    '--admin',
    '127.0.0.1:0',
    '--instance',
    id,
    '--log',
    log,
    '--json',
    ...extra,
  ]);
  const line = await child.waitForLine((l) => l.includes('"type":"listening"'), `the listening event of ${id}`, START_MS);
  const listening = JSON.parse(line) as { port: number; admin?: string; instance?: string };
  assert.equal(listening.instance, id);
  const adminPort = Number(new URL(listening.admin ?? '').port);
  return { id, child, port: listening.port, adminPort, log };
}

/** Each instance's events of one type, from its --json stdout. */
export function eventsOf(instance: Instance, type: string): Array<Record<string, unknown>> {
  return instance.child
    .lines()
    .filter((line) => line.includes(`"type":"${type}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface HealthCheck {
  /** HAProxy's `inter`, `fall` and `rise` (the example: 1s, 2, 2). */
  inter: string;
  fall: number;
  rise: number;
}

export interface Balancer {
  /** Where clients connect (HAProxy's frontend). */
  port: number;
  child: RunningChild;
  /** `show servers state wsdiag`: each server's operational state (0 down, 2 up), by name. */
  serverStates(): Promise<Map<string, number>>;
  /** Resolves once HAProxy logs that `server` went DOWN (its health check failed). */
  down(server: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * examples/scale-out/haproxy.cfg for `instances`: the frontend, the stats socket and page on free ports,
 * one `server` line per instance (named by its id) checked on its admin port, and `check`'s timing.
 */
export function haproxyConfig(
  instances: readonly Instance[],
  ports: { front: number; socket: number; page: number },
  check: HealthCheck,
): string {
  let text = readFileSync(HAPROXY_CFG, 'utf8');
  const replace = (from: string | RegExp, to: string): void => {
    assert.ok(
      typeof from === 'string' ? text.includes(from) : from.test(text),
      `examples/scale-out/haproxy.cfg no longer contains ${String(from)}`,
    );
    text = text.replace(from, to);
  };
  replace('stats socket 127.0.0.1:8405', `stats socket 127.0.0.1:${ports.socket}`);
  replace('bind 127.0.0.1:8080', `bind 127.0.0.1:${ports.front}`);
  replace('bind 127.0.0.1:8404', `bind 127.0.0.1:${ports.page}`);
  replace('default-server inter 1s fall 2 rise 2', `default-server inter ${check.inter} fall ${check.fall} rise ${check.rise}`);
  const servers = instances.map((i) => `  server ${i.id} 127.0.0.1:${i.port} check port ${i.adminPort}`).join('\n');
  replace(/(?: {2}server edge-\d 127\.0\.0\.1:\d+ check port \d+\n)+/, `${servers}\n`);
  return text;
}

/**
 * Starts HAProxy (`-db`: in the foreground, its log on stderr) with haproxyConfig, and resolves once every
 * instance is UP behind it (read from the stats socket).
 */
export async function startBalancer(binary: string, dir: TempDir, instances: readonly Instance[], check: HealthCheck): Promise<Balancer> {
  // Three different ports (held together, so none is handed out twice), released for HAProxy to take.
  const held = await heldPorts(3);
  const [front, socket, page] = held.ports as [number, number, number];
  await held.release();
  const ports = { front, socket, page };
  const config = dir.file('haproxy.cfg');
  writeFileSync(config, haproxyConfig(instances, ports, check));
  const child = startProcess(binary, ['-f', config, '-db']);
  const serverStates = async (): Promise<Map<string, number>> => {
    const text = await statsCommand(ports.socket, 'show servers state wsdiag');
    const states = new Map<string, number>();
    // "be_id be_name srv_id srv_name srv_addr srv_op_state ...": the header line starts with '#'.
    for (const line of text.split('\n')) {
      const fields = line.split(' ');
      if (fields[1] === 'wsdiag' && fields[3] !== undefined) states.set(fields[3], Number(fields[5]));
    }
    return states;
  };
  const balancer: Balancer = {
    port: ports.front,
    child,
    serverStates,
    down: async (server) => {
      await child.waitForStderr(new RegExp(`Server wsdiag/${server} is DOWN`), `HAProxy marking ${server} DOWN`, STEP_MS);
    },
    stop: async () => {
      await child.stop('SIGTERM', STEP_MS);
    },
  };
  try {
    // HAProxy announces no initial server state: its stats socket is asked every 50 ms.
    await pollUntil(
      async () => {
        const states = await serverStates();
        return instances.every((i) => states.get(i.id) === 2) ? true : undefined;
      },
      () => `every instance UP in HAProxy (its log: ${child.stderr()})`,
      {
        everyMs: 50,
        ms: START_MS,
        gone: () => (child.child.exitCode !== null ? 'HAProxy exited before every instance was UP' : undefined),
      },
    );
  } catch (err) {
    await balancer.stop().catch(() => {});
    throw err;
  }
  return balancer;
}

/** One command on HAProxy's stats socket (TCP): its whole answer (HAProxy closes after it). */
function statsCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => (text += data));
    socket.once('error', reject);
    socket.once('end', () => resolve(text));
    socket.write(`${command}\n`);
  });
}
