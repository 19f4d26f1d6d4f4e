/**
 * The credential detector, table by table: what must be redacted (the forms users met: a subprotocol
 * `bearer.<token>`, the Kubernetes form, `?t=<token>`, `/ws/<token>/x`, and the token kinds with a known
 * form), and, just as much, what must not (ordinary paths, UUIDs, file names, short hex ids, the usual
 * subprotocol names), since a log full of false REDACTEDs is useless. The recall of the random-shape rule
 * is measured on seeded random tokens.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  REDACTED,
  REDACT_SECRETS,
  SHOW_SECRETS,
  isSecretName,
  isSecretParameter,
  looksRandom,
  redactPath,
  redactSubprotocols,
  redactText,
  redactUrl,
  redactorFor,
  compileRedactPatterns,
  redactBytes,
  redactedRuns,
  redactJsonPairs,
  redactFormPairs,
  redactPaths,
  redactLastWord,
  redactHeaderLines,
  HEADER_LINE,
  JSON_PAIR,
  FORM_PAIR,
  URL_OR_PATH,
  LAST_WORD,
  MIN_CUT_LENGTH,
} from '../src/redact.js';
import fc from 'fast-check';
import { ConfigError } from '../src/errors.js';
import { formatPreview } from '../src/session/preview.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const B62 = 'Xk9fQ2mP7rT4vB8nL1sD6wY3zH5jC0aE';
const B64URL = 'q7Rt2-Wz9Lm4Kp8_Vx3Nb6Hc1Dg5Fj0SaYe2Ui8Oo4A';
const HEX40 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b';

/** Runs a table: each row is [input, expected, why]. */
function table(fn: (input: string) => string, rows: ReadonlyArray<readonly [string, string, string]>): void {
  for (const [input, expected, why] of rows) assert.equal(fn(input), expected, `${why}: ${input}`);
}

