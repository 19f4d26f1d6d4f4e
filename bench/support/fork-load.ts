/**
 * One run of the load client (./load-client.ts) in a fresh process of its own, so its CPU is neither the
 * bench's nor a relay's: resolves with its LoadResult, rejects with its errors.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadOptions, LoadResult } from './load-client.js';

const LOAD_CLIENT = fileURLToPath(new URL('./load-client.js', import.meta.url));

export function forkLoad(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(LOAD_CLIENT, [JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    // 'close', not 'exit': the result line may still be in the pipe when the process exits.
    child.on('close', (code) => {
      let result: LoadResult;
      try {
        result = JSON.parse(out.trim().split('\n').at(-1) ?? '') as LoadResult;
      } catch {
        reject(new Error(`load client exited ${code} without a result`));
        return;
      }
      if (code !== 0 || result.errors.length > 0)
        reject(new Error(`load on port ${options.port}: ${result.errors.join('; ') || `exit ${code}`}`));
      else resolve(result);
    });
  });
}
