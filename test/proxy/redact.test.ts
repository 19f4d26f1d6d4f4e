/**
 * The proxy keeps credentials out of every event (a real proxy, a real `ws` upstream and clients, the
 * traffic of test/fixtures/secrets.ts), shows them as they came with `showSecrets`, and in both cases
 * relays the request upstream exactly as the client sent it.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { WsdiagEvent } from '../../src/events/index.js';
import { MessagePolicies } from '../../src/policy/runtime.js';
import {
  BEARER_PROTOCOL,
  KUBERNETES_PROTOCOL,
  PATH_A,
  PATH_B,
  PATH_C,
  SECRETS,
  SHOWN,
  UNOFFERED_PROTOCOL,
  leaks,
  missingSecrets,
  playSecretTraffic,
  startSecretUpstream,
  type SecretUpstream,
} from '../fixtures/secrets.js';
import type { EventLog } from '../support/event-log.js';
import { startTestProxy } from '../support/proxy.js';
import { freePort } from '../support/net.js';

let upstream: SecretUpstream;
before(async () => {
  upstream = await startSecretUpstream();
});
after(() => upstream.close());

/** Plays A, B and C through a fresh proxy and waits until each has told its whole story. */
async function play(showSecrets: boolean): Promise<EventLog> {
  const { proxy, log } = await startTestProxy(upstream.url, {
    frames: true,
    showSecrets,
    runId: 'rd',
    addons: [MessagePolicies.load({ serverAccepts: 'text', learn: false })],
  });
  try {
    upstream.received.length = 0;
    await playSecretTraffic(proxy.url);
    await log.closed('rd-c1');
    await log.closed('rd-c2');
    await log.waitFor('error', (e) => e.conn === 'rd-c3' && e.status === 401);
  } finally {
    await proxy.close();
  }
  return log;
}

/** The one event of `type` (on `conn`, of `rule`) the test expects. */
function the<T extends WsdiagEvent['type']>(log: EventLog, type: T, conn?: string, rule?: string) {
  const found = log.of(type, conn).find((e) => rule === undefined || (e as { rule?: string }).rule === rule);
  assert.ok(found, `a ${type} event${rule ? ` of ${rule}` : ''}${conn ? ` on ${conn}` : ''}: ${JSON.stringify(log.events)}`);
  return found;
}

describe('the proxy keeps credentials out of its events', () => {
  it('no event holds a secret; each form is shown redacted where it appears', async () => {
    const log = await play(false);
    assert.deepEqual(leaks(JSON.stringify(log.events)), []);

    const openA = the(log, 'open', 'rd-c1');
    assert.equal(openA.path, SHOWN.pathA, 'a token as a path segment, under ?t= and with a known prefix (a query value goes whole)');
    assert.equal(openA.subprotocol, SHOWN.bearer, 'the chosen subprotocol bearer.<token>');
    assert.equal(
      the(log, 'violation', 'rd-c1', 'unsupported-binary').preview?.includes(SHOWN.payload),
      true,
      'a token in the payload preview',
    );
    assert.equal(the(log, 'peer-close', 'rd-c1').reason, SHOWN.reason, 'a token in the Close reason');

    assert.equal(the(log, 'open', 'rd-c2').path, SHOWN.pathB);
    assert.equal(the(log, 'open', 'rd-c2').subprotocol, UNOFFERED_PROTOCOL);
    const unrequested = the(log, 'violation', 'rd-c2', 'handshake-unrequested-subprotocol');
    assert.equal(
      unrequested.message,
      `The 101 response chose subprotocol "${UNOFFERED_PROTOCOL}", which is not among the offered "${SHOWN.offeredB}".`,
      'the Kubernetes form in the offers a handshake message quotes',
    );

    const refused = the(log, 'error', 'rd-c3');
    assert.equal(
      refused.message,
      `The upstream answered the upgrade of ${SHOWN.pathC} with 401 Unauthorized instead of 101 Switching Protocols; the answer was relayed to the client.`,
    );
  });

  it('the upstream still receives every credential exactly as the client sent it', async () => {
    await play(false);
    assert.deepEqual(upstream.received, [
      // ws joins the offers with a bare comma.
      { url: PATH_A, protocols: `${BEARER_PROTOCOL},${KUBERNETES_PROTOCOL}` },
      { url: PATH_B, protocols: `${KUBERNETES_PROTOCOL},channel.k8s.io` },
      { url: PATH_C, protocols: undefined },
    ]);
  });

  it('with showSecrets, events hold every credential as it came', async () => {
    const log = await play(true);
    assert.deepEqual(missingSecrets(JSON.stringify(log.events)), []);
    assert.equal(the(log, 'open', 'rd-c1').path, PATH_A);
    assert.equal(the(log, 'open', 'rd-c1').subprotocol, BEARER_PROTOCOL);
    assert.equal(the(log, 'peer-close', 'rd-c1').reason, `token=${SECRETS.reason}`);
    assert.match(
      the(log, 'violation', 'rd-c2', 'handshake-unrequested-subprotocol').message,
      new RegExp(`offered "base64url\\.bearer\\.authorization\\.k8s\\.io\\.${SECRETS.kubernetes.slice(0, 20)}`),
    );
    assert.match(
      the(log, 'error', 'rd-c3').message,
      new RegExp(`upgrade of /denied/${SECRETS.segment}\\?access_token=${SECRETS.query} with 401`),
    );
    assert.equal(upstream.received[0]!.url, PATH_A, 'relayed unchanged either way');
  });

  it('a plain HTTP request that cannot reach the upstream: the error event shows the path redacted', async () => {
    const dead = await freePort();
    const { proxy, log } = await startTestProxy(`http://127.0.0.1:${dead}`);
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${proxy.httpUrl}/api/${SECRETS.segment}?t=${SECRETS.query}`, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal(status, 502);
      const error = await log.waitFor('error');
      assert.match(
        error.message,
        /^GET \/api\/REDACTED\?t=REDACTED: cannot reach upstream http:\/\/127\.0\.0\.1:\d+\/: connection refused/,
      );
      assert.deepEqual(leaks(JSON.stringify(log.events)), []);
    } finally {
      await proxy.close();
    }
  });

  it('a token in the target URL is redacted in the listening event and in unreachable-upstream errors', async () => {
    const dead = await freePort();
    const { proxy, log } = await startTestProxy(`ws://127.0.0.1:${dead}/tenant/${SECRETS.segment}`);
    try {
      assert.equal(the(log, 'listening').target, `ws://127.0.0.1:${dead}/tenant/REDACTED`);
      const ws = new WebSocket(`${proxy.url}/x`);
      ws.on('error', () => {});
      await new Promise<void>((resolve) => ws.once('close', () => resolve()));
      const error = await log.waitFor('error');
      assert.match(error.message, new RegExp(`^cannot reach upstream ws://127\\.0\\.0\\.1:${dead}/tenant/REDACTED: connection refused`));
      assert.deepEqual(leaks(JSON.stringify(log.events)), []);
    } finally {
      await proxy.close();
    }
  });
});
