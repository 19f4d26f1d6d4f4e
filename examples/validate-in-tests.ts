/**
 * Using wsdiag's decoder inside your own test suite: check that the bytes a WebSocket client library
 * produced are valid RFC 6455, without a proxy or any socket.
 *
 *   npm run build && node dist/examples/validate-in-tests.js
 */
import assert from 'node:assert/strict';
import { analyzeBytes, closeBody, concatBytes, encodeFrame, type ViolationEvent } from '../src/index.js';

// Stand-in for bytes captured from the client under test (e.g. by wrapping its socket's write()).
const captured = concatBytes([
  encodeFrame({ opcode: 0x1, payload: '{"hello":"world"}', mask: true }),
  encodeFrame({ opcode: 0x1, payload: 'forgot to mask' }), // the bug this example catches
  encodeFrame({ opcode: 0x8, payload: closeBody(1000, 'bye'), mask: true }),
]);

const { events, errors } = analyzeBytes(captured, { from: 'client' });
const violations = events.filter((e): e is ViolationEvent => e.type === 'violation');
for (const v of violations) console.log(`${v.rule} (${v.code}) at frame #${v.frame?.index}: ${v.message}\n  fix: ${v.hint}`);

// In a real suite this is the assertion: no error-severity violation in what the client sent.
assert.equal(errors, 1);
assert.equal(violations[0]?.rule, 'unmasked-client-frame');
