/**
 * `startChaos`: the proxy with fault injection, as one library call (what `wsdiag chaos` runs). It relays
 * like `startProxy` and takes the same options; its toxics start as given, and change at run time through
 * the returned registry or the HTTP API (`api`), from the next frame of every open connection.
 *
 *   const chaos = await startChaos({ target: 'ws://127.0.0.1:9001', listen: { host: '127.0.0.1', port: 0 },
 *                                    api: { host: '127.0.0.1', port: 0 }, seed: '42', onEvent: log });
 *   const client = new ChaosClient(chaos.api!.url);   // point the WebSocket client at chaos.url
 */
import { ConfigError } from '../errors.js';
import { isLoopback, startProxy, type ListenAddress, type ProxyOptions, type RunningProxy } from '../proxy/index.js';
import { startChaosApi, type RunningChaosApi } from './api.js';
import { chaosAddon } from './forwarding.js';
import { newSeed } from './random.js';
import { ToxicError, ToxicRegistry } from './registry.js';

export interface ChaosOptions extends ProxyOptions {
  /**
   * The toxics the run starts with, each as `POST /toxics` takes it (name, toxicity and attributes
   * optional), validated the same way; a bad one is a ConfigError naming `toxics`.
   */
  toxics?: readonly unknown[];
  /** The run seed: the same seed on the same traffic gives the same faults (default: a fresh random one). */
  seed?: string;
  /** Serve the HTTP API here (port 0 = any free port; DEFAULT_CHAOS_API_PORT is toxiproxy's 8474). */
  api?: ListenAddress;
}

export interface RunningChaos extends RunningProxy {
  /** The run seed (the one given, or the one drawn): print it so the run can be replayed. */
  seed: string;
  /** The toxics in force; changing them here is what the API does. */
  registry: ToxicRegistry;
  /** The HTTP API, when `api` was given. */
  api: RunningChaosApi | null;
}

/**
 * Starts the API (when asked) and then the proxy. Rejects with a ConfigError for a bad toxic, a seed
 * that is empty, or `enforce` (both decide how bytes are forwarded), and an OperationalError when an
 * address cannot be bound.
 */
export async function startChaos(options: ChaosOptions): Promise<RunningChaos> {
  checkChaosOptions(options);
  const registry = new ToxicRegistry();
  (options.toxics ?? []).forEach((toxic, i) => {
    try {
      registry.add(toxic);
    } catch (err) {
      if (err instanceof ToxicError) throw new ConfigError('toxics', (name) => `${name('toxics')}[${i}]: ${err.message}`, { cause: err });
      throw err;
    }
  });
  const seed = options.seed ?? newSeed();
  const { toxics: _toxics, seed: _seed, api: apiAddress, ...proxyOptions } = options;

  const api = apiAddress ? await startChaosApi({ registry, host: apiAddress.host, port: apiAddress.port }) : null;
  if (api && !isLoopback(api.host) && api.host !== 'localhost') {
    const warn = options.onWarning ?? ((message: string) => process.stderr.write(`wsdiag: warning: ${message}\n`));
    warn(`the chaos API listens on ${api.url}, which is reachable from the network: anyone who can reach it can change the toxics.`);
  }
  let proxy: RunningProxy;
  try {
    proxy = await startProxy({
      ...proxyOptions,
      addons: [chaosAddon({ toxics: registry, seed, ...(options.clock ? { clock: options.clock } : {}) }), ...(options.addons ?? [])],
    });
  } catch (err) {
    await api?.close();
    throw err;
  }
  return {
    ...proxy,
    seed,
    registry,
    api,
    close: async () => {
      await proxy.close();
      await api?.close();
    },
  };
}

/** What startChaos refuses before it starts anything (a live run checks it before opening its log). */
export function checkChaosOptions(options: Pick<ChaosOptions, 'enforce' | 'seed'>): void {
  if (options.enforce === true) {
    throw new ConfigError(
      'enforce',
      (name) =>
        `${name('enforce')} cannot be used with fault injection: both decide how bytes are forwarded, and ${name('enforce')} would refuse the very frames the toxics break`,
    );
  }
  if (options.seed === '') throw new ConfigError('seed', (name) => `${name('seed')} must not be empty`);
}
