/**
 * The leaf cache's LRU: never above its bound, evicts the least recently used, and a read refreshes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LruCache } from '../../src/tls/lru.js';

describe('LruCache', () => {
  it('keeps at most maxEntries, evicting the least recently used', () => {
    const lru = new LruCache<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    assert.equal(lru.get('a'), 1); // a is now more recent than b
    lru.set('c', 3);
    assert.equal(lru.size, 2);
    assert.equal(lru.has('b'), false, 'b was least recently used');
    assert.equal(lru.get('a'), 1);
    assert.equal(lru.get('c'), 3);
  });

  it('replacing a key does not grow it; has() does not refresh', () => {
    const lru = new LruCache<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('a', 10);
    assert.equal(lru.size, 2);
    assert.equal(lru.has('b'), true);
    lru.set('c', 3); // b is the oldest: a was re-set after it
    assert.equal(lru.has('b'), false);
    assert.equal(lru.get('a'), 10);
  });

  it('refuses a bound below 1', () => {
    assert.throws(() => new LruCache(0), RangeError);
    assert.throws(() => new LruCache(1.5), RangeError);
  });
});