describe('looksRandom: the shape of a random token', () => {
  it('takes random base62, base64url, base64 and long hex for tokens', () => {
    for (const [piece, why] of [
      [B62, '32 characters of base62'],
      [B64URL, 'base64url, 32 random bytes'],
      ['Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==', 'padded base64'],
      ['k3j5h2l9m8n7b6v5c4x3z1q0', 'lower case and digits, alternating'],
      ['c2VjcmV0LXRva2VuLXZhbHVlLTEyMzQ1', 'base64 of text'],
      ['5f4dcc3b5aa765d61d8327deb882cf99', '32 hex digits (an MD5, a 128-bit key)'],
      [HEX40, '40 hex digits'],
      ['-KHtBnv3v0S5c_GBvE3O', 'a Firebase-style push id of 20 characters'],
      ['ChargePoint7xQ9Lz2Wk4Rt8Mn3', 'a readable start does not hide a random tail'],
    ] as const) {
      assert.equal(looksRandom(piece), true, `${why}: ${piece}`);
    }
  });

  it('leaves identifiers, words, numbers, short values and hex ids under 32 digits alone', () => {
    for (const [piece, why] of [
      ['42', 'a number'],
      ['v2', 'a version'],
      ['users', 'a word'],
      ['12345678901234567890123', 'a long number'],
      ['550e8400-e29b-41d4-a716-446655440000', 'a UUID'],
      ['01ARZ3NDEKTSV4RRFFQ69G5FAV', 'a ULID'],
      ['507f1f77bcf86cd799439011', 'a 24-digit hex ObjectId'],
      ['4f3c2a1b9e8d7c6f5a4b', 'a 20-digit content hash'],
      ['Xk9fQ2mP7rT4vB8nL1s', '19 random characters: below the length the shape is judged at'],
      ['graphql-transport-ws', 'a subprotocol name'],
      ['subscriptions-transport-ws', 'a subprotocol name'],
      ['getUserPreferencesForAccount', 'camelCase'],
      ['HelloWorldExample2024Version', 'PascalCase with a year'],
      ['client_max_window_bits', 'snake_case'],
      ['IMG_20240101_123456789', 'a camera file name'],
      ['report_2024_q3_final_version_2', 'words and numbers'],
      ['how-to-use-websockets-2024-guide-part3', 'a slug'],
      ['crypto-ticker-1h-24h-7d', 'short parts joined'],
      ['device-7f3a-unit-42-floor-3', 'short parts joined, one of them hex'],
      ['ChargePoint_CP0001_Site42', 'an OCPP charge point id'],
      ['S3BucketListV2Response', 'an API name with digits'],
      ['ISO8601DateTimeParser', 'an acronym and words'],
      ['iPhone12ProMaxCaseBlue', 'a product name'],
      ['kubernetes-dashboard-7d9f8', 'a pod name'],
      ['ws-gateway-eu-west-1-prod', 'a host name'],
      ['user@example.com', 'not of the token alphabet'],
      ['0000000000000000000000000000000000000000', 'hex without letters: a number'],
    ] as const) {
      assert.equal(looksRandom(piece), false, `${why}: ${piece}`);
    }
  });

  it('catches seeded random tokens of 24+ characters at least 98 % of the time, and long hex every time', () => {
    let seed = 0x2f6b_3a91;
    const random = (n: number) => {
      // xorshift32: deterministic, so this test always sees the same tokens.
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const token = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
    const B62_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const measure = (alphabet: string, length: number) => {
      let caught = 0;
      for (let i = 0; i < 2000; i++) if (looksRandom(token(alphabet, length))) caught++;
      return caught / 2000;
    };
    for (const length of [24, 32, 43]) {
      assert.ok(measure(B62_ALPHABET, length) >= 0.98, `base62, ${length} characters`);
      assert.ok(measure(`${B62_ALPHABET}-_`, length) >= 0.97, `base64url, ${length} characters`);
    }
    for (const length of [32, 40, 64]) assert.equal(measure('0123456789abcdef', length), 1, `hex, ${length} digits`);
  });
});

describe('isSecretName: the names of credentials', () => {
  it('knows credential names in every spelling', () => {
    for (const name of [
      'token',
      'Token',
      'access_token',
      'accessToken',
      'AccessToken',
      'id_token',
      'auth',
      'auth_token',
      'authorization',
      'api_key',
      'apiKey',
      'APIKey',
      'key',
      'client_secret',
      'password',
      'passwd',
      'pwd',
      'session',
      'sessionId',
      'session_id',
      'PHPSESSID',
      'JSESSIONID',
      'sid',
      'sig',
      'signature',
      'X-Amz-Signature',
      'X-Amz-Credential',
      'X-Amz-Security-Token',
      'jwt',
      'vncticket',
      'ticket',
      'csrftoken',
      'hub.verify_token',
      'x-api-key',
      'otp',
    ]) {
      assert.equal(isSecretName(name), true, name);
      assert.equal(isSecretParameter(name), true, name);
    }
  });

  it('takes code and pass for credentials only as URL or form parameters of their own', () => {
    for (const name of ['code', 'pass', 'Code']) {
      assert.equal(isSecretParameter(name), true, name);
      assert.equal(isSecretName(name), false, `${name} as a JSON key`);
    }
  });

  it('does not take words that merely contain one for a credential name', () => {
    for (const name of [
      'room',
      'author',
      'authorName',
      'keyboard',
      'monkey',
      'design',
      'signal',
      'bypass',
      'passage',
      'compass',
      'zip_code',
      'errorCode',
      'pass_through',
      'tokenizer_mode',
      'sort',
      'user',
      'channel',
      'EIO',
      'transport',
      '',
    ]) {
      assert.equal(isSecretName(name), false, name);
      assert.equal(isSecretParameter(name), false, name);
    }
  });
});

describe('redactPath: request targets', () => {
  it('redacts a token as a path segment, by shape', () => {
    table(redactPath, [
      [`/ws/${B62}/x`, '/ws/REDACTED/x', 'a random segment (the issue: /ws/<token>/x)'],
      [`/ws/${B64URL}`, '/ws/REDACTED', 'a base64url segment'],
      [`/ws/${HEX40}/feed`, '/ws/REDACTED/feed', 'a long hex segment'],
      [`/ws/${JWT}`, '/ws/REDACTED', 'a JWT segment'],
      ['/hook/ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789', '/hook/ghp_REDACTED', 'a GitHub token keeps its kind'],
      [`/ws/bearer.${B62}`, '/ws/bearer.REDACTED', 'dotted pieces are judged one by one'],
      [
        `/dl/${encodeURIComponent('Zm9v+YmFy/YmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==')}`,
        '/dl/REDACTED',
        'percent-encoded base64 is judged decoded',
      ],
      ['/app;jsessionid=A1B2C3/page', '/app;jsessionid=REDACTED/page', 'a ;name=value path parameter'],
    ]);
  });

  it('redacts query values by name and by shape', () => {
    table(redactPath, [
      ['/ws', '/ws', 'no query'],
      ['/ws?room=1', '/ws?room=1', 'an ordinary parameter'],
      [`/ws?t=${B62}`, '/ws?t=REDACTED', 'a token under a name not on the list (the issue: ?t=<token>)'],
      [`/ws?room=7&t=${B62}&lang=en`, '/ws?room=7&t=REDACTED&lang=en', 'only the token goes'],
      ['/ws?access_token=abc.def&room=1', '/ws?access_token=REDACTED&room=1', 'a short value under a credential name'],
      [
        '/ws?room=1&api_key=k&Signature=s&password=p&session=x&jwt=j',
        '/ws?room=1&api_key=REDACTED&Signature=REDACTED&password=REDACTED&session=REDACTED&jwt=REDACTED',
        'credential names',
      ],
      ['/ws?auth%5Ftoken=x', '/ws?auth%5Ftoken=REDACTED', 'percent-encoded names are judged decoded'],
      ['/ws?token=&flag&token', '/ws?token=&flag&token', 'nothing to hide in empty values'],
      ['/ws?token=x#frag', '/ws?token=REDACTED#frag', 'the fragment stays'],
      ['/cb?code=4/0AX4XfWh&state=af0ifjsldkj', '/cb?code=REDACTED&state=af0ifjsldkj', 'an OAuth authorization code'],
      ['/ws?%E0%A4%A=1&key=2', '/ws?%E0%A4%A=1&key=REDACTED', 'a malformed escape does not throw'],
      [`/ws?h=Bearer%20${B62.slice(0, 10)}`, '/ws?h=REDACTED', 'a Bearer credential in a value'],
      [`/ws?x=${JWT}`, '/ws?x=REDACTED', 'a JWT value'],
      ['/ws?k=AKIAIOSFODNN7EXAMPLE', '/ws?k=REDACTED', 'an AWS access key id'],
      [`/ws?${B62}`, '/ws?REDACTED', 'a bare token as the query'],
      [
        '/socket.io/?EIO=4&transport=websocket&sid=Ab12Cd34',
        '/socket.io/?EIO=4&transport=websocket&sid=REDACTED',
        'a Socket.IO session id',
      ],
      ['/ws?redirect=/home&ids=1,2,3&q=hello+world', '/ws?redirect=/home&ids=1,2,3&q=hello+world', 'ordinary values'],
      ['/callback#access_token=abc&state=xyz', '/callback#access_token=REDACTED&state=xyz', 'a fragment is read as parameters too'],
    ]);
  });

  it('leaves ordinary paths alone: ids, UUIDs, file names, short hex, words', () => {
    for (const path of [
      '/',
      '/api/v2/users/42',
      '/ws/chat/general',
      '/files/550e8400-e29b-41d4-a716-446655440000',
      '/objects/507f1f77bcf86cd799439011',
      '/commits/4f3c2a1',
      '/static/main.4f3c2a1b9e8d7c6f5a4b3c2d1e0f9a8b.js',
      '/downloads/report-2024-final.pdf',
      '/ocpp/CP001',
      '/ocpp/ChargePoint_CP0001_Site42',
      '/stream/btcusdt@kline_1m',
      '/rpc/getUserPreferencesForAccount',
      '/graphql',
      '/socket.io/?EIO=4&transport=websocket',
      '/hostile/<&>\'"]]>',
    ]) {
      assert.equal(redactPath(path), path, path);
    }
  });
});

describe('redactSubprotocols: Sec-WebSocket-Protocol lists', () => {
  it('redacts credentials and keeps what is not secret readable', () => {
    table(redactSubprotocols, [
      [`bearer.${JWT}`, 'bearer.REDACTED', 'the issue: bearer.<token>'],
      ['bearer.short', 'bearer.REDACTED', 'whatever follows bearer., whatever its shape'],
      [`base64url.bearer.authorization.k8s.io.${B64URL}`, 'base64url.bearer.authorization.k8s.io.REDACTED', 'the Kubernetes form'],
      [
        `base64url.bearer.authorization.k8s.io.${B64URL}, channel.k8s.io`,
        'base64url.bearer.authorization.k8s.io.REDACTED, channel.k8s.io',
        'in a list',
      ],
      [
        `v4.channel.k8s.io,base64url.bearer.authorization.k8s.io.${B64URL}`,
        'v4.channel.k8s.io,base64url.bearer.authorization.k8s.io.REDACTED',
        'separators kept as sent',
      ],
      [`access_token, ${B62}`, 'access_token, REDACTED', 'the element after a credential marker'],
      [`Authorization, Basic`, 'Authorization, REDACTED', 'even when it does not look random'],
      [`graphql-ws, ${JWT}`, 'graphql-ws, REDACTED', 'a bare JWT element'],
      [`chat, ${B62}`, 'chat, REDACTED', 'a random element'],
      ['xoxb-1234567890-abcdefghij', 'xoxb-REDACTED', 'a Slack token keeps its kind'],
      ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'sk_live_REDACTED', 'a Stripe key keeps its kind'],
      ['jwt.abc', 'jwt.REDACTED', 'after jwt.'],
    ]);
  });

  it('leaves the usual subprotocol names untouched', () => {
    for (const list of [
      'graphql-transport-ws',
      'graphql-ws',
      'subscriptions-transport-ws',
      'mqtt',
      'mqttv3.1',
      'v12.stomp, v11.stomp, v10.stomp',
      'wamp.2.json, wamp.2.msgpack',
      'wamp.2.json.batched',
      'ocpp1.6, ocpp2.0.1',
      'xmpp',
      'chat, superchat',
      'channel.k8s.io',
      'v5.channel.k8s.io',
      'soap',
      'sip',
      'msrp',
      'binary, base64',
    ]) {
      assert.equal(redactSubprotocols(list), list, list);
    }
  });
});

