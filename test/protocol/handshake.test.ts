import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkUpgradeRequest,
  checkUpgradeResponse,
  computeAccept,
  type HeaderMap,
  type UpgradeRequestInfo,
  type UpgradeResponseInfo,
} from '../../src/protocol/handshake.js';
import { negotiatedDeflate } from '../../src/protocol/extensions.js';
import { SHOW_SECRETS } from '../../src/redact.js';
import { findRule } from '../../src/rules/table.js';
import type { Finding } from '../../src/protocol/types.js';

// RFC 6455 §1.3: the sample nonce and the accept value the RFC prints for it.
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';

/** A valid upgrade request; `headers` entries replace (or, with undefined, remove) the defaults. */
function request(over: Partial<Omit<UpgradeRequestInfo, 'headers'>> & { headers?: HeaderMap } = {}): UpgradeRequestInfo {
  return {
    method: over.method ?? 'GET',
    httpVersion: over.httpVersion ?? '1.1',
    headers: withHeaders(
      {
        host: 'example.com',
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-key': KEY,
        'sec-websocket-version': '13',
      },
      over.headers,
    ),
  };
}

/** A valid 101 answer to request(); same override rules. */
function response(headers: HeaderMap = {}, statusCode = 101): UpgradeResponseInfo {
  return {
    statusCode,
    headers: withHeaders({ upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': ACCEPT }, headers),
  };
}

function withHeaders(base: HeaderMap, over: HeaderMap = {}): HeaderMap {
  // A header set to undefined in `over` is removed.
  return Object.fromEntries(Object.entries({ ...base, ...over }).filter(([, v]) => v !== undefined));
}

const rules = (findings: Finding[]) => findings.map((f) => f.rule);
const messages = (findings: Finding[]) => findings.map((f) => f.message);

/** Asserts exactly one finding, of `rule`, with exactly `message`. */
function assertOne(findings: Finding[], rule: string, message: string): void {
  assert.deepEqual(
    findings.map((f) => [f.rule, f.message]),
    [[rule, message]],
  );
  assert.equal(findings[0]!.frame, null);
}

describe('computeAccept', () => {
  it('gives the RFC 6455 §1.3 answer for the sample key', () => {
    assert.equal(computeAccept(KEY), ACCEPT);
  });

  it('gives the well-known answer for a second key', () => {
    assert.equal(computeAccept('x3JJHMbDL1EzLkh9GBhXDw=='), 'HSmrc0sMlYUkAGmm5OPpG2HaGWk=');
  });

  it('hashes the key as a string, so surrounding spaces change the result', () => {
    assert.notEqual(computeAccept(` ${KEY}`), ACCEPT);
  });
});

describe('checkUpgradeRequest: valid requests', () => {
  const valid: Array<[string, UpgradeRequestInfo]> = [
    ['the RFC 6455 §1.3 request', request()],
    ['Connection: keep-alive, Upgrade (Firefox)', request({ headers: { connection: 'keep-alive, Upgrade' } })],
    [
      'Upgrade: WebSocket and Connection: upgrade (case-insensitive tokens)',
      request({ headers: { upgrade: 'WebSocket', connection: 'upgrade' } }),
    ],
    ['Upgrade listing several protocols', request({ headers: { upgrade: 'h2c, websocket' } })],
    [
      'extra spaces around every value',
      request({
        headers: {
          upgrade: '  websocket ',
          connection: ' keep-alive ,   Upgrade  ',
          'sec-websocket-key': `  ${KEY} `,
          'sec-websocket-version': ' 13 ',
        },
      }),
    ],
    ['Connection given as two lines', request({ headers: { connection: ['keep-alive', 'Upgrade'] } })],
    ['HTTP/2.0 (later than 1.1)', request({ httpVersion: '2.0' })],
    ['a key of 16 bytes other than the sample', request({ headers: { 'sec-websocket-key': 'AAAAAAAAAAAAAAAAAAAAAA==' } })],
    ['a permessage-deflate offer', request({ headers: { 'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits' } })],
  ];
  for (const [name, req] of valid) {
    it(`accepts ${name}`, () => assert.deepEqual(checkUpgradeRequest(req), []));
  }
});

describe('checkUpgradeRequest: one finding per problem', () => {
  const R = 'handshake-invalid-request';
  const cases: Array<[string, UpgradeRequestInfo, string]> = [
    ['POST', request({ method: 'POST' }), 'The upgrade request uses method "POST" instead of GET.'],
    ['a lower-case method', request({ method: 'get' }), 'The upgrade request uses method "get" instead of GET.'],
    ['HTTP/1.0', request({ httpVersion: '1.0' }), 'The upgrade request is HTTP/1.0, older than the HTTP/1.1 a WebSocket upgrade needs.'],
    ['a missing Upgrade', request({ headers: { upgrade: undefined } }), 'The upgrade request has no Upgrade header.'],
    [
      'Upgrade: h2c',
      request({ headers: { upgrade: 'h2c' } }),
      'The upgrade request has Upgrade "h2c", which does not list the token "websocket".',
    ],
    [
      'Upgrade: websocket/13 (a product version is not the token)',
      request({ headers: { upgrade: 'websocket/13' } }),
      'The upgrade request has Upgrade "websocket/13", which does not list the token "websocket".',
    ],
    ['a missing Connection', request({ headers: { connection: undefined } }), 'The upgrade request has no Connection header.'],
    [
      'Connection: keep-alive',
      request({ headers: { connection: 'keep-alive' } }),
      'The upgrade request has Connection "keep-alive", which does not list the token "Upgrade".',
    ],
    [
      'Connection with Upgrade only inside another token',
      request({ headers: { connection: 'keep-alive, Upgraded' } }),
      'The upgrade request has Connection "keep-alive, Upgraded", which does not list the token "Upgrade".',
    ],
    ['a missing key', request({ headers: { 'sec-websocket-key': undefined } }), 'The upgrade request has no Sec-WebSocket-Key header.'],
    [
      'a 15-byte key',
      request({ headers: { 'sec-websocket-key': 'AAAAAAAAAAAAAAAAAAAA' } }),
      'The upgrade request has Sec-WebSocket-Key "AAAAAAAAAAAAAAAAAAAA", which decodes to 15 bytes instead of 16.',
    ],
    [
      'a 17-byte key',
      request({ headers: { 'sec-websocket-key': 'AAAAAAAAAAAAAAAAAAAAAAA=' } }),
      'The upgrade request has Sec-WebSocket-Key "AAAAAAAAAAAAAAAAAAAAAAA=", which decodes to 17 bytes instead of 16.',
    ],
    [
      'a key that is not base64',
      request({ headers: { 'sec-websocket-key': 'not a base64 key!' } }),
      'The upgrade request has Sec-WebSocket-Key "not a base64 key!", which is not base64.',
    ],
    [
      'a key with its padding stripped',
      request({ headers: { 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ' } }),
      'The upgrade request has Sec-WebSocket-Key "dGhlIHNhbXBsZSBub25jZQ", which is not base64.',
    ],
    [
      'two key lines',
      request({ headers: { 'sec-websocket-key': [KEY, 'AAAAAAAAAAAAAAAAAAAAAA=='] } }),
      `The upgrade request has 2 Sec-WebSocket-Key values ("${KEY}, AAAAAAAAAAAAAAAAAAAAAA==") where exactly one is allowed.`,
    ],
    [
      'two keys joined by node',
      request({ headers: { 'sec-websocket-key': `${KEY}, ${KEY}` } }),
      `The upgrade request has 2 Sec-WebSocket-Key values ("${KEY}, ${KEY}") where exactly one is allowed.`,
    ],
    [
      'version 8',
      request({ headers: { 'sec-websocket-version': '8' } }),
      'The upgrade request has Sec-WebSocket-Version "8" instead of 13.',
    ],
    [
      'versions 13 and 8',
      request({ headers: { 'sec-websocket-version': '13, 8' } }),
      'The upgrade request has Sec-WebSocket-Version "13, 8" instead of 13.',
    ],
    [
      'a missing version',
      request({ headers: { 'sec-websocket-version': undefined } }),
      'The upgrade request has no Sec-WebSocket-Version header.',
    ],
  ];
  for (const [name, req, message] of cases) {
    it(`reports ${name}`, () => assertOne(checkUpgradeRequest(req), R, message));
  }

  it('reports each of several problems separately, in a stable order', () => {
    const req = request({
      method: 'POST',
      httpVersion: '1.0',
      headers: { upgrade: undefined, connection: 'close', 'sec-websocket-key': undefined, 'sec-websocket-version': '8' },
    });
    assert.deepEqual(messages(checkUpgradeRequest(req)), [
      'The upgrade request uses method "POST" instead of GET.',
      'The upgrade request is HTTP/1.0, older than the HTTP/1.1 a WebSocket upgrade needs.',
      'The upgrade request has no Upgrade header.',
      'The upgrade request has Connection "close", which does not list the token "Upgrade".',
      'The upgrade request has no Sec-WebSocket-Key header.',
      'The upgrade request has Sec-WebSocket-Version "8" instead of 13.',
    ]);
  });

  it('reports an extension offer that does not parse, with a hint of its own', () => {
    const findings = checkUpgradeRequest(request({ headers: { 'sec-websocket-extensions': 'permessage-deflate; =1' } }));
    assertOne(
      findings,
      R,
      'The upgrade request has Sec-WebSocket-Extensions "permessage-deflate; =1", which does not parse (invalid parameter name "" in extension permessage-deflate).',
    );
    assert.match(findings[0]!.hint!, /Sec-WebSocket-Extensions/);
  });

  it('clips a huge header value to 80 characters in the message', () => {
    const huge = 'x'.repeat(10_000);
    const [f] = checkUpgradeRequest(request({ headers: { upgrade: huge } }));
    assert.equal(f!.message, `The upgrade request has Upgrade "${'x'.repeat(79)}…", which does not list the token "websocket".`);
  });

  it('never quotes credentials, whatever else is wrong', () => {
    const req = request({
      method: 'POST',
      httpVersion: '1.0',
      headers: {
        authorization: 'Bearer SECRET-1',
        'proxy-authorization': 'Basic SECRET-2',
        cookie: 'sid=SECRET-3',
        upgrade: 'h2c',
        connection: 'keep-alive',
        'sec-websocket-key': 'short',
        'sec-websocket-version': '7',
      },
    });
    const findings = checkUpgradeRequest(req);
    assert.equal(findings.length, 6);
    for (const f of findings) assert.doesNotMatch(f.message + (f.hint ?? ''), /SECRET/);
    const res = checkUpgradeResponse(req, response({ 'set-cookie': ['sid=SECRET-4'], 'sec-websocket-accept': 'wrong' }));
    for (const f of res.findings) assert.doesNotMatch(f.message, /SECRET/);
  });

  it('uses rule ids that exist in the rule table', () => {
    assert.ok(findRule('handshake-invalid-request'));
  });
});

describe('checkUpgradeResponse: the upgrade and the accept', () => {
  it('accepts the RFC 6455 §1.3 response, with nothing negotiated', () => {
    assert.deepEqual(checkUpgradeResponse(request(), response()), { findings: [], subprotocol: null, extensions: null });
  });

  it('accepts mixed case and extra spaces in the response headers', () => {
    const res = response({ upgrade: ' WebSocket ', connection: 'keep-alive,  upgrade', 'sec-websocket-accept': `  ${ACCEPT} ` });
    assert.deepEqual(checkUpgradeResponse(request(), res).findings, []);
  });

  it('hashes the request key without its surrounding spaces', () => {
    const req = request({ headers: { 'sec-websocket-key': `   ${KEY}  ` } });
    assert.deepEqual(checkUpgradeResponse(req, response()).findings, []);
  });

  it('gives no findings for a response that is not a 101, however broken', () => {
    for (const status of [200, 301, 400, 426, 502]) {
      const res = response(
        { upgrade: undefined, 'sec-websocket-accept': undefined, 'sec-websocket-protocol': 'x, y', 'sec-websocket-extensions': 'bogus;;' },
        status,
      );
      assert.deepEqual(checkUpgradeResponse(request(), res), { findings: [], subprotocol: null, extensions: null });
    }
  });

  it('reports a missing Sec-WebSocket-Accept', () => {
    const { findings } = checkUpgradeResponse(request(), response({ 'sec-websocket-accept': undefined }));
    assertOne(findings, 'handshake-bad-accept', 'The 101 response has no Sec-WebSocket-Accept header.');
  });

  it('reports an accept computed from another key, quoting the expected value', () => {
    const other = computeAccept('AAAAAAAAAAAAAAAAAAAAAA==');
    const { findings } = checkUpgradeResponse(request(), response({ 'sec-websocket-accept': other }));
    assertOne(
      findings,
      'handshake-bad-accept',
      `The 101 response has Sec-WebSocket-Accept "${other}", but the key "${KEY}" requires "${ACCEPT}".`,
    );
  });

  it('reports an accept that differs only in case (base64 is case-sensitive)', () => {
    const { findings } = checkUpgradeResponse(request(), response({ 'sec-websocket-accept': ACCEPT.toLowerCase() }));
    assert.deepEqual(rules(findings), ['handshake-bad-accept']);
  });

  it('checks the accept even when the key is not 16 bytes, as the server hashes the string', () => {
    const req = request({ headers: { 'sec-websocket-key': 'AAAAAAAAAAAAAAAAAAAA' } });
    const good = response({ 'sec-websocket-accept': computeAccept('AAAAAAAAAAAAAAAAAAAA') });
    assert.deepEqual(checkUpgradeResponse(req, good).findings, []);
    assert.deepEqual(rules(checkUpgradeResponse(req, response()).findings), ['handshake-bad-accept']);
  });

  it('does not guess an accept when the request had no single key', () => {
    const req = request({ headers: { 'sec-websocket-key': undefined } });
    assert.deepEqual(checkUpgradeResponse(req, response()).findings, []);
  });

  it('reports a 101 without Upgrade or Connection under handshake-bad-accept, with its own hint', () => {
    const { findings } = checkUpgradeResponse(request(), response({ upgrade: undefined, connection: 'keep-alive' }));
    assert.deepEqual(
      findings.map((f) => [f.rule, f.message]),
      [
        ['handshake-bad-accept', 'The 101 response has no Upgrade header.'],
        ['handshake-bad-accept', 'The 101 response has Connection "keep-alive", which does not list the token "Upgrade".'],
      ],
    );
    for (const f of findings) assert.match(f.hint!, /Connection: Upgrade/);
  });
});

describe('checkUpgradeResponse: subprotocols', () => {
  const R = 'handshake-unrequested-subprotocol';
  const offered = request({ headers: { 'sec-websocket-protocol': ['chat, superchat', 'v2.json'] } });

  it('accepts any offer, even one from the second header line', () => {
    for (const choice of ['chat', 'superchat', 'v2.json', '  v2.json ']) {
      const result = checkUpgradeResponse(offered, response({ 'sec-websocket-protocol': choice }));
      assert.deepEqual(result.findings, []);
      assert.equal(result.subprotocol, choice.trim());
    }
  });

  it('accepts offers joined by node into one comma list', () => {
    const req = request({ headers: { 'sec-websocket-protocol': 'chat,superchat , v2.json' } });
    assert.deepEqual(checkUpgradeResponse(req, response({ 'sec-websocket-protocol': 'v2.json' })).findings, []);
  });

  it('reports a choice that was not offered', () => {
    const result = checkUpgradeResponse(offered, response({ 'sec-websocket-protocol': 'mqtt' }));
    assertOne(result.findings, R, 'The 101 response chose subprotocol "mqtt", which is not among the offered "chat, superchat, v2.json".');
    assert.equal(result.subprotocol, 'mqtt');
  });

  it('quotes credentials in subprotocols redacted (before clipping), compares them as they came', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZw';
    const k8s = `base64url.bearer.authorization.k8s.io.${Buffer.from(jwt).toString('base64url')}`;
    const req = request({ headers: { 'sec-websocket-protocol': `${k8s}, channel.k8s.io` } });
    const chosen = checkUpgradeResponse(req, response({ 'sec-websocket-protocol': `bearer.${jwt}` }));
    assertOne(
      chosen.findings,
      R,
      'The 101 response chose subprotocol "bearer.REDACTED", which is not among the offered "base64url.bearer.authorization.k8s.io.REDACTED, channel.k8s.io".',
    );
    assert.equal(chosen.subprotocol, `bearer.${jwt}`, 'the negotiated value itself is as sent');
    // Offered and chosen differ only in their secret parts: still a finding, though both show bearer.REDACTED.
    const other = checkUpgradeResponse(
      request({ headers: { 'sec-websocket-protocol': 'bearer.aaaa' } }),
      response({ 'sec-websocket-protocol': 'bearer.bbbb' }),
    );
    assertOne(other.findings, R, 'The 101 response chose subprotocol "bearer.REDACTED", which is not among the offered "bearer.REDACTED".');
    // --show-secrets: quoted as sent, clipped to 80 characters.
    const shown = checkUpgradeResponse(req, response({ 'sec-websocket-protocol': 'v5.channel.k8s.io' }), SHOW_SECRETS);
    assertOne(
      shown.findings,
      R,
      `The 101 response chose subprotocol "v5.channel.k8s.io", which is not among the offered "${k8s.slice(0, 79)}…".`,
    );
  });

  it('compares names exactly: "Chat" is not "chat"', () => {
    const { findings } = checkUpgradeResponse(offered, response({ 'sec-websocket-protocol': 'Chat' }));
    assert.deepEqual(rules(findings), [R]);
  });

  it('reports a choice when none was offered', () => {
    const { findings } = checkUpgradeResponse(request(), response({ 'sec-websocket-protocol': 'chat' }));
    assertOne(findings, R, 'The 101 response chose subprotocol "chat" but the request offered none.');
  });

  it('reports more than one chosen value, on one line or two', () => {
    for (const answer of ['chat, superchat', ['chat', 'superchat']]) {
      const result = checkUpgradeResponse(offered, response({ 'sec-websocket-protocol': answer }));
      assertOne(
        result.findings,
        R,
        'The 101 response has Sec-WebSocket-Protocol "chat, superchat", 2 subprotocols where at most one may be chosen.',
      );
      assert.equal(result.subprotocol, 'chat, superchat');
    }
  });

  it('reports an empty Sec-WebSocket-Protocol', () => {
    const result = checkUpgradeResponse(offered, response({ 'sec-websocket-protocol': ' ' }));
    assertOne(result.findings, R, 'The 101 response has an empty Sec-WebSocket-Protocol header.');
    assert.equal(result.subprotocol, null);
  });
});

describe('checkUpgradeResponse: extensions', () => {
  const R = 'handshake-unrequested-extension';
  const offer = (value: string | string[]) => request({ headers: { 'sec-websocket-extensions': value } });
  const answer = (value: string | string[]) => response({ 'sec-websocket-extensions': value });

  // [offer, answer]: every answer is allowed by RFC 7692 §7.1 for that offer.
  const valid: Array<[string, string | string[], string | string[]]> = [
    [
      'client_max_window_bits offered, answered with a value',
      'permessage-deflate; client_max_window_bits',
      'permessage-deflate; client_max_window_bits=10',
    ],
    [
      'client_max_window_bits=12 offered, answered with a smaller value',
      'permessage-deflate; client_max_window_bits=12',
      'permessage-deflate; client_max_window_bits=9',
    ],
    ['server_no_context_takeover added by the server', 'permessage-deflate', 'permessage-deflate; server_no_context_takeover'],
    ['client_no_context_takeover added by the server', 'permessage-deflate', 'permessage-deflate; client_no_context_takeover'],
    ['server_max_window_bits added by the server', 'permessage-deflate', 'permessage-deflate; server_max_window_bits=10'],
    [
      'server_max_window_bits=10 offered, answered 8',
      'permessage-deflate; server_max_window_bits=10',
      'permessage-deflate; server_max_window_bits=8',
    ],
    [
      'all four parameters, spaced out and in mixed case',
      'permessage-deflate; client_max_window_bits; server_max_window_bits=15',
      'Permessage-Deflate ;  Server_No_Context_Takeover ; client_no_context_takeover; server_max_window_bits = 12 ; client_max_window_bits="15"',
    ],
    [
      'the second of two offers (only it allows client_max_window_bits)',
      'permessage-deflate; server_max_window_bits=10, permessage-deflate; client_max_window_bits',
      'permessage-deflate; client_max_window_bits=11',
    ],
    [
      'offers on two header lines',
      ['x-webkit-deflate-frame', 'permessage-deflate; client_max_window_bits'],
      'permessage-deflate; client_max_window_bits=15',
    ],
    ['two offered extensions accepted on two lines', 'foo, permessage-deflate', ['foo', 'permessage-deflate']],
    ['nothing accepted from an offer', 'permessage-deflate', '  '],
  ];
  for (const [name, offered, answered] of valid) {
    it(`accepts ${name}`, () => {
      const result = checkUpgradeResponse(offer(offered), answer(answered));
      assert.deepEqual(result.findings, []);
      const joined = Array.isArray(answered) ? answered.join(', ') : answered;
      assert.equal(result.extensions, joined.trim() === '' ? null : joined.trim());
      // Whatever the checks accept, the decoder must be able to configure itself from.
      const deflate = negotiatedDeflate(result.extensions);
      assert.ok(deflate === null || !('error' in deflate), JSON.stringify(deflate));
    });
  }

  const invalid: Array<[string, string, string, string]> = [
    [
      'an extension that was not offered',
      'permessage-deflate',
      'permessage-deflate, x-custom',
      'The 101 response accepts extension "x-custom", which is not among the offered "permessage-deflate".',
    ],
    [
      'an extension when none was offered',
      '',
      'permessage-deflate',
      'The 101 response accepts extension "permessage-deflate" but the request offered no extensions.',
    ],
    [
      'permessage-deflate accepted twice',
      'permessage-deflate, permessage-deflate; client_max_window_bits',
      'permessage-deflate, permessage-deflate',
      'The 101 response accepts permessage-deflate 2 times in "permessage-deflate, permessage-deflate", where at most one offer may be accepted.',
    ],
    [
      'client_max_window_bits that no offer had',
      'permessage-deflate',
      'permessage-deflate; client_max_window_bits=10',
      "The 101 response's permessage-deflate has client_max_window_bits=10, which the client did not offer.",
    ],
    [
      'client_max_window_bits without a value',
      'permessage-deflate; client_max_window_bits',
      'permessage-deflate; client_max_window_bits',
      "The 101 response's permessage-deflate has client_max_window_bits without a value, where a response must give 8–15.",
    ],
    [
      'client_max_window_bits above the offered value',
      'permessage-deflate; client_max_window_bits=10',
      'permessage-deflate; client_max_window_bits=12',
      "The 101 response's permessage-deflate has client_max_window_bits=12, larger than the 10 the client offered.",
    ],
    [
      'server_max_window_bits above the offered value',
      'permessage-deflate; server_max_window_bits=10',
      'permessage-deflate; server_max_window_bits=11',
      "The 101 response's permessage-deflate has server_max_window_bits=11, larger than the 10 the client offered.",
    ],
    [
      'server_max_window_bits without a value',
      'permessage-deflate',
      'permessage-deflate; server_max_window_bits',
      "The 101 response's permessage-deflate has server_max_window_bits without a value, where a response must give 8–15.",
    ],
    [
      'window bits 16',
      'permessage-deflate',
      'permessage-deflate; server_max_window_bits=16',
      `The 101 response's permessage-deflate has server_max_window_bits="16", which is not a window size from 8 to 15.`,
    ],
    [
      'window bits 7',
      'permessage-deflate; client_max_window_bits',
      'permessage-deflate; client_max_window_bits=7',
      `The 101 response's permessage-deflate has client_max_window_bits="7", which is not a window size from 8 to 15.`,
    ],
    [
      'window bits with a leading zero',
      'permessage-deflate',
      'permessage-deflate; server_max_window_bits=09',
      `The 101 response's permessage-deflate has server_max_window_bits="09", which is not a window size from 8 to 15.`,
    ],
    [
      'an unknown parameter',
      'permessage-deflate',
      'permessage-deflate; mem_level=8',
      `The 101 response's permessage-deflate has unknown parameter "mem_level".`,
    ],
    [
      'server_no_context_takeover with a value',
      'permessage-deflate',
      'permessage-deflate; server_no_context_takeover=1',
      `The 101 response's permessage-deflate gives server_no_context_takeover the value "1", but it takes none.`,
    ],
    [
      'a header that does not parse',
      'permessage-deflate',
      'permessage-deflate; server_max_window_bits="10',
      'The 101 response has Sec-WebSocket-Extensions "permessage-deflate; server_max_window_bits=\\"10", which does not parse (unterminated quoted value for server_max_window_bits).',
    ],
  ];
  for (const [name, offered, answered, message] of invalid) {
    it(`reports ${name}`, () => {
      const req = offered === '' ? request() : offer(offered);
      const result = checkUpgradeResponse(req, answer(answered));
      assertOne(result.findings, R, message);
      assert.equal(result.extensions, answered);
    });
  }

  it('reports each bad parameter of one answer separately', () => {
    const { findings } = checkUpgradeResponse(
      offer('permessage-deflate'),
      answer('permessage-deflate; client_max_window_bits=10; foo; server_max_window_bits=99'),
    );
    assert.deepEqual(messages(findings), [
      "The 101 response's permessage-deflate has client_max_window_bits=10, which the client did not offer.",
      `The 101 response's permessage-deflate has unknown parameter "foo".`,
      `The 101 response's permessage-deflate has server_max_window_bits="99", which is not a window size from 8 to 15.`,
    ]);
  });

  it('does not blame the server when the offer itself does not parse', () => {
    const req = offer('permessage-deflate; ;;=');
    assert.equal(checkUpgradeRequest(req).length, 1);
    assert.deepEqual(checkUpgradeResponse(req, answer('permessage-deflate')).findings, []);
  });

  it('collects findings of every rule from one bad 101', () => {
    const req = request({ headers: { 'sec-websocket-protocol': 'chat' } });
    const res = response({
      connection: undefined,
      'sec-websocket-accept': 'AAAA',
      'sec-websocket-protocol': 'mqtt',
      'sec-websocket-extensions': 'permessage-deflate',
    });
    assert.deepEqual(rules(checkUpgradeResponse(req, res).findings), [
      'handshake-bad-accept',
      'handshake-bad-accept',
      'handshake-unrequested-subprotocol',
      'handshake-unrequested-extension',
    ]);
  });
});
