/**
 * Keeping credentials out of everything wsdiag writes: events, logs, reports, messages.
 *
 * Browsers cannot set headers on a WebSocket, so credentials travel wherever a URL or a subprotocol can
 * carry them: the query string (`?access_token=…`, `?t=…`), a path segment (`/ws/<token>/feed`), the
 * subprotocol list (`bearer.<token>`, Kubernetes' `base64url.bearer.authorization.k8s.io.<token>`). Logs
 * are shared and pasted into bug reports, so such values are replaced by REDACTED before they reach any
 * output; the bytes relayed are never changed. Values are judged by name (`?token=`, `"password":`) and by
 * shape (JWTs, the prefixes of well-known tokens, long random-looking strings), because a name alone misses
 * `?t=<token>` and `/ws/<token>`. README ("Security defaults") states the rules; test/redact.test.ts pins
 * them, the false positives they must avoid included.
 *
 * Pure: strings in, strings out, no I/O, so every layer can use it. The policy is one object, built once
 * from `--show-secrets` and `--redact` and handed to whatever writes peer-supplied text.
 *
 * `--redact REGEX` (the `redact` option) adds the user's own patterns: whatever they match in any text a peer
 * supplied (message payloads, previews, Close reasons, paths, subprotocols) is REDACTED as well, also with
 * `--show-secrets`.
 */
import { ConfigError } from './errors.js';

export const REDACTED = 'REDACTED';

/** What to do with values that may be credentials. */
export interface Redactor {
  /** False with `--show-secrets`: every function returns its input unchanged. Plain functions: callers pass them around unbound. */
  readonly enabled: boolean;
  /** A request target (`/path;params?query#fragment`). */
  path: (target: string) => string;
  /** A URL: its path, query and fragment as in `path`, and user information. */
  url: (href: string) => string;
  /** A Sec-WebSocket-Protocol value (a comma-separated list of subprotocols). */
  subprotocols: (value: string) => string;
  /**
   * Free text from a peer (payload previews, Close reasons, HTTP reason phrases): the forms that are
   * unambiguous in prose (see `redactText`), never the bare random-looking words a prose rule would confuse
   * with hashes and nonces.
   */
  text: (value: string, options?: TextOptions) => string;
  /** The user's own patterns (`--redact`), applied by every function above; empty by default. */
  readonly patterns: readonly RegExp[];
}

export interface TextOptions {
  /** The text was cut at its end (a full preview): its last word may be the start of a token. */
  cut?: boolean;
}

const same = (value: string): string => value;

/** The default: credentials are redacted. */
export const REDACT_SECRETS: Redactor = Object.freeze({
  enabled: true,
  path: redactPath,
  url: redactUrl,
  subprotocols: redactSubprotocols,
  text: redactText,
  patterns: [],
});

/** `--show-secrets`: everything is written as it came. */
export const SHOW_SECRETS: Redactor = Object.freeze({
  enabled: false,
  path: same,
  url: same,
  subprotocols: same,
  text: same,
  patterns: [],
});

/**
 * The policy for a command's `--show-secrets` and `--redact` flags (the library's `showSecrets` and
 * `redact` options). Throws a ConfigError (option `redact`) for a pattern that is not a regular expression.
 */
export function redactorFor(showSecrets: boolean | undefined, patterns: readonly (string | RegExp)[] = []): Redactor {
  const base = showSecrets === true ? SHOW_SECRETS : REDACT_SECRETS;
  return withPatterns(base, compileRedactPatterns(patterns));
}

// ---------------------------------------------------------------------------------------------------
// The user's own patterns (--redact)

/** `/source/flags`: a pattern written with its flags, as in JavaScript (`/api[-_]key=\w+/i`). */
const WITH_FLAGS = /^\/(.+)\/([dgimsuvy]*)$/s;

/**
 * The `redact` option's patterns as global regular expressions. A string is a JavaScript regular
 * expression's source (`sk_live_\w+`), or `/source/flags` to give flags (`/secret/i`). Throws a
 * ConfigError naming the option for one that does not compile.
 */