describe('redactText: free text from peers', () => {
  it('redacts the forms that are unambiguous in prose', () => {
    table(redactText, [
      [
        `GET /ws/${B62}/x?t=${B62} HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer abc.def\r\nCookie: s=1\r\n`,
        'GET /ws/REDACTED/x?t=REDACTED HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer REDACTED\r\nCookie: REDACTED\r\n',
        'an HTTP head read as a payload',
      ],
      [`Sec-WebSocket-Protocol: bearer.${B62}, chat`, 'Sec-WebSocket-Protocol: bearer.REDACTED, chat', 'a subprotocol header line'],
      ['X-Api-Key: 12345', 'X-Api-Key: REDACTED', 'a credential header line'],
      [
        '{"type":"connection_init","payload":{"authToken":"s3cr3t"}}',
        '{"type":"connection_init","payload":{"authToken":"REDACTED"}}',
        'a JSON value under a credential name',
      ],
      ['{"password": "hunter2', '{"password": "REDACTED', 'a JSON value cut by the preview limit'],
      ['token=abc&room=1', 'token=REDACTED&room=1', 'a form body'],
      ['session=xyz; theme=dark', 'session=REDACTED; theme=dark', 'a cookie string'],
      ['Bearer dXNlcjpwYXNz', 'Bearer REDACTED', 'a Bearer credential'],
      ['auth failed: Basic YWxhZGRpbjpvcGVuc2VzYW1l', 'auth failed: Basic REDACTED', 'a Basic credential'],
      [`closing: ${JWT} expired`, 'closing: REDACTED expired', 'a JWT'],
      [JWT.slice(0, 50), 'REDACTED', 'a JWT cut short'],
      ['key ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 leaked', 'key ghp_REDACTED leaked', 'GitHub personal token'],
      ['gho_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789', 'gho_REDACTED', 'GitHub OAuth token'],
      ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz', 'github_pat_REDACTED', 'GitHub fine-grained token'],
      ['xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp', 'xoxb-REDACTED', 'Slack bot token'],
      ['xoxp-1234567890-abcdef', 'xoxp-REDACTED', 'Slack user token'],
      ['AKIAIOSFODNN7EXAMPLE', 'REDACTED', 'AWS access key id'],
      [
        'sk_live_4eC39HqLyjWDarjtT1zdp7dc and rk_test_abcdefgh123',
        'sk_live_REDACTED and rk_test_REDACTED',
        'Stripe secret and restricted keys',
      ],
      ['glpat-xxxxXXXXxxxx1234abcd', 'glpat-REDACTED', 'GitLab token'],
      ['see https://api.example.com/v1/ws?access_token=abc', 'see https://api.example.com/v1/ws?access_token=REDACTED', 'a URL'],
      [
        `cannot reach ws://h:1/ws/${B62}: connection refused`,
        'cannot reach ws://h:1/ws/REDACTED: connection refused',
        'a URL ending a clause',
      ],
      [`(at /ws/${B62}).`, '(at /ws/REDACTED).', 'a path before closing punctuation'],
      [`"bearer.${B62.slice(0, 12)}…"`, '"bearer.REDACTED…"', 'a quote clipped in the middle of a token'],
    ]);
  });

  it('judges the last word of a cut text (a full preview) from 8 characters on', () => {
    table(
      (text) => redactText(text, { cut: true }),
      [
        [`GET /ws/x?t=${B62.slice(0, 12)}`, 'GET /ws/x?t=REDACTED', 'a query value cut by the preview limit'],
        [`{"id":"${B62.slice(0, 9)}`, '{"id":"REDACTED', 'a random start of a value'],
        ['{"type":"subscribe","payload":{"query":"subscription', '{"type":"subscribe","payload":{"query":"subscription', 'a word'],
        ['hello wor', 'hello wor', 'short'],
      ],
    );
    assert.equal(
      redactText(`GET /ws/x?t=${B62.slice(0, 12)}`),
      `GET /ws/x?t=${B62.slice(0, 12)}`,
      'not cut: 12 characters are too few to judge',
    );
  });

  it('leaves ordinary text, hashes, nonces and accept values alone', () => {
    for (const text of [
      '',
      'hello',
      'going away',
      'Basic authentication required',
      'Bearer token expired',
      'The 101 response has Sec-WebSocket-Accept "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", but the key "dGhlIHNhbXBsZSBub25jZQ==" requires "x".',
      'permessage-deflate; client_max_window_bits=10; server_no_context_takeover',
      `commit ${HEX40} ${B62}`,
      '{"type":"subscribe","id":"1","payload":{"query":"{ a }"}}',
      '{"code":"NOT_FOUND","key":42}',
      'Error: upstream closed',
      'and/or 1/2 a/b/c',
    ]) {
      assert.equal(redactText(text), text, text);
    }
  });
});

