/**
 * Forward mode's small pure parts: the CONNECT authority, --intercept host globs and --allow-from ranges.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { parseAllowList } from '../../src/proxy/allow.js';
import { parseAuthority } from '../../src/proxy/forward.js';
import { compileHostGlobs } from '../../src/proxy/host-glob.js';

describe('parseAuthority', () => {
  it('reads host:port, [v6]:port and refuses the rest', () => {
    assert.deepEqual(parseAuthority('example.com:443'), { host: 'example.com', port: 443 });
    assert.deepEqual(parseAuthority('[::1]:8443'), { host: '::1', port: 8443 });
    assert.deepEqual(parseAuthority('127.0.0.1:1'), { host: '127.0.0.1', port: 1 });
    for (const bad of ['example.com', 'example.com:0', 'example.com:65536', ':443', 'a b:443', 'http://x:80', '::1:443', 'x:443/']) {
      assert.equal(parseAuthority(bad), null, bad);
    }
  });
});

describe('compileHostGlobs', () => {
  it('matches with * across labels, ? for one character, ignoring case and a trailing dot', () => {
    const m = compileHostGlobs(['*.example.com', 'api?.test']);
    assert.ok(m.matches('a.example.com'));
    assert.ok(m.matches('A.B.Example.COM.'));
    assert.ok(!m.matches('example.com'));
    assert.ok(!m.matches('example.com.evil.net'));
    assert.ok(m.matches('api1.test'));
    assert.ok(!m.matches('api12.test'));
    assert.ok(compileHostGlobs(['*']).matches('anything.at.all'));
    assert.ok(!compileHostGlobs([]).matches('x'));
  });

  it('refuses what is not a host glob', () => {
    for (const bad of ['', 'a[b]', '{a,b}.com', 'a b', 'x.com/path']) {
      assert.throws(() => compileHostGlobs([bad]), ConfigError, bad);
    }
  });
});

describe('parseAllowList', () => {
  it('serves addresses in the ranges, and loopback always', () => {
    const allow = parseAllowList(['192.168.1.0/24', '10.1.2.3', 'fd00::/8']);
    assert.ok(allow.allows('192.168.1.77'));
    assert.ok(allow.allows('::ffff:192.168.1.77'));
    assert.ok(!allow.allows('192.168.2.1'));
    assert.ok(allow.allows('10.1.2.3'));
    assert.ok(!allow.allows('10.1.2.4'));
    assert.ok(allow.allows('fd12::1'));
    assert.ok(!allow.allows('fe80::1'));
    assert.ok(allow.allows('127.0.0.1'));
    assert.ok(allow.allows('::1'));
    assert.ok(!allow.allows('not an address'));
    assert.ok(parseAllowList(['0.0.0.0/0']).allows('203.0.113.9'));
    assert.ok(parseAllowList(['172.16.0.0/12']).allows('172.31.255.255'));
    assert.ok(!parseAllowList(['172.16.0.0/12']).allows('172.32.0.0'));
  });

  it('refuses what is not a range', () => {
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'x', '10.0.0.0/8/1', '::/129', '10.0.0.0/-1']) {
      assert.throws(() => parseAllowList([bad]), ConfigError, bad);
    }
  });
});