export function compileRedactPatterns(patterns: readonly (string | RegExp)[], option = 'redact'): RegExp[] {
  return patterns.map((pattern) => {
    if (pattern instanceof RegExp) return new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
    const written = WITH_FLAGS.exec(pattern);
    const [source, flags] = written ? [written[1] ?? '', (written[2] ?? '').replace('g', '')] : [pattern, ''];
    if (source === '') throw new ConfigError(option, (n) => `${n(option)} needs a regular expression, got an empty one`);
    try {
      return new RegExp(source, `${flags}g`);
    } catch (err) {
      // V8 says `Invalid regular expression: /(/g: Unterminated group`: the last part is the news.
      const why = err instanceof Error ? err.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : String(err);
      throw new ConfigError(option, (n) => `${n(option)} ${JSON.stringify(pattern)} is not a valid regular expression: ${why}`);
    }
  });
}

/** `base` with the user's patterns applied first (to the text as it came), then `base`'s own rules. */
export function withPatterns(base: Redactor, patterns: readonly RegExp[]): Redactor {
  if (patterns.length === 0) return base;
  const all = [...base.patterns, ...patterns];
  const mask = (value: string): string => maskPatterns(value, all);
  return Object.freeze({
    enabled: true,
    path: (target: string) => base.path(mask(target)),
    url: (href: string) => base.url(mask(href)),
    subprotocols: (value: string) => base.subprotocols(mask(value)),
    text: (value: string, options?: TextOptions) => base.text(mask(value), options),
    patterns: all,
  });
}