describe('redactUrl', () => {
  it('redacts the path and the user information of a URL', () => {
    table(redactUrl, [
      ['ws://127.0.0.1:9000/', 'ws://127.0.0.1:9000/', 'nothing to hide'],
      [`wss://api.example.com/stream/${B62}`, 'wss://api.example.com/stream/REDACTED', 'a token in the path'],
      ['ws://user:pw@host/ws?token=x', 'ws://REDACTED@host/ws?token=REDACTED', 'credentials and a query token'],
      ['not a url /x', 'not a url /x', 'not a URL: read as a path'],
    ]);
  });
});

describe('the policy object', () => {
  it('redacts by default and shows everything with --show-secrets', () => {
    assert.equal(redactorFor(undefined), REDACT_SECRETS);
    assert.equal(redactorFor(false), REDACT_SECRETS);
    assert.equal(redactorFor(true), SHOW_SECRETS);
    assert.equal(REDACT_SECRETS.enabled, true);
    assert.equal(SHOW_SECRETS.enabled, false);
    const inputs = [`/ws/${B62}?t=${B62}`, `bearer.${JWT}`, `Authorization: Bearer ${B62}`, `ws://u:p@h/${B62}`];
    for (const input of inputs) {
      assert.equal(SHOW_SECRETS.path(input), input);
      assert.equal(SHOW_SECRETS.subprotocols(input), input);
      assert.equal(SHOW_SECRETS.text(input), input);
      assert.equal(SHOW_SECRETS.url(input), input);
    }
    assert.notEqual(REDACT_SECRETS.path(inputs[0]!), inputs[0]);
    assert.notEqual(REDACT_SECRETS.subprotocols(inputs[1]!), inputs[1]);
    assert.notEqual(REDACT_SECRETS.text(inputs[2]!), inputs[2]);
    assert.notEqual(REDACT_SECRETS.url(inputs[3]!), inputs[3]);
  });

  it('is idempotent: redacting twice changes nothing more', () => {
    for (const input of [
      `/ws/${B62}/x?t=${B62}&access_token=a`,
      `base64url.bearer.authorization.k8s.io.${B64URL}, chat`,
      `Authorization: Bearer ${JWT}\r\n{"token":"x"}`,
    ]) {
      for (const fn of [redactPath, redactSubprotocols, redactText]) {
        const once = fn(input);
        assert.equal(fn(once), once, `${fn.name}: ${input}`);
      }
    }
    assert.equal(REDACTED, 'REDACTED');
  });
});

