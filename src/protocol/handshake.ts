/**
 * Pure checks on the opening handshake (RFC 6455 §4, RFC 7692 §5–7): the upgrade request as the client
 * sent it and the 101 response as the server sent it. The proxy hands in the parsed head of each; this
 * module never sees a socket and never throws on what a peer sent: every problem is a Finding.
 *
 * Messages quote the header value that is wrong, clipped to MAX_QUOTE characters. Only the headers
 * checked here are ever quoted, so credentials (Authorization, Proxy-Authorization, Cookie, Set-Cookie)
 * never reach a message or a log. Of those, only Sec-WebSocket-Protocol carries credentials in practice
 * (`bearer.<token>`): subprotocols are quoted through the redactor, before they are clipped, so a cut
 * token cannot slip past it.
 */
import { createHash } from 'node:crypto';
import { REDACT_SECRETS, type Redactor } from '../redact.js';
import type { RuleId } from '../rules/index.js';
import { WEBSOCKET_GUID } from './constants.js';
import { parseExtensions, type ExtensionOffer } from './extensions.js';
import type { Finding } from './types.js';

/** Header fields as node's IncomingHttpHeaders gives them: lower-case names, repeated lines as arrays. */
export type HeaderMap = Record<string, string | string[] | undefined>;

export interface UpgradeRequestInfo {
  method: string;
  /** As in node's `req.httpVersion`: "1.1", "1.0", "2.0". */
  httpVersion: string;
  headers: HeaderMap;
}

export interface UpgradeResponseInfo {
  statusCode: number;
  headers: HeaderMap;
}

/** What the 101 response agreed to, and what is wrong with it. */
export interface ResponseCheck {
  findings: Finding[];
  /** The Sec-WebSocket-Protocol the server answered (values joined with ", "), or null. */
  subprotocol: string | null;
  /** The Sec-WebSocket-Extensions the server answered (lines joined with ", "), or null. */
  extensions: string | null;
}

/** Longest header value (in characters) a message quotes; longer ones end in "…". */
const MAX_QUOTE = 80;

/** A base64 string without whitespace, padded to a multiple of 4 (RFC 4648 §4). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Window bits as RFC 7692 §7.1.2 writes them: a decimal 8–15 without leading zeroes. */
const WINDOW_BITS = /^(?:[89]|1[0-5])$/;

const PMD = 'permessage-deflate';

const RESPONSE_UPGRADE_HINT =
  'Answer a WebSocket upgrade with "HTTP/1.1 101", "Upgrade: websocket" and "Connection: Upgrade"; a proxy that strips hop-by-hop headers from the response causes this too.';
const OFFER_SYNTAX_HINT =
  'Send Sec-WebSocket-Extensions as a comma-separated list of extension names with ";"-separated parameters (RFC 6455 §9.1), or leave the header out.';

/** Sec-WebSocket-Accept for a key: base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2 step 5.4). */
export function computeAccept(key: string): string {
  return createHash('sha1')
    .update(key + WEBSOCKET_GUID)
    .digest('base64');
}

/**
 * The server-side checks of RFC 6455 §4.2.1 on an upgrade request: one finding per problem, so a
 * request that is wrong in three ways gives three findings.
 */
export function checkUpgradeRequest(req: UpgradeRequestInfo): Finding[] {
  const problems: string[] = [];
  // Methods are case-sensitive (RFC 9110 §9.1), so "get" is not GET.
  if (req.method !== 'GET') problems.push(`uses method ${quote(req.method)} instead of GET`);
  if (!isHttp11OrLater(req.httpVersion))
    problems.push(`is HTTP/${clip(req.httpVersion)}, older than the HTTP/1.1 a WebSocket upgrade needs`);
  pushIfProblem(problems, missingToken(req.headers, 'Upgrade', 'websocket'));
  pushIfProblem(problems, missingToken(req.headers, 'Connection', 'Upgrade'));
  pushIfProblem(problems, keyProblem(req.headers));
  pushIfProblem(problems, versionProblem(req.headers));

  const findings = problems.map((p) => finding('handshake-invalid-request', `The upgrade request ${p}.`));
  const offers = headerText(req.headers, 'sec-websocket-extensions');
  if (offers !== undefined) {
    const parsed = parseExtensions(offers);
    if ('error' in parsed) {
      findings.push(
        finding(
          'handshake-invalid-request',
          `The upgrade request has Sec-WebSocket-Extensions ${quote(offers)}, which does not parse (${clip(parsed.error)}).`,
          OFFER_SYNTAX_HINT,
        ),
      );
    }
  }
  return findings;
}

