/**
 * The "done when": Debian's prometheus, on loopback with a generated config, scrapes a wsdiag that
 * relayed known traffic with known faults, and the expected counter values come back through Prometheus's
 * own HTTP query API. Skipped, with the reason, where prometheus is not installed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KNOWN_SAMPLES, playKnownTraffic, startKnownUpstream } from '../support/admin-traffic.js';
import { startCli, type RunningChild } from '../support/cli.js';
import { parseSamples, sampleKey } from '../support/prometheus.js';
import { prometheusPath, startPrometheus, type QueriedSample, type RunningPrometheus } from '../support/prometheus-server.js';
import type { RawServer } from '../support/raw-peers.js';
import { tempDir } from '../support/temp.js';

const binary = prometheusPath();
const dir = tempDir('prometheus');

/** A query result as parseSamples keys it (the job and instance labels Prometheus adds left out). */
function keyed(samples: readonly QueriedSample[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { labels, value } of samples) {
    const { __name__: name = '', job: _job, instance: _instance, ...rest } = labels;
    out[sampleKey(name, rest)] = value;
  }
  return out;
}

describe('prometheus scrapes wsdiag --admin', { skip: 'skip' in binary ? binary.skip : false }, () => {
  let upstream: RawServer | undefined;
  let proxy: RunningChild | undefined;
  let prometheus: RunningPrometheus | undefined;
  let target: string;

  before(async () => {
    upstream = await startKnownUpstream();
    proxy = startCli(['proxy', '--target', upstream.url, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--json']);
    const listening = JSON.parse(await proxy.waitForLine((l) => l.includes('"type":"listening"'))) as { admin: string };
    target = new URL(listening.admin).host;
    await playKnownTraffic(proxy, await proxy.port(), upstream);
    prometheus = 'path' in binary ? await startPrometheus(binary.path, dir, 'wsdiag', [target]) : undefined;
  });
  after(async () => {
    await prometheus?.stop();
    await proxy?.stop('SIGTERM');
    await upstream?.close();
  });

  it('reads back the counters of the faults sent through its query API', async () => {
    const prom = prometheus;
    assert.ok(prom, 'prometheus was started');
    // The values wsdiag itself serves, which Prometheus must show once it has scraped.
    const served = parseSamples(await (await fetch(`http://${target}/metrics`)).text());
    for (const [key, value] of Object.entries(KNOWN_SAMPLES)) assert.equal(served.get(key), value, key);

    await prom.until(async () => {
      const up = await prom.query(`up{job="wsdiag",instance="${target}"}`);
      return up[0]?.value === 1 ? true : undefined;
    }, 'a successful scrape of wsdiag');
    const names = [
      'wsdiag_violations_total',
      'wsdiag_peer_closes_total',
      'wsdiag_handshake_failures_total',
      'wsdiag_frames_total',
      'wsdiag_bytes_total',
      'wsdiag_connections_total',
    ];
    for (const name of names) {
      const expected = Object.fromEntries(Object.entries(KNOWN_SAMPLES).filter(([key]) => key === name || key.startsWith(`${name}{`)));
      const got: Record<string, number> = await prom.until(async (): Promise<Record<string, number> | undefined> => {
        const result = keyed(await prom.query(name));
        return Object.keys(result).length >= Object.keys(expected).length ? result : undefined;
      }, name);
      assert.deepEqual(got, expected, name);
    }
    // The sum a dashboard would draw: every violation the traffic carried, one.
    const [total] = await prom.query('sum(wsdiag_violations_total)');
    assert.equal(total?.value, 1);
  });
});