/** Every non-empty match of each pattern replaced by REDACTED (an empty match hides nothing). */
export function maskPatterns(value: string, patterns: readonly RegExp[]): string {
  let out = value;
  for (const pattern of patterns) {
    pattern.lastIndex = 0;
    out = out.replace(pattern, (found) => (found === '' ? found : REDACTED));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// By name

/** Words that make a parameter, JSON key or header name a credential's (`access_token`, `apiKey`, `X-Amz-Signature`). */
const SECRET_NAME_WORDS = new Set([
  'token',
  'auth',
  'authorization',
  'bearer',
  'jwt',
  'key',
  'apikey',
  'secret',
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'passcode',
  'session',
  'sessionid',
  'sessid',
  'sid',
  'sig',
  'signature',
  'credential',
  'credentials',
  'ticket',
  'otp',
]);
/** Endings of names written in one word (`PHPSESSID`, `vncticket`, `csrftoken`, `clientsecret`). */
const SECRET_NAME_ENDINGS = [
  'token',
  'secret',
  'password',
  'passwd',
  'passcode',
  'apikey',
  'accesskey',
  'privatekey',
  'sessionid',
  'sessid',
  'signature',
  'credentials',
  'credential',
  'ticket',
  'jwt',
];
/**
 * URL and form parameters that are a credential's only on their own: `?code=` (an OAuth authorization
 * code) but not `?zip_code=`, nor `"code": "NOT_FOUND"` in JSON; `?pass=` but not `?pass_through=`.
 */
const SECRET_PARAMETERS = new Set(['code', 'pass']);

/**
 * Whether a JSON key or header name is a credential's. Names are split into words (at `_`, `-`, `.` and
 * camelCase), so `author`, `keyboard`, `design` and `bypass` are not mistaken for `auth`, `key`, `sig` and
 * `pass`.
 */
export function isSecretName(name: string): boolean {
  // Payloads repeat their keys: the answer for a short name is remembered (bounded).
  const known = name.length <= MAX_REMEMBERED_NAME ? secretNames.get(name) : undefined;
  if (known !== undefined) return known;
  const words = nameWords(name);
  const secret = words.some((w) => SECRET_NAME_WORDS.has(w)) || endsLikeSecret(words.join(''));
  if (name.length <= MAX_REMEMBERED_NAME) {
    if (secretNames.size >= MAX_REMEMBERED_NAMES) secretNames.clear();
    secretNames.set(name, secret);
  }
  return secret;
}

/**
 * `isSecretName(text.slice(start, end))` without making the string when the name was seen lately: a JSON
 * payload repeats a handful of keys in every object, and slicing and hashing each (to look it up in the
 * remembered names) cost more than the rest of the pass. A small table indexed by length and end
 * characters remembers the last name seen in each slot; a name is compared in place.
 */
function isSecretNameAt(text: string, start: number, end: number): boolean {
  const length = end - start;
  const slot = (length * 31 + text.charCodeAt(start) * 7 + text.charCodeAt(end - 1)) & (RECENT_NAME_SLOTS - 1);
  const recent = recentNames[slot];
  if (recent !== undefined && recent.name.length === length && text.startsWith(recent.name, start)) return recent.secret;
  const name = text.slice(start, end);
  const secret = isSecretName(name);
  recentNames[slot] = { name, secret };
  return secret;
}

const RECENT_NAME_SLOTS = 256;
const recentNames: Array<{ name: string; secret: boolean } | undefined> = new Array<undefined>(RECENT_NAME_SLOTS).fill(undefined);

function endsLikeSecret(compact: string): boolean {
  return compact !== '' && SECRET_NAME_ENDINGS.some((ending) => compact.endsWith(ending));
}

const MAX_REMEMBERED_NAME = 64;
const MAX_REMEMBERED_NAMES = 4096;
const secretNames = new Map<string, boolean>();

/** Whether a URL or form parameter name is a credential's: `isSecretName`, and `code` and `pass` alone. */
export function isSecretParameter(name: string): boolean {
  return isSecretName(name) || SECRET_PARAMETERS.has(nameWords(name).join(''));
}

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

// ---------------------------------------------------------------------------------------------------
// By shape: tokens with a recognisable form, found anywhere in a string

/** No letter, digit or `_` just before: a token starts here, not in the middle of a word. */
const START = '(?<![A-Za-z0-9_])';

/**
 * Tokens whose form gives them away, each with the part kept readable (group 1: the token's kind). The
 * minimum lengths are low on purpose: a preview or a quote may cut a token short, and the cut token still
 * goes.
 */
const TOKEN_FORMS: readonly RegExp[] = [
  // JWT (JWS or JWE): a base64url JSON header (`eyJ` is `{"`), a dot, more base64url parts.
  new RegExp(`${START}()eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_.-]*`, 'g'),
  // GitHub: personal, OAuth, user-to-server, server-to-server, refresh; fine-grained personal.
  new RegExp(`${START}(gh[pousr]_)[A-Za-z0-9]{10,}`, 'g'),
  new RegExp(`${START}(github_pat_)[A-Za-z0-9_]{10,}`, 'g'),
  // GitLab personal access token.
  new RegExp(`${START}(glpat-)[A-Za-z0-9_-]{10,}`, 'g'),
  // Slack bot, user, app-level, refresh... tokens.
  new RegExp(`${START}(xox[abeoprs]-)[A-Za-z0-9-]{8,}`, 'g'),
  new RegExp(`${START}(xapp-)[A-Za-z0-9-]{8,}`, 'g'),
  // AWS access key id.
  new RegExp(`${START}()(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{12,}`, 'g'),
  // Stripe secret and restricted keys, webhook secrets (publishable `pk_` keys are public).
  new RegExp(`${START}((?:sk|rk)_(?:live|test)_)[A-Za-z0-9]{8,}`, 'g'),
  new RegExp(`${START}(whsec_)[A-Za-z0-9+/=]{8,}`, 'g'),
  // OpenAI and Anthropic API keys.
  new RegExp(`${START}(sk-(?:proj-|ant-)?)[A-Za-z0-9_-]{20,}`, 'g'),
  // npm access token.
  new RegExp(`${START}(npm_)[A-Za-z0-9]{20,}`, 'g'),
  // Google API key.
  new RegExp(`${START}()AIza[A-Za-z0-9_-]{20,}`, 'g'),
];

/** What every form above starts with: one cheap test spares the dozen passes for most strings. */
const TOKEN_FORM_START = /eyJ|gh[pousr]_|github_pat_|glpat-|xox[abeoprs]-|xapp-|A[KS]IA|ABIA|ACCA|[sr]k_|whsec_|sk-|npm_|AIza/;

/** Replaces every token with a recognisable form, keeping its kind (`ghp_REDACTED`). */
function redactTokenForms(text: string): string {
  if (!TOKEN_FORM_START.test(text)) return text;
  let out = text;
  for (const form of TOKEN_FORMS) out = out.replace(form, (_all, kind: string) => `${kind}${REDACTED}`);
  return out;
}

/** An RFC 9562 UUID in its 8-4-4-4-12 form: an identifier, not a secret. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A ULID: 26 Crockford base32 characters, the first 0–7 (a timestamp comes first): an identifier too. */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i;
const TOKEN_ALPHABET = /^[A-Za-z0-9+/_-]+$/;
const HEX = /^[0-9a-f]+$/i;
/** Words as identifiers are made of: `getUserById2` is get, User, By, Id, 2. */
const WORDS = /[a-z]+|[A-Z][a-z]+|[A-Z]+(?![a-z])|[0-9]+/g;

/** Shortest string of the base64/base64url alphabet judged by its randomness. */
export const MIN_RANDOM_LENGTH = 20;
/** Shortest start of a token judged when the rest was cut off (by a preview's limit, or a `…`). */
export const MIN_CUT_LENGTH = 8;
/** Shortest hex string taken for a key (an MD5 or a 128-bit key has 32 digits; ObjectIds and short hashes are kept). */
export const MIN_HEX_LENGTH = 32;

/**
 * Whether one piece of a path, query value or subprotocol (no `/`, `.`, `,` in it) looks like a random
 * token. Tokens are random; identifiers are made of words. So a string of 20 or more base64/base64url
 * characters (trailing `=` aside) is a token when, split into words at each change between lower case,
 * upper case and digits (`-` and `_` removed), its words average under 3 characters, or under 4.5 with
 * fewer than 30 % vowels among its letters (text made of words has about 40 %). Hex strings are tokens
 * from 32 digits on; UUIDs, ULIDs and plain numbers never are, and neither is a string whose `-`/`_`
 * parts average under 6 characters (`crypto-ticker-1h-24h-7d`: words joined).
 */
export function looksRandom(piece: string, minLength = MIN_RANDOM_LENGTH): boolean {
  const s = piece.replace(/={1,2}$/, '');
  if (s.length < minLength || !TOKEN_ALPHABET.test(s)) return false;
  if (UUID.test(s) || ULID.test(s) || /^\d+$/.test(s)) return false;
  if (HEX.test(s)) return s.length >= MIN_HEX_LENGTH && /\d/.test(s) && /[a-f]/i.test(s);
  const parts = s.split(/[-_]/).filter((p) => p !== '');
  if (parts.length > 1 && totalLength(parts) / parts.length < 6) return false;
  const words = parts.join('').match(WORDS) ?? [];
  if (words.length === 0) return false;
  const averageWord = totalLength(words) / words.length;
  const letters = s.replace(/[^A-Za-z]/g, '');
  const vowels = letters.replace(/[^aeiouAEIOU]/g, '').length;
  const vowelShare = letters.length === 0 ? 0 : vowels / letters.length;
  return averageWord < 3 || (averageWord < 4.5 && vowelShare < 0.3);
}

function totalLength(list: readonly string[]): number {
  let n = 0;
  for (const item of list) n += item.length;
  return n;
}

/** Whether a whole value (a query value, a parameter) holds a credential anywhere in it. */
function isSecretValue(value: string): boolean {
  if (redactText(value) !== value) return true;
  return value.split(/[\s.,;:|/]+/).some((piece) => looksRandom(piece));
}

// ---------------------------------------------------------------------------------------------------
// Paths and URLs

/** The last piece of a file name: `.js`, `.json`, `.webp`. */
const FILE_EXTENSION = /^[A-Za-z][A-Za-z0-9]{0,4}$/;

/**
 * A request target with its credentials replaced: query (and fragment) values whose parameter name is a
 * credential's or whose value holds one, `;name=value` path parameters likewise (`;jsessionid=`), and path
 * segments that are a token by form or look random (a segment with dots is judged piece by piece, except a
 * file name, `name.ext`, which is kept unless a piece has a token's form).
 */
export function redactPath(target: string): string {
  const hash = target.indexOf('#');
  const beforeHash = hash < 0 ? target : target.slice(0, hash);
  const q = beforeHash.indexOf('?');
  const path = q < 0 ? beforeHash : beforeHash.slice(0, q);
  let out = path.split('/').map(redactSegment).join('/');
  if (q >= 0) out += `?${redactPairs(beforeHash.slice(q + 1), '&')}`;
  if (hash >= 0) out += `#${redactPairs(target.slice(hash + 1), '&')}`;
  return out;
}

/** A URL with its user information and its path redacted (see `redactPath`). */
export function redactUrl(href: string): string {
  const parts = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(href);
  if (!parts) return redactPath(href);
  const [, scheme = '', authority = '', rest = ''] = parts;
  const at = authority.lastIndexOf('@');
  const host = at < 0 ? authority : `${REDACTED}@${authority.slice(at + 1)}`;
  return `${scheme}${host}${redactPath(rest)}`;
}

function redactSegment(segment: string): string {
  if (segment === '') return segment;
  const semicolon = segment.indexOf(';');
  if (semicolon < 0) return redactSegmentName(segment);
  return `${redactSegmentName(segment.slice(0, semicolon))};${redactPairs(segment.slice(semicolon + 1), ';')}`;
}

function redactSegmentName(segment: string): string {
  const forms = redactTokenForms(segment);
  if (forms !== segment) return forms;
  const pieces = segment.split('.');
  const extension = pieces.length > 1 ? pieces.at(-1) : undefined;
  if (extension !== undefined && FILE_EXTENSION.test(extension)) return segment;
  return pieces.map((piece) => (looksRandom(decode(piece)) ? REDACTED : piece)).join('.');
}

/** `name=value` pairs separated by `separator`: a credential's value becomes REDACTED; empty values stay. */
function redactPairs(text: string, separator: '&' | ';'): string {
  return text
    .split(separator)
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair !== '' && isSecretValue(decode(pair)) ? REDACTED : pair;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '') return pair;
      return isSecretParameter(decode(name)) || isSecretValue(decode(value)) ? `${name}=${REDACTED}` : pair;
    })
    .join(separator);
}

