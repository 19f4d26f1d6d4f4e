import { explainProfileRows } from '../../src/protocol/profiles.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../src/errors.js';
import {
  codeFacts,
  explain,
  LANGS,
  langFromEnv,
  resolveLang,
  suggestRuleIds,
  type CodeExplanation,
  type Explanation,
  type Lang,
  type RuleExplanation,
} from '../../src/explain/index.js';
import { editDistance } from '../../src/rules/suggest.js';
import { RULES } from '../../src/rules/table.js';

const CODES = [...Array.from({ length: 16 }, (_, i) => 1000 + i), 3000, 3999, 4000, 4999];

function one(topic: string | number, lang: Lang = 'en'): Explanation {
  const [e] = explain([String(topic)], lang);
  assert.ok(e, `no explanation for ${topic}`);
  return e;
}
const code = (c: number, lang: Lang = 'en'): CodeExplanation => one(c, lang) as CodeExplanation;
const rule = (id: string, lang: Lang = 'en'): RuleExplanation => one(id, lang) as RuleExplanation;

/** All the prose of an explanation, the parts a reader reads. */
function prose(e: Explanation): string[] {
  return [e.meaning, e.whenSeen, ...e.resolve, e.typicalCause, e.useWhen, ...(e.kind === 'rule' ? [e.summary] : [e.name])];
}

function assertFilled(e: Explanation, what: string): void {
  for (const [field, value] of Object.entries({
    title: e.title,
    meaning: e.meaning,
    whenSeen: e.whenSeen,
    typicalCause: e.typicalCause,
    useWhen: e.useWhen,
  })) {
    assert.ok(value.trim().length > 0, `${what}: empty ${field}`);
  }
  assert.ok(e.resolve.length > 0 && e.resolve.every((r) => r.trim().length > 0), `${what}: empty resolve`);
}

