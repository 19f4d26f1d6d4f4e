import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter, type LogLine } from '../../src/reporters/log-lines.js';

function splitAll(chunks: Buffer[], splitter = new LineSplitter()): LogLine[] {
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
}

describe('LineSplitter', () => {
  it('numbers lines, strips CR before LF, keeps empty lines', () => {
    assert.deepEqual(splitAll([Buffer.from('a\r\n\nb\n')]), [
      { text: 'a', number: 1 },
      { text: '', number: 2 },
      { text: 'b', number: 3 },
    ]);
  });

  it('gives the same lines however the bytes are cut, also inside a UTF-8 character', () => {
    const bytes = Buffer.from('é€\n{"x":"😀"}\nlast');
    const whole = splitAll([bytes]);
    assert.deepEqual(
      whole.map((line) => line.text),
      ['é€', '{"x":"😀"}', 'last'],
    );
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.deepEqual(splitAll([bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `cut at ${cut}`);
    }
  });

  it('holds an unfinished line until its newline arrives', () => {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push(Buffer.from('{"par')), []);
    assert.deepEqual(splitter.push(Buffer.from('tial":1}\n')), [{ text: '{"partial":1}', number: 1 }]);
    assert.deepEqual(splitter.end(), []);
  });

  it('drops a line longer than the limit and says so, then goes on', () => {
    const splitter = new LineSplitter(8);
    const lines = splitAll([Buffer.from('short\n0123'), Buffer.from('456789\nok\n'), Buffer.from('x'.repeat(20))], splitter);
    assert.deepEqual(lines, [
      { text: 'short', number: 1 },
      { text: '', number: 2, tooLong: true },
      { text: 'ok', number: 3 },
      { text: '', number: 4, tooLong: true },
    ]);
  });

  it('reset() forgets the unfinished line and numbers from 1 again', () => {
    const splitter = new LineSplitter();
    splitter.push(Buffer.from('a\nhalf'));
    splitter.reset();
    assert.deepEqual(splitter.push(Buffer.from('b\n')), [{ text: 'b', number: 1 }]);
  });
});
