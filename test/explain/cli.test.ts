import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RULES } from '../../src/rules/table.js';
import { runCli, type Exit } from '../support/cli.js';

/** The variables that pick a language, a width or colours: unset unless a test sets them. */
const CLEAN_LOCALE = Object.fromEntries(
  ['LANG', 'LC_ALL', 'LC_MESSAGES', 'LANGUAGE', 'COLUMNS', 'NO_COLOR', 'FORCE_COLOR'].map((name) => [name, undefined]),
);

/** Runs `wsdiag explain ...` with a clean locale (plus `env`) and stdout piped, so never a TTY. */
function wsdiag(args: string[], env: Record<string, string> = {}): Promise<Exit> {
  return runCli(['explain', ...args], { env: { ...CLEAN_LOCALE, ...env } });
}

describe('wsdiag explain (CLI)', () => {
  it('explains a code in English by default', async () => {
    const run = await wsdiag(['1002']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.startsWith('1002 Protocol Error\n'));
    assert.ok(run.stdout.includes('\nHow to resolve\n'));
    assert.equal(run.stderr, '');
    assert.doesNotMatch(run.stdout, /\x1b\[/, 'no colour when stdout is not a TTY');
  });
  it('explains a rule', async () => {
    const run = await wsdiag(['reserved-bits']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.startsWith('reserved-bits\nclose code 1002 · error · RFC 6455 §5.2, RFC 7692 §6.1\n'));
  });
  it('--lang fr', async () => {
    const run = await wsdiag(['1002', '--lang', 'fr']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stdout.startsWith('1002 Erreur de protocole\n'));
    assert.ok(run.stdout.includes('\nComment le résoudre\n'));
  });
  it('LANG=fr_FR.UTF-8 picks French, and --lang en still wins', async () => {
    const fr = await wsdiag(['1006'], { LANG: 'fr_FR.UTF-8' });
    assert.equal(fr.code, 0, fr.stderr);
    assert.ok(fr.stdout.startsWith('1006 Fermeture anormale\n'));
    const en = await wsdiag(['1006', '--lang', 'en'], { LANG: 'fr_FR.UTF-8' });
    assert.ok(en.stdout.startsWith('1006 Abnormal Closure\n'));
    const lcAll = await wsdiag(['1006'], { LC_ALL: 'fr_CA.UTF-8' });
    assert.ok(lcAll.stdout.startsWith('1006 Fermeture anormale\n'));
  });
  it('two codes: one after the other when narrow, side by side with COLUMNS=120', async () => {
    const narrow = await wsdiag(['1002', '1003']);
    assert.equal(narrow.code, 0, narrow.stderr);
    assert.doesNotMatch(narrow.stdout, /│/);
    assert.ok(narrow.stdout.includes('\nKey differences\n') && narrow.stdout.includes('\nWhich to use when\n'));
    const wide = await wsdiag(['1002', '1003'], { COLUMNS: '120' });
    const first = wide.stdout.split('\n')[0]!;
    assert.ok(first.startsWith('1002 Protocol Error') && first.includes('│ 1003 Unsupported Data'), first);
    const french = await wsdiag(['1003', '1007'], { COLUMNS: '120', LANG: 'fr_FR.UTF-8' });
    assert.ok(french.stdout.includes('\nDifférences clés\n'));
  });
  it('--json prints one object per argument', async () => {
    const run = await wsdiag(['1009', 'message-too-big', '4001', '--json', '--lang', 'fr']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      objects.map((o) => [o.topic, o.kind, o.lang]),
      [
        ['1009', 'close-code', 'fr'],
        ['message-too-big', 'rule', 'fr'],
        ['4001', 'close-code', 'fr'],
      ],
    );
    assert.deepEqual(objects[0]!.rules, [
      { id: 'message-too-big', summary: 'un message plus grand que la limite configurée (--max-message)' },
    ]);
    assert.equal(objects[2]!.status, 'private-range');
  });
  it('an unknown topic: exit 2, one line listing the valid forms and the nearest rule id, no stack', async () => {
    const run = await wsdiag(['999x']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^wsdiag: unknown topic "999x"; give a close code .* or a rule id: /);
    for (const def of RULES) assert.ok(run.stderr.includes(def.id), def.id);
    assert.equal(run.stderr.trimEnd().split('\n').length, 1);
    const typo = await wsdiag(['1002', 'reserverd-bits'], { LANG: 'fr_FR.UTF-8' });
    assert.equal(typo.code, 2);
    assert.equal(typo.stdout, '', 'nothing is explained when any topic is wrong');
    assert.match(typo.stderr, /vouliez-vous dire « reserved-bits » \?/);
  });
  it('bad usage exits 2', async () => {
    assert.equal((await wsdiag([])).code, 2);
    assert.equal((await wsdiag(['1000', '--lang', 'de'])).code, 2);
    assert.equal((await wsdiag(['70000'])).code, 2);
  });
});
