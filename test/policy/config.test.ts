/**
 * `--config FILE`: every error is a UsageError (exit 2) that names the file, line:column, the field and
 * what was expected; unknown and duplicate keys are errors; the first matching route wins.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ExitCode, UsageError } from '../../src/errors.js';
import { fieldName, loadPolicyConfig, matchRoute, parsePolicyConfig } from '../../src/policy/config.js';
import { tempDir } from '../support/temp.js';

const FILE = 'wsdiag.json';

/** The message of the UsageError that parsing `text` must throw. */
function configError(text: string): string {
  try {
    parsePolicyConfig(text, FILE);
  } catch (err) {
    assert.ok(err instanceof UsageError, `expected a UsageError, got ${String(err)}`);
    assert.equal(err.exitCode, ExitCode.Usage);
    assert.ok(!err.message.includes('\n'), 'one line');
    return err.message;
  }
  assert.fail('the config was accepted');
}

/** "line:column" (1-based) of the n-th occurrence of `needle`. */
function locate(text: string, needle: string, occurrence = 1): string {
  let at = -1;
  for (let n = 0; n < occurrence; n++) at = text.indexOf(needle, at + 1);
  assert.notEqual(at, -1, `${needle} not in text`);
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

const routes = (...items: string[]): string => `{\n  "routes": [\n    ${items.join(',\n    ')}\n  ]\n}\n`;

describe('config validation', () => {
  it('names file, line:column, field and the accepted values for a wrong accepts value', () => {
    const text = routes('{ "path": "/a" }', '{ "path": "/b" }', '{ "path": "/mqtt*", "server-accepts": "txt" }');
    assert.equal(
      configError(text),
      `${FILE}:${locate(text, '"txt"')}: routes[2]["server-accepts"]: expected "text", "binary" or "any", got "txt"`,
    );
    assert.equal(
      configError(routes('{ "path": "/a", "server-accepts": "txt" }')),
      `${FILE}:3:39: routes[0]["server-accepts"]: expected "text", "binary" or "any", got "txt"`,
    );
  });

  it('checks client-accepts the same way, and says what other JSON type it got', () => {
    const text = routes('{ "subprotocol": "mqtt", "client-accepts": true }');
    assert.equal(
      configError(text),
      `${FILE}:${locate(text, 'true')}: routes[0]["client-accepts"]: expected "text", "binary" or "any", got true`,
    );
    const upper = routes('{ "path": "/", "client-accepts": "TEXT" }');
    assert.match(configError(upper), /routes\[0\]\["client-accepts"\]: expected "text", "binary" or "any", got "TEXT"$/);
  });

  it('rejects unknown keys with a suggestion, at the key', () => {
    const text = routes('{ "path": "/a", "serverAccepts": "text" }');
    assert.equal(
      configError(text),
      `${FILE}:${locate(text, '"serverAccepts"')}: routes[0].serverAccepts: unknown key; did you mean "server-accepts"? expected one of "path", "subprotocol", "server-accepts", "client-accepts", "max-message"`,
    );
    const typo = routes('{ "pth": "/a" }');
    assert.match(configError(typo), /routes\[0\]\.pth: unknown key; did you mean "path"\?/);
    const top = '{ "route": [] }';
    assert.equal(configError(top), `${FILE}:1:3: route: unknown key; did you mean "routes"? expected one of "routes"`);
    const far = routes('{ "path": "/a", "color": "red" }');
    assert.match(configError(far), /routes\[0\]\.color: unknown key; expected one of/);
  });

  it('rejects duplicate keys, which JSON.parse would silently merge', () => {
    const text = routes('{ "path": "/a", "server-accepts": "text", "server-accepts": "binary" }');
    assert.equal(
      configError(text),
      `${FILE}:${locate(text, '"server-accepts"', 2)}: routes[0]["server-accepts"]: duplicate key (JSON would silently keep only the last one)`,
    );
  });

  it('requires a matcher, a valid path glob and a subprotocol token', () => {
    const none = routes('{ "server-accepts": "text" }');
    assert.equal(
      configError(none),
      `${FILE}:${locate(none, '{ "server')}: routes[0]: a route needs "path" and/or "subprotocol" to say which connections it applies to (use "path": "/**" for all)`,
    );
    const relative = routes('{ "path": "chat" }');
    assert.equal(
      configError(relative),
      `${FILE}:${locate(relative, '"chat"')}: routes[0].path: expected a path glob starting with "/" (e.g. "/mqtt*" or "/api/**"), got "chat"`,
    );
    assert.match(
      configError(routes('{ "path": "/v[12]" }')),
      /routes\[0\]\.path: expected a path glob using only \*, \*\* and \? as wildcards/,
    );
    assert.match(
      configError(routes('{ "path": 42 }')),
      /routes\[0\]\.path: expected a path glob such as "\/chat" or "\/api\/\*\*", got 42$/,
    );
    const list = routes('{ "subprotocol": "mqtt, wamp.2.json" }');
    assert.match(configError(list), /routes\[0\]\.subprotocol: expected one subprotocol name .*, got "mqtt, wamp\.2\.json"$/);
    assert.match(
      configError(routes('{ "subprotocol": "" }')),
      /routes\[0\]\.subprotocol: expected a subprotocol name such as "mqtt", got ""$/,
    );
    assert.match(configError(routes('{ "subprotocol": ["mqtt"] }')), /got an array$/);
  });

  it('requires max-message to be a whole number of bytes', () => {
    for (const bad of ['-1', '1.5', '"1MB"', 'null', '1e400']) {
      const text = routes(`{ "path": "/a", "max-message": ${bad} }`);
      assert.equal(
        configError(text),
        `${FILE}:${locate(text, bad)}: routes[0]["max-message"]: expected a whole number of bytes, 0 or more (0 = no limit), got ${bad}`,
        bad,
      );
    }
    const ok = parsePolicyConfig(routes('{ "path": "/a", "max-message": 1e6 }', '{ "path": "/b", "max-message": 0 }'), FILE);
    assert.deepEqual(
      ok.routes.map((r) => r.maxMessage),
      [1000000, 0],
    );
  });

  it('requires the top level to be an object with a routes array of objects', () => {
    assert.equal(configError('[]'), `${FILE}:1:1: top level: expected an object like { "routes": [ ... ] }, got an array`);
    assert.equal(configError('{}'), `${FILE}:1:1: top level: missing "routes": expected { "routes": [ ... ] }`);
    assert.equal(configError('{ "routes": {} }'), `${FILE}:1:13: routes: expected an array of route objects, got an object`);
    assert.match(configError('{ "routes": ["/chat"] }'), /^wsdiag\.json:1:14: routes\[0\]: expected a route object like .*, got "\/chat"$/);
  });

  it('names line:column of JSON syntax errors', () => {
    assert.equal(
      configError('{\n  "routes": [\n    { "path": "/a", }\n  ]\n}'),
      `${FILE}:3:21: invalid JSON: expected a key, found '}' (a trailing comma is not allowed in JSON)`,
    );
    assert.equal(
      configError('{\n  "routes": [\n    { "path": "/a" }\n    { "path": "/b" }\n  ]\n}'),
      `${FILE}:4:5: invalid JSON: expected ',' or ']' after an array item, found '{'`,
    );
    assert.equal(
      configError('{ "routes": [ { \'path\': "/a" } ] }'),
      `${FILE}:1:17: invalid JSON: expected a key in double quotes, found '''`,
    );
    assert.equal(configError('{ "routes": [] // none\n}'), `${FILE}:1:16: invalid JSON: comments are not allowed in JSON`);
    assert.equal(
      configError('{ "routes": [ { "path": "/a\n" } ] }'),
      `${FILE}:1:28: invalid JSON: control character (e.g. a raw newline or tab) inside a string; escape it`,
    );
    assert.equal(configError('{ "routes": [ '), `${FILE}:1:15: invalid JSON: expected a value, found the end of the file`);
    assert.equal(configError(''), `${FILE}:1:1: invalid JSON: the file is empty; expected a JSON object`);
    assert.equal(configError('{ "routes": [] } x'), `${FILE}:1:18: invalid JSON: unexpected 'x' after the end of the JSON document`);
    assert.equal(configError('{ "routes": [ 01 ] }'), `${FILE}:1:15: invalid JSON: invalid number '01'`);
    assert.equal(configError('{ "routes": tru }'), `${FILE}:1:13: invalid JSON: expected a value, found 't'`);
    assert.equal(configError('{ "routes": "\\x" }'), `${FILE}:1:14: invalid JSON: invalid escape '\\x' in a string`);
    assert.equal(
      configError('\ufeff{ "routes": [ 01 ] }'),
      `${FILE}:1:15: invalid JSON: invalid number '01'`,
      'columns do not count a BOM',
    );
    assert.equal(
      configError('\ufeff{ "routes": [ { "path": 1 } ] }'),
      `${FILE}:1:25: routes[0].path: expected a path glob such as "/chat" or "/api/**", got 1`,
    );
  });

  it('accepts a BOM, escapes and every field, and labels routes for policy sources', () => {
    const text =
      '\ufeff' +
      routes(
        '{ "path": "/mqtt*", "subprotocol": "mqtt", "server-accepts": "binary", "client-accepts": "binary", "max-message": 1048576 }',
        '{ "path": "/caf\\u00e9" }',
        '{ "subprotocol": "wamp.2.json", "client-accepts": "any" }',
      );
    const config = parsePolicyConfig(text, 'conf/wsdiag.json');
    assert.equal(config.file, 'conf/wsdiag.json');
    const [mqtt, cafe, wamp] = config.routes;
    assert.deepEqual(
      {
        index: mqtt!.index,
        path: mqtt!.path?.source,
        subprotocol: mqtt!.subprotocol,
        s: mqtt!.serverAccepts,
        c: mqtt!.clientAccepts,
        max: mqtt!.maxMessage,
        label: mqtt!.label,
      },
      {
        index: 0,
        path: '/mqtt*',
        subprotocol: 'mqtt',
        s: 'binary',
        c: 'binary',
        max: 1048576,
        label: 'route /mqtt* (subprotocol mqtt) in conf/wsdiag.json',
      },
    );
    assert.equal(cafe!.path?.source, '/café');
    assert.equal(cafe!.label, 'route /café in conf/wsdiag.json');
    assert.equal(cafe!.serverAccepts, null);
    assert.equal(wamp!.path, null);
    assert.equal(wamp!.label, 'route (subprotocol wamp.2.json) in conf/wsdiag.json');
    assert.equal(wamp!.clientAccepts, 'any');
  });

  it('spells field names as JavaScript would', () => {
    assert.equal(fieldName(['routes', 2, 'server-accepts']), 'routes[2]["server-accepts"]');
    assert.equal(fieldName(['routes', 0, 'path']), 'routes[0].path');
    assert.equal(fieldName(['routes']), 'routes');
  });
});

describe('route matching', () => {
  const config = parsePolicyConfig(
    routes(
      '{ "path": "/mqtt*", "subprotocol": "mqtt" }',
      '{ "path": "/mqtt*" }',
      '{ "subprotocol": "xmpp" }',
      '{ "path": "/**", "subprotocol": "Mqtt" }',
    ),
    FILE,
  );
  const matched = (path: string, subprotocol: string | null): number | null => matchRoute(config, { path, subprotocol })?.index ?? null;

  it('needs every matcher of a route to match; the first matching route wins', () => {
    assert.equal(matched('/mqtt', 'mqtt'), 0);
    assert.equal(matched('/mqtt?client=1', 'mqtt'), 0);
    assert.equal(matched('/mqtt', null), 1);
    assert.equal(matched('/mqtt', 'wamp.2.json'), 1);
    assert.equal(matched('/chat', 'xmpp'), 2);
    assert.equal(matched('/mqtt', 'xmpp'), 1);
    assert.equal(matched('/chat', null), null);
  });

  it('matches the subprotocol exactly and case-sensitively', () => {
    assert.equal(matched('/chat', 'Mqtt'), 3);
    assert.equal(matched('/chat', 'mqtt'), null);
    assert.equal(matched('/chat', 'XMPP'), null);
  });

  it('no config matches nothing', () => {
    assert.equal(matchRoute(null, { path: '/', subprotocol: null }), null);
  });
});

describe('loading a config file', () => {
  const dir = tempDir('config').path;

  it('reads and validates the file, naming it as given', () => {
    const file = join(dir, 'ok.json');
    writeFileSync(file, routes('{ "path": "/chat", "server-accepts": "text" }'));
    const config = loadPolicyConfig(file);
    assert.equal(config.routes[0]!.label, `route /chat in ${file}`);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, routes('{ "path": "/chat", "server-accepts": "json" }'));
    assert.throws(
      () => loadPolicyConfig(bad),
      (err: Error) => err instanceof UsageError && err.message.startsWith(`${bad}:3:42: routes[0]["server-accepts"]: expected`),
    );
  });

  it('turns an unreadable file into a usage error naming it', () => {
    const missing = join(dir, 'missing.json');
    assert.throws(
      () => loadPolicyConfig(missing),
      (err: Error) => err instanceof UsageError && err.message === `cannot read config file ${missing}: no such file`,
    );
    assert.throws(
      () => loadPolicyConfig(dir),
      (err: Error) => err instanceof UsageError && err.message === `cannot read config file ${dir}: it is a directory`,
    );
  });
});