// Words that are everyday French and never English; and the reverse.
const FRENCH = /(^|[\s'(])(le|la|les|des|une|est|dans|pas|avec|qui|quand)(?=[\s,.;:)]|$)/i;
const ENGLISH = /(^|[\s(])(the|and|when|with|which|is|not)(?=[\s,.;:)]|$)/i;

describe('explain: every close code has text in both languages', () => {
  for (const c of CODES) {
    for (const lang of LANGS) {
      it(`${c} (${lang})`, () => {
        const e = code(c, lang);
        assert.equal(e.kind, 'close-code');
        assert.equal(e.code, c);
        assert.equal(e.lang, lang);
        assertFilled(e, `${c}/${lang}`);
        assert.ok(e.name.trim().length > 0);
      });
    }
  }
});

describe('explain: every rule in RULES has text in both languages', () => {
  for (const def of RULES) {
    for (const lang of LANGS) {
      it(`${def.id} (${lang})`, () => {
        const e = rule(def.id, lang);
        assert.equal(e.kind, 'rule');
        assert.equal(e.id, def.id);
        assert.equal(e.code, def.code);
        assert.equal(e.severity, def.severity);
        assert.equal(e.rfc, def.rfc);
        assertFilled(e, `${def.id}/${lang}`);
        assert.ok(e.summary.trim().length > 0 && e.hint.client.trim().length > 0 && e.hint.server.trim().length > 0);
        if (lang === 'en') {
          // English takes the summary and hints straight from RULES, so the two cannot drift apart.
          assert.equal(e.summary, def.summary);
          assert.equal(e.hint.client, def.hint('client'));
          assert.equal(e.hint.server, def.hint('server'));
        }
        assert.ok(
          e.resolve.some((r) => r.includes(e.hint.client)),
          'the hint is part of how to resolve',
        );
      });
    }
  }
});

describe('explain: the French text is French', () => {
  const topics = [...CODES.map(String), '0', '2000', '6000', ...RULES.map((r) => r.id)];
  for (const topic of topics) {
    it(topic, () => {
      const en = prose(one(topic, 'en'));
      const fr = prose(one(topic, 'fr'));
      assert.equal(fr.length, en.length);
      fr.forEach((text, i) => {
        assert.notEqual(text, en[i], `${topic}: untranslated: ${text}`);
      });
      const frAll = fr.slice(0, 2).join(' ');
      const enAll = en.slice(0, 2).join(' ');
      assert.match(frAll, FRENCH, `${topic}: no French words in ${frAll}`);
      assert.doesNotMatch(frAll, ENGLISH, `${topic}: English words in the French text: ${frAll}`);
      assert.match(enAll, ENGLISH);
      assert.doesNotMatch(enAll, FRENCH, `${topic}: French words in the English text: ${enAll}`);
    });
  }
});

describe('explain: close code facts', () => {
  it('1004 is reserved, and never sent', () => {
    const e = code(1004);
    assert.equal(e.status, 'reserved');
    assert.equal(e.wire, false);
  });
  for (const c of [1005, 1006, 1015]) {
    it(`${c} is local only and must never be sent`, () => {
      const e = code(c);
      assert.equal(e.status, 'local-only');
      assert.equal(e.wire, false);
      assert.equal(e.sentBy, 'nobody');
      assert.match(e.meaning, /Never sent|Not a code anyone sends/);
    });
  }
  for (const [c, name] of [
    [1012, 'Service Restart'],
    [1013, 'Try Again Later'],
    [1014, 'Bad Gateway'],
  ] as const) {
    it(`${c} ${name} is a valid, IANA-registered code`, () => {
      const e = code(c);
      assert.equal(e.name, name);
      assert.equal(e.status, 'standard');
      assert.equal(e.wire, true);
      assert.match(e.reference, /IANA/);
    });
  }
  it('1016–2999 are reserved, below 1000 and from 5000 on invalid', () => {
    for (const c of [1016, 2000, 2999]) assert.deepEqual([code(c).status, code(c).wire, code(c).range], ['reserved', false, [1016, 2999]]);
    for (const c of [0, 999]) assert.deepEqual([code(c).status, code(c).wire], ['invalid', false]);
    for (const c of [5000, 65535]) assert.deepEqual([code(c).status, code(c).wire], ['invalid', false]);
  });
  it('3000–3999 are registered with IANA and 4000–4999 private, both valid on the wire', () => {
    for (const c of [3000, 3008, 3999])
      assert.deepEqual([code(c).status, code(c).wire, code(c).range], ['registered-range', true, [3000, 3999]]);
    const e = code(4001);
    assert.deepEqual([e.status, e.wire, e.range], ['private-range', true, [4000, 4999]]);
    assert.match(e.title, /^4001 · Private use \(4000–4999\)$/);
    assert.match(e.meaning, /applications/);
  });
  it('the status agrees with what may be sent, for every 16-bit number', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const facts = codeFacts(c);
      const sendable = facts.status === 'standard' || facts.status === 'registered-range' || facts.status === 'private-range';
      assert.equal(facts.wire, sendable, `code ${c}`);
      assert.ok(facts.range[0] <= c && c <= facts.range[1], `code ${c} outside its range`);
    }
  });
  it('1003 is about the data type, 1007 about data inconsistent with its type', () => {
    assert.match(code(1003).meaning, /data type/);
    assert.match(code(1003).meaning, /text message to an endpoint that only handles binary/);
    assert.match(code(1007).meaning, /UTF-8/);
    assert.match(code(1007, 'fr').meaning, /UTF-8/);
  });
  it("1003 points at the README's subprotocol profile table", () => {
    for (const lang of LANGS) {
      const text = code(1003, lang).resolve.join(' ');
      assert.match(text, /README/);
      for (const name of ['MQTT', 'XMPP', 'wamp.2.json', 'wamp.2.msgpack']) assert.ok(text.includes(name), name);
    }
    // The table is the one the policies apply (src/protocol/profiles.ts).
    assert.deepEqual(code(1003).profiles, explainProfileRows());
    assert.ok(code(1003).profiles!.some((row) => row.subprotocol === 'mqtt' && row.messageType === 'binary'));
    assert.equal(code(1002).profiles, undefined);
  });
});