/**
 * The client-side checks of RFC 6455 §4.1 (and RFC 7692 §5–7) on the response to `req`. Only a 101
 * is a handshake answer: any other status gives no findings (the proxy reports it as an error event).
 */
export function checkUpgradeResponse(req: UpgradeRequestInfo, res: UpgradeResponseInfo, redact: Redactor = REDACT_SECRETS): ResponseCheck {
  if (res.statusCode !== 101) return { findings: [], subprotocol: null, extensions: null };

  const findings: Finding[] = [];
  for (const [name, token] of [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
  ] as const) {
    const problem = missingToken(res.headers, name, token);
    // The rule table has no id for a 101 without upgrade headers; it is the same failed answer to the
    // key, so it goes under handshake-bad-accept with a hint of its own.
    if (problem) findings.push(finding('handshake-bad-accept', `The 101 response ${problem}.`, RESPONSE_UPGRADE_HINT));
  }
  pushIfProblem(findings, acceptFinding(req.headers, res.headers));

  const protocol = checkSubprotocol(req.headers, res.headers, redact);
  findings.push(...protocol.findings);

  const extensionsText = headerText(res.headers, 'sec-websocket-extensions');
  const extensions = extensionsText === undefined || extensionsText.trim() === '' ? null : extensionsText.trim();
  if (extensions !== null) findings.push(...checkExtensions(headerText(req.headers, 'sec-websocket-extensions'), extensions));

  return { findings, subprotocol: protocol.subprotocol, extensions };
}

// ---------------------------------------------------------------------------------------------------
// Request pieces

function isHttp11OrLater(version: string): boolean {
  const match = /^(\d+)\.(\d+)$/.exec(version);
  if (!match) return false;
  const major = Number(match[1]);
  return major > 1 || (major === 1 && Number(match[2]) >= 1);
}

/** Sec-WebSocket-Key must be one base64 value of exactly 16 bytes (RFC 6455 §4.2.1 item 5). */
function keyProblem(headers: HeaderMap): string | null {
  const text = headerText(headers, 'sec-websocket-key');
  if (text === undefined) return 'has no Sec-WebSocket-Key header';
  // Node joins repeated lines with ", ", and a comma is never part of base64: a list means several keys.
  const values = listTokens(text);
  if (values.length > 1) return `has ${values.length} Sec-WebSocket-Key values (${quote(text)}) where exactly one is allowed`;
  const key = text.trim();
  if (!BASE64.test(key)) return `has Sec-WebSocket-Key ${quote(key)}, which is not base64`;
  const bytes = base64Length(key);
  if (bytes !== 16) return `has Sec-WebSocket-Key ${quote(key)}, which decodes to ${bytes} bytes instead of 16`;
  return null;
}

/** Decoded length of a string that matches BASE64. */
function base64Length(value: string): number {
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  return (value.length / 4) * 3 - padding;
}

