/**
 * Subprotocol profiles: negotiated subprotocols whose specification fixes the WebSocket message type.
 *
 * An entry is here only when the specification says so in as many words (a MUST about text or binary
 * frames). Where it does not — the frame type is left open, or only the payload encoding is fixed — the
 * subprotocol is listed in NOT_PROFILED with the reason, and wsdiag checks nothing unless a flag or a
 * config route says what the endpoint accepts. Guessing would turn a working endpoint's traffic into
 * violations.
 */
import type { Direction } from '../events/index.js';
import type { TypePolicy } from './message-type.js';

export interface SubprotocolProfile {
  /** Sec-WebSocket-Protocol values, matched exactly (case-sensitive, as in the handshake). */
  subprotocols: readonly string[];
  /** What the server accepts (checks client->server messages). */
  serverAccepts: 'text' | 'binary';
  /** What the client accepts (checks server->client messages). */
  clientAccepts: 'text' | 'binary';
  /** Short reference used in policy sources: `profile mqtt (MQTT 3.1.1 §6)`. */
  ref: string;
  /** Full reference: document, section and requirement. */
  spec: string;
  /** One line: what the specification requires. */
  note: string;
}

export interface UnprofiledSubprotocol {
  subprotocols: readonly string[];
  /** Where we looked. */
  spec: string;
  /** Why wsdiag does not infer a message type. */
  reason: string;
}

export const SUBPROTOCOL_PROFILES: readonly SubprotocolProfile[] = [
  {
    subprotocols: ['mqtt'],
    serverAccepts: 'binary',
    clientAccepts: 'binary',
    ref: 'MQTT 3.1.1 §6',
    spec: 'OASIS MQTT 3.1.1 §6 and MQTT 5.0 §6, [MQTT-6.0.0-1]',
    note: 'MQTT Control Packets MUST be sent in binary data frames; a receiver of any other data frame MUST close the connection.',
  },
  {
    subprotocols: ['mqttv3.1'],
    serverAccepts: 'binary',
    clientAccepts: 'binary',
    ref: 'Eclipse Paho MQTT-over-WebSocket note',
    spec: 'Eclipse Paho "Paho Websockets" interoperability note (OASIS issue MQTT-1), the pre-standard binding for MQTT 3.1',
    note: 'The pre-standard name for MQTT over WebSocket: "must use websocket binary frames"; MQTT 3.1.1 §6 later standardised it as "mqtt".',
  },
  {
    subprotocols: ['xmpp'],
    serverAccepts: 'text',
    clientAccepts: 'text',
    ref: 'RFC 7395 §3.2',
    spec: 'RFC 7395 §3.2 (WebSocket Messages)',
    note: 'Data frame messages in the XMPP subprotocol MUST be of the text type and contain UTF-8 encoded XML.',
  },
  {
    subprotocols: ['wamp.2.json'],
    serverAccepts: 'text',
    clientAccepts: 'text',
    ref: 'WAMP Basic Profile, WebSocket Transport',
    spec: 'The WAMP Protocol, Basic Profile, Building Blocks › Transports › WebSocket Transport',
    note: 'With wamp.2.json all WebSocket messages MUST be of type text (UTF-8 JSON).',
  },
  {
    subprotocols: ['wamp.2.msgpack'],
    serverAccepts: 'binary',
    clientAccepts: 'binary',
    ref: 'WAMP Basic Profile, WebSocket Transport',
    spec: 'The WAMP Protocol, Basic Profile, Building Blocks › Transports › WebSocket Transport',
    note: 'With wamp.2.msgpack all WebSocket messages MUST be of type binary (MessagePack).',
  },
  {
    subprotocols: ['wamp.2.cbor'],
    serverAccepts: 'binary',
    clientAccepts: 'binary',
    ref: 'WAMP Basic Profile, WebSocket Transport',
    spec: 'The WAMP Protocol, Basic Profile, Building Blocks › Transports › WebSocket Transport',
    note: 'With wamp.2.cbor all WebSocket messages MUST be of type binary (CBOR).',
  },
];

export const NOT_PROFILED: readonly UnprofiledSubprotocol[] = [
  {
    subprotocols: ['wamp.2.json.batched', 'wamp.2.msgpack.batched'],
    spec: 'The WAMP Protocol, Advanced Profile, Message Batching',
    reason: 'The batching section defines the separators inside one WebSocket message but not whether that message is text or binary.',
  },
  {
    subprotocols: ['ocpp1.2', 'ocpp1.5', 'ocpp1.6', 'ocpp2.0', 'ocpp2.0.1', 'ocpp2.1'],
    spec: 'OCPP-J 1.6 §4 and OCPP 2.0.1/2.1 Part 4 §4.1.2 (Message validity and character encoding)',
    reason:
      'OCPP-J requires every message to be UTF-8 encoded JSON but never names the WebSocket frame type; servers differ on binary frames.',
  },
  {
    subprotocols: ['graphql-transport-ws', 'graphql-ws'],
    spec: 'GraphQL over WebSocket Protocol (graphql-ws PROTOCOL.md, Communication); subscriptions-transport-ws PROTOCOL.md',
    reason: 'Messages are JSON "stringified before being sent"; the frame type is not specified and the reference server accepts both.',
  },
  {
    subprotocols: ['v10.stomp', 'v11.stomp', 'v12.stomp'],
    spec: 'STOMP 1.2 (the IANA registration points to it); it defines no WebSocket binding',
    reason:
      'Both allowed: STOMP frames are text-oriented but bodies may be binary (content-length), and brokers accept text and binary frames.',
  },
];

const BY_NAME = new Map<string, SubprotocolProfile>();
for (const profile of SUBPROTOCOL_PROFILES) for (const name of profile.subprotocols) BY_NAME.set(name, profile);

/** The profile of a negotiated subprotocol, or null (none negotiated, unknown, or not profiled). */
export function findProfile(subprotocol: string | null | undefined): SubprotocolProfile | null {
  return subprotocol ? (BY_NAME.get(subprotocol) ?? null) : null;
}

/** The policy a profile sets for one direction, with its source (`profile mqtt (MQTT 3.1.1 §6)`). */
export function profilePolicy(profile: SubprotocolProfile, subprotocol: string, dir: Direction): TypePolicy {
  return {
    accepts: dir === 'client->server' ? profile.serverAccepts : profile.clientAccepts,
    source: `profile ${subprotocol} (${profile.ref})`,
  };
}

/**
 * The table in the shape `wsdiag explain 1003` renders (src/explain/types.ts SubprotocolProfile): one row
 * per subprotocol name. Every profile so far uses one type in both directions, which is what that shape
 * can express; the test suite keeps it that way.
 */
export function explainProfileRows(): Array<{ subprotocol: string; messageType: 'text' | 'binary' }> {
  return SUBPROTOCOL_PROFILES.flatMap((profile) =>
    profile.subprotocols.map((subprotocol) => ({ subprotocol, messageType: profile.serverAccepts })),
  );
}
