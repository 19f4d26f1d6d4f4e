/**
 * Previews go through the redactor: text as text (a full, cut preview may end in the start of a token),
 * hex by its printable runs, with the credential's bytes shown as REDACTED among the hex digits.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PREVIEW_BYTES } from '../../src/protocol/constants.js';
import { closeBody } from '../../src/protocol/encoder.js';
import { SHOW_SECRETS } from '../../src/redact.js';
import { formatPreview } from '../../src/session/preview.js';

const TOKEN = 'Xk9fQ2mP7rT4vB8nL1sD6wY3zH5jC0aE';
const bytes = (text: string) => new TextEncoder().encode(text);
const hex = (text: string) => Buffer.from(text, 'latin1').toString('hex');

describe('formatPreview keeps credentials out of previews', () => {
  it('text: credentials by name and by form; the rest as it came', () => {
    assert.equal(formatPreview(bytes('{"authToken":"s3cr3t","room":7}')), '{"authToken":"REDACTED","room":7}');
    assert.equal(formatPreview(bytes(`Authorization: Bearer ${TOKEN}`)), 'Authorization: Bearer REDACTED');
    assert.equal(formatPreview(bytes('hello')), 'hello');
  });

  it('text cut by the 64-byte limit: a token cut short still goes', () => {
    const head = `GET /ws/x?t=${TOKEN}`.slice(0, 24);
    const full = bytes(head.padStart(PREVIEW_BYTES, ' '));
    assert.equal(full.length, PREVIEW_BYTES);
    assert.equal(formatPreview(full).trim(), 'GET /ws/x?t=REDACTED');
    // The same bytes as a whole (shorter) payload are not cut: 12 characters are too few to judge.
    assert.equal(formatPreview(bytes(head)), head);
  });

  it('hex: a Close reason carrying a token shows REDACTED in place of its bytes', () => {
    const close = closeBody(4000, `token=${TOKEN}`);
    assert.equal(formatPreview(close), `0fa0${hex('token=')}REDACTED`);
    const binary = Uint8Array.from([0, 1, 2, ...bytes(`x {"password":"${TOKEN}"} y`), 0xff]);
    assert.equal(formatPreview(binary), `000102${hex('x {"password":"')}REDACTED${hex('"} y')}ff`);
    assert.equal(
      formatPreview(Uint8Array.from([0, 255, ...bytes('hello world'), 7])),
      `00ff${hex('hello world')}07`,
      'ordinary text among binary bytes stays',
    );
  });

  it('--show-secrets: previews as they came', () => {
    assert.equal(formatPreview(bytes('{"authToken":"s3cr3t"}'), SHOW_SECRETS), '{"authToken":"s3cr3t"}');
    const close = closeBody(4000, `token=${TOKEN}`);
    assert.equal(formatPreview(close, SHOW_SECRETS), Buffer.from(close).toString('hex'));
  });
});
