/**
 * Path globs for config routes. Deliberately small: `*` (any run of characters inside one path segment),
 * `**` (any run of characters across segments) and `?` (one character other than `/`); everything else is
 * literal. Globs match the request path as sent (percent-encoding kept, case-sensitive), query ignored.
 *
 * Syntax from richer glob dialects (`[a-z]`, `{a,b}`) is rejected rather than taken literally: a route
 * that silently never matches is the failure a config check exists to prevent.
 */

/** A compiled glob. */
export interface PathGlob {
  /** The glob as written in the config. */
  readonly source: string;
  matches(path: string): boolean;
}

/** Characters that mean something in other glob dialects but not in ours. */
const UNSUPPORTED = /[[\]{}]/;
const REGEXP_SPECIAL = /[.*+?^${}()|[\]\\]/g;

/** Compiles a path glob, or returns why it is not one (a phrase that completes "expected ..."). */
export function compilePathGlob(source: string): PathGlob | { problem: string } {
  if (!source.startsWith('/')) return { problem: 'a path glob starting with "/" (e.g. "/mqtt*" or "/api/**")' };
  if (/\s/.test(source)) return { problem: 'a path glob without spaces (request paths are percent-encoded, write %20)' };
  if (UNSUPPORTED.test(source)) return { problem: 'a path glob using only *, ** and ? as wildcards ([...] and {...} are not supported)' };
  if (source.includes('#')) return { problem: 'a path glob without "#" (fragments are never sent to the server)' };
  const regexp = new RegExp(`^${translate(source)}$`);
  return { source, matches: (path) => regexp.test(requestPath(path)) };
}

/** The path part of a request target: the query (and a stray fragment) is not part of the route. */
export function requestPath(target: string): string {
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

function translate(glob: string): string {
  let out = '';
  let i = 0;
  while (i < glob.length) {
    if (glob.startsWith('/**/', i)) {
      // "/a/**/b" also matches "/a/b": the globstar may stand for no segment at all.
      out += '/(?:.*/)?';
      i += 4;
    } else if (glob.startsWith('/**', i) && i + 3 === glob.length) {
      // "/api/**" also matches "/api" itself.
      out += '(?:/.*)?';
      i += 3;
    } else if (glob.startsWith('**', i)) {
      out += '.*';
      i += 2;
    } else if (glob[i] === '*') {
      out += '[^/]*';
      i += 1;
    } else if (glob[i] === '?') {
      out += '[^/]';
      i += 1;
    } else {
      out += glob.charAt(i).replace(REGEXP_SPECIAL, '\\$&');
      i += 1;
    }
  }
  return out;
}
