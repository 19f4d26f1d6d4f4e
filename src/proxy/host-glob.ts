/**
 * Host globs for `--intercept`: which CONNECT hosts wsdiag terminates TLS for. `*` is any run of
 * characters (dots included: `*.example.com` matches `a.example.com` and `a.b.example.com`, not
 * `example.com` itself), `?` one character; matching ignores case and a trailing dot. Everything else is
 * literal, and syntax of richer dialects (`[a-z]`, `{a,b}`) is refused rather than silently never matching.
 */
import { ConfigError } from '../errors.js';

export interface HostMatcher {
  /** The globs as given. */
  readonly sources: readonly string[];
  matches(host: string): boolean;
}

const REGEXP_SPECIAL = /[.+^${}()|[\]\\]/g;

/** Compiles host globs (option `intercept`); an empty list matches nothing. */
export function compileHostGlobs(globs: readonly string[], option = 'intercept'): HostMatcher {
  const patterns = globs.map((glob) => {
    const source = glob.trim().toLowerCase().replace(/\.$/, '');
    if (source === '' || /[\s/[\]{}]/.test(source)) {
      throw new ConfigError(
        option,
        (n) => `${n(option)} "${glob}" is not a host glob (e.g. "*", "*.example.com", "api.example.com"; only * and ? are wildcards)`,
      );
    }
    return new RegExp(`^${source.replace(REGEXP_SPECIAL, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`);
  });
  return {
    sources: [...globs],
    matches: (host) => {
      const name = host.toLowerCase().replace(/\.$/, '');
      return patterns.some((pattern) => pattern.test(name));
    },
  };
}
