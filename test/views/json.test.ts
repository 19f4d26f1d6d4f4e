/**
 * The JSON reader and printers of the views: RFC 8259 grammar, key order and digits as sent, bounded
 * depth without recursion, and the JSON view itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compactJson, parseJson, printJson, type JsonNode } from '../../src/views/json.js';
import { TextOut } from '../../src/views/text.js';
import { utf8, view } from './support.js';

function pretty(node: JsonNode, maxDepth = 32, maskSecrets = false): string {
  const out = new TextOut(100_000);
  printJson(node, out, '', maxDepth, { maskSecrets });
  return out.toString();
}

describe('parseJson', () => {
  const valid = [
    '{}',
    '[]',
    '0',
    '-0',
    '1.5e-3',
    '-12E+4',
    'true',
    'false',
    'null',
    '"a\\u00e9\\n\\"\\\\\\/"',
    ' \t\r\n[ 1 , { "a" : [ ] } ] \n',
    '{"a":1,"a":2}',
    '[[[[[]]]]]',
  ];
  for (const text of valid) {
    it(`accepts ${JSON.stringify(text)} as JSON.parse does`, () => {
      assert.doesNotThrow(() => JSON.parse(text));
      assert.notEqual(parseJson(text), null);
    });
  }

  const invalid = [
    '',
    ' ',
    '{',
    '[1,]',
    '{"a":1,}',
    '{"a" 1}',
    '{a:1}',
    "{'a':1}",
    '01',
    '1.',
    '.5',
    '-',
    '1e',
    '+1',
    'tru',
    'nul',
    'True',
    '"\\x41"',
    '"\\u12g4"',
    '"tab\there"',
    '"unterminated',
    '[1 2]',
    '{"a":1}x',
    '[]]',
    '{}{}',
    'NaN',
    'Infinity',
    '// c\n1',
    '\ufeff{}',
  ];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)} as JSON.parse does`, () => {
      assert.throws(() => JSON.parse(text));
      assert.equal(parseJson(text), null);
    });
  }

  it('keeps keys in the order sent, duplicates included, and numbers as written', () => {
    const node = parseJson('{"b":1,"2":2,"a":3,"b":4,"big":12345678901234567890,"f":1.50}')!;
    assert.equal(node.kind, 'object');
    assert.deepEqual(
      node.entries.map((e) => [e.key, e.value.kind === 'number' ? e.value.source : '']),
      [
        ['b', '1'],
        ['2', '2'],
        ['a', '3'],
        ['b', '4'],
        ['big', '12345678901234567890'],
        ['f', '1.50'],
      ],
    );
  });

  it('a million nested arrays: one pass, no stack overflow, deep levels kept as source', () => {
    const depth = 1_000_000;
    const text = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const node = parseJson(text, 4);
    let level = 0;
    let current: JsonNode | null | undefined = node;
    while (current?.kind === 'array') {
      current = current.items[0];
      level++;
    }
    assert.equal(level, 4);
    assert.equal(current?.kind, 'deep');
    assert.equal(current.source.length, 2 * (depth - 4));
    assert.equal(parseJson(`${'['.repeat(depth)}${']'.repeat(depth - 1)}`, 4), null);
  });
});

describe('printJson', () => {
  it('prints as JSON.stringify(value, null, 2) would for plain values', () => {
    const text = '{"a":[1,{"b":null,"c":[]},{}],"d":"x","e":{"f":true}}';
    assert.equal(pretty(parseJson(text)!), JSON.stringify(JSON.parse(text), null, 2));
  });

  it('keeps escapes as sent and makes raw control characters visible', () => {
    assert.equal(pretty(parseJson('["\\u001b[31m", "\u0085 \u202e"]')!), '[\n  "\\u001b[31m",\n  "\\x85 \\u202e"\n]');
  });

  it('stops indenting at maxDepth so deep input cannot grow the output quadratically', () => {
    const lines = pretty(parseJson('[[[[["x"]]]]]', 32)!, 2).split('\n');
    assert.deepEqual(lines, ['[', '  [', '    [', '    [', '    [', '    "x"', '    ]', '    ]', '    ]', '  ]', ']']);
  });

  it('masks a whole container under a credential-like key', () => {
    assert.equal(
      pretty(parseJson('{"credentials":{"user":"a"},"ok":[1]}')!, 32, true),
      '{\n  "credentials": "REDACTED",\n  "ok": [\n    1\n  ]\n}',
    );
  });

  it('masks values of keys that look like credentials when asked', () => {
    const node = parseJson('{"token":"abc","Authorization":"Bearer x","user":"bob","nested":{"password":"p"}}')!;
    assert.equal(
      pretty(node, 32, true),
      '{\n  "token": "REDACTED",\n  "Authorization": "REDACTED",\n  "user": "bob",\n  "nested": {\n    "password": "REDACTED"\n  }\n}',
    );
  });
});

describe('compactJson', () => {
  it('one line, nested containers past depth 2 elided, long strings cut', () => {
    const node = parseJson(`{"a":{"b":{"c":1}},"s":"${'y'.repeat(100)}","e":[]}`)!;
    assert.equal(compactJson(node, 200), `{"a":{"b":{…}},"s":"${'y'.repeat(58)}…","e":[]}`);
  });

  it('never longer than asked', () => {
    const node = parseJson(`[${Array.from({ length: 100 }, (_, k) => k).join(',')}]`)!;
    const line = compactJson(node, 40);
    assert.equal(line.length, 40);
    assert.ok(line.endsWith('…'));
  });
});

describe('the JSON view', () => {
  it('summary in one line, text pretty-printed, detail as a tree', () => {
    const result = view({ bytes: utf8('{"type":"chat","n":1.0,"tags":["a","b"]}') });
    assert.equal(result.protocol, 'json');
    assert.equal(result.summary, '{"type":"chat","n":1.0,"tags":["a","b"]}');
    assert.equal(result.text, '{\n  "type": "chat",\n  "n": 1.0,\n  "tags": [\n    "a",\n    "b"\n  ]\n}');
    assert.deepEqual(result.detail, {
      label: 'json',
      children: [
        { label: 'type', value: '"chat"' },
        { label: 'n', value: '1.0' },
        {
          label: 'tags',
          children: [
            { label: '[0]', value: '"a"' },
            { label: '[1]', value: '"b"' },
          ],
        },
      ],
    });
  });

  it('a body cut by the limit is shown raw with a note', () => {
    const result = view({ bytes: utf8('{"type":"chat","text":"hel'), truncated: true, size: 40 });
    assert.equal(result.protocol, 'text');
    assert.equal(result.text, '(JSON, but not whole: shown raw)\n(cut: 26 of 40 bytes shown)\n{"type":"chat","text":"hel');
  });

  it('the detail tree stops at maxNodes', () => {
    const result = view({ bytes: utf8(`[${'1,'.repeat(999)}1]`) }, { maxNodes: 10 });
    assert.equal(result.detail?.children?.length, 9);
    assert.equal(result.detail.value, '991 more not shown');
  });
});