/** Sec-WebSocket-Version must be exactly 13 (RFC 6455 §4.2.1 item 6); 8 is a draft (hybi-10) client. */
function versionProblem(headers: HeaderMap): string | null {
  const text = headerText(headers, 'sec-websocket-version');
  if (text === undefined) return 'has no Sec-WebSocket-Version header';
  if (text.trim() !== '13') return `has Sec-WebSocket-Version ${quote(text.trim())} instead of 13`;
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Response pieces

function acceptFinding(reqHeaders: HeaderMap, resHeaders: HeaderMap): Finding | null {
  const accept = headerText(resHeaders, 'sec-websocket-accept');
  if (accept === undefined) return finding('handshake-bad-accept', 'The 101 response has no Sec-WebSocket-Accept header.');
  // Without exactly one key there is nothing to compare with; the request check reported that already.
  const keys = listTokens(headerText(reqHeaders, 'sec-websocket-key') ?? '');
  if (keys.length !== 1) return null;
  const key = keys[0]!;
  // The key is hashed as sent, leading and trailing whitespace removed (RFC 6455 §4.2.2 step 5.4).
  const expected = computeAccept(key);
  if (accept.trim() === expected) return null;
  return finding(
    'handshake-bad-accept',
    `The 101 response has Sec-WebSocket-Accept ${quote(accept.trim())}, but the key ${quote(key)} requires "${expected}".`,
  );
}

/** The server may choose at most one of the subprotocols the client offered (RFC 6455 §4.1, §4.2.2). */
function checkSubprotocol(
  reqHeaders: HeaderMap,
  resHeaders: HeaderMap,
  redact: Redactor,
): { findings: Finding[]; subprotocol: string | null } {
  const answer = headerText(resHeaders, 'sec-websocket-protocol');
  if (answer === undefined) return { findings: [], subprotocol: null };
  const chosen = listTokens(answer);
  // Offers may come as several header lines, each a comma list (RFC 6455 §11.3.4).
  const offered = listTokens(headerText(reqHeaders, 'sec-websocket-protocol') ?? '');
  const subprotocol = chosen.length > 0 ? chosen.join(', ') : null;
  const bad = (message: string) => ({ findings: [finding('handshake-unrequested-subprotocol', message)], subprotocol });
  const shown = (list: string) => quote(redact.subprotocols(list));

  if (chosen.length === 0) return bad('The 101 response has an empty Sec-WebSocket-Protocol header.');
  if (chosen.length > 1)
    return bad(
      `The 101 response has Sec-WebSocket-Protocol ${shown(subprotocol!)}, ${chosen.length} subprotocols where at most one may be chosen.`,
    );
  // Subprotocol names are compared exactly, as browsers do: "Chat" is not "chat".
  const choice = chosen[0]!;
  if (offered.length === 0) return bad(`The 101 response chose subprotocol ${shown(choice)} but the request offered none.`);
  if (!offered.includes(choice)) {
    return bad(`The 101 response chose subprotocol ${shown(choice)}, which is not among the offered ${shown(offered.join(', '))}.`);
  }
  return { findings: [], subprotocol };
}

/** The server may only accept extensions, and parameters, the client offered (RFC 6455 §9.1, RFC 7692 §5, §7). */
function checkExtensions(offerText: string | undefined, answer: string): Finding[] {
  const unrequested = (message: string) => finding('handshake-unrequested-extension', message);
  const accepted = parseExtensions(answer);
  if ('error' in accepted) {
    return [unrequested(`The 101 response has Sec-WebSocket-Extensions ${quote(answer)}, which does not parse (${clip(accepted.error)}).`)];
  }
  const offers = offerText === undefined ? [] : parseExtensions(offerText);
  // An offer that does not parse was reported by checkUpgradeRequest; blaming the server for answering
  // it would be guessing.
  if ('error' in offers) return [];

  const findings: Finding[] = [];
  const offeredNames = new Set(offers.map((o) => o.name.toLowerCase()));
  const reported = new Set<string>();
  for (const ext of accepted) {
    const name = ext.name.toLowerCase();
    if (offeredNames.has(name) || reported.has(name)) continue;
    reported.add(name);
    findings.push(
      unrequested(
        offers.length === 0
          ? `The 101 response accepts extension ${quote(ext.name)} but the request offered no extensions.`
          : `The 101 response accepts extension ${quote(ext.name)}, which is not among the offered ${quote(offerText!.trim())}.`,
      ),
    );
  }

  const deflates = accepted.filter(isDeflate);
  if (deflates.length > 1) {
    findings.push(
      unrequested(
        `The 101 response accepts permessage-deflate ${deflates.length} times in ${quote(answer)}, where at most one offer may be accepted.`,
      ),
    );
  }
  const deflateOffers = offers.filter(isDeflate);
  if (deflates.length > 0 && deflateOffers.length > 0) {
    for (const problem of bestDeflateMatch(deflates[0]!, deflateOffers)) {
      findings.push(unrequested(`The 101 response's permessage-deflate ${problem}.`));
    }
  }
  return findings;
}

function isDeflate(ext: ExtensionOffer): boolean {
  return ext.name.toLowerCase() === PMD;
}

/**
 * The client may send several permessage-deflate offers and the server accepts one of them (RFC 7692
 * §5), so the answer is judged against the offer it fits best: the one that leaves fewest problems.
 */
function bestDeflateMatch(response: ExtensionOffer, offers: ExtensionOffer[]): string[] {
  let best: string[] | null = null;
  for (const offer of offers) {
    const problems = deflateProblems(lowerKeys(response.params), lowerKeys(offer.params));
    if (best === null || problems.length < best.length) best = problems;
    if (best.length === 0) break;
  }
  return best ?? [];
}

/**
 * Response parameters against one offer (RFC 7692 §7.1). The server may add server_no_context_takeover,
 * client_no_context_takeover and server_max_window_bits on its own; client_max_window_bits only if
 * offered; window values must not exceed what the offer asked for.
 */
function deflateProblems(response: Map<string, string | true>, offer: Map<string, string | true>): string[] {
  const problems: string[] = [];
  for (const [name, value] of response) {
    switch (name) {
      case 'server_no_context_takeover':
      case 'client_no_context_takeover':
        if (value !== true) problems.push(`gives ${name} the value ${quote(value)}, but it takes none`);
        break;
      case 'server_max_window_bits':
      case 'client_max_window_bits': {
        if (name === 'client_max_window_bits' && !offer.has(name)) {
          problems.push(`has ${describeParam(name, value)}, which the client did not offer`);
          break;
        }
        if (value === true) {
          problems.push(`has ${name} without a value, where a response must give 8–15`);
          break;
        }
        if (!WINDOW_BITS.test(value)) {
          problems.push(`has ${name}=${quote(value)}, which is not a window size from 8 to 15`);
          break;
        }
        const limit = offer.get(name);
        if (typeof limit === 'string' && WINDOW_BITS.test(limit) && Number(value) > Number(limit)) {
          problems.push(`has ${name}=${value}, larger than the ${limit} the client offered`);
        }
        break;
      }
      default:
        problems.push(`has unknown parameter ${quote(name)}`);
    }
  }
  return problems;
}

function describeParam(name: string, value: string | true): string {
  return value === true ? name : `${name}=${clip(value)}`;
}

function lowerKeys(params: Record<string, string | true>): Map<string, string | true> {
  return new Map(Object.entries(params).map(([k, v]) => [k.toLowerCase(), v]));
}

// ---------------------------------------------------------------------------------------------------
// Header helpers

/** A header's lines joined as node joins repeated lines (", "); undefined when absent. */
function headerText(headers: HeaderMap, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

/** The non-empty elements of a comma-separated header list (RFC 9110 §5.6.1), trimmed. */
function listTokens(text: string): string[] {
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/**
 * Why `name` does not list `token` (compared case-insensitively, RFC 6455 §4.2.1 items 3–4), or null
 * when it does. Used for both the request and the 101 response.
 */
function missingToken(headers: HeaderMap, name: string, token: string): string | null {
  const text = headerText(headers, name.toLowerCase());
  if (text === undefined) return `has no ${name} header`;
  const wanted = token.toLowerCase();
  if (listTokens(text).some((t) => t.toLowerCase() === wanted)) return null;
  return `has ${name} ${quote(text.trim())}, which does not list the token "${token}"`;
}

function pushIfProblem<T>(list: T[], item: T | null): void {
  if (item !== null) list.push(item);
}

/** A peer value cut to MAX_QUOTE characters, so one huge header cannot flood the log. */
function clip(value: string): string {
  return value.length > MAX_QUOTE ? `${value.slice(0, MAX_QUOTE - 1)}…` : value;
}

/** A peer value clipped and quoted; JSON escaping keeps quotes and control characters readable. */
function quote(value: string): string {
  return JSON.stringify(clip(value));
}

function finding(rule: RuleId, message: string, hint?: string): Finding {
  return hint === undefined ? { rule, message, frame: null } : { rule, message, frame: null, hint };
}
