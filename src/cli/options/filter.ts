/**
 * The filter flags, declared once for `proxy` and `tail` (one language, src/filter/): --conn, --dir,
 * --type, --rule, --code take comma-separated values and may be repeated; --grep takes one regular
 * expression each time (a regular expression may hold a comma), -i makes them ignore case. Commander
 * only collects the values; they are checked together (filterOptions) before anything runs, so a bad one
 * is one line and exit 2.
 */
import { UsageError } from '../../errors.js';
import { FILTER_CODES, parseFilterArgs, type FilterOptions } from '../../filter/index.js';
import type { Flag } from '../flags.js';

/** The filter flags as commander names their values: each as typed, one string per occurrence. */
export interface FilterFlags {
  conn?: string[];
  dir?: string[];
  type?: string[];
  rule?: string[];
  code?: string[];
  grep?: string[];
  ignoreCase?: boolean;
}

type Filtered = { filter: FilterOptions };

/** Every occurrence of a repeatable flag, as typed. */
function collect(value: string, previous: unknown): string[] {
  return [...(Array.isArray(previous) ? (previous as string[]) : []), value];
}

export const FILTER = {
  conn: {
    flags: '--conn <ids>',
    help: 'only events of these connections: full ids (k3f9x2-c4), or c4 for the c4 of every run; h1, h2... are plain HTTP client connections',
    parse: collect,
    sets: ['filter.conns'],
  } satisfies Flag<Filtered>,
  dir: {
    flags: '--dir <dir>',
    help: 'only what travels this way (client->server or server->client; client and server name the sender); events of a whole connection stay',
    parse: collect,
    sets: ['filter.dirs'],
  } satisfies Flag<Filtered>,
  type: {
    flags: '--type <types>',
    help: 'only events of these types: message, violation, http, open, close, peer-close, error, frame, summary, listening...',
    parse: collect,
    sets: ['filter.types'],
  } satisfies Flag<Filtered>,
  rule: {
    flags: '--rule <ids>',
    help: 'only violations of these rules (other events stay)',
    parse: collect,
    sets: ['filter.rules'],
  } satisfies Flag<Filtered>,
  code: {
    flags: '--code <codes>',
    help: `only violations with these close codes: ${FILTER_CODES.join(',')} (other events stay)`,
    parse: collect,
    sets: ['filter.codes'],
  } satisfies Flag<Filtered>,
  grep: {
    flags: '--grep <regex>',
    help: 'only events whose text matches (JavaScript syntax; repeat for alternatives): message payloads, violation messages and previews, paths, Close reasons, errors',
    parse: collect,
    sets: ['filter.grep'],
  } satisfies Flag<Filtered>,
  ignoreCase: {
    flags: '-i, --ignore-case',
    help: '--grep ignores case',
  } satisfies Flag<Filtered>,
};

/** The filter flags in --help order. */
export const FILTER_FLAGS: Flag[] = [FILTER.conn, FILTER.dir, FILTER.type, FILTER.rule, FILTER.code, FILTER.grep, FILTER.ignoreCase];

/** Lists and switches: "(comma-separated, repeatable)" is said once, in the command's help text. */
export const FILTER_HELP =
  'Filters: --conn, --dir, --type, --rule and --code take comma-separated values and may be repeated; values of one\n' +
  'flag are alternatives, flags combine (all must hold). --rule and --code select violations, --dir one-way events;\n' +
  'other events stay. Events of no connection (listening, summary, run errors) pass every filter but --type.';

/** The filter the flags describe; a bad value is a UsageError of one line naming its flag. */
export function filterOptions(flags: FilterFlags): FilterOptions {
  const parsed = parseFilterArgs({
    ...(flags.conn ? { conn: flags.conn } : {}),
    ...(flags.dir ? { dir: flags.dir } : {}),
    ...(flags.type ? { type: flags.type } : {}),
    ...(flags.rule ? { rule: flags.rule } : {}),
    ...(flags.code ? { code: flags.code } : {}),
    ...(flags.grep ? { grep: flags.grep } : {}),
    ignoreCase: flags.ignoreCase === true,
  });
  if (!parsed.ok) throw new UsageError(parsed.error);
  return parsed.value;
}

/** A live run's stdout filter (proxy, sniff), none when no filter flag was given; --type frame needs --frames, as frames are reported only then. */
export function proxyFilterOptions(flags: FilterFlags & { frames?: boolean }): { filter?: FilterOptions } {
  const filter = filterOptions(flags);
  if (filter.types?.includes('frame') && flags.frames !== true) {
    throw new UsageError('--type frame shows frame events, which are reported only with --frames: add --frames');
  }
  return Object.keys(filter).length > 0 ? { filter } : {};
}
