/**
 * Pairing legs: by Sec-WebSocket-Key first, then by path and arrival order, in either arrival order of
 * the two legs; waiting legs can be taken out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LegMatcher, type MatchableLeg } from '../../src/sandwich/matcher.js';

const leg = (conn: string, path: string, key: string | null): MatchableLeg => ({ conn, path, key });

function pairOf(m: ReturnType<LegMatcher<MatchableLeg>['add']>): [string, string, string] | null {
  return m === null ? null : [m.front.conn, m.return.conn, m.by];
}

test('a front leg takes the return leg with its key, not the oldest one', () => {
  const m = new LegMatcher<MatchableLeg>();
  assert.equal(m.add('return', leg('r1', '/x', 'K1')), null);
  assert.equal(m.add('return', leg('r2', '/x', 'K2')), null);
  assert.deepEqual(pairOf(m.add('front', leg('c1', '/x', 'K2'))), ['c1', 'r2', 'key']);
  assert.deepEqual(pairOf(m.add('front', leg('c2', '/x', 'K1'))), ['c2', 'r1', 'key']);
  assert.deepEqual([m.pending('front'), m.pending('return')], [[], []]);
});

test('replaced keys: the oldest waiting leg with the same path, else the oldest at all', () => {
  const m = new LegMatcher<MatchableLeg>();
  m.add('return', leg('r1', '/a', 'X1'));
  m.add('return', leg('r2', '/b', 'X2'));
  m.add('return', leg('r3', '/b', 'X3'));
  assert.deepEqual(pairOf(m.add('front', leg('c1', '/b', 'K1'))), ['c1', 'r2', 'path-order']);
  assert.deepEqual(pairOf(m.add('front', leg('c2', '/rewritten', 'K2'))), ['c2', 'r1', 'order']);
  assert.deepEqual(pairOf(m.add('front', leg('c3', '/b', 'K3'))), ['c3', 'r3', 'path-order']);
});

test('a front leg that arrives first waits, and its return leg finds it by key', () => {
  const m = new LegMatcher<MatchableLeg>();
  assert.equal(m.add('front', leg('c1', '/', 'K1')), null);
  assert.equal(m.add('front', leg('c2', '/', 'K2')), null);
  assert.deepEqual(pairOf(m.add('return', leg('r1', '/', 'K2'))), ['c2', 'r1', 'key']);
  assert.deepEqual(
    m.pending('front').map((l) => l.conn),
    ['c1'],
  );
});

test('a leg without a key is paired by path and order', () => {
  const m = new LegMatcher<MatchableLeg>();
  m.add('return', leg('r1', '/p', null));
  assert.deepEqual(pairOf(m.add('front', leg('c1', '/p', null))), ['c1', 'r1', 'path-order']);
});

test('remove takes a waiting leg out, and only a waiting one', () => {
  const m = new LegMatcher<MatchableLeg>();
  m.add('return', leg('r1', '/', 'K1'));
  assert.equal(m.remove('return', 'r1'), true);
  assert.equal(m.remove('return', 'r1'), false);
  assert.equal(m.add('front', leg('c1', '/', 'K1')), null);
  assert.deepEqual(
    m.pending('front').map((l) => l.conn),
    ['c1'],
  );
});
