/**
 * docs/events.md is the contract users script against: every event type and field the code can emit, every
 * rule id and every exit code must be documented there, and nothing documented there may be missing from the
 * code. The code's side is the schema's own field table (EVENT_FIELDS, which the event union forces to be
 * complete) and the rule table.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExitCode } from '../../src/errors.js';
import { EVENT_FIELDS } from '../../src/events/index.js';
import { RULES } from '../../src/rules/table.js';

const DOC = readFileSync(fileURLToPath(new URL('../../../docs/events.md', import.meta.url)), 'utf8');

/** The `### \`type\`` sections of the document, each with the first cell of its table rows. */
function eventSections(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of text.split('\n')) {
    const heading = /^### `([a-z-]+)`$/.exec(line);
    if (heading) {
      current = [];
      sections.set(heading[1]!, current);
    } else if (line.startsWith('#')) {
      current = null;
    } else if (current) {
      const cell = /^\| `([a-z0-9_]+)` \|/.exec(line);
      if (cell) current.push(cell[1]!);
    }
  }
  return sections;
}

/** The first cells of the table under a `## heading`. */
function tableUnder(text: string, heading: string): string[] {
  const start = text.indexOf(`\n## ${heading}\n`);
  assert.ok(start >= 0, `docs/events.md has a "## ${heading}" section`);
  const end = text.indexOf('\n## ', start + 1);
  const body = text.slice(start, end < 0 ? undefined : end);
  return [...body.matchAll(/^\| `?([^`|]+?)`? \|/gm)].map((m) => m[1]!.trim());
}

describe('docs/events.md is the contract', () => {
  const sections = eventSections(DOC);

  it('documents every event type the code can emit, and no other', () => {
    assert.deepEqual([...sections.keys()].filter((type) => type in EVENT_FIELDS).sort(), Object.keys(EVENT_FIELDS).sort());
    const unknown = [...sections.keys()].filter((type) => !(type in EVENT_FIELDS) && type !== 'checks');
    assert.deepEqual(unknown, [], 'sections for event types the code does not have');
  });

  for (const [type, fields] of Object.entries(EVENT_FIELDS)) {
    it(`documents every field of "${type}", and no other`, () => {
      const documented = sections.get(type) ?? [];
      assert.deepEqual([...documented].sort(), Object.keys(fields).sort());
    });
  }

  it('documents the fields every event has', () => {
    const common = tableUnder(DOC, 'Common to every event');
    for (const field of ['v', 'type', 'ts']) assert.ok(common.includes(field), field);
  });

  it('lists every rule id with its code and severity, and no other', () => {
    const rows = [...DOC.matchAll(/^\| `([a-z0-9-]+)` \| (\d{4}) \| (error|warning) \|/gm)].map((m) => [m[1], Number(m[2]), m[3]]);
    assert.deepEqual(
      rows,
      RULES.map((rule) => [rule.id, rule.code, rule.severity]),
    );
  });

  it('lists every exit code', () => {
    const codes = tableUnder(DOC, 'Exit codes')
      .filter((cell) => /^\d+$/.test(cell))
      .map(Number);
    assert.deepEqual(
      codes,
      Object.values(ExitCode).sort((a, b) => a - b),
    );
  });
});
