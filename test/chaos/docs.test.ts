/**
 * docs/chaos.md stays in step with the code: its toxics table lists every type (and no other) with every
 * attribute and its default; the fault event row names every field faultEvent writes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { faultEvent } from '../../src/chaos/events.js';
import { TOXIC_TYPES, describeToxicTypes } from '../../src/chaos/toxics/index.js';
import type { FaultRecord } from '../../src/chaos/types.js';
import { createPalette, formatEvent } from '../../src/reporters/index.js';

const docs = readFileSync(new URL('../../../docs/chaos.md', import.meta.url), 'utf8');

/** The rows of the markdown table whose header starts with `first`. */
function tableRows(first: string): string[][] {
  const lines = docs.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`| ${first} |`));
  assert.ok(start >= 0, `a table starting with "${first}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

const record: FaultRecord = {
  dir: 'client->server',
  frame: { index: 3, offset: 212, opcode: 1, length: 5 },
  out_index: 3,
  out_offset: 212,
  toxic: 'rsv-c2s',
  toxic_type: 'rsv',
  message: 'set RSV1 on text frame #3',
  before: { rsv1: false },
  after: { rsv1: true },
};

describe('docs/chaos.md', () => {
  it('lists every toxic type with its attributes', () => {
    const rows = tableRows('type | what it does');
    assert.deepEqual(
      rows.map((r) => r[0]),
      TOXIC_TYPES.map((t) => `\`${t}\``),
    );
    for (const type of describeToxicTypes()) {
      const cell = rows.find((r) => r[0] === `\`${type.type}\``)![2]!;
      for (const name of Object.keys(type.attributes))
        assert.ok(cell.includes(`\`${name}\``), `${type.type}: attribute ${name} documented`);
    }
  });

  it('documents every field of the fault event', () => {
    const [row] = tableRows('type | when').filter((r) => r[0] === '`fault`');
    assert.ok(row, 'a fault row');
    const event = faultEvent(record, 'k3f9-c1', () => new Date(0));
    for (const field of Object.keys(event)) {
      if (field === 'v' || field === 'ts' || field === 'type') continue;
      assert.ok(row[2]!.includes(`\`${field}\``), `field ${field} documented`);
    }
  });
});

describe('faultEvent', () => {
  it('adds conn, v, ts and type to a record; leaves out absent before/after', () => {
    const event = faultEvent(record, 'k3f9-c1', () => new Date(0));
    assert.deepEqual(event, { v: 1, ts: '1970-01-01T00:00:00.000Z', type: 'fault', conn: 'k3f9-c1', ...record });
    const { before: _b, after: _a, ...bare } = record;
    assert.ok(!('before' in faultEvent(bare, 'c', () => new Date(0))));
    assert.equal(
      formatEvent(event, { palette: createPalette(false) }),
      [
        '00:00:00.000  fault rsv-c2s (rsv)  k3f9-c1 client->server  sent as frame #3, relayed as #3 @ offset 212',
        '              set RSV1 on text frame #3',
        '              changed: rsv1 false → true',
        '',
      ].join('\n'),
    );
  });
});
