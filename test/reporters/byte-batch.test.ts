/**
 * ByteBatch: lines gathered as UTF-8 in one buffer come out byte for byte as Buffer.from would encode them,
 * in order; a line that might not fit is refused (nothing half-written); what take() returns is never
 * changed by later lines, whether it was copied out or handed over whole.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteBatch } from '../../src/reporters/byte-batch.js';

describe('ByteBatch', () => {
  it('gathers lines as their UTF-8 bytes, in order (accents, CJK, a surrogate pair, a lone surrogate)', () => {
    const batch = new ByteBatch(1024);
    const lines = ['{"a":1}\n', 'Zoë 12,50 €\n', '日本語\n', '🎉\n', 'lone \ud800 half\n'];
    for (const line of lines) assert.equal(batch.add(line), true);
    assert.equal(batch.empty, false);
    assert.deepEqual(batch.take(), Buffer.from(lines.join(''), 'utf8'));
    assert.equal(batch.empty, true);
  });

  it('refuses a line that might not fit (3 bytes per UTF-16 unit) and keeps what it holds', () => {
    const batch = new ByteBatch(12);
    assert.equal(batch.add('ab'), true, '2 units, at most 6 bytes');
    assert.equal(batch.add('cd'), true, '2 more: 4 bytes used, 8 left');
    assert.equal(batch.add('efg'), false, '3 units may need 9 bytes, more than the 8 left');
    assert.deepEqual(batch.take(), Buffer.from('abcd'));
    assert.equal(batch.add('abcde'), false, '5 units may need 15 bytes: never fits a batch of 12');
    assert.equal(batch.empty, true);
  });

  it('a mostly empty batch is copied out: later lines do not change what was taken', () => {
    const batch = new ByteBatch(1000);
    batch.add('first\n');
    const taken = batch.take();
    batch.add('SECOND\n');
    assert.equal(taken.toString(), 'first\n');
    assert.equal(batch.take().toString(), 'SECOND\n');
  });

  it('a fuller batch is handed over whole: later lines go to a new buffer', () => {
    const batch = new ByteBatch(40);
    const long = 'x'.repeat(11) + '\n';
    batch.add(long);
    const taken = batch.take();
    batch.add('y'.repeat(11) + '\n');
    assert.equal(taken.toString(), long);
    assert.equal(batch.take().toString(), 'y'.repeat(11) + '\n');
  });

  it('take() on an empty batch is an empty buffer', () => {
    assert.equal(new ByteBatch(16).take().length, 0);
  });
});
