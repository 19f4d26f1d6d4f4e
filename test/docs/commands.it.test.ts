/**
 * docs/commands.md documents the command line as it is: every command `wsdiag --help` lists has a section
 * (a heading that starts with `wsdiag NAME`), and every flag its `--help` lists appears in that section.
 * Read from the built CLI's own help, so a flag added without its documentation fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/cli.js';
import { headings, section } from '../support/markdown.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const COMMANDS_MD = readFileSync(join(ROOT, 'docs', 'commands.md'), 'utf8');

/** The names under "Commands:" in `wsdiag --help` (help itself aside). */
function commandNames(help: string): string[] {
  const block = help.split(/^Commands:$/m)[1]?.split(/^\S/m)[0] ?? '';
  return [...block.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1] ?? '').filter((name) => name !== 'help');
}

/** The flags under "Options:" in `wsdiag NAME --help`: the long form, or the short one when there is none. */
function flags(help: string): string[] {
  const block = help.split(/^Options:$/m)[1]?.split(/^\S/m)[0] ?? '';
  return [...block.matchAll(/^ {2}(?:(-\w)(?:, |\s))?(--[a-z][\w-]*)?/gm)]
    .map((m) => m[2] ?? m[1] ?? '')
    .filter((flag) => flag !== '' && flag !== '--help');
}

/** Whether `flag` appears in `text` as itself (`--ca` is not found in `--ca-dir`). */
function mentions(text: string, flag: string): boolean {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w-])${escaped}(?![\\w-])`, 'm').test(text);
}

describe('docs: commands.md covers the command line', async () => {
  const top = await runCli(['--help']);
  assert.equal(top.code, 0, top.stderr);
  const names = commandNames(top.stdout);

  it('finds the commands in wsdiag --help', () => {
    for (const name of ['proxy', 'analyze', 'explain', 'tail', 'view', 'demo', 'ci', 'probe', 'sandwich', 'ca']) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
  });

  const helps = await Promise.all(names.map((name) => runCli([name, '--help'])));
  names.forEach((name, i) => {
    it(`wsdiag ${name}: a section, with every flag of its --help`, () => {
      const help = helps[i];
      assert.ok(help !== undefined);
      assert.equal(help.code, 0, help.stderr);
      const listed = flags(help.stdout);
      assert.ok(listed.length > 0, `no flags parsed from wsdiag ${name} --help:\n${help.stdout}`);
      const heading = headings(COMMANDS_MD).find((h) => h.level === 2 && h.source.startsWith(`\`wsdiag ${name}\``));
      assert.ok(heading !== undefined, `docs/commands.md has no "## \`wsdiag ${name}\`" section`);
      const text = section(COMMANDS_MD, heading);
      const missing = listed.filter((flag) => !mentions(text, flag));
      assert.deepEqual(missing, [], `flags of wsdiag ${name} not in its section of docs/commands.md`);
    });
  });

  it('the flag parser reads short and long forms', () => {
    const sample = [
      'Options:',
      '  -f, --follow     keep reading',
      '  --ui [host:port]  serve',
      '  -x               short only',
      '  -h, --help       help',
      '',
    ].join('\n');
    assert.deepEqual(flags(sample), ['--follow', '--ui', '-x']);
    assert.ok(mentions('use `--ca FILE`', '--ca'));
    assert.ok(!mentions('use `--ca-dir DIR`', '--ca'));
    assert.ok(!mentions('use `--ui-buffer N`', '--ui'));
  });
});
