/**
 * English text for every close code and range, written for a developer looking at a connection that
 * just closed: what the code means, where it usually comes from, what to do about it.
 */
import type { CodeKey } from '../../codes.js';
import type { CodeText } from '../types.js';

export const CODES_EN: Record<CodeKey, CodeText> = {
  1000: {
    name: 'Normal Closure',
    meaning: 'The endpoint closed on purpose and nothing went wrong: whatever the connection was opened for is done.',
    whenSeen:
      'After code calls close(1000): a page that closes its socket when a view goes away, a server that ends a finished job or logs a user out, ws.close(1000) in Node. Browsers let scripts send only 1000 and 3000–4999, so 1000 is what a page sends when it closes deliberately with a code.',
    resolve: [
      'Nothing to fix. If you did not expect the connection to end, find the code path that calls close(1000): a logout, a component being unmounted, a server ending an idle session on purpose.',
      'If the close should tell the other side more, send an application code from 4000–4999 with a reason instead.',
    ],
    typicalCause: 'a deliberate, successful close',
    useWhen: 'Send 1000 when the conversation is finished and nothing went wrong.',
  },
  1001: {
    name: 'Going Away',
    meaning:
      'The endpoint is leaving: a server is shutting down, or a browser page is being closed or navigated away from. It says nothing bad about the data that was exchanged.',
    whenSeen:
      'Browsers send 1001 themselves when the page that owns the socket is unloaded (navigation, reload, closed tab). Servers send it during a graceful shutdown or redeploy, often on SIGTERM. wsdiag --enforce also sends 1001 to the innocent side when it cuts a connection because the other side broke a rule.',
    resolve: [
      'From a browser: expected on navigation; make sure the server does not log it as a failure.',
      'From a server: reconnect after a randomised delay, so that thousands of clients do not all come back at the same instant after a deploy.',
      'If a server sends 1001 while it is not shutting down, check whether a load balancer is draining that instance.',
    ],
    typicalCause: 'a page unload or a server shutdown',
    useWhen: 'Send 1001 when this endpoint itself is going away (shutdown, navigation), not because of anything the peer did.',
  },
  1002: {
    name: 'Protocol Error',
    meaning:
      'The endpoint received bytes that break the framing rules of RFC 6455: a reserved opcode or RSV bit, a wrong mask bit, a fragmented or oversized control frame, a broken fragment sequence, a bad Close body, or a handshake that does not check out. The stream can no longer be trusted, so the connection is closed.',
    whenSeen:
      "Node's ws reports it with messages such as 'Invalid WebSocket frame: RSV1 must be clear' or 'MASK must be set'. Browsers fail the connection and print the reason in the console, but the page's close event usually shows 1006, not 1002. Frequent culprits: a hand-written frame encoder; a proxy or load balancer that negotiates permessage-deflate differently with each side, so RSV1 arrives where no compression was agreed; a byte stream that lost alignment after a bad length; a server that masks its frames.",
    resolve: [
      'Put wsdiag in the path: each violation names the rule (reserved-bits, unmasked-client-frame, …), the direction and the frame offset, so you know which side wrote which bad frame.',
      'Blame "client" or "server" means that side, or a proxy between it and wsdiag, wrote the bad bytes: fix that encoder or that proxy, not the receiver that complained.',
      'Prefer a maintained WebSocket library to hand-built frames.',
    ],
    typicalCause: 'malformed framing or a failed handshake check',
    useWhen: 'Send 1002 when the bytes themselves break RFC 6455 and you cannot go on reading the stream.',
  },
  1003: {
    name: 'Unsupported Data',
    meaning:
      'The message was well formed, but its data type is one the endpoint does not accept: a text message to an endpoint that only handles binary, or a binary message to one that only handles text. The framing is fine; the choice of message type is not.',
    whenSeen:
      "Spring's BinaryWebSocketHandler closes with 1003 when it receives text, and TextWebSocketHandler when it receives binary. Endpoints that speak a subprotocol with a fixed message type do the same (MQTT and wamp.2.msgpack are binary; XMPP and wamp.2.json are text). Typical trigger: a client that sends a JSON string where the server expects bytes, or a Buffer where it expects a string (Node's ws sends a Buffer as binary and a string as text unless you pass { binary }).",
    resolve: [
      'Check which message type the endpoint and its subprotocol expect (the README has a table of common subprotocols: MQTT binary, XMPP text, wamp.2.json text, wamp.2.msgpack binary; OCPP-J and GraphQL over WebSocket carry JSON but their specifications do not fix the frame type) and send that type: opcode 0x1 for text, 0x2 for binary.',
      'In a browser, send a string for text and an ArrayBuffer, Blob or typed array for binary.',
      'When wsdiag knows which type the endpoint accepts, it reports unsupported-text or unsupported-binary on the exact message.',
    ],
    typicalCause: 'text sent where binary is expected, or the reverse',
    useWhen: 'Send 1003 when a well-formed message has a data type (text or binary) this endpoint does not handle.',
  },
  1004: {
    name: 'Reserved',
    meaning:
      'Reserved by RFC 6455 with no meaning assigned. No endpoint may send it; a receiver treats a Close carrying it as a protocol error.',
    whenSeen:
      "Almost only from code that picked a close code by hand, for example by counting up from 1000. Node's ws throws if you call close(1004), and browsers refuse it in close() with an InvalidAccessError.",
    resolve: [
      'Pick a real code: 1000 for a normal end, 1008 for a policy refusal, or a code from 4000–4999 for your own meaning.',
      'wsdiag reports a 1004 on the wire as invalid-close-code.',
    ],
    typicalCause: 'a close code chosen by hand',
    useWhen: 'Never send 1004.',
  },
  1005: {
    name: 'No Status Received',
    meaning:
      "Not a code anyone sends. Your API reports 1005 when the peer's Close frame had an empty body, so there was no status code to pass on. It must never appear inside a Close frame.",
    whenSeen:
      "A browser's close event shows 1005 when the server closed without a code; a server sees 1005 when a page calls ws.close() with no arguments, because the browser then sends an empty Close frame. Node's ws does the same for close() without a code.",
    resolve: [
      'Usually harmless: the peer closed cleanly without saying why. If you want a reason, have the peer send close(1000) or an application code.',
      'If a Close frame on the wire really contains 1005, its sender is broken: wsdiag reports that as invalid-close-code.',
    ],
    typicalCause: 'a Close frame without a status code',
    useWhen: "Never send 1005: send a Close with no body (or 1000) and the receiver's API will report 1005 by itself.",
  },
  1006: {
    name: 'Abnormal Closure',
    meaning:
      'Never sent either. Your API reports 1006 when the connection ended without a closing handshake: the TCP connection dropped or was reset before any Close frame arrived. It tells you the line was cut, not who cut it or why.',
    whenSeen:
      "The most common code in browser consoles. Typical causes: a reverse proxy or load balancer idle timeout on a quiet connection (nginx's proxy_read_timeout is 60 s by default, cloud load balancers have similar limits); an nginx location without proxy_http_version 1.1 and the Upgrade/Connection headers, so the handshake never completes; a server process that crashed or was killed; a laptop going to sleep or a phone changing networks; a TLS certificate problem. Browsers also show 1006 when they themselves failed the connection over a protocol error, because they do not tell the page why.",
    resolve: [
      "Put wsdiag between the two sides: its close event then says who ended the TCP connection and how (fin or reset) without a closing handshake, and names the frame cut short (truncated-frame) or the ping left unanswered (ping-unanswered) when there is one; look at what sits in the path and at that side's logs for that moment.",
      'If connections die after a fixed idle time, send pings or application heartbeats more often than the shortest idle timeout in the path, or raise that timeout.',
      'If it fails at once, check the handshake: status 101, the Upgrade and Connection headers through every proxy, and the TLS certificate.',
      'Reconnect with exponential back-off and jitter: even healthy networks produce an occasional 1006.',
    ],
    typicalCause: 'the TCP connection ended without a Close frame',
    useWhen: 'Never send 1006: your API reports it when the connection died without a closing handshake.',
  },
  1007: {
    name: 'Invalid Frame Payload Data',
    meaning:
      'The message type was acceptable, but the data inside is inconsistent with it. In practice: a text message whose bytes are not valid UTF-8. It is also the answer to a Close reason that is not UTF-8 and to a permessage-deflate payload that does not inflate.',
    whenSeen:
      "Browsers and Node's ws check every text message and fail the connection on invalid UTF-8 (ws closes with 1007 'invalid UTF-8 sequence'). Typical causes: binary data (protobuf, gzip, an image) sent in a text frame; a string encoded as Latin-1 or Windows-1252 instead of UTF-8; a string cut in the middle of a multi-byte character, such as a close reason truncated at 123 bytes; a proxy that rewrites compressed payloads.",
    resolve: [
      'If the data is not text, send it as binary (opcode 0x2).',
      'Encode strings as UTF-8 and cut them only between characters.',
      "wsdiag's invalid-utf8-text violation points at the first frame where the bytes stop being UTF-8, with a preview of them.",
    ],
    typicalCause: 'a text message that is not valid UTF-8',
    useWhen: 'Send 1007 when the message type is acceptable but the data inside does not match that type.',
  },
  1008: {
    name: 'Policy Violation',
    meaning:
      "The endpoint refuses what it received because it breaks one of the endpoint's own rules. It is the catch-all refusal for anything that is neither a data type problem (1003) nor a size problem (1009), and a way to refuse without giving details.",
    whenSeen:
      'Servers use it for failed authentication or an expired token after the handshake, a disallowed Origin, rate limits, messages that fail validation, or a client that broke the application protocol (for example, a subscription before the init message). The Close reason usually carries the real cause.',
    resolve: [
      'Read the Close reason and the server logs: 1008 means the application decided, so the explanation is in the application.',
      'Check credentials, token lifetime, the Origin header and per-connection rate limits.',
      'If you own the server and the cause is specific, prefer a documented code from 4000–4999 that clients can react to.',
    ],
    typicalCause: 'the application refused the message (auth, rate limit, validation)',
    useWhen: 'Send 1008 to refuse a message under your own policy when neither 1003 nor 1009 fits, or when you do not want to reveal why.',
  },
  1009: {
    name: 'Message Too Big',
    meaning:
      'The message is larger than the receiver is willing to handle. The size is that of the whole message (all its fragments, after decompression with permessage-deflate), not of one frame.',
    whenSeen:
      "Every stack has a limit: Node's ws maxPayload (100 MiB by default), Python websockets max_size (1 MiB by default), Tomcat's text and binary buffers (8 KiB by default, inherited by Spring applications that do not set them), Jetty's maximum message sizes. A large JSON snapshot, a file sent as one message, or a compressed message that inflates far beyond its wire size triggers it.",
    resolve: [
      'Send the data in smaller messages (chunks with a sequence number), or fetch large payloads over HTTP and send only a reference on the socket.',
      "If the size is intended, raise the receiver's limit (and wsdiag's --max-message) to just above the largest message you expect, not to unlimited.",
      'Compression hides the real size: the limit applies to the inflated message.',
    ],
    typicalCause: "a message over the receiver's size limit",
    useWhen: 'Send 1009 when the message is well formed and of an accepted type but too large for you to process.',
  },
  1010: {
    name: 'Mandatory Extension',
    meaning:
      "Sent by a client that needs an extension (permessage-deflate, for example) which the server did not accept in its handshake response; the Close reason should list the missing extensions. Servers never send it: a server that cannot meet the client's terms fails the handshake instead.",
    whenSeen:
      'Rare. Custom or embedded clients that insist on compression, or a proxy that strips Sec-WebSocket-Extensions from the request or the response. Browsers do not send it.',
    resolve: [
      "Compare the Sec-WebSocket-Extensions the client offered with what the 101 response accepted (wsdiag's open event shows the accepted value).",
      'Enable the extension on the server, stop requiring it on the client, or fix the proxy that drops the header.',
    ],
    typicalCause: 'the server did not accept an extension the client requires',
    useWhen: "Send 1010, as a client only, when the server's handshake left out an extension you cannot work without.",
  },
  1011: {
    name: 'Internal Error',
    meaning:
      "The endpoint that sent it hit an unexpected condition of its own (typically an unhandled exception) and cannot go on. It does not say the peer's bytes were wrong. RFC 6455 describes it for servers; clients send it too.",
    whenSeen:
      'Server frameworks send it when a message handler throws (Spring closes with 1011, its CloseStatus.SERVER_ERROR). Python websockets closes with 1011 when a keepalive ping gets no pong in time. A failing dependency behind the socket (database, upstream API) often surfaces as 1011.',
    resolve: [
      'Read the logs of the side that sent it, at the time of the close: there is usually a stack trace.',
      "For 'keepalive ping timeout', the peer did not answer pings in time: look for a blocked event loop, a slow network or a proxy that swallows pings. wsdiag links such a Close to the ping it saw go unanswered (ping-unanswered).",
      'Clients should reconnect with back-off; a 1011 after one particular message points at a server bug that message triggers.',
    ],
    typicalCause: 'an unhandled error inside the endpoint',
    useWhen: 'Send 1011 when your own code failed unexpectedly and the peer did nothing wrong.',
  },
  1012: {
    name: 'Service Restart',
    meaning:
      'The server is restarting and closes the connection on purpose; it expects the client to come back. A valid code, registered with IANA after RFC 6455, and not an error.',
    whenSeen:
      'During deploys and rolling restarts of servers that close their sockets gracefully, and from hosted WebSocket services that move connections between nodes.',
    resolve: [
      'Reconnect automatically after a short, randomised delay (say 1–5 s with jitter) so that clients do not all return at once.',
      'Restore state after reconnecting: subscriptions, the last message id seen.',
    ],
    typicalCause: 'the server is restarting',
    useWhen: 'Send 1012, as a server, when you are restarting and the client should reconnect shortly.',
  },
  1013: {
    name: 'Try Again Later',
    meaning:
      'The server cannot serve this connection right now (overloaded, at its connection limit, a dependency down) and asks the client to come back later. A valid IANA-registered code.',
    whenSeen:
      'Servers that shed load or cap connections per node, and gateways protecting a busy backend. Often followed by a storm of reconnects when clients retry without waiting.',
    resolve: [
      'Reconnect with exponential back-off and jitter; never retry in a tight loop.',
      'On the server, check capacity and connection limits; the Close reason may name the limit that was hit.',
    ],
    typicalCause: 'the server is overloaded or at a limit',
    useWhen: 'Send 1013, as a server, when the refusal is temporary and the client should retry later with back-off.',
  },
  1014: {
    name: 'Bad Gateway',
    meaning:
      'The endpoint is a gateway or proxy and received an invalid response from the server behind it, much like HTTP 502. A valid IANA-registered code.',
    whenSeen:
      'Gateways and API proxies that terminate the WebSocket and open their own connection to a backend, when that backend connection fails or answers with something unusable.',
    resolve: [
      "The fault is behind the gateway: check the upstream service and the gateway's logs about its connection to it.",
      'Run wsdiag between the gateway and the upstream to see what the upstream really sends.',
    ],
    typicalCause: 'the server behind a gateway answered badly',
    useWhen: 'Send 1014 from a gateway when the upstream it relies on gave an invalid response.',
  },
  1015: {
    name: 'TLS Handshake Failure',
    meaning:
      'Never sent. Your API reports 1015 when a wss:// connection failed because the TLS handshake failed, for instance when the server certificate cannot be verified. Without TLS no Close frame can be exchanged at all.',
    whenSeen:
      'Some non-browser client libraries report it. Browsers hide TLS details from the page and show 1006 instead, with the certificate error only in the console. Causes: an expired or self-signed certificate, a host name mismatch, a missing intermediate certificate, a proxy that intercepts TLS, or no common TLS version or cipher.',
    resolve: [
      'Check the certificate chain and host name with a TLS tool, e.g. openssl s_client -connect HOST:443 -servername HOST.',
      'If a corporate proxy intercepts TLS, install its CA on the client or bypass the proxy for this host.',
      'If a Close frame on the wire contains 1015, its sender is broken: wsdiag reports that as invalid-close-code.',
    ],
    typicalCause: 'the TLS handshake failed',
    useWhen: 'Never send 1015: it is reported locally when TLS fails.',
  },
  'below-1000': {
    name: 'Unused (0–999)',
    meaning: 'The WebSocket protocol uses no close code below 1000. A Close frame carrying one is invalid.',
    whenSeen:
      "Code that passed something else as the close code: an HTTP status such as 404 or 500, a process exit status, or 0 by accident. Node's ws and browsers refuse such codes in close().",
    resolve: [
      'Map the condition to a real code: 1008 or 1011, or an application code from 4000–4999 (4000 + the HTTP status, e.g. 4404, is a common convention).',
      'wsdiag reports a code below 1000 on the wire as invalid-close-code.',
    ],
    typicalCause: 'an HTTP status or exit code used as a close code',
    useWhen: 'Never send a code below 1000.',
  },
  'reserved-1016-2999': {
    name: 'Reserved (1016–2999)',
    meaning: 'Kept for future WebSocket standards and extensions. No code in this range is assigned today, so none may be sent.',
    whenSeen:
      'A library that invented its own code in this range, or a typo (2000 for 1000). Receivers that follow RFC 6455 treat it as a protocol error.',
    resolve: [
      'Use a code from 4000–4999 for an application meaning, or from 3000–3999 if your library has registered one.',
      'wsdiag reports it on the wire as invalid-close-code.',
    ],
    typicalCause: 'a made-up code in the reserved range',
    useWhen: 'Never send a code from 1016 to 2999.',
  },
  'registered-3000-3999': {
    name: 'Registered for libraries and frameworks (3000–3999)',
    meaning:
      'Codes for libraries, frameworks and applications, registered first come, first served with IANA so that their meaning is public. Valid on the wire; what one means comes from its registration, not from RFC 6455. Registered examples include 3000 (Unauthorized), 3003 (Forbidden) and 3008 (Timeout).',
    whenSeen: 'Frameworks and hosted services that want a code anyone can look up. Browsers let scripts send any code in this range.',
    resolve: [
      'Look up the exact number in the IANA WebSocket Close Code Number Registry and in the documentation of the library on the other side.',
      'The Close reason usually says more; wsdiag shows it in the peer-close event.',
    ],
    typicalCause: 'a reason defined by a library or framework',
    useWhen: 'Send a code from 3000–3999 when one is registered for the meaning you need, typically from a library many applications use.',
  },
  'private-4000-4999': {
    name: 'Private use (4000–4999)',
    meaning:
      "Codes for applications, with no registration: client and server agree on their meaning between themselves. Valid on the wire, but only the application's documentation says what a given number means.",
    whenSeen:
      'Application protocols define their own: graphql-ws (GraphQL over WebSocket) uses 4400 bad request, 4401 unauthorized, 4403 forbidden, 4408 connection-init timeout, 4409 duplicate subscription id and 4429 too many init requests; many applications mirror HTTP statuses as 4000 + status. Browsers let scripts send any code in this range.',
    resolve: [
      "Find the application's or subprotocol's list of close codes; the Close reason often explains the code.",
      'If you define such codes, document them and keep them stable, like an API.',
    ],
    typicalCause: 'a reason defined by the application',
    useWhen: 'Send a code from 4000–4999 for a reason specific to your application that the other side must be able to act on.',
  },
  'above-4999': {
    name: 'Invalid (5000 and above)',
    meaning:
      'No close code exists above 4999. A Close frame carrying one is invalid, even though the 2-byte field can hold values up to 65535.',
    whenSeen:
      'An arithmetic slip (an offset added twice), a byte-order mix-up in hand-written code (1000 written little-endian reads as 59395), or a misaligned Close body.',
    resolve: [
      'Write the code as an unsigned 16-bit big-endian number and keep it within 1000–4999.',
      'wsdiag reports it on the wire as invalid-close-code.',
    ],
    typicalCause: 'a corrupted or miscalculated code',
    useWhen: 'Never send a code of 5000 or more.',
  },
};
