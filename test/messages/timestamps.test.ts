/**
 * isoTimestamp and isoNow remember the string of the last millisecond asked for (events come by the
 * thousand a second): the answer must still be exactly Date#toISOString for every instant, in any order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isoNow, isoTimestamp } from '../../src/events/index.js';

describe('isoTimestamp', () => {
  it('is toISOString for each instant, also when instants repeat, go back, or share a second', () => {
    const instants = [0, 1, 1, 999, 1000, 1_733_300_000_123, 1_733_300_000_123, 1_733_300_000_124, 1, -1, 8.64e15];
    for (const ms of instants) assert.equal(isoTimestamp(new Date(ms)), new Date(ms).toISOString(), `at ${ms}`);
  });

  it('isoNow is the current time, and shares the remembered string with isoTimestamp', () => {
    const before = Date.now();
    const now = Date.parse(isoNow());
    assert.ok(now >= before && now <= Date.now(), `isoNow ${now} within [${before}, now]`);
    const at = new Date(1_000_000);
    assert.equal(isoTimestamp(at), at.toISOString());
    assert.ok(Date.parse(isoNow()) >= before, 'the remembered instant does not leak into isoNow');
  });
});
