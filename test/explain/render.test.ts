import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { comparePairs, explain, LANGS, renderExplanations, SUBPROTOCOL_PROFILES, type Lang } from '../../src/explain/index.js';
import { RULES } from '../../src/rules/table.js';
import { hasCsi } from '../support/text.js';

const render = (topics: string[], width: number, lang: Lang = 'en', color = false): string =>
  renderExplanations(explain(topics, lang), { width, color });

/** The index of the first line containing `text`, or -1. */
const lineOf = (out: string, text: string): number => out.split('\n').findIndex((l) => l.includes(text));

describe('render: one topic', () => {
  it('shows the title, the facts and every section', () => {
    const out = render(['1002'], 80);
    assert.ok(out.startsWith('1002 Protocol Error\n'));
    for (const heading of ['What it means', 'When you see it', 'How to resolve', 'wsdiag rules that produce 1002']) {
      assert.ok(lineOf(out, heading) > 0, heading);
    }
    for (const def of RULES.filter((r) => r.code === 1002)) assert.ok(out.includes(`• ${def.id} — `), def.id);
    assert.ok(out.includes('RFC 6455 §7.4.1'), 'a fact is never split across lines');
    assert.equal(lineOf(out, 'Key differences'), -1);
  });
  it('a rule shows its code, severity, RFC section, summary and hint', () => {
    const def = RULES.find((r) => r.id === 'unsupported-text')!;
    const out = render([def.id], 200);
    assert.ok(out.includes(`close code ${def.code} · ${def.severity} · ${def.rfc}`));
    assert.ok(out.includes(def.summary));
    assert.ok(out.includes(def.hint('client')));
    assert.ok(out.includes('See also: wsdiag explain 1003'));
  });
  it('a code with no rule says so', () => {
    assert.ok(render(['1000'], 80).includes('No wsdiag rule produces this code.'));
    assert.ok(render(['1000'], 80, 'fr').includes('Aucune règle de wsdiag ne produit ce code.'));
  });
  it('never writes a line wider than the terminal', () => {
    for (const width of [40, 60, 80, 99, 100, 120, 200]) {
      for (const topics of [['1006'], ['1002', '1003'], ['1003', 'reserved-bits', '4001'], ['handshake-unrequested-extension']]) {
        for (const lang of LANGS) {
          for (const line of render(topics, width, lang).split('\n')) {
            // Code points, as a terminal's columns count these texts (no emoji in them).
            // eslint-disable-next-line @typescript-eslint/no-misused-spread
            assert.ok([...line].length <= width, `${width} ${topics.join(' ')} ${lang}: ${JSON.stringify(line)}`);
          }
        }
      }
    }
  });
  it('colours only when asked', () => {
    assert.ok(!hasCsi(render(['1002'], 80, 'en', false)), 'no colour');
    assert.ok(hasCsi(render(['1002'], 80, 'en', true)), 'coloured');
  });
});

describe('render: side by side', () => {
  it('two columns from 100 columns on: both titles on the first line', () => {
    for (const width of [100, 140]) {
      const out = render(['1002', '1003'], width);
      const first = out.split('\n')[0]!;
      assert.ok(first.startsWith('1002 Protocol Error'), first);
      assert.ok(first.includes('│ 1003 Unsupported Data'), first);
      assert.ok(lineOf(out, 'Key differences') > 0);
      assert.ok(lineOf(out, 'Which to use when') > lineOf(out, 'Key differences'));
    }
  });
  it('one after the other below 100 columns, with the comparison at the end', () => {
    const out = render(['1002', '1003'], 99);
    assert.doesNotMatch(out, /│/);
    const a = lineOf(out, '1002 Protocol Error');
    const b = lineOf(out, '1003 Unsupported Data');
    const diff = lineOf(out, 'Key differences');
    const which = lineOf(out, 'Which to use when');
    assert.ok(a === 0 && a < b && b < diff && diff < which, `${a} ${b} ${diff} ${which}`);
    // Both explanations are complete.
    assert.equal(out.split('\n').filter((l) => l === 'How to resolve').length, 2);
  });
  it('three topics fall back to one after the other when the columns would be too narrow', () => {
    assert.doesNotMatch(render(['1002', '1003', '1007'], 100), /│/);
    assert.match(render(['1002', '1003', '1007'], 130), /│/);
  });
  it('French headings', () => {
    const out = render(['1003', '1007'], 120, 'fr');
    assert.ok(out.split('\n')[0]!.includes('│ 1007 Données de trame invalides'));
    assert.ok(lineOf(out, 'Différences clés') > 0);
    assert.ok(lineOf(out, 'Lequel utiliser, et quand') > 0);
  });
  it('the written comparison of 1003 and 1007 says type vs consistency', () => {
    const out = render(['1003', '1007'], 80);
    assert.ok(out.includes('the data TYPE is not accepted'));
    assert.ok(out.includes('inconsistent with it'));
  });
});

