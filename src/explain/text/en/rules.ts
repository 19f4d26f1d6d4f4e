/**
 * English text for every wsdiag rule, beyond the one-line summary and the hint that RULES already carries
 * (src/rules/table.ts): what the rule means in plain words and where the offending bytes usually come from.
 */
import type { RuleId } from '../../../rules/index.js';
import type { RuleText } from '../types.js';

export const RULES_EN: Record<RuleId, RuleText> = {
  'reserved-opcode': {
    meaning:
      'A frame uses an opcode RFC 6455 keeps for the future (0x3–0x7 for data frames, 0xB–0xF for control frames). No extension in common use defines them, so the receiver has no way to read the frame.',
    whenSeen:
      'Almost always a symptom, not an intention: the stream lost frame alignment (a wrong length earlier makes payload bytes look like a header), a proxy corrupted the bytes, or something that is not WebSocket at all (an HTTP response, TLS records) is being read as frames.',
    resolve: ['Look at the frame just before this one (wsdiag --frames): a wrong length there usually explains the garbage here.'],
    typicalCause: 'a corrupt header or lost frame alignment',
  },
  'reserved-bits': {
    meaning:
      'A frame has RSV1, RSV2 or RSV3 set although no extension negotiated in the handshake gives that bit a meaning. Under permessage-deflate, RSV1 marks the first frame of a compressed message, so it is also wrong on continuation and control frames.',
    whenSeen:
      "The classic case is compression: a proxy or load balancer negotiates permessage-deflate with one side but not with the other, or a server compresses although the client never offered it, and RSV1 arrives unannounced. Node's ws says 'RSV1 must be clear'; Chrome complains about reserved bits in the console.",
    resolve: [
      "Compare the Sec-WebSocket-Extensions headers on both sides of every proxy; wsdiag's open event shows the value that was accepted.",
    ],
    typicalCause: 'the compression bit without negotiated permessage-deflate',
  },
  'unmasked-client-frame': {
    meaning:
      'Every frame a client sends must be masked with a 4-byte key; this one has the MASK bit clear. Masking exists so that a hostile page cannot make a browser emit bytes that confuse caches and proxies on the way.',
    whenSeen:
      'Hand-written clients, embedded devices and test tools that build frames themselves, or server framing code reused in a client. Browsers always mask, so a browser is never the direct source; a proxy that unmasks traffic may be.',
    resolve: [],
    typicalCause: 'a client that does not mask its frames',
  },
  'masked-server-frame': {
    meaning:
      'A frame from the server has the MASK bit set. Servers must never mask, and a client must fail the connection when it sees a masked frame.',
    whenSeen:
      'A server that reuses client framing code, a "server" built on a client library, or a proxy that re-frames server traffic with client settings. Browsers fail the connection and the page only sees 1006.',
    resolve: [],
    typicalCause: 'a server using client-side framing',
  },
  'control-frame-fragmented': {
    meaning:
      'A Close, Ping or Pong frame has FIN clear, so it claims to be fragmented. Control frames must fit in a single frame; only data messages may be split.',
    whenSeen:
      'A frame encoder that applies the same fragmentation logic to every frame, or that sets FIN only from a "last chunk" flag that control frames never get.',
    resolve: [],
    typicalCause: 'a fragmented ping, pong or close',
  },
  'control-frame-too-long': {
    meaning:
      'A Close, Ping or Pong frame carries more than 125 bytes. Control frames are kept small so they can slip in between the fragments of a large message.',
    whenSeen:
      "A ping used to carry data, or a Close reason longer than 123 bytes (the code takes 2 of the 125). Node's ws throws when you try to send one; other stacks send it and the peer fails the connection.",
    resolve: [],
    typicalCause: 'a long close reason or ping payload',
  },
  'non-minimal-length': {
    meaning:
      'The payload length is written in a bigger form than needed: the 16-bit form for a length under 126, or the 64-bit form for a length under 65536. RFC 6455 requires the shortest form.',
    whenSeen:
      'Custom encoders that always use the 16-bit or 64-bit form. Lenient receivers accept it and strict ones (browsers among them) fail the connection, so the same client works with one server and breaks with another.',
    resolve: [],
    typicalCause: 'an encoder that does not use the shortest length form',
  },
  'length-msb-set': {
    meaning:
      'A 64-bit payload length has its most significant bit set, which RFC 6455 forbids. No real frame is that long, so the header is corrupt; wsdiag stops decoding that direction because frame boundaries can no longer be found.',
    whenSeen:
      'Reading out of step after an earlier wrong length, random or encrypted bytes read as WebSocket, or a sign error when writing the length.',
    resolve: [],
    typicalCause: 'a corrupt or misaligned header',
  },
  'unexpected-continuation': {
    meaning:
      'A continuation frame (opcode 0x0) arrived while no fragmented message was in progress. A continuation only makes sense after a text or binary frame with FIN clear.',
    whenSeen:
      'An encoder that marks the first fragment as a continuation, two threads writing to one socket without a lock, or a first fragment lost in a proxy.',
    resolve: [],
    typicalCause: 'a fragment with no message to continue',
  },
  'expected-continuation': {
    meaning:
      'A new text or binary frame started while the previous fragmented message was unfinished (its last fragment, with FIN set, had not arrived). The fragments of one message must follow each other, with only control frames in between.',
    whenSeen:
      'Concurrent writers on one socket (two async tasks sending at once through a library that fragments), or a streaming API whose final fragment was never sent.',
    resolve: [],
    typicalCause: 'interleaved or unfinished fragmented messages',
  },
  'invalid-close-payload': {
    meaning:
      'A Close frame carries exactly one byte. The body must be empty or start with a 2-byte status code (optionally followed by a UTF-8 reason), so one byte cannot be read.',
    whenSeen: 'Code that writes the close code as a single byte, or that truncates the body while building the frame.',
    resolve: [],
    typicalCause: 'a one-byte Close body',
  },
  'invalid-close-code': {
    meaning:
      'A Close frame carries a status code that may not appear on the wire: below 1000, 1004, 1005, 1006, 1015, 1016–2999, or 5000 and above. 1012–1014 and 3000–4999 are valid.',
    whenSeen:
      "Code that forwards a locally reported code (1005 or 1006) as if it had been received, such as a proxy passing one side's close code to the other; an HTTP status used as a close code. An outdated library may also wrongly reject the valid 1012–1014.",
    resolve: ['Run wsdiag explain with the code you saw to learn what it is reserved for.'],
    typicalCause: 'a locally reported or reserved code sent on the wire',
  },
  'frame-after-close': {
    meaning:
      'A side sent a data frame after its own Close frame. Once an endpoint has sent Close it must not send data; the peer may drop or refuse whatever follows.',
    whenSeen:
      'Application code that keeps writing after close() (a timer or a queued send), or a library that flushes its send queue after the Close.',
    resolve: [],
    typicalCause: 'data written after close()',
  },
  'invalid-utf8-text': {
    meaning:
      'A text message (opcode 0x1) contains bytes that are not valid UTF-8. wsdiag reports it at the first frame where the bytes are certainly invalid: a character split across two fragments of one message is allowed.',
    whenSeen:
      "Binary data sent with the text opcode, strings in another encoding (Latin-1, Windows-1252), strings cut in the middle of a character, or a proxy that re-encodes text. Browsers and Node's ws close with 1007.",
    resolve: [],
    typicalCause: 'bytes that are not UTF-8 in a text message',
  },
  'invalid-utf8-close-reason': {
    meaning: 'The reason text after the close code is not valid UTF-8.',
    whenSeen:
      'A reason cut at 123 bytes in the middle of a multi-byte character (accented letters, non-Latin scripts, emoji), or a reason in a legacy encoding.',
    resolve: [],
    typicalCause: 'a close reason that is not UTF-8',
  },
  'invalid-compressed-data': {
    meaning:
      'A message marked as compressed (RSV1 under permessage-deflate) does not inflate: the DEFLATE data is corrupt or does not match the negotiated parameters (context takeover, window bits).',
    whenSeen:
      'A peer that ignores client_no_context_takeover or server_max_window_bits after agreeing to them, a proxy that changes payloads or strips the extension on one side only, or a compressor reset between messages that the other side does not expect.',
    resolve: [],
    typicalCause: 'compressed data that does not inflate',
  },
  'message-too-big': {
    meaning:
      "A message's application data, counted over all its fragments and after decompression, exceeds the limit given with --max-message. The limit stands in for the receiver's own, so you see the problem before the receiver closes with 1009.",
    whenSeen:
      "Large snapshots or files sent as one message, compressed messages that expand a lot, or a --max-message lower than the real receiver's limit.",
    resolve: [],
    typicalCause: 'a message larger than --max-message',
  },
  'unsupported-text': {
    meaning: 'A text message was sent to an endpoint that accepts only binary messages, so the receiver would close with 1003.',
    whenSeen:
      'JSON or strings sent to a binary protocol endpoint (MQTT, wamp.2.msgpack), or a client library that turns everything into text.',
    resolve: [],
    typicalCause: 'text sent to a binary-only endpoint',
  },
  'unsupported-binary': {
    meaning: 'A binary message was sent to an endpoint that accepts only text messages, so the receiver would close with 1003.',
    whenSeen:
      'A Buffer, Blob or ArrayBuffer sent where the endpoint expects JSON text (GraphQL over WebSocket, OCPP-J, XMPP), often because a serializer returned bytes instead of a string.',
    resolve: [],
    typicalCause: 'binary sent to a text-only endpoint',
  },
  'handshake-invalid-request': {
    meaning:
      'The HTTP upgrade request is not a valid WebSocket opening handshake: it is not a GET, or "Upgrade: websocket", "Connection: Upgrade", a valid Sec-WebSocket-Key or "Sec-WebSocket-Version: 13" is missing or wrong.',
    whenSeen:
      'Most often a reverse proxy that drops the hop-by-hop Upgrade and Connection headers (nginx without proxy_set_header for both), or a hand-written client. Servers usually answer 400 or 426, and browsers show 1006.',
    resolve: [],
    typicalCause: 'a malformed upgrade request',
  },
  'handshake-bad-accept': {
    meaning:
      "The server answered 101, but its Sec-WebSocket-Accept is not the value derived from the client's Sec-WebSocket-Key, so the client must refuse the connection.",
    whenSeen:
      'A proxy that rewrites or regenerates Sec-WebSocket-Key, a server that hashes the key with stray whitespace or the wrong GUID, or a cached response replayed for another request.',
    resolve: [],
    typicalCause: 'a wrong Sec-WebSocket-Accept',
  },
  'handshake-unrequested-subprotocol': {
    meaning: "The server's Sec-WebSocket-Protocol names a subprotocol the client did not offer. A client must fail such a connection.",
    whenSeen:
      "Servers that always answer with their preferred subprotocol, or a proxy that strips the client's offer. Browsers fail the connection and the page sees 1006.",
    resolve: [],
    typicalCause: 'the server chose a subprotocol nobody offered',
  },
  'handshake-unrequested-extension': {
    meaning: 'The server accepted, in Sec-WebSocket-Extensions, an extension or an extension parameter that the client did not offer.',
    whenSeen:
      "Servers that force permessage-deflate, or a proxy that removes the client's extension offer but passes the server's answer through, so the two sides disagree about compression from the first frame.",
    resolve: [],
    typicalCause: 'the server accepted an extension nobody offered',
  },
  'truncated-frame': {
    meaning:
      'The connection ended (a FIN, a reset) in the middle of a frame, or even of its header: its header declared more payload than arrived. No Close frame can follow a cut frame, so both endpoints report 1006 (abnormal closure), and the receiver never gets the message the frame belonged to. wsdiag names the frame, how much of it arrived, and who ended the connection and how; the warning blames the side that ended the connection (the recording, for `wsdiag analyze`, cannot tell who did).',
    whenSeen:
      'A process that crashed or was killed while writing a large message; a proxy or load balancer that cuts connections at a size or idle limit; a client that calls socket.destroy() or exits instead of close(); a capture that stopped before the stream did (with `wsdiag analyze`, where it is harmless).',
    resolve: [
      'Look at who ended the connection and how (the `close` event says too): a reset from a server usually means a crash or a limit in a proxy in front of it.',
      'End connections with the closing handshake: send a Close, wait for the answer, then close the socket.',
    ],
    typicalCause: 'a connection cut in the middle of a frame',
  },
  'ping-unanswered': {
    meaning:
      'A Ping got no Pong in answer within --pong-timeout (30 s unless set), or was still unanswered when the connection ended. RFC 6455 §5.5.2 requires an endpoint to answer a Ping with a Pong "as soon as is practical"; §5.5.3 allows answering only the most recent Ping, so any Pong answers all earlier ones, and a Pong nobody asked for is a valid heartbeat. The warning travels with the Ping (its direction is the Ping\'s) but blames the side that owed the Pong. Pings sent once a Close is on its way are not awaited.',
    whenSeen:
      "Keepalives that time out: python-websockets closes with 1011 'keepalive ping timeout', other stacks just drop the connection (1006). Typical causes: a client whose event loop is blocked (a long computation, a paused debugger, a browser tab in the background), a hand-written endpoint that ignores control frames, or a proxy that drops pongs. wsdiag links the pinging side's keepalive Close (or the 1006 ending) to the unanswered Ping.",
    resolve: [
      "Check whether the Pong was sent at all (the endpoint's own logs) or lost on the way (wsdiag probe checks a proxy for lost pongs).",
    ],
    typicalCause: 'a Ping that was never answered (a keepalive timeout)',
  },
};
