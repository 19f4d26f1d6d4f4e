/**
 * Debian's `prometheus` for the tests: started on loopback with a generated config that scrapes the given
 * targets every second, its storage in a temporary directory, stopped after the file's tests. Queries go
 * through its HTTP API (/api/v1/query); `until` polls it with a bounded deadline, never a fixed sleep.
 */
import { writeFileSync } from 'node:fs';
import { findBinary } from './binaries.js';
import { startProcess, type RunningChild } from './cli.js';
import { freePort } from './net.js';
import type { TempDir } from './temp.js';
import { pollUntil } from './wait.js';

/** Where Debian puts it, or why the test is skipped. */
export function prometheusPath(): { path: string } | { skip: string } {
  const path = findBinary('prometheus');
  return path !== null ? { path } : { skip: 'prometheus is not installed (apt-get install prometheus; .ci/run installs it)' };
}

/** One sample of an instant query: its labels and its value. */
export interface QueriedSample {
  labels: Record<string, string>;
  value: number;
}

export interface RunningPrometheus {
  url: string;
  child: RunningChild;
  /** An instant query's vector ([] when nothing matches yet). */
  query(promql: string): Promise<QueriedSample[]>;
  /**
   * Polls `check` with fresh query results until it returns something other than undefined (the scrape
   * has landed), or fails after `ms` naming `what`.
   */
  until<T>(check: () => Promise<T | undefined>, what: string, ms?: number): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts prometheus scraping `targets` (host:port) under the job `job` every second, its config and storage
 * in `dir` (made with tempDir at the top of the test file, so it outlives the hooks).
 */
export async function startPrometheus(binary: string, dir: TempDir, job: string, targets: readonly string[]): Promise<RunningPrometheus> {
  const config = dir.file('prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      `  - job_name: ${job}`,
      '    static_configs:',
      `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const child = startProcess(binary, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${dir.file('data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
  const url = `http://127.0.0.1:${port}`;
  const query = async (promql: string): Promise<QueriedSample[]> => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as {
      status: string;
      data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (body.status !== 'success') throw new Error(`prometheus query ${promql}: ${JSON.stringify(body)}`);
    return (body.data?.result ?? []).map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  };
  const until = <T>(check: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> =>
    // Between polls: one scrape interval is 1 s, so a fifth of it.
    pollUntil(check, () => `${what} in prometheus; its log: ${child.stderr()}`, {
      everyMs: 200,
      ms,
      gone: () => (child.child.exitCode !== null ? `prometheus exited (${child.child.exitCode}): ${child.stderr()}` : undefined),
    });

  return {
    url,
    child,
    query,
    until,
    stop: async () => {
      await child.stop('SIGTERM');
    },
  };
}