/** Percent-decoding that never throws: a malformed escape is judged as written. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------------
// Subprotocols

/** Names after which (`bearer.<token>`) or next to which (`access_token, <token>`) a credential comes. */
const CREDENTIAL_MARKERS = new Set(['bearer', 'token', 'accesstoken', 'authtoken', 'authorization', 'jwt', 'apikey', 'accesskey']);
/** Kubernetes' form (the token base64url-encoded after a fixed prefix), kept readable up to the token. */
const KUBERNETES_BEARER = /^(base64url\.bearer\.authorization\.k8s\.io\.)(.+)$/i;

/**
 * A Sec-WebSocket-Protocol list with its credentials replaced: whatever follows a marker piece
 * (`bearer.REDACTED`, `base64url.bearer.authorization.k8s.io.REDACTED`), an element right after a marker
 * element (`access_token, REDACTED`), tokens with a recognisable form, and random-looking pieces.
 * Ordinary names (`graphql-transport-ws`, `mqtt`, `v12.stomp`, `wamp.2.json`) are untouched.
 */
export function redactSubprotocols(value: string): string {
  let previous = '';
  return value.replace(/[^,\s]+/g, (element) => {
    const shown = redactSubprotocol(element, previous);
    previous = element;
    return shown;
  });
}

function redactSubprotocol(element: string, previous: string): string {
  if (CREDENTIAL_MARKERS.has(compactName(previous))) return REDACTED;
  const kubernetes = KUBERNETES_BEARER.exec(element);
  if (kubernetes) return `${kubernetes[1]}${REDACTED}`;
  const pieces = element.split('.');
  const marker = pieces.findIndex((piece, i) => i < pieces.length - 1 && CREDENTIAL_MARKERS.has(compactName(piece)));
  if (marker >= 0) return [...pieces.slice(0, marker + 1), REDACTED].join('.');
  const forms = redactTokenForms(element);
  if (forms !== element) return forms;
  return pieces.map((piece) => (looksRandom(piece) ? REDACTED : piece)).join('.');
}

