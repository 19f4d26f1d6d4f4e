/**
 * The filter shared by proxy and tail: every option alone and combined, on the sample run plus `message`
 * and `http` events shaped as issue 13 fixes them; what tail's filter did before (codes, rules,
 * connections) as a subset; the flag parsers and their one-line errors.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { FILTER_EVENT_TYPES, createFilter, parseFilterArgs, type FilterOptions, type FilterableEvent } from '../../src/filter/index.js';
import * as sample from '../fixtures/sample-events.js';

/** A text message, as `--messages` logs it (PLAN-13 shape). */
const textMessage = {
  v: 1,
  type: 'message',
  ts: '2024-05-01T12:00:01.200Z',
  conn: 'c1',
  dir: 'client->server',
  kind: 'text',
  compressed: true,
  wire_size: 30,
  size: 42,
  frames: 1,
  first_frame: 4,
  last_frame: 4,
  first_ts: '2024-05-01T12:00:01.200Z',
  last_ts: '2024-05-01T12:00:01.200Z',
  encoding: 'text',
  data: '{"type":"chat","text":"hello world"}',
  truncated: false,
};

/** A binary MQTT PUBLISH to topic "sensors/t1", base64 as logged. */
const binaryMessage = {
  ...textMessage,
  ts: '2024-05-01T12:00:01.210Z',
  conn: 'c2',
  dir: 'server->client',
  kind: 'binary',
  compressed: false,
  wire_size: 19,
  size: 19,
  encoding: 'base64',
  data: Buffer.from([0x30, 0x11, 0x00, 0x0a, ...Buffer.from('sensors/t1'), ...Buffer.from('21.5C')]).toString('base64'),
};

const closeMessage = {
  ...textMessage,
  ts: '2024-05-01T12:00:01.220Z',
  kind: 'close',
  encoding: 'text',
  data: '\u0003\u00e8bye',
  size: 5,
  wire_size: 5,
  close: { code: 1000, reason: 'done for today' },
};

/** Sizes only (body limit 0). */
const bodilessMessage = { ...textMessage, ts: '2024-05-01T12:00:01.230Z', encoding: null, data: '', truncated: true };

/** A plain HTTP exchange of no WebSocket connection, and the upgrade request of c1. */
const http = {
  v: 1,
  type: 'http',
  ts: '2024-05-01T12:00:00.500Z',
  conn: null,
  client: '127.0.0.1:5555',
  method: 'GET',
  path: '/api/items?token=REDACTED',
  status: 200,
  request_bytes: 0,
  response_bytes: 1234,
  duration_ms: 3,
  upgrade: false,
};
const upgradeHttp = { ...http, ts: '2024-05-01T12:00:00.900Z', conn: 'c1', path: '/chat', status: 101, upgrade: true };

/** Ids with a run id, as they will soon look. */
const runOpen = { ...sample.open, conn: 'k3f9-c1' };
const otherRunOpen = { ...sample.open, conn: 'zz01-c1' };
const runOpen12 = { ...sample.open, conn: 'k3f9-c12' };

const events: FilterableEvent[] = [
  ...sample.run,
  textMessage,
  binaryMessage,
  closeMessage,
  bodilessMessage,
  http,
  upgradeHttp,
  runOpen,
  otherRunOpen,
  runOpen12,
];

/** The events a filter keeps, in order. */
function kept(options: FilterOptions): FilterableEvent[] {
  const filter = createFilter(options);
  return events.filter(filter);
}

const runWide = [sample.listening, sample.globalError, sample.summary];
const byConn = (...ids: string[]) => events.filter((e) => ids.includes((e as { conn?: string | null }).conn ?? ''));

