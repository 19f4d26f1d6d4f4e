/**
 * ProxyMetrics as a sink: what each event type adds to which series, the bounded labels, and the counters
 * of open connections read at scrape time (a connection counted once, whether open or closed).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProxyMetrics, closeCodeLabel } from '../../src/admin/index.js';
import type { CloseEvent, WsdiagEvent } from '../../src/events/index.js';
import {
  close,
  closeBare,
  error,
  httpRefusedUpgrade,
  open,
  peerClose,
  peerCloseEmpty,
  violation,
  utf8Violation,
} from '../fixtures/sample-events.js';
import { wireConnection } from '../support/addons.js';
import { family, parseSamples, sampleKey } from '../support/prometheus.js';

async function scrape(metrics: ProxyMetrics): Promise<ReturnType<typeof parseSamples>> {
  return parseSamples(await metrics.metrics());
}

describe('ProxyMetrics', () => {
  it('counts connections, violations, peer closes, upstream errors and failed upgrades from the events', async () => {
    const metrics = new ProxyMetrics({ defaultMetrics: false });
    const upstreamDown: WsdiagEvent = {
      ...error,
      conn: 'r-c9',
      message: 'cannot reach upstream ws://127.0.0.1:1/: connection refused (ECONNREFUSED).',
    };
    const resetByServer: CloseEvent = { ...closeBare, conn: 'c5', ended_by: 'server', how: 'reset' };
    const events: WsdiagEvent[] = [
      open,
      { ...open, conn: 'c2' },
      { ...open, conn: 'c5' },
      violation,
      violation,
      utf8Violation,
      peerClose,
      peerCloseEmpty,
      { ...peerClose, code: 4321 },
      { ...peerClose, code: 999 },
      close,
      resetByServer,
      error,
      upstreamDown,
      httpRefusedUpgrade,
    ];
    for (const event of events) metrics.write(event);
    const samples = await scrape(metrics);
    assert.equal(samples.get('wsdiag_connections_total'), 3);
    assert.equal(samples.get('wsdiag_connections_open'), 1);
    assert.deepEqual(family(samples, 'wsdiag_violations_total'), {
      [sampleKey('wsdiag_violations_total', { rule: 'reserved-bits', code: '1002', blame: 'client' })]: 2,
      [sampleKey('wsdiag_violations_total', { rule: 'invalid-utf8-text', code: '1007', blame: 'server' })]: 1,
    });
    assert.deepEqual(family(samples, 'wsdiag_peer_closes_total'), {
      [sampleKey('wsdiag_peer_closes_total', { by: 'server', code: '1002' })]: 1,
      [sampleKey('wsdiag_peer_closes_total', { by: 'client', code: 'none' })]: 1,
      [sampleKey('wsdiag_peer_closes_total', { by: 'server', code: '4xxx' })]: 1,
      [sampleKey('wsdiag_peer_closes_total', { by: 'server', code: 'invalid' })]: 1,
    });
    assert.deepEqual(family(samples, 'wsdiag_upstream_errors_total'), {
      [sampleKey('wsdiag_upstream_errors_total', { stage: 'connect' })]: 1,
      [sampleKey('wsdiag_upstream_errors_total', { stage: 'relay' })]: 1,
    });
    assert.deepEqual(family(samples, 'wsdiag_handshake_failures_total'), {
      [sampleKey('wsdiag_handshake_failures_total', { status: '502' })]: 1,
    });
    // Closed connections: their close events' frames and bytes.
    assert.equal(samples.get(sampleKey('wsdiag_frames_total', { dir: 'client->server' })), 4);
    assert.equal(samples.get(sampleKey('wsdiag_bytes_total', { dir: 'server->client' })), 2048);
  });

  it('labels close codes from a bounded set', () => {
    assert.deepEqual([null, 1000, 1015, 1016, 2999, 3000, 3999, 4000, 4999, 5000, 0, 65535].map(closeCodeLabel), [
      'none',
      '1000',
      '1015',
      'invalid',
      'invalid',
      '3xxx',
      '3xxx',
      '4xxx',
      '4xxx',
      'invalid',
      'invalid',
      'invalid',
    ]);
  });

  it('reads open connections at scrape time and hands them over to their close event without counting twice', async () => {
    const metrics = new ProxyMetrics({ defaultMetrics: false });
    const connection = wireConnection([metrics.addon()], { conn: 'r-c1' });
    metrics.write({ ...open, conn: 'r-c1' });
    // A masked text frame, then a text message in two fragments (the second empty), from the client; one binary frame back.
    connection.analyzer.push('client->server', Uint8Array.from([0x81, 0x82, 1, 2, 3, 4, 0x69 ^ 1, 0x21 ^ 2]));
    connection.analyzer.push('client->server', Uint8Array.from([0x01, 0x81, 0, 0, 0, 0, 0x61, 0x80, 0x80, 0, 0, 0, 0]));
    connection.analyzer.push('server->client', Uint8Array.from([0x82, 0x03, 1, 2, 3]));
    const expected = {
      [sampleKey('wsdiag_frames_total', { dir: 'client->server' })]: 3,
      [sampleKey('wsdiag_frames_total', { dir: 'server->client' })]: 1,
      [sampleKey('wsdiag_bytes_total', { dir: 'client->server' })]: 21,
      [sampleKey('wsdiag_bytes_total', { dir: 'server->client' })]: 5,
      [sampleKey('wsdiag_messages_total', { dir: 'client->server' })]: 2,
      [sampleKey('wsdiag_messages_total', { dir: 'server->client' })]: 1,
    };
    const traffic = (samples: ReturnType<typeof parseSamples>): Record<string, number> => ({
      ...family(samples, 'wsdiag_frames_total'),
      ...family(samples, 'wsdiag_bytes_total'),
      ...family(samples, 'wsdiag_messages_total'),
    });
    let samples = await scrape(metrics);
    assert.deepEqual(traffic(samples), expected);
    assert.equal(samples.get('wsdiag_connections_open'), 1);
    const closed = connection.end();
    assert.ok(closed);
    metrics.write(closed);
    samples = await scrape(metrics);
    assert.equal(samples.get('wsdiag_connections_open'), 0);
    assert.deepEqual(traffic(samples), expected);
  });

  it('counts suppressed violations and refused clients through its addon', async () => {
    const metrics = new ProxyMetrics({ defaultMetrics: false });
    const addon = metrics.addon();
    addon.suppressed?.(violation);
    addon.refused?.('max_connections');
    const samples = await scrape(metrics);
    assert.equal(samples.get(sampleKey('wsdiag_violations_total', { rule: 'reserved-bits', code: '1002', blame: 'client' })), 1);
    assert.equal(samples.get(sampleKey('wsdiag_refused_total', { kind: 'max_connections' })), 1);
  });
});
