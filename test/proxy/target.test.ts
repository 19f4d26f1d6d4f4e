/**
 * The pure pieces of the proxy: target and listen parsing, path joining, the Host rewrite, the heads
 * written by hand, and the --enforce decisions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.js';
import type { PeerCloseEvent } from '../../src/events/index.js';
import { bystanderClose, enforcementFor, explainEnforcedReply, forwardableBytes, offenderClose } from '../../src/proxy/enforce.js';
import { plainResponse } from '../../src/proxy/http-head.js';
import { isLoopback, parseListen, parseTarget, upstreamPath } from '../../src/proxy/target.js';
import { withHost } from '../../src/proxy/upstream.js';
import { closeOf, completeFrames } from '../support/frame-oracle.js';

describe('parseTarget', () => {
  it('reads each scheme, default ports, the Host form and the path prefix', () => {
    assert.deepEqual(parseTarget('ws://127.0.0.1:9000'), {
      href: 'ws://127.0.0.1:9000/',
      secure: false,
      host: '127.0.0.1',
      port: 9000,
      hostHeader: '127.0.0.1:9000',
      basePath: '',
      httpUrl: 'http://127.0.0.1:9000/',
    });
    const wss = parseTarget('wss://example.com/app/');
    assert.equal(wss.secure, true);
    assert.equal(wss.port, 443);
    assert.equal(wss.hostHeader, 'example.com');
    assert.equal(wss.basePath, '/app');
    assert.equal(wss.httpUrl, 'https://example.com/app/');
    const v6 = parseTarget('http://[::1]:8080/x');
    assert.equal(v6.host, '::1');
    assert.equal(v6.hostHeader, '[::1]:8080');
    assert.equal(parseTarget('https://h').port, 443);
    assert.equal(parseTarget('http://h').port, 80);
  });

  it('refuses other schemes, non-URLs and credentials with a usage error', () => {
    for (const bad of ['ftp://h', 'h:80', 'not a url', 'ws://user:pw@h/', 'ws://h/x?token=1', 'ws://h/#x']) {
      assert.throws(() => parseTarget(bad), UsageError, bad);
    }
  });

  it('joins the prefix and the request path', () => {
    assert.equal(upstreamPath(parseTarget('ws://h/api'), '/chat?x=1'), '/api/chat?x=1');
    assert.equal(upstreamPath(parseTarget('ws://h/'), '/chat'), '/chat');
    assert.equal(upstreamPath(parseTarget('ws://h/api/'), '/'), '/api/');
  });
});

describe('parseListen and isLoopback', () => {
  it('parses HOST:PORT, [v6]:PORT and :PORT', () => {
    assert.deepEqual(parseListen('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
    assert.deepEqual(parseListen(':9000'), { host: '127.0.0.1', port: 9000 });
    assert.deepEqual(parseListen('localhost:1'), { host: 'localhost', port: 1 });
  });

  it('refuses anything else', () => {
    for (const bad of ['8080', 'host', 'h:99999', '[nothost]:80', 'h:-1', '::1:80']) {
      assert.throws(() => parseListen(bad), UsageError, bad);
    }
  });

  it('knows loopback addresses', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', 'localhost']) assert.ok(isLoopback(a), a);
    for (const a of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1']) assert.ok(!isLoopback(a), a);
  });
});

describe('withHost', () => {
  it('replaces Host in place and keeps every other line, in order and spelling', () => {
    assert.deepEqual(withHost(['host', 'proxy:8080', 'Upgrade', 'websocket', 'X-A', '1', 'x-a', '2'], 'up:9000'), [
      'host',
      'up:9000',
      'Upgrade',
      'websocket',
      'X-A',
      '1',
      'x-a',
      '2',
    ]);
    assert.deepEqual(withHost(['Upgrade', 'websocket'], 'up'), ['Host', 'up', 'Upgrade', 'websocket']);
  });
});

describe('plainResponse', () => {
  it('is a complete response with a correct Content-Length for non-ASCII text', () => {
    const text = plainResponse(502, 'wsdiag: upstream «down»');
    const [head, body] = text.split('\r\n\r\n');
    assert.match(head!, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
    assert.match(head!, /Content-Length: (\d+)/);
    assert.equal(Number(/Content-Length: (\d+)/.exec(head!)![1]), Buffer.byteLength(body!));
    assert.equal(body, 'wsdiag: upstream «down»\n');
  });
});

describe('--enforce decisions', () => {
  const finding = { rule: 'unmasked-client-frame' as const, message: 'm', frame: { index: 3, offset: 100, opcode: 1, length: 5 } };

  it('forwards only the bytes before the offending frame, or reports that part of it is already out', () => {
    assert.equal(forwardableBytes(finding, 60, 80), 40);
    assert.equal(forwardableBytes(finding, 100, 80), 0);
    assert.equal(forwardableBytes(finding, 101, 80), -1);
  });

  it('builds a masked Close toward the server and an unmasked one toward the client', () => {
    const clientFault = enforcementFor('client->server', finding);
    const toClient = completeFrames(Buffer.from(offenderClose(clientFault)))[0]!;
    assert.equal(toClient.masked, false);
    assert.deepEqual(closeOf(toClient), { code: 1002, reason: 'unmasked-client-frame' });
    const toServer = completeFrames(Buffer.from(bystanderClose(clientFault)))[0]!;
    assert.equal(toServer.masked, true);
    assert.deepEqual(closeOf(toServer), { code: 1001, reason: 'client broke unmasked-client-frame' });

    const serverFault = enforcementFor('server->client', { ...finding, rule: 'invalid-utf8-text' });
    const toOffender = completeFrames(Buffer.from(offenderClose(serverFault)))[0]!;
    assert.equal(toOffender.masked, true);
    assert.deepEqual(closeOf(toOffender), { code: 1007, reason: 'invalid-utf8-text' });
  });

  it("explains the endpoints' answers as answers to wsdiag", () => {
    const enforcement = enforcementFor('client->server', finding);
    const base: PeerCloseEvent = {
      v: 1,
      type: 'peer-close',
      ts: '2020-01-01T00:00:00.000Z',
      conn: 'c1',
      by: 'client',
      code: 1002,
      reason: '',
      cause: null,
      blame: 'unknown',
      explain: 'x',
    };
    const offender = explainEnforcedReply(base, enforcement);
    assert.deepEqual(offender.cause, { rule: 'unmasked-client-frame', dir: 'client->server', frame: finding.frame });
    assert.equal(offender.blame, 'client');
    const other = explainEnforcedReply({ ...base, by: 'server', code: 1001 }, enforcement);
    assert.equal(other.cause, null);
    assert.equal(other.blame, null, 'the bystander did nothing wrong');
    assert.equal(
      other.explain,
      "The server answered wsdiag's Close 1001 (sent by --enforce after the client broke unmasked-client-frame) with 1001.",
    );
    assert.equal(
      offender.explain,
      "The client answered wsdiag's Close 1002 (sent by --enforce because it broke unmasked-client-frame) with 1002.",
    );
  });
});