describe('createFilter', () => {
  it('no options: everything', () => assert.deepEqual(kept({}), events));

  it('--type: only those types, run-wide events included', () => {
    assert.deepEqual(kept({ types: ['message'] }), [textMessage, binaryMessage, closeMessage, bodilessMessage]);
    assert.deepEqual(kept({ types: ['http', 'summary'] }), [sample.summary, http, upgradeHttp]);
    assert.deepEqual(kept({ types: ['listening'] }), [sample.listening]);
  });

  it('--conn: that connection and the run-wide events; an http exchange of no connection is not run-wide', () => {
    assert.deepEqual(
      kept({ conns: ['c2'] }),
      events.filter((e) => runWide.includes(e as never) || byConn('c2').includes(e)),
    );
    assert.ok(!kept({ conns: ['c1'] }).includes(http));
    assert.ok(kept({ conns: ['c1'] }).includes(upgradeHttp));
  });

  it('--conn c1 matches the counter of any run; with a run id only that run; c1 is not c12', () => {
    const opens = (conns: string[]) => kept({ conns, types: ['open'] });
    assert.deepEqual(opens(['c1']), [sample.open, runOpen, otherRunOpen]);
    assert.deepEqual(opens(['k3f9-c1']), [runOpen]);
    assert.deepEqual(opens(['c12']), [runOpen12]);
    assert.deepEqual(opens(['k3f9']), []);
  });

  it('--dir: one-way events must go that way; a peer-close goes the way its sender sends; others stay', () => {
    const result = kept({ dirs: ['server->client'] });
    assert.ok(!result.includes(sample.frame) && !result.includes(sample.violation) && !result.includes(textMessage));
    assert.ok(result.includes(sample.utf8Violation) && result.includes(binaryMessage) && result.includes(sample.handshakeWarning));
    assert.ok(result.includes(sample.peerClose)); // sent by the server
    assert.ok(!result.includes(sample.peerCloseEmpty)); // sent by the client
    for (const whole of [sample.open, sample.close, sample.error, http, upgradeHttp, ...runWide]) assert.ok(result.includes(whole));
  });

  it('--rule and --code select violations and leave other events alone', () => {
    const nonViolations = events.filter((e) => e.type !== 'violation');
    const withViolations = (...kept: FilterableEvent[]) => events.filter((e) => e.type !== 'violation' || kept.includes(e));
    assert.deepEqual(kept({ codes: [1007] }), withViolations(sample.utf8Violation));
    assert.deepEqual(kept({ codes: [1003] }), nonViolations);
    assert.deepEqual(
      kept({ rules: ['reserved-bits', 'handshake-unrequested-subprotocol'] }),
      withViolations(sample.violation, sample.handshakeWarning),
    );
    assert.deepEqual(kept({ codes: [1002], rules: ['invalid-utf8-text'] }), nonViolations);
  });

  it('--grep: message text, close reasons, violation messages and previews, paths, error messages', () => {
    const grep = (...patterns: RegExp[]) => kept({ grep: patterns });
    assert.deepEqual(grep(/hello world/), [...runWide, textMessage].sort(byOrder));
    assert.deepEqual(grep(/sensors\/t1/), [...runWide, binaryMessage].sort(byOrder)); // inside a base64 binary payload
    assert.deepEqual(grep(/done for today/), [...runWide, closeMessage].sort(byOrder));
    assert.deepEqual(grep(/RSV2/), [...runWide, sample.violation].sort(byOrder));
    assert.deepEqual(grep(/^c328$/), [...runWide, sample.utf8Violation].sort(byOrder)); // a preview
    assert.deepEqual(grep(/^\/api\//), [...runWide, http].sort(byOrder));
    assert.deepEqual(grep(/^\/chat$/), [...runWide, sample.open, upgradeHttp, runOpen, otherRunOpen, runOpen12].sort(byOrder));
    assert.deepEqual(grep(/reserved bits/), [...runWide, sample.peerClose].sort(byOrder)); // a peer-close reason
    assert.deepEqual(grep(/502 Bad Gateway/), [...runWide, sample.error].sort(byOrder));
  });

  it('--grep hides events with no text (frames, closes, a message logged without its body)', () => {
    const result = kept({ grep: [/./] });
    for (const silent of [sample.frame, sample.close, sample.closeBare, bodilessMessage]) assert.ok(!result.includes(silent));
  });

  it('--grep values are alternatives; a /g expression gives the same answer every time', () => {
    assert.deepEqual(kept({ grep: [/hello world/, /RSV2/] }), [...runWide, sample.violation, textMessage].sort(byOrder));
    const sticky = createFilter({ grep: [/hello/g] });
    assert.deepEqual([sticky(textMessage), sticky(textMessage), sticky(textMessage)], [true, true, true]);
  });

  it('options combine with AND', () => {
    assert.deepEqual(kept({ types: ['message'], conns: ['c1'], dirs: ['client->server'], grep: [/chat/] }), [textMessage]);
    assert.deepEqual(kept({ types: ['violation'], codes: [1002], dirs: ['server->client'] }), [sample.handshakeWarning]);
    assert.deepEqual(kept({ types: ['violation', 'message'], conns: ['c3'] }), [sample.utf8Violation]);
    assert.deepEqual(kept({ conns: ['c1'], grep: [/c328/] }), runWide);
    // Run-wide events pass every option but --type.
    assert.deepEqual(kept({ types: ['message'], conns: ['c9'] }), []);
  });
});

function byOrder(a: FilterableEvent, b: FilterableEvent): number {
  return events.indexOf(a) - events.indexOf(b);
}

/** What tail selected before the shared filter, with only --code, --rule and --conn: the oracle of the subset. */
function tailBefore(event: FilterableEvent, { codes, rules, conns }: { codes: number[]; rules: string[]; conns: string[] }): boolean {
  const e = event as { conn?: string | null; code?: number; rule?: string };
  if (typeof e.conn === 'string' && conns.length > 0) {
    const dash = e.conn.indexOf('-');
    const local = dash < 0 ? e.conn : e.conn.slice(dash + 1);
    if (!conns.includes(e.conn) && !(conns.includes(local) && !local.includes('-'))) return false;
  }
  if (event.type !== 'violation') return true;
  if (codes.length > 0 && !codes.includes(e.code!)) return false;
  if (rules.length > 0 && !rules.includes(e.rule!)) return false;
  return true;
}

describe("tail's filter before the shared one is a subset", () => {
  it('for any codes, rules and connections, both keep the same events of a log', () => {
    const log = [...sample.run, textMessage, binaryMessage, closeMessage, runOpen, otherRunOpen, runOpen12];
    fc.assert(
      fc.property(
        fc.subarray([1002, 1003, 1006, 1007, 1009, 1011]),
        fc.subarray(['reserved-bits', 'invalid-utf8-text', 'handshake-unrequested-subprotocol', 'message-too-big']),
        fc.subarray(['c1', 'c2', 'c3', 'c4', 'c9', 'k3f9-c1', 'zz01-c12']),
        (codes, rules, conns) => {
          const after = createFilter({ codes, rules, conns });
          assert.deepEqual(
            log.filter((e) => after(e)),
            log.filter((e) => tailBefore(e, { codes, rules, conns })),
          );
        },
      ),
    );
  });
});

describe('createFilter: what tail needs besides', () => {
  const finding = { v: 1, type: 'sandwich-finding', ts: '2024-05-01T12:00:02.000Z', conn: 'k3f9-c1', return_conn: 'k3f9-r1' };

  it('a sandwich finding belongs to both its legs', () => {
    for (const conns of [['c1'], ['r1'], ['k3f9-r1'], ['k3f9-c1']]) assert.ok(createFilter({ conns })(finding), conns.join());
    assert.ok(!createFilter({ conns: ['c2'] })(finding));
    const opened = { ...sample.open, conn: 'k3f9-c1', return_conn: 'k3f9-r1' };
    assert.ok(!createFilter({ conns: ['r1'] })(opened), 'return_conn counts only for findings');
  });

  it('says when a bare id meets its second run, and each time another run joins', () => {
    const heard: string[] = [];
    const filter = createFilter({ conns: ['c1'] }, { onAmbiguous: (bare, ids) => heard.push(`${bare}: ${ids.join(' ')}`) });
    const opens = ['aaaa-c1', 'aaaa-c1', 'aaaa-c2', 'bbbb-c1', 'bbbb-c1', 'cccc-c1'].map((conn) => ({ ...sample.open, conn }));
    assert.deepEqual(
      opens.map((e) => filter(e)),
      [true, true, false, true, true, true],
    );
    assert.deepEqual(heard, ['c1: aaaa-c1 bbbb-c1', 'c1: aaaa-c1 bbbb-c1 cccc-c1']);
  });

  it('an http exchange is selected by its own connection id (h1) and its path', () => {
    const exchange = { ...http, conn: 'k3f9-h2' };
    assert.ok(createFilter({ conns: ['h2'] })(exchange));
    assert.ok(!createFilter({ conns: ['c2'] })(exchange));
    assert.ok(createFilter({ types: ['http'], grep: [/items/] })(exchange));
    assert.ok(!createFilter({ types: ['http'], grep: [/chat/] })(exchange));
  });
});

describe('parseFilterArgs', () => {
  it('comma-separated and repeated values', () => {
    assert.deepEqual(
      parseFilterArgs({
        conn: ['c1,k3f9-c2', 'c3'],
        dir: ['client', 'server->client'],
        type: ['message,http'],
        rule: ['reserved-bits'],
        code: ['1002,1007', '1009'],
      }),
      {
        ok: true,
        value: {
          conns: ['c1', 'k3f9-c2', 'c3'],
          dirs: ['client->server', 'server->client'],
          types: ['message', 'http'],
          rules: ['reserved-bits'],
          codes: [1002, 1007, 1009],
        },
      },
    );
  });

  it('--grep: each value one regular expression (commas included); -i makes them case-insensitive', () => {
    const parsed = parseFilterArgs({ grep: ['a,b', 'x{2}'], ignoreCase: true });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.grep?.map(String), ['/a,b/i', '/x{2}/i']);
  });

  const errors: Array<[Parameters<typeof parseFilterArgs>[0], string]> = [
    [{ grep: ['(unclosed'] }, '--grep: "(unclosed" is not a valid regular expression: /(unclosed/: Unterminated group'],
    [{ grep: ['*'] }, '--grep: "*" is not a valid regular expression: /*/: Nothing to repeat'],
    [{ type: ['mesage'] }, `--type: unknown event type "mesage" (did you mean "message"?); use one of ${FILTER_EVENT_TYPES.join(', ')}`],
    [{ type: ['zzzzzz'] }, `--type: unknown event type "zzzzzz"; use one of ${FILTER_EVENT_TYPES.join(', ')}`],
    [{ code: ['10o7'] }, '--code: "10o7" is not a violation code (use 1002, 1003, 1006, 1007, 1009, 1011)'],
    [{ code: ['1000'] }, '--code: "1000" is not a violation code (use 1002, 1003, 1006, 1007, 1009, 1011)'],
    [{ code: ['-1'] }, '--code: "-1" is not a violation code (use 1002, 1003, 1006, 1007, 1009, 1011)'],
    [{ rule: ['reserved-bit'] }, '--rule: unknown rule "reserved-bit" (did you mean "reserved-bits"?)'],
    [{ rule: ['nonsense-rule-name-entirely'] }, '--rule: unknown rule "nonsense-rule-name-entirely"'],
    [{ dir: ['up'] }, '--dir: "up" is not a direction (use client->server or server->client; client and server name the sender)'],
    [{ conn: [',,'] }, '--conn: expects at least one value'],
  ];
  for (const [args, error] of errors) {
    it(`one line for a bad value: ${error.slice(0, 60)}`, () => {
      const parsed = parseFilterArgs(args);
      assert.deepEqual(parsed, { ok: false, error });
      assert.ok(!error.includes('\n'));
    });
  }

  it('no flags: no options', () => assert.deepEqual(parseFilterArgs({}), { ok: true, value: {} }));

  it('--type knows every type of the schema, and message', () => {
    for (const type of [
      'listening',
      'open',
      'message',
      'frame',
      'http',
      'violation',
      'peer-close',
      'close',
      'error',
      'summary',
      'probe-case',
      'gap',
    ]) {
      assert.ok(FILTER_EVENT_TYPES.includes(type), type);
    }
    assert.equal(new Set(FILTER_EVENT_TYPES).size, FILTER_EVENT_TYPES.length);
  });

  it("--code takes the warnings' codes too (1006, 1011)", () => {
    assert.deepEqual(parseFilterArgs({ code: ['1006,1011'] }), { ok: true, value: { codes: [1006, 1011] } });
  });
});