describe("--redact: the user's own patterns", () => {
  it('compile from a source or /source/flags; a RegExp keeps its flags; each becomes global', () => {
    const [plain, flagged, given, global] = compileRedactPatterns(['sk_\\w+', '/order \\d+/i', /ann/m, '/x/g']);
    assert.deepEqual(
      [plain, flagged, given, global].map((r) => [r?.source, r?.flags]),
      [
        ['sk_\\w+', 'g'],
        ['order \\d+', 'gi'],
        ['ann', 'gm'],
        ['x', 'g'],
      ],
    );
    // Not a /source/flags form (Q is no flag): the pattern is taken as written.
    assert.equal(compileRedactPatterns(['/api/Q'])[0]?.source, '\\/api\\/Q');
  });

  it('a pattern that does not compile, or an empty one, is a ConfigError naming the option', () => {
    for (const [bad, message] of [
      ['token=([', /^redact "token=\(\[" is not a valid regular expression: /],
      ['*', /^redact "\*" is not a valid regular expression: Nothing to repeat$/],
      ['', /^redact needs a regular expression, got an empty one$/],
    ] as const) {
      assert.throws(
        () => redactorFor(false, [bad]),
        (err: unknown) => err instanceof ConfigError && err.option === 'redact' && message.test(err.message),
        bad,
      );
    }
  });

  it('masks every non-empty match in text, paths, URLs and subprotocols, before the credential rules', () => {
    const redact = redactorFor(false, ['ann@[a-z.]+', 'x*']);
    assert.equal(redact.enabled, true);
    assert.equal(redact.text('mail ann@example.com or bob'), 'mail REDACTED or bob');
    assert.equal(redact.path('/users/ann@example.com?t=1'), '/users/REDACTED?t=1');
    assert.equal(redact.url('ws://h/ann@example.com'), 'ws://h/REDACTED');
    assert.equal(redact.subprotocols('chat, ann@example.com'), 'chat, REDACTED');
    // The credential rules still run after the patterns.
    assert.equal(redact.text(`{"token":"${B62}"} ann@example.com`), '{"token":"REDACTED"} REDACTED');
    // `x*` matches the empty string everywhere: an empty match hides nothing.
    assert.equal(redact.text('abc'), 'abc');
    assert.equal(redact.text('axxb'), 'aREDACTEDb');
  });

  it('with --show-secrets only the patterns apply', () => {
    const redact = redactorFor(true, ['hunter\\d+']);
    assert.equal(redact.enabled, true);
    assert.equal(redact.text('{"password":"abc","pin":"hunter22"}'), '{"password":"abc","pin":"REDACTED"}');
    assert.equal(redactorFor(true, []), SHOW_SECRETS);
  });

  it('binary data: printable runs of 6 bytes or more are judged as text; with patterns, any run', () => {
    const bytes = Buffer.concat([Buffer.from([1, 2]), Buffer.from('token=abcd1234EFGH5678'), Buffer.from([0, 0x70, 0x69, 0x6e, 0])]);
    assert.deepEqual(
      Buffer.from(redactBytes(bytes, REDACT_SECRETS, false)),
      Buffer.concat([Buffer.from([1, 2]), Buffer.from('token=REDACTED'), Buffer.from([0, 0x70, 0x69, 0x6e, 0])]),
    );
    assert.deepEqual(
      Buffer.from(redactBytes(bytes, redactorFor(true, ['pin']), false)),
      Buffer.concat([
        Buffer.from([1, 2]),
        Buffer.from('token=abcd1234EFGH5678'),
        Buffer.from([0]),
        Buffer.from('REDACTED'),
        Buffer.from([0]),
      ]),
    );
    assert.equal(redactBytes(bytes, SHOW_SECRETS, false), bytes, 'unchanged: the same array');
    assert.deepEqual(redactedRuns(Buffer.from('pin'), REDACT_SECRETS, false), []);
  });

  it('previews go through the patterns as well, hex ones by their printable runs', () => {
    const redact = redactorFor(false, ['s3cr3t']);
    assert.equal(formatPreview(Buffer.from('the s3cr3t word'), redact), 'the REDACTED word');
    assert.equal(formatPreview(Buffer.from([0x0f, 0xa0, ...Buffer.from('s3cr3t!')]), redact), '0fa0REDACTED21');
  });
});