describe('explain: a code lists the rules that produce it', () => {
  it('1003, 1009 and 1000', () => {
    assert.deepEqual(
      code(1003).rules.map((r) => r.id),
      ['unsupported-text', 'unsupported-binary'],
    );
    assert.deepEqual(
      code(1009).rules.map((r) => r.id),
      ['message-too-big'],
    );
    assert.deepEqual(code(1000).rules, []);
  });
  it('every rule is listed under its code, with its summary in the chosen language', () => {
    for (const def of RULES) {
      for (const lang of LANGS) {
        const listed = code(def.code, lang).rules.find((r) => r.id === def.id);
        assert.ok(listed, `${def.id} not listed under ${def.code}`);
        assert.equal(listed.summary, rule(def.id, lang).summary);
      }
    }
  });
});

describe('explain: topics', () => {
  it('keeps the order of the arguments and the topic as typed', () => {
    const list = explain(['1003', 'reserved-bits', '4001'], 'en');
    assert.deepEqual(
      list.map((e) => [e.kind, e.topic]),
      [
        ['close-code', '1003'],
        ['rule', 'reserved-bits'],
        ['close-code', '4001'],
      ],
    );
  });
  it('accepts rule ids in another case or with underscores', () => {
    assert.equal(rule('Reserved_Bits').id, 'reserved-bits');
  });
  it('an unknown topic is a usage error (exit 2) listing the valid forms', () => {
    assert.throws(
      () => explain(['1002', '999x'], 'en'),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.equal(err.exitCode, 2);
        assert.match(err.message, /unknown topic "999x"/);
        assert.match(err.message, /close code/);
        for (const def of RULES) assert.ok(err.message.includes(def.id), def.id);
        assert.doesNotMatch(err.message, /did you mean/);
        assert.doesNotMatch(err.message, /\n/);
        return true;
      },
    );
  });
  it('suggests the closest rule id', () => {
    assert.throws(() => explain(['reserverd-bits']), /did you mean "reserved-bits"\?/);
    assert.throws(() => explain(['masked-client-frame']), /did you mean "unmasked-client-frame"\?/);
    assert.throws(() => explain(['reserverd-bits'], 'fr'), /sujet inconnu « reserverd-bits » \(vouliez-vous dire « reserved-bits » \?\)/);
    assert.deepEqual(suggestRuleIds('utf8'), ['invalid-utf8-text', 'invalid-utf8-close-reason']);
    assert.deepEqual(suggestRuleIds('zzzz'), []);
  });
  it('a number that does not fit in 16 bits is a usage error', () => {
    assert.throws(
      () => explain(['65536']),
      (err: unknown) => err instanceof UsageError && /16-bit/.test(err.message),
    );
    assert.equal(code(65535).status, 'invalid');
  });
  it('an unknown language is a usage error', () => {
    assert.throws(() => explain(['1000'], 'de' as Lang), UsageError);
  });
  it('edit distance', () => {
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('same', 'same'), 0);
  });
});

describe('explain: language choice', () => {
  it('French when the effective locale starts with fr', () => {
    assert.equal(langFromEnv({ LANG: 'fr_FR.UTF-8' }), 'fr');
    assert.equal(langFromEnv({ LC_MESSAGES: 'fr_CA' }), 'fr');
    assert.equal(langFromEnv({ LC_ALL: 'fr_BE.UTF-8', LANG: 'en_US.UTF-8' }), 'fr');
    assert.equal(langFromEnv({ LANG: 'en_GB.UTF-8' }), 'en');
    assert.equal(langFromEnv({}), 'en');
  });
  it('LC_ALL beats LC_MESSAGES beats LANG, as in POSIX', () => {
    assert.equal(langFromEnv({ LC_ALL: 'C', LANG: 'fr_FR.UTF-8' }), 'en');
    assert.equal(langFromEnv({ LC_MESSAGES: 'en_US', LANG: 'fr_FR' }), 'en');
    assert.equal(langFromEnv({ LC_ALL: '', LANG: 'fr_FR' }), 'fr');
  });
  it('--lang wins over the environment', () => {
    assert.equal(resolveLang('en', { LANG: 'fr_FR.UTF-8' }), 'en');
    assert.equal(resolveLang('fr', { LANG: 'en_US.UTF-8' }), 'fr');
    assert.equal(resolveLang(undefined, { LANG: 'fr_FR.UTF-8' }), 'fr');
    assert.throws(() => resolveLang('de', {}), UsageError);
  });
});
