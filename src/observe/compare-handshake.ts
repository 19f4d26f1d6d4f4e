/**
 * The opening handshake as the client saw it (the request it sent, the response it got) against the
 * handshake as the server saw it (the request it got, the response it sent). What the intermediary may
 * change: the path (routing), the key (when it terminates the handshake itself; the accept must then
 * match the client's key). What it may not: the subprotocols and extensions offered or chosen (RFC 6455
 * §4.1, §9.1), the version, and a valid accept for the client.
 *
 * Paths and subprotocols are quoted through the redactor: on live traffic (`wsdiag sandwich`) they may
 * carry credentials. They are compared as they came.
 */
import { parseExtensions, checkUpgradeResponse } from '../protocol/index.js';
import { REDACT_SECRETS, type Redactor } from '../redact.js';
import { PROBE_NAMES, failure, info, type EndpointNames } from './findings.js';
import type { ObservedHandshake, ProbeFinding } from './types.js';

export function compareHandshake(
  client: ObservedHandshake,
  server: ObservedHandshake,
  names: EndpointNames = PROBE_NAMES,
  redact: Redactor = REDACT_SECRETS,
): ProbeFinding[] {
  const findings: ProbeFinding[] = [];
  const req = (h: ObservedHandshake, name: string) => h.request[name];
  const res = (h: ObservedHandshake, name: string) => h.response?.[name];

  // Request: client → server.
  if (client.path !== server.path) {
    findings.push(
      info(
        'path-rewritten',
        'client->server',
        `The request for ${quote(redact.path(client.path))} arrived as ${quote(redact.path(server.path))} (routing; legal).`,
      ),
    );
  }
  const key = req(client, 'sec-websocket-key');
  if (key !== req(server, 'sec-websocket-key')) {
    findings.push(
      info(
        'key-replaced',
        'client->server',
        `The Sec-WebSocket-Key arrived changed: the intermediary terminates the handshake and opened its own WebSocket to ${names.server} (legal when it answers ${names.client} with an accept for ${names.client}'s key).`,
      ),
    );
  }
  if (req(client, 'sec-websocket-version') !== req(server, 'sec-websocket-version')) {
    findings.push(
      failure(
        'version-changed',
        'client->server',
        `Sec-WebSocket-Version ${show(req(client, 'sec-websocket-version'))} arrived as ${show(req(server, 'sec-websocket-version'))}.`,
        { rfc: 'RFC 6455 §4.1' },
      ),
    );
  }
  findings.push(
    ...headerChange(
      'subprotocol-changed',
      'Sec-WebSocket-Protocol in the request',
      tokens(req(client, 'sec-websocket-protocol')),
      tokens(req(server, 'sec-websocket-protocol')),
      'client->server',
      redact.subprotocols,
    ),
  );
  findings.push(
    ...headerChange(
      'extensions-changed',
      'Sec-WebSocket-Extensions in the request',
      extensionList(req(client, 'sec-websocket-extensions')),
      extensionList(req(server, 'sec-websocket-extensions')),
      'client->server',
      redact.text,
    ),
  );

  // Response: server → client. Only comparable when both ends saw a 101.
  if (server.status === 101 && client.status !== 101) {
    findings.push(
      failure(
        'handshake-status-changed',
        'server->client',
        `${cap(names.server)} answered 101 Switching Protocols, but ${names.client} received ${client.status === null ? 'no response' : `status ${client.status}`}.`,
      ),
    );
    return findings;
  }
  if (server.status !== 101 || client.status !== 101) return findings;
  findings.push(
    ...headerChange(
      'subprotocol-changed',
      'Sec-WebSocket-Protocol in the 101 response',
      tokens(res(server, 'sec-websocket-protocol')),
      tokens(res(client, 'sec-websocket-protocol')),
      'server->client',
      redact.subprotocols,
    ),
  );
  findings.push(
    ...headerChange(
      'extensions-changed',
      'Sec-WebSocket-Extensions in the 101 response',
      extensionList(res(server, 'sec-websocket-extensions')),
      extensionList(res(client, 'sec-websocket-extensions')),
      'server->client',
      redact.text,
    ),
  );

  // The 101 the client got must be valid for the request the client sent, whatever happened in between.
  const check = checkUpgradeResponse(
    { method: 'GET', httpVersion: '1.1', headers: client.request },
    { statusCode: 101, headers: client.response ?? {} },
    redact,
  );
  for (const f of check.findings) {
    // Changed subprotocols and extensions are reported above, with both sides' values.
    if (f.rule === 'handshake-unrequested-subprotocol' || f.rule === 'handshake-unrequested-extension') continue;
    findings.push(failure('handshake-invalid', 'server->client', f.message, { rule: f.rule, rfc: 'RFC 6455 §4.1' }));
  }
  return findings;
}

function headerChange(
  check: 'subprotocol-changed' | 'extensions-changed',
  what: string,
  before: string[],
  after: string[],
  dir: 'client->server' | 'server->client',
  shown: (value: string) => string,
): ProbeFinding[] {
  if (before.join(', ') === after.join(', ')) return [];
  const from = quote(shown(before.join(', ')));
  const to = quote(shown(after.join(', ')));
  const message =
    after.length === 0
      ? `${cap(what)} was removed (it was ${from}).`
      : before.length === 0
        ? `${cap(what)} was added: ${to}.`
        : `${cap(what)} ${from} arrived as ${to}.`;
  return [failure(check, dir, message, { rfc: check === 'subprotocol-changed' ? 'RFC 6455 §4.1' : 'RFC 6455 §9.1' })];
}

function tokens(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/**
 * Extensions in a canonical form, so legal rewriting (spacing, case of names, parameter order, quoting)
 * does not count as a change, while any change of meaning does.
 */
export function extensionList(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const parsed = parseExtensions(value);
  if ('error' in parsed) return [value.trim()];
  return parsed.map((ext) => {
    const params = Object.entries(ext.params)
      .map(([k, v]) => (v === true ? k.toLowerCase() : `${k.toLowerCase()}=${v}`))
      .sort();
    return [ext.name.toLowerCase(), ...params].join('; ');
  });
}

function show(value: string | undefined): string {
  return value === undefined ? '(none)' : quote(value);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 79)}…` : text);
}

function cap(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