function compactName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

// ---------------------------------------------------------------------------------------------------
// Free text

/** `Name: value` at the start of a line (an HTTP head inside a preview, a YAML-ish reason). */
export const HEADER_LINE = /^([A-Za-z0-9-]{2,64})([ \t]*:[ \t]*)([^\r\n]*)/gm;
/** HEADER_LINE without its `^`, tried only where a line starts. */
const HEADER_AT = /([A-Za-z0-9-]{2,64})([ \t]*:[ \t]*)([^\r\n]*)/y;
/** What starts a line for `^` in a multiline expression. */
const LINE_END = /[\n\r\u2028\u2029]/g;
/** A URL with a path, or an absolute path, standing as a word of its own. */
export const URL_OR_PATH = /(?<![^\s"'(<=,])(?:[a-z][a-z0-9+.-]*:\/\/[^\s"'<>/?#]*)?\/[^\s"'<>]*/gi;
/** `"name": "value` (the closing quote may be cut off by a preview's limit): what redactJsonPairs finds. */
export const JSON_PAIR = /("([^"\\\r\n]{1,64})"\s*:\s*")((?:[^"\\\r\n]|\\.)*)/g;
/** `name=value` as in a form body or a cookie. */
export const FORM_PAIR = /(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]{0,63})=([^\s&"'<>;,]+)/g;
/** An HTTP authentication scheme and its credentials. */
const AUTH_SCHEME_NAME = /bearer|basic/i;
const AUTH_SCHEME = new RegExp(`${START}((?:Bearer|bearer|BEARER|Basic|basic|BASIC)[ \\t]+)([A-Za-z0-9._~+/-]{8,}=*)`, 'g');
/** A word cut short where a quote was clipped (`…`), or at the very end of a cut text. */
const WORD_BEFORE_ELLIPSIS = new RegExp(`${START}[A-Za-z0-9+/_-]{${MIN_CUT_LENGTH},}(?=…)`, 'g');
export const LAST_WORD = new RegExp(`${START}[A-Za-z0-9+/_-]{${MIN_CUT_LENGTH},}$`);

/**
 * Free text with the credentials that are unambiguous in prose replaced: values of credential headers in
 * `Name: value` lines (Authorization keeps its scheme), paths and URLs (as `redactPath`), `"name": "value"`
 * and `name=value` pairs with a credential's name, `Bearer`/`Basic` credentials, and tokens with a
 * recognisable form. Bare random-looking words are left alone: in prose they are as often a hash, a nonce
 * or a Sec-WebSocket-Accept value. A word cut short (before a `…`, or last in a text `cut` at its end) is
 * the start of something longer: it goes when it looks random from 8 characters on, so a token cut by a
 * preview's limit does not slip under the 20 characters the random shape needs otherwise.
 */
export function redactText(text: string, options: TextOptions = {}): string {
  if (text === '') return text;
  // Each pass only where the character it needs is there: previews of violation floods come through here.
  let out = text;
  if (out.includes(':')) out = redactHeaderLines(out);
  if (out.includes('/')) out = redactPaths(out);
  if (out.includes('"')) out = redactJsonPairs(out);
  if (out.includes('=')) out = redactFormPairs(out);
  if (AUTH_SCHEME_NAME.test(out)) {
    out = out.replace(AUTH_SCHEME, (all, scheme: string, credentials: string) =>
      /^[a-z]+$/.test(credentials) ? all : `${scheme}${REDACTED}`,
    );
  }
  out = redactTokenForms(out);
  if (out.includes('…')) out = out.replace(WORD_BEFORE_ELLIPSIS, redactCutWord);
  return options.cut ? redactLastWord(out) : out;
}

function redactCutWord(word: string): string {
  return looksRandom(word, MIN_CUT_LENGTH) ? REDACTED : word;
}

// The passes of redactText that payloads of kilobytes (`--messages`) made worth writing by hand: each gives
// exactly what `text.replace` with its regular expression gives (test/redact.test.ts compares them on random
// text), without trying the expression at every position of the text.

/** URL_OR_PATH's pass: each URL or path as `redactUrl` or `redactPath` shows it. */
export function redactPaths(text: string): string {
  return replaceAroundAnchors(text, URL_OR_PATH, '/', isUrlCharacter, isUrlCharacter, (match) => {
    const found = match[0];
    // Punctuation that ends the sentence is not part of the path.
    const end = found.length - (/[.,:;!?)\]]+$/.exec(found)?.[0].length ?? 0);
    const path = found.slice(0, end);
    return (path.startsWith('/') ? redactPath(path) : redactUrl(path)) + found.slice(end);
  });
}

/** FORM_PAIR's pass: `name=REDACTED` for a credential's name. */
export function redactFormPairs(text: string): string {
  return replaceAroundAnchors(text, FORM_PAIR, '=', isFormNameCharacter, isFormValueCharacter, (match) => {
    const name = match[1] ?? '';
    return isSecretParameter(name) ? `${name}=${REDACTED}` : match[0];
  });
}

/** JSON_PAIR's pass: `"name": "REDACTED` for a credential's name and a value that is not empty. */
export function redactJsonPairs(text: string): string {
  const length = text.length;
  let out = '';
  let done = 0;
  let open = text.indexOf('"');
  // Every quote is where the expression would try a match; each try below reads the text once, and the
  // next quote is searched from where the try stopped (no quote lies in between).
  while (open >= 0) {
    // 1 to 64 characters other than " \\ CR LF, then a quote; looking past 65 cannot make a name.
    const nameEnd = nextStop(text, open + 1, Math.min(length, open + 66));
    if (nameEnd === open + 1 || nameEnd - open - 1 > 64 || nameEnd >= length || text.charCodeAt(nameEnd) !== QUOTE) {
      open = nextQuote(text, nameEnd);
      continue;
    }
    const valueStart = jsonValueStart(text, nameEnd + 1);
    if (valueStart < 0) {
      open = nameEnd;
      continue;
    }
    // (?:[^"\\\r\n]|\\.)*: an escape takes the next character unless it ends a line.
    let valueEnd = nextStop(text, valueStart);
    while (valueEnd + 1 < length && text.charCodeAt(valueEnd) === BACKSLASH && !isLineTerminator(text.charCodeAt(valueEnd + 1))) {
      valueEnd = nextStop(text, valueEnd + 2);
    }
    if (valueEnd > valueStart && isSecretNameAt(text, open + 1, nameEnd)) {
      out += text.slice(done, valueStart) + REDACTED;
      done = valueEnd;
    }
    open = nextQuote(text, valueEnd);
  }
  return done === 0 ? text : out + text.slice(done);
}

/** `\s*:\s*"` from `at` (just after a JSON_PAIR name's closing quote): where the value starts, or -1. */
function jsonValueStart(text: string, from: number): number {
  const length = text.length;
  let at = from;
  while (at < length && isJsWhitespace(text.charCodeAt(at))) at++;
  if (at >= length || text.charCodeAt(at) !== COLON) return -1;
  at++;
  while (at < length && isJsWhitespace(text.charCodeAt(at))) at++;
  if (at >= length || text.charCodeAt(at) !== QUOTE) return -1;
  return at + 1;
}

/** The first quote at or after `from`, or -1. */
function nextQuote(text: string, from: number): number {
  return from < text.length && text.charCodeAt(from) === QUOTE ? from : text.indexOf('"', from);
}

/** HEADER_LINE's pass: the value of a credential header (`Authorization` keeps its scheme). */
export function redactHeaderLines(text: string): string {
  let out = '';
  let done = 0;
  /** Where the last match ended: the expression resumes there. */
  let consumed = 0;
  let line = 0;
  for (;;) {
    if (line >= consumed) {
      HEADER_AT.lastIndex = line;
      const match = HEADER_AT.exec(text);
      if (match !== null) {
        const [all, name = '', colon = '', value = ''] = match;
        consumed = line + all.length;
        const shown = headerValue(name.toLowerCase(), value);
        if (shown !== value) {
          out += `${text.slice(done, line)}${name}${colon}${shown}`;
          done = consumed;
        }
      }
    }
    // The next line starts after the next line terminator.
    LINE_END.lastIndex = line;
    if (!LINE_END.test(text)) break;
    line = LINE_END.lastIndex;
  }
  return done === 0 ? text : out + text.slice(done);
}

/** LAST_WORD's pass: the word a cut text ends with, when it looks random from 8 characters on. */
export function redactLastWord(text: string): string {
  // The word is the whole run of word characters at the end: nothing before it can start one.
  let start = text.length;
  while (start > 0 && isCutWordCharacter(text.charCodeAt(start - 1))) start--;
  if (text.length - start < MIN_CUT_LENGTH) return text;
  return text.slice(0, start) + redactCutWord(text.slice(start));
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;

/**
 * The index of the first `" \\ CR LF` (what ends a JSON_PAIR name or value) at or after `from`, but no
 * further than `limit`; `limit` when there is none before it. A loop over character codes: called at every
 * quote of a payload, where a regular expression's setup costs more than the few characters it looks at
 * (and, pairs being short, so does a native `indexOf` for each of the four).
 */
function nextStop(text: string, from: number, limit = text.length): number {
  let at = from;
  while (at < limit) {
    const c = text.charCodeAt(at);
    if (c === QUOTE || c === BACKSLASH || c === CR || c === LF) return at;
    at++;
  }
  return limit;
}

/**
 * `text.replace(pattern, replace)` for a global `pattern` whose every match contains `anchor`, has only
 * `before` characters before its first anchor and only `after` characters after it: the expression runs on
 * the stretch around each anchor (with the character before it, for look-behinds) instead of at every
 * position of the text.
 */
function replaceAroundAnchors(
  text: string,
  pattern: RegExp,
  anchor: string,
  before: (code: number) => boolean,
  after: (code: number) => boolean,
  replace: (match: RegExpExecArray) => string,
): string {
  let out = '';
  let done = 0;
  let from = 0;
  for (;;) {
    const at = text.indexOf(anchor, from);
    if (at < 0) break;
    let start = at;
    while (start > from && before(text.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < text.length && after(text.charCodeAt(end))) end++;
    const offset = start > 0 ? start - 1 : 0;
    pattern.lastIndex = start - offset;
    const match = pattern.exec(text.slice(offset, end));
    if (match === null) {
      from = end;
      continue;
    }
    const index = offset + match.index;
    out += text.slice(done, index) + replace(match);
    done = from = index + match[0].length;
  }
  return done === 0 ? text : out + text.slice(done);
}

function isLineTerminator(c: number): boolean {
  return c === LF || c === CR || c === 0x2028 || c === 0x2029;
}

/** What `\s` matches in a JavaScript regular expression. */
function isJsWhitespace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) ||
    c === 0x20 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Anything but `\s " ' < >`: what a URL or path is made of in URL_OR_PATH. */
function isUrlCharacter(c: number): boolean {
  return !(isJsWhitespace(c) || c === QUOTE || c === 0x27 || c === 0x3c || c === 0x3e);
}

/** `[A-Za-z0-9_.-]`: a FORM_PAIR name. */
function isFormNameCharacter(c: number): boolean {
  return isAlphanumeric(c) || c === 0x5f || c === 0x2e || c === 0x2d;
}

/** `[^\s&"'<>;,]`: a FORM_PAIR value. */
function isFormValueCharacter(c: number): boolean {
  return !(isJsWhitespace(c) || c === 0x26 || c === QUOTE || c === 0x27 || c === 0x3c || c === 0x3e || c === 0x3b || c === 0x2c);
}

/** `[A-Za-z0-9+/_-]`: a word LAST_WORD takes. */
function isCutWordCharacter(c: number): boolean {
  return isAlphanumeric(c) || c === 0x2b || c === 0x2f || c === 0x5f || c === 0x2d;
}

function isAlphanumeric(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function headerValue(name: string, value: string): string {
  if (value.trim() === '') return value;
  if (name === 'authorization' || name === 'proxy-authorization') {
    const scheme = /^([A-Za-z][A-Za-z0-9-]*)[ \t]+\S/.exec(value);
    return scheme ? `${scheme[1]} ${REDACTED}` : REDACTED;
  }
  if (name === 'cookie' || name === 'set-cookie' || isSecretName(name)) return REDACTED;
  if (name === 'sec-websocket-protocol') return redactSubprotocols(value);
  return value;
}

// ---------------------------------------------------------------------------------------------------
// Binary data

/** Printable ASCII runs shorter than this carry no credential worth a look (`token=` alone is 6). */
const MIN_SECRET_RUN = 6;

/** A printable ASCII run of binary data, `bytes[from..to)`, and the text the redactor shows instead. */
export interface RedactedRun {
  from: number;
  to: number;
  text: string;
}

/**
 * Where a redactor hides something in binary data (a binary message, a preview that is not text, an MQTT
 * CONNECT's password): each printable ASCII run it changes, with the run's redacted text. `cut`: the data
 * stops short of its end, so a last run may be the start of a token. Runs shorter than 6 bytes are only
 * looked at for the user's own patterns.
 */
export function redactedRuns(bytes: Uint8Array, redact: Redactor, cut: boolean): RedactedRun[] {
  if (!redact.enabled) return [];
  const minRun = redact.patterns.length > 0 ? 1 : MIN_SECRET_RUN;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const runs: RedactedRun[] = [];
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const b = i < bytes.length ? (bytes[i] ?? 0) : 0;
    if (b >= 0x20 && b <= 0x7e) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start >= minRun) {
      const text = buffer.toString('latin1', start, i);
      const shown = redact.text(text, { cut: cut && i === bytes.length });
      if (shown !== text) runs.push({ from: start, to: i, text: shown });
    }
    start = -1;
  }
  return runs;
}

/** Binary data with each run the redactor changes replaced by its redacted text (ASCII): a new array, or `bytes` itself. */
export function redactBytes(bytes: Uint8Array, redact: Redactor, cut: boolean): Uint8Array {
  const runs = redactedRuns(bytes, redact, cut);
  if (runs.length === 0) return bytes;
  const parts: Uint8Array[] = [];
  let done = 0;
  for (const run of runs) {
    parts.push(bytes.subarray(done, run.from), Buffer.from(run.text, 'latin1'));
    done = run.to;
  }
  parts.push(bytes.subarray(done));
  return Buffer.concat(parts);
}
