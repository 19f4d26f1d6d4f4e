/**
 * --resolve and --upstream-proxy as values: what parses, what is refused with one clear line, and where a
 * name is sent (src/proxy/reach.ts, src/proxy/connect-tunnel.ts). No sockets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { parseHttpProxy } from '../../src/proxy/connect-tunnel.js';
import { createReach, parseResolveEntries } from '../../src/proxy/reach.js';

function refused(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof ConfigError, `a ConfigError, got ${String(err)}`);
    assert.match(err.message, pattern);
    assert.doesNotMatch(err.message, /\n/, 'one line');
    return true;
  });
}

describe('parseResolveEntries', () => {
  it('maps names to IPv4 and bracketed IPv6 addresses, names lower-cased, the last entry for a name winning', () => {
    assert.deepEqual(parseResolveEntries(['app.test:127.0.0.1', 'V6.Test:[::1]', 'app.test:127.0.0.2', '*.staging.example:10.0.0.7']), {
      'app.test': '127.0.0.2',
      'v6.test': '::1',
      '*.staging.example': '10.0.0.7',
    });
  });
  const bad: Array<[string, RegExp]> = [
    ['app.test', /"app\.test" is not HOST:ADDR/],
    [':127.0.0.1', /is not HOST:ADDR/],
    ['app.test:443:127.0.0.1', /takes no port/],
    ['app.test:::1', /IPv6 address in brackets/],
    ['app.test:[127.0.0.1]', /no IPv6 address in its brackets/],
    ['app.test:example.com', /the address is not an IP address/],
    ['app.test:', /the address is not an IP address/],
    ['127.0.0.1:127.0.0.2', /the name is not a host name/],
    ['bad name:127.0.0.1', /the name is not a host name/],
  ];
  for (const [entry, pattern] of bad) {
    it(`refuses ${JSON.stringify(entry)}`, () => refused(() => parseResolveEntries([entry]), pattern));
  }
});

describe('parseHttpProxy', () => {
  it('keeps the credentials for Proxy-Authorization only, never in the shown URL', () => {
    const proxy = parseHttpProxy('http://alice:s%3Acret@proxy.corp:3128', 'upstreamProxy');
    assert.deepEqual(proxy, {
      href: 'http://proxy.corp:3128/',
      host: 'proxy.corp',
      port: 3128,
      authorization: `Basic ${Buffer.from('alice:s:cret').toString('base64')}`,
    });
  });
  it('takes an IPv6 proxy and defaults the port to 80', () => {
    const proxy = parseHttpProxy('http://[::1]', 'upstreamProxy');
    assert.equal(proxy.host, '::1');
    assert.equal(proxy.port, 80);
    assert.equal(proxy.authorization, null);
  });
  const bad: Array<[string, RegExp]> = [
    ['proxy.corp:3128', /is not a URL|must be an http:\/\/ URL/],
    ['https://proxy.corp:3128', /must be an http:\/\/ URL/],
    ['http://proxy.corp:3128/path', /must not have a path/],
    ['socks5://proxy.corp:1080', /must be an http:\/\/ URL/],
  ];
  for (const [text, pattern] of bad) {
    it(`refuses ${text} naming the option`, () =>
      refused(() => parseHttpProxy(text, 'upstreamProxy'), new RegExp(`^upstreamProxy .*${pattern.source}`)));
  }
  it('does not show the password of a URL it cannot parse', () => {
    refused(() => parseHttpProxy('http://bob:hunter2@[::1:3128', 'upstreamProxy'), /^upstreamProxy "http:\/\/\[::1:3128" is not a URL/);
  });
});

describe('createReach', () => {
  it('is null with neither option: the plain path stays as it was', () => {
    assert.equal(createReach({}), null);
    assert.equal(createReach({ resolve: {} }), null);
  });
  it('sends an exact name first, then the longest *.suffix, and leaves other names to DNS', () => {
    const reach = createReach({ resolve: { 'api.app.test': '10.0.0.1', '*.app.test': '10.0.0.2', '*.test': '10.0.0.3' } });
    assert.ok(reach);
    assert.equal(reach.addressOf('API.app.test'), '10.0.0.1');
    assert.equal(reach.addressOf('www.app.test'), '10.0.0.2');
    assert.equal(reach.addressOf('a.b.app.test.'), '10.0.0.2');
    assert.equal(reach.addressOf('other.test'), '10.0.0.3');
    assert.equal(reach.addressOf('app.example'), undefined);
  });
  it('checks a library caller\u2019s map and URL as the CLI\u2019s', () => {
    refused(() => createReach({ resolve: { 'app.test': 'nowhere' } }), /^resolve app\.test → nowhere: the address is not an IP address/);
    refused(() => createReach({ upstreamProxy: 'ftp://p:21' }), /^upstreamProxy "ftp:\/\/p[^"]*" must be an http/);
  });
});