describe('compare', () => {
  const required = [
    ['1002', '1003'],
    ['1002', '1007'],
    ['1003', '1007'],
    ['1007', '1009'],
    ['1001', '1000'],
    ['1006', '1002'],
    ['1011', '1002'],
  ];
  for (const [a, b] of required) {
    for (const lang of LANGS) {
      it(`${a} and ${b} have a written comparison (${lang})`, () => {
        const [pair, ...rest] = comparePairs(explain([a!, b!], lang));
        assert.equal(rest.length, 0);
        assert.ok(pair);
        assert.deepEqual([pair.a, pair.b, pair.written], [a, b, true]);
        assert.ok(pair.differences.length > 0 && pair.whichWhen.length > 0);
        assert.ok(pair.differences.every((d) => d.trim().length > 0));
      });
    }
  }
  it('the written comparisons differ between languages', () => {
    const en = comparePairs(explain(['1002', '1003'], 'en'))[0]!;
    const fr = comparePairs(explain(['1002', '1003'], 'fr'))[0]!;
    en.differences.forEach((d, i) => assert.notEqual(d, fr.differences[i]));
  });
  it('other pairs get differences generated from the data', () => {
    const [pair] = comparePairs(explain(['1000', '1009'], 'en'));
    assert.ok(pair && !pair.written);
    assert.deepEqual(pair.differences, [
      'Close code: 1000 → 1000 Normal Closure; 1009 → 1009 Message Too Big.',
      'Sent by: both → either endpoint.',
      "Typical cause: 1000 → a deliberate, successful close; 1009 → a message over the receiver's size limit.",
    ]);
    assert.deepEqual(pair.whichWhen, [explain(['1000'])[0]!.useWhen, explain(['1009'])[0]!.useWhen]);
  });
  it('a generated comparison mentions the wire when only one code may be sent', () => {
    const [pair] = comparePairs(explain(['1006', '1011'], 'fr'));
    assert.ok(pair && !pair.written);
    assert.ok(
      pair.differences.includes(
        'Sur le réseau : 1006 → ne doit jamais être envoyé dans une trame Close ; 1011 → peut être envoyé dans une trame Close.',
      ),
    );
  });
  it('rules are compared by code and sender', () => {
    const [pair] = comparePairs(explain(['reserved-bits', 'handshake-bad-accept'], 'en'));
    assert.ok(pair && !pair.written);
    assert.equal(pair.differences[0], 'Close code: both → 1002 Protocol Error.');
    assert.equal(pair.differences[1], 'Sent by: reserved-bits → either endpoint; handshake-bad-accept → the server.');
  });
  it('codes in the same range are not compared with each other, ranges are', () => {
    assert.deepEqual(comparePairs(explain(['4001', '4002'])), []);
    assert.equal(render(['4001', '4002'], 80).includes('Key differences'), false);
    const [pair] = comparePairs(explain(['3000', '4001']));
    assert.ok(pair?.written);
  });
  it('three topics give every pair, and a repeated sentence is shown once', () => {
    const list = explain(['1000', '1009', '1011']);
    assert.deepEqual(
      comparePairs(list).map((p) => `${p.a}/${p.b}`),
      ['1000/1009', '1000/1011', '1009/1011'],
    );
    const out = renderExplanations(list, { width: 80 });
    const which = out.slice(out.indexOf('Which to use when'));
    assert.equal(which.split(list[0]!.useWhen.slice(0, 30)).length - 1, 1);
  });
});

describe('the subprotocol profile slot', () => {
  it('is rendered under 1003 once it has rows, and only then', () => {
    const filled = SUBPROTOCOL_PROFILES.splice(0);
    assert.equal(render(['1003'], 80).includes('Message type by subprotocol'), false);
    SUBPROTOCOL_PROFILES.push({ subprotocol: 'mqtt', messageType: 'binary' }, { subprotocol: 'wamp.2.json', messageType: 'text' });
    try {
      const out = render(['1003'], 80);
      const at = lineOf(out, 'Message type by subprotocol');
      assert.ok(at > 0);
      assert.deepEqual(out.split('\n').slice(at + 1, at + 3), ['  mqtt         binary', '  wamp.2.json  text']);
      assert.ok(render(['1003'], 80, 'fr').includes('  mqtt         binaire'));
      const [e] = explain(['1003']);
      assert.ok(e?.kind === 'close-code');
      assert.deepEqual(e.profiles, [...SUBPROTOCOL_PROFILES]);
      assert.equal(render(['1002'], 80).includes('Message type by subprotocol'), false);
    } finally {
      SUBPROTOCOL_PROFILES.splice(0, SUBPROTOCOL_PROFILES.length, ...filled);
    }
  });
});
