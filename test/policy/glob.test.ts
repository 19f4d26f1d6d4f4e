/**
 * Path globs for config routes: `*` within a segment, `**` across segments, `?` one character; the query
 * string is ignored and everything else is literal.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePathGlob, requestPath, type PathGlob } from '../../src/policy/glob.js';

function glob(source: string): PathGlob {
  const compiled = compilePathGlob(source);
  if ('problem' in compiled) throw new Error(`${source}: ${compiled.problem}`);
  return compiled;
}

/** [glob, path, matches?] */
const CASES: Array<[string, string, boolean]> = [
  ['/chat', '/chat', true],
  ['/chat', '/chat/', false],
  ['/chat', '/Chat', false],
  ['/chat', '/chatroom', false],
  ['/mqtt*', '/mqtt', true],
  ['/mqtt*', '/mqtt-v5', true],
  ['/mqtt*', '/mqtt/v5', false],
  ['/api/*/events', '/api/v1/events', true],
  ['/api/*/events', '/api/v1/x/events', false],
  ['/api/*/events', '/api//events', true],
  ['/api/**', '/api', true],
  ['/api/**', '/api/', true],
  ['/api/**', '/api/v1/x/y', true],
  ['/api/**', '/apiv1', false],
  ['/a/**/b', '/a/b', true],
  ['/a/**/b', '/a/x/b', true],
  ['/a/**/b', '/a/x/y/b', true],
  ['/a/**/b', '/a/xb', false],
  ['/**', '/', true],
  ['/**', '/anything/at/all', true],
  ['/**.json', '/x/y.json', true],
  ['/**.json', '/x/yjson', false],
  ['/v?/ws', '/v1/ws', true],
  ['/v?/ws', '/v10/ws', false],
  ['/v?/ws', '/v//ws', false],
  ['/a.b', '/a.b', true],
  ['/a.b', '/aXb', false],
  ['/c++/(x)', '/c++/(x)', true],
  ['/cp/%7C1', '/cp/%7C1', true],
];

describe('path globs', () => {
  for (const [source, path, expected] of CASES) {
    it(`${source} ${expected ? 'matches' : 'does not match'} ${path}`, () => {
      assert.equal(glob(source).matches(path), expected);
    });
  }

  it('ignores the query string and a stray fragment of the request target', () => {
    assert.equal(glob('/chat').matches('/chat?token=abc'), true);
    assert.equal(glob('/chat').matches('/chat#x'), true);
    assert.equal(glob('/chat').matches('/chatty?x=/chat'), false);
    assert.equal(glob('/api/*').matches('/api/v1?next=/a/b'), true);
    assert.equal(requestPath('/a/b?c=d?e'), '/a/b');
    assert.equal(requestPath('/a/b'), '/a/b');
  });

  it('rejects what is not a wsdiag path glob, saying what was expected', () => {
    const problem = (source: string): string => {
      const compiled = compilePathGlob(source);
      assert.ok('problem' in compiled, `${source} should be rejected`);
      return compiled.problem;
    };
    assert.match(problem('chat'), /starting with "\/"/);
    assert.match(problem(''), /starting with "\/"/);
    assert.match(problem('/a b'), /without spaces/);
    assert.match(problem('/v[12]/ws'), /only \*, \*\* and \?/);
    assert.match(problem('/{a,b}'), /only \*, \*\* and \?/);
    assert.match(problem('/a#b'), /without "#"/);
  });
});
