/**
 * `wsdiag chaos` as a library call: `runProxy` with fault injection (startChaos), in one process. Its seed, and the
 * address of its HTTP API, are printed on stderr once it listens, so a run can be replayed and driven.
 */
import { checkChaosOptions, startChaos, type ChaosOptions } from '../chaos/index.js';
import type { ExitCodeValue } from '../errors.js';
import { runLiveProxy, type LiveProxyRunOptions } from './proxy.js';
import type { LiveIO } from './run.js';

export interface RunChaosOptions extends LiveProxyRunOptions {
  /** The toxics, the seed and the API address (ChaosOptions beyond the proxy's). */
  chaos: Pick<ChaosOptions, 'toxics' | 'seed' | 'api'>;
}

export async function runChaos(options: RunChaosOptions, io: LiveIO): Promise<ExitCodeValue> {
  // What cannot work is refused before the log file is opened or anything listens.
  checkChaosOptions({ ...options.proxy, ...options.chaos });
  return runLiveProxy(options, io, async (proxy) => {
    const chaos = await startChaos({ ...proxy, ...options.chaos });
    io.stderr.write(`wsdiag: chaos seed ${chaos.seed} (the same seed replays the same faults on the same traffic)\n`);
    if (chaos.api) io.stderr.write(`wsdiag: chaos API on ${chaos.api.url} (GET /toxics, POST /toxics, POST /reset)\n`);
    return chaos;
  });
}