describe('redactText: the passes written by hand give what their regular expressions give', () => {
  // Pieces that make the expressions match, almost match and fail in every way they can.
  const PIECES = [
    '"',
    '"',
    ':',
    ' ',
    '\t',
    '\\',
    '\r',
    '\n',
    '\u2028',
    '\u00a0',
    '/',
    '//',
    '=',
    '&',
    ';',
    ',',
    '.',
    '-',
    '_',
    '<',
    '>',
    "'",
    '(',
    ')',
    '…',
    '?',
    '#',
    'a',
    'Z',
    '0',
    '9',
    'é',
    '日',
    '🎉',
    'token',
    'password',
    'apiKey',
    'user',
    'code',
    'pass',
    'http://',
    'ws://h',
    '"token":"',
    '"password" : "',
    '"sid"\u00a0:\u3000"',
    '"k"\u2028:"',
    '":"',
    '\\"',
    'Authorization',
    '\nAuthorization: Bearer ',
    '\u2028X-Token:',
    '\r\nCookie: a=b',
    'Cookie',
    'X-Token',
    'api',
    'v1',
    B62,
    'x'.repeat(70),
    'eyJabcdefgh',
    'Bearer ',
  ];
  const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((parts) => parts.join(''));
  const oldPaths = (t: string): string =>
    t.replace(URL_OR_PATH, (found) => {
      const end = found.length - (/[.,:;!?)\]]+$/.exec(found)?.[0].length ?? 0);
      const path = found.slice(0, end);
      return (path.startsWith('/') ? redactPath(path) : redactUrl(path)) + found.slice(end);
    });

  const oldHeaders = (t: string): string =>
    t.replace(HEADER_LINE, (line, name: string, colon: string, value: string) => {
      // headerValue, for the names the pieces hold.
      const lower = name.toLowerCase();
      if (value.trim() === '') return line;
      if (lower === 'authorization') {
        const scheme = /^([A-Za-z][A-Za-z0-9-]*)[ \t]+\S/.exec(value);
        return `${name}${colon}${scheme ? `${scheme[1]} ${REDACTED}` : REDACTED}`;
      }
      return lower === 'cookie' || isSecretName(lower) ? `${name}${colon}${REDACTED}` : line;
    });

  it('JSON pairs, form pairs, header lines, paths and URLs, the last word of a cut text', () => {
    fc.assert(
      fc.property(text, (t) => {
        assert.equal(
          redactJsonPairs(t),
          t.replace(JSON_PAIR, (all, start: string, name: string, value: string) =>
            value !== '' && isSecretName(name) ? `${start}${REDACTED}` : all,
          ),
        );
        assert.equal(
          redactFormPairs(t),
          t.replace(FORM_PAIR, (all, name: string) => (isSecretParameter(name) ? `${name}=${REDACTED}` : all)),
        );
        assert.equal(redactPaths(t), oldPaths(t));
        assert.equal(redactHeaderLines(t), oldHeaders(t));
        assert.equal(
          redactLastWord(t),
          t.replace(LAST_WORD, (word) => (looksRandom(word, MIN_CUT_LENGTH) ? REDACTED : word)),
        );
      }),
      { numRuns: 3000, seed: 13 },
    );
  });

  it('on the cases that matter', () => {
    const cases = [
      '{"token": "abc", "user":"ann", "password" :\t"p\\"q", "apiKey":"", "x":"y"}',
      'a=1&token=abcdef&b=2; pass=x, code=y',
      'see http://h/a?token=' + B62 + '. and /ws/' + B62 + '/feed, (/x)',
      '"k":"v\\\u2028w"',
    ];
    for (const t of cases) {
      assert.equal(
        redactJsonPairs(t),
        t.replace(JSON_PAIR, (all, start: string, name: string, value: string) =>
          value !== '' && isSecretName(name) ? `${start}${REDACTED}` : all,
        ),
      );
      assert.equal(redactPaths(t), oldPaths(t));
    }
    assert.equal(redactJsonPairs(cases[0]!), '{"token": "REDACTED", "user":"ann", "password" :\t"REDACTED", "apiKey":"", "x":"y"}');
  });

  it('names remembered between payloads keep their own answers, also names alike in length and ends', () => {
    // `token`/`taken` and `secret`/`sprint` share their length and end letters: the remembered-name table
    // may put them in one slot, and must compare the whole name.
    for (let round = 0; round < 3; round++) {
      assert.equal(redactJsonPairs('{"token":"a","taken":"b"}'), '{"token":"REDACTED","taken":"b"}');
      assert.equal(redactJsonPairs('{"taken":"b","token":"a"}'), '{"taken":"b","token":"REDACTED"}');
      assert.equal(redactJsonPairs('{"sprint":"1","secret":"2","SECRET":"3"}'), '{"sprint":"1","secret":"REDACTED","SECRET":"REDACTED"}');
      assert.equal(redactJsonPairs('{"secret":"2","sprint":"1"}'), '{"secret":"REDACTED","sprint":"1"}');
    }
  });
});
