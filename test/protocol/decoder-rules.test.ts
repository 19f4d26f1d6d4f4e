/**
 * Every decoder rule with byte-exact failing streams (INVALID_STREAMS in test/fixtures/decoder-streams.ts):
 * which rule, at which frame, and that the decoder carries on (or stops) as DESIGN §2 says. Every stream is
 * re-run split at every offset and one byte at a time, with and without the payload and message listeners.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INVALID_STREAMS, VALID_STREAMS } from '../fixtures/decoder-streams.js';
import { checkStreamFixture } from '../support/decode.js';

describe('decoder rules: the failing streams', () => {
  for (const fixture of INVALID_STREAMS) {
    it(fixture.name, () => {
      checkStreamFixture(fixture);
    });
  }
});

describe('decoder fixtures', () => {
  it('a failing stream breaks a rule or is cut short; a valid one breaks none', () => {
    for (const f of INVALID_STREAMS) assert.ok(f.findings.length > 0 || f.truncation !== undefined, f.name);
    for (const f of VALID_STREAMS) assert.deepEqual(f.findings, [], f.name);
  });

  it('names are unique, so a failure points at one fixture', () => {
    const names = [...INVALID_STREAMS, ...VALID_STREAMS].map((f) => f.name);
    assert.deepEqual(
      names.filter((name, i) => names.indexOf(name) !== i),
      [],
    );
  });
});
