/**
 * What a leaf is minted for: names normalised to one cache key, IPv4/IPv6 to their bytes, and every
 * name a certificate cannot carry refused with InvalidServerNameError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidServerNameError, parseLeafSubject } from '../../src/tls/index.js';

describe('parseLeafSubject', () => {
  it('DNS names: lower case, one trailing dot dropped, underscores and long labels kept', () => {
    assert.deepEqual(parseLeafSubject('App.Example.COM.'), { kind: 'dns', name: 'app.example.com' });
    assert.deepEqual(parseLeafSubject('_dmarc.x-y.test'), { kind: 'dns', name: '_dmarc.x-y.test' });
    assert.equal(parseLeafSubject(`${'a'.repeat(63)}.test`).name.length, 68);
    assert.equal(parseLeafSubject('localhost').name, 'localhost');
  });

  it('IPv4 addresses become 4 bytes', () => {
    const s = parseLeafSubject('127.0.0.1');
    assert.equal(s.kind, 'ip');
    assert.deepEqual([...s.bytes], [127, 0, 0, 1]);
  });

  it('IPv6 addresses (bracketed or not, any spelling) become 16 bytes and one canonical name', () => {
    for (const spelling of ['::1', '[::1]', '0:0:0:0:0:0:0:1', '0000::0001']) {
      const s = parseLeafSubject(spelling);
      assert.equal(s.kind, 'ip', spelling);
      assert.equal(s.name, '::1', spelling);
      assert.deepEqual([...s.bytes], [...new Array<number>(15).fill(0), 1]);
    }
    assert.equal(parseLeafSubject('2001:DB8:0:0:1:0:0:1').name, '2001:db8::1:0:0:1', 'RFC 5952: first longest zero run');
    assert.equal(parseLeafSubject('2001:db8:1:1:1:1:0:1').name, '2001:db8:1:1:1:1:0:1', 'a single zero word is not shortened');
    const mapped = parseLeafSubject('::ffff:192.0.2.1');
    assert.deepEqual(mapped.kind === 'ip' ? [...mapped.bytes.slice(10)] : null, [0xff, 0xff, 192, 0, 2, 1]);
  });

  it('refuses what no certificate can carry', () => {
    const bad = [
      '',
      ' ',
      '.',
      'a..b',
      '-lead.test',
      'trail-.test',
      'sp ace.test',
      'ünï.test',
      '*.wild.test',
      `${'a'.repeat(64)}.test`,
      `${'abcdefgh.'.repeat(28)}test`,
      'fe80::1%eth0',
      'a/b',
      'host:443',
    ];
    for (const name of bad) {
      assert.throws(() => parseLeafSubject(name), InvalidServerNameError, JSON.stringify(name));
    }
  });
});
