/**
 * English written comparisons for the pairs people confuse most. Pairs not listed here get differences
 * generated from the data (code, sender, typical cause) by ../../compare.ts.
 */
import type { PairEntry } from '../types.js';

export const PAIRS_EN: PairEntry[] = [
  [
    '1002',
    '1003',
    {
      differences: [
        '1002 is about the frame: the bytes break RFC 6455 and the stream can no longer be parsed safely. 1003 is about the content: the frame was fine, but it carried text where binary was expected, or the reverse.',
        '1002 usually comes from a library or a proxy (framing is their job); 1003 comes from the application, which chose the wrong message type.',
        'After a 1002 situation the receiver cannot trust anything that follows in the stream; before a 1003 it could have read on, it just refuses that type.',
      ],
      whichWhen: [
        'Send 1002 when parsing fails: a reserved opcode or bit, a wrong mask, a broken fragment sequence.',
        'Send 1003 when parsing succeeds and the message type (text or binary) is one your endpoint does not handle.',
      ],
    },
  ],
  [
    '1002',
    '1007',
    {
      differences: [
        '1002: the frame structure is wrong. 1007: the structure is right, but the payload does not match the message type (invalid UTF-8 in a text message, compressed data that will not inflate).',
        '1002 is found in the header bytes; 1007 can only be found by reading and decoding the payload.',
      ],
      whichWhen: [
        'Send 1002 for header and sequencing faults: opcode, RSV bits, mask, length, fragmentation, Close body.',
        'Send 1007 when a correctly framed text message or Close reason is not valid UTF-8, or a compressed payload is corrupt.',
      ],
    },
  ],
  [
    '1003',
    '1007',
    {
      differences: [
        '1003: the data TYPE is not accepted, e.g. a text message to a binary-only endpoint or binary to a text-only one. The bytes themselves may be perfectly valid.',
        '1007: the type is accepted but the data is inconsistent with it, typically a text message whose bytes are not valid UTF-8.',
        "1003 is the receiving application's choice; 1007 enforces a protocol rule that every receiver applies to text.",
      ],
      whichWhen: [
        'Send 1003 when you do not handle that message type at all.',
        "Send 1007 when you handle that type but this message's content is not valid for it.",
      ],
    },
  ],
  [
    '1007',
    '1009',
    {
      differences: [
        '1007: the content is invalid for its type (bad UTF-8, corrupt compressed data), whatever its size. 1009: the content may be perfectly valid, there is just too much of it.',
        "1009 depends on the receiver's configured limit, so one message can pass one endpoint and fail another; a 1007 message fails everywhere.",
      ],
      whichWhen: ['Send 1007 when the bytes are wrong.', 'Send 1009 when the bytes are fine but exceed your size limit.'],
    },
  ],
  [
    '1000',
    '1001',
    {
      differences: [
        '1000: the work is done and the connection ended as planned. 1001: the endpoint itself is leaving (shutdown, page navigation), possibly in the middle of the work.',
        'After 1000 there is usually nothing to reconnect for; after 1001 from a server, a client normally reconnects, often to another instance.',
      ],
      whichWhen: [
        'Send 1000 when the purpose of the session is complete.',
        'Send 1001 when you close because you are going away: a server shutting down, a page being unloaded.',
      ],
    },
  ],
  [
    '1002',
    '1006',
    {
      differences: [
        '1002 arrived in a Close frame: an endpoint saw a protocol error and said so. 1006 is never on the wire: the connection ended with no Close frame at all, and your API supplied the code.',
        '1002 tells you what went wrong (a protocol fault; wsdiag names the rule). 1006 only tells you the line went dead.',
        'A browser that fails a connection over a protocol error shows 1006 to the page, even though a 1002 situation caused it: check the console, or put wsdiag in the path.',
      ],
      whichWhen: [
        'Send 1002 when you detect a protocol violation and close on purpose.',
        'Never send 1006. When you see it, look for what cut the TCP connection (idle timeouts, crashes, proxies), or for a protocol error hidden in the browser console.',
      ],
    },
  ],
  [
    '1002',
    '1011',
    {
      differences: [
        "1002 blames the peer: its bytes broke the protocol. 1011 blames the endpoint that sends it: it hit an internal error, and the peer's data may be fine.",
        "After a 1002, fix the other side's encoder or proxy; after a 1011, read the closing side's logs.",
      ],
      whichWhen: [
        'Send 1002 when the peer sent invalid WebSocket frames.',
        'Send 1011 when your own code failed (an exception, a lost dependency) while handling valid traffic.',
      ],
    },
  ],
  [
    '1003',
    '1009',
    {
      differences: [
        '1003 refuses a message for its type (text or binary); 1009 refuses it for its size.',
        'Changing the opcode fixes a 1003; splitting the message or raising a limit fixes a 1009.',
      ],
      whichWhen: [
        'Send 1003 when the message type is not one you handle, whatever its size.',
        'Send 1009 when the type is fine but the message is too large.',
      ],
    },
  ],
  [
    '1003',
    '1008',
    {
      differences: [
        '1003 is specific: the message type (text or binary) is not accepted. 1008 is the generic refusal for every other policy: authentication, rate limits, content rules.',
        '1008 may deliberately hide the reason; 1003 always means the same thing.',
      ],
      whichWhen: ['Send 1003 for a wrong message type.', 'Send 1008 for any other policy refusal that has no specific code.'],
    },
  ],
  [
    '1008',
    '1009',
    {
      differences: [
        '1009 is specific: the message is too big. 1008 is generic and says only that a policy was broken.',
        'A client can react to 1009 on its own (send smaller messages); a 1008 needs the reason or the server logs to be understood.',
      ],
      whichWhen: ['Send 1009 when size is the problem.', 'Send 1008 when no specific code fits, or when you do not want to say why.'],
    },
  ],
  [
    '1005',
    '1006',
    {
      differences: [
        'Neither is ever sent; both are reported to you by your API. 1005: a Close frame did arrive, but without a status code, so it was a clean close without a reason. 1006: no Close frame arrived at all, the connection was cut.',
        '1005 needs no fix; 1006 calls for a look at timeouts, crashes and proxies.',
      ],
      whichWhen: [
        'Expect 1005 when the peer calls close() without a code.',
        'Expect 1006 when the TCP connection ends without a closing handshake.',
      ],
    },
  ],
  [
    '1000',
    '1005',
    {
      differences: [
        '1000 was written in the Close frame by the peer. 1005 means the Close frame was empty, so your API had no code to report.',
        'Both are clean closes; only 1000 says "normal" explicitly.',
      ],
      whichWhen: [
        'Send 1000 when you want the peer to know the close was normal.',
        'Never send 1005 itself: an empty Close produces it on the other side.',
      ],
    },
  ],
  [
    '1012',
    '1013',
    {
      differences: [
        '1012: the server is restarting, and will be back soon. 1013: the server is up but cannot take this connection now (overload, limits).',
        'After 1012 a quick reconnect with a little jitter is right; after 1013 back off longer, since retrying at once makes the overload worse.',
      ],
      whichWhen: ['Send 1012 during a restart or deploy.', 'Send 1013 when shedding load or refusing because of a temporary limit.'],
    },
  ],
  [
    'registered-3000-3999',
    'private-4000-4999',
    {
      differences: [
        '3000–3999 codes are registered with IANA, so their meaning is public and shared by everyone who uses the library. 4000–4999 codes are private: only the application that sends them knows what they mean.',
        "Both ranges are valid on the wire and allowed in a browser's close().",
      ],
      whichWhen: [
        'Use 3000–3999 for a library or framework used by many applications, after registering the code.',
        'Use 4000–4999 for codes of your own application, documented for its clients.',
      ],
    },
  ],
  [
    'unsupported-text',
    'unsupported-binary',
    {
      differences: [
        'unsupported-text: a text message went to an endpoint that accepts only binary. unsupported-binary: the reverse.',
        'Both lead to 1003; the fix is to send the other opcode, or to convert the data before sending.',
      ],
      whichWhen: [
        'Look at unsupported-text when a binary protocol (MQTT, wamp.2.msgpack) receives strings.',
        'Look at unsupported-binary when a text protocol (JSON, GraphQL over WebSocket, OCPP-J) receives bytes.',
      ],
    },
  ],
  [
    'unmasked-client-frame',
    'masked-server-frame',
    {
      differences: [
        'unmasked-client-frame: a client frame without a mask. masked-server-frame: a server frame with a mask. Masking is mandatory in one direction and forbidden in the other.',
        'Both usually mean that framing code written for one role is used in the other.',
      ],
      whichWhen: [
        'Look at unmasked-client-frame when a custom client is rejected right after the handshake.',
        'Look at masked-server-frame when browsers drop the connection on the first server message.',
      ],
    },
  ],
];
