/**
 * No output of the CLI shows a credential, whatever carries it (test/fixtures/secrets.ts: a token as a
 * path segment, under ?t=, as a subprotocol bearer.<token> or in the Kubernetes form, in a payload, in a
 * Close reason): `proxy`'s readable log, its JSON Lines on stdout, its --log file and `tail` of that file;
 * `ci`'s readable log, JUnit and summary JSON; `sandwich`'s findings and evidence; `analyze`; `probe`.
 * `--show-secrets` shows them. Real processes (bin/wsdiag.js), a real `ws` upstream and clients.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bothWays, startIntermediary } from '../support/intermediary.js';
import { Opcode } from '../../src/protocol/constants.js';
import { closeBody, encodeFrame } from '../../src/protocol/encoder.js';
import {
  SECRETS,
  SHOWN,
  UNOFFERED_PROTOCOL,
  leaks,
  missingSecrets,
  playSecretTraffic,
  startSecretUpstream,
  type SecretUpstream,
} from '../fixtures/secrets.js';
import { runCli, startCli, type RunningChild } from '../support/cli.js';
import { freePort, heldPorts } from '../support/net.js';
import { tempDir } from '../support/temp.js';

const SECRETS_PROGRAM = fileURLToPath(new URL('../fixtures/secrets.js', import.meta.url));
const dir = tempDir('secrets');
let upstream: SecretUpstream;
before(async () => {
  upstream = await startSecretUpstream();
});
after(async () => {
  await upstream.close();
});
const file = dir.file;

/** The forms every full output of the traffic shows in place of the secrets. */
const REDACTED_FORMS = [SHOWN.pathA, SHOWN.bearer, SHOWN.payload, SHOWN.reason, SHOWN.pathB, SHOWN.offeredB, SHOWN.pathC];

/** No secret in `text`, and each form shown (looked for with JSON's and XML's escapes undone). */
function assertRedacted(text: string, where: string, forms: readonly string[] = REDACTED_FORMS): void {
  assert.deepEqual(leaks(text), [], `${where} leaks:\n${text}`);
  const plain = text.replaceAll('\\"', '"').replaceAll('&quot;', '"').replaceAll('&amp;', '&');
  for (const form of forms) assert.ok(plain.includes(form), `${where} shows ${form}:\n${text}`);
}

/** Waits until a spawned proxy has written the end of A, B and C, then stops it. */
async function playThrough(proxy: RunningChild, port: number, json: boolean): Promise<string> {
  await playSecretTraffic(`ws://127.0.0.1:${port}`);
  const ended = json
    ? [
        (l: string) => l.includes('"type":"close"') && /"conn":"[0-9a-z]+-c2"/.test(l),
        (l: string) => l.includes('"type":"error"') && l.includes('"status":401'),
      ]
    : [(l: string) => / [0-9a-z]+-c2 close /.test(l), (l: string) => /✖ error {2}[0-9a-z]+-c3 {2}HTTP 401/.test(l)];
  for (const match of ended) await proxy.waitForLine(match, 'the end of the traffic');
  const exit = await proxy.stop('SIGTERM');
  assert.equal(exit.code, 0, exit.stderr);
  return `${proxy.lines().join('\n')}\n${exit.stderr}`;
}

describe('wsdiag proxy', () => {
  it('JSON Lines on stdout, the --log file and `tail` of it show no secret', async () => {
    const log = file('proxy.jsonl');
    const proxy = startCli([
      'proxy',
      '--target',
      upstream.url,
      '--listen',
      '127.0.0.1:0',
      '--json',
      '--frames',
      '--log',
      log,
      '--server-accepts',
      'text',
    ]);
    const stdout = await playThrough(proxy, await proxy.port(), true);
    assertRedacted(stdout, 'stdout (--json)');
    const written = readFileSync(log, 'utf8');
    assertRedacted(written, 'the --log file');

    const tail = await runCli(['tail', log, '--frames']);
    assert.equal(tail.code, 0, tail.stderr);
    assertRedacted(tail.stdout, 'wsdiag tail');
    assert.match(
      tail.stdout,
      new RegExp(`c1 open  client 127\\.0\\.0\\.1:\\d+  path ${escape(SHOWN.pathA)}  subprotocol ${escape(SHOWN.bearer)}`),
    );
  });

  it('the readable log shows no secret', async () => {
    const port = await freePort();
    const proxy = startCli(['proxy', '--target', upstream.url, '--listen', `127.0.0.1:${port}`, '--server-accepts', 'text']);
    await proxy.waitForLine((l) => l.includes('listening on'), 'the listening line');
    const stdout = await playThrough(proxy, port, false);
    assertRedacted(stdout, 'the readable log');
    assert.match(
      stdout,
      new RegExp(`c1 open  client 127\\.0\\.0\\.1:\\d+  path ${escape(SHOWN.pathA)}  subprotocol ${escape(SHOWN.bearer)}`),
    );
    // What is not secret stays readable: the subprotocol the server chose for B.
    assert.match(
      stdout,
      new RegExp(`c2 open  client 127\\.0\\.0\\.1:\\d+  path ${escape(SHOWN.pathB)}  subprotocol ${escape(UNOFFERED_PROTOCOL)}`),
    );
  });

  it('--show-secrets writes them as they came', async () => {
    const proxy = startCli([
      'proxy',
      '--target',
      upstream.url,
      '--listen',
      '127.0.0.1:0',
      '--json',
      '--server-accepts',
      'text',
      '--show-secrets',
    ]);
    const stdout = await playThrough(proxy, await proxy.port(), true);
    assert.deepEqual(missingSecrets(stdout), [], stdout);
    assert.ok(!stdout.includes('REDACTED'), stdout);
  });
});

describe('wsdiag ci', () => {
  it('the readable log, --log, JUnit and the summary JSON show no secret; --show-secrets shows them', async () => {
    for (const show of [false, true]) {
      const junit = file('junit.xml');
      const summary = file('summary.json');
      const log = file('ci.jsonl');
      const run = await runCli(
        [
          'ci',
          '--target',
          upstream.url,
          '--server-accepts',
          'text',
          '--junit',
          junit,
          '--summary-json',
          summary,
          '--log',
          log,
          ...(show ? ['--show-secrets'] : []),
          '--',
          process.execPath,
          SECRETS_PROGRAM,
          'play',
        ],
        { timeoutMs: 30_000 },
      );
      // unsupported-binary and handshake-unrequested-subprotocol are errors: the run fails.
      assert.equal(run.code, 1, run.stderr);
      const outputs: Array<[string, string]> = [
        ['stdout', `${run.stdout}${run.stderr}`],
        ['--log', readFileSync(log, 'utf8')],
        ['JUnit', readFileSync(junit, 'utf8')],
        ['summary JSON', readFileSync(summary, 'utf8')],
      ];
      for (const [where, text] of outputs) {
        if (show) continue;
        // JUnit and the summary list connections and failing violations, not every event.
        const forms =
          where === 'JUnit'
            ? [SHOWN.pathA, SHOWN.pathB, SHOWN.offeredB, SHOWN.payload, SHOWN.pathC]
            : where === 'summary JSON'
              ? [SHOWN.pathA, SHOWN.pathB]
              : REDACTED_FORMS;
        assertRedacted(text, `ci ${where}`, forms);
      }
      if (show) assert.deepEqual(missingSecrets(outputs.map(([, text]) => text).join('\n')), []);
    }
  });
});

describe('wsdiag sandwich', () => {
  it("findings, their evidence and both legs' events show no secret", async () => {
    // Held while the intermediary binds its own port 0, released for the child to take.
    const held = await heldPorts(2);
    const [returnPort, frontPort] = held.ports as [number, number];
    const intermediary = await startIntermediary(`ws://127.0.0.1:${returnPort}`, {
      toxics: bothWays('close-code', { code: 4002 }),
    }).finally(held.release);
    const log = file('sandwich.jsonl');
    const sandwich = startCli([
      'sandwich',
      '--listen',
      `127.0.0.1:${frontPort}`,
      '--via',
      intermediary.url,
      '--return',
      `127.0.0.1:${returnPort}`,
      '--target',
      upstream.url,
      '--json',
      '--log',
      log,
    ]);
    let stdout: string;
    try {
      await sandwich.waitForStdout(`"port":${frontPort}`, 'the front listener');
      await playSecretTraffic(`ws://127.0.0.1:${frontPort}`);
      await sandwich.waitForStdout('"check":"close-code-rewritten"', 'a finding');
      const exit = await sandwich.stop('SIGTERM');
      assert.equal(exit.code, 1, exit.stderr);
      stdout = exit.stdout;
    } finally {
      sandwich.kill('SIGTERM');
      await intermediary.close();
    }
    for (const [where, text] of [
      ['stdout', stdout],
      ['--log', readFileSync(log, 'utf8')],
    ] as const) {
      assert.deepEqual(leaks(text), [], `${where}:\n${text}`);
    }
    const finding = stdout
      .split('\n')
      .filter((l) => l.includes('"type":"sandwich-finding"'))
      .map((l) => JSON.parse(l) as { evidence: Record<string, Record<string, unknown>> })[0]!;
    for (const leg of ['front', 'return'] as const) {
      assert.equal(finding.evidence[leg]!['path'], SHOWN.pathA, `${leg} leg path`);
      assert.deepEqual(
        finding.evidence[leg]!['offered'],
        { subprotocols: SHOWN.offeredA, extensions: 'permessage-deflate; client_max_window_bits' },
        `${leg} leg offers`,
      );
      assert.equal(finding.evidence[leg]!['subprotocol'], SHOWN.bearer, `${leg} leg subprotocol`);
      assert.deepEqual((finding.evidence[leg]!['stream'] as { closes: unknown }).closes, [
        { code: leg === 'front' ? 4000 : 4002, reason: SHOWN.reason },
      ]);
    }
  });
});

describe('wsdiag analyze', () => {
  const capture = file('capture.bin');
  before(() => {
    // A client stream whose frames are unmasked (a violation with a preview each): a token-carrying JSON
    // message, an HTTP head line sent as text, and a Close with a token in its reason.
    writeFileSync(
      capture,
      Buffer.concat([
        encodeFrame({ opcode: Opcode.Text, payload: `{"authToken":"${SECRETS.payload}"}` }),
        encodeFrame({ opcode: Opcode.Text, payload: `GET /ws/${SECRETS.segment}/feed?t=${SECRETS.query}` }),
        encodeFrame({ opcode: Opcode.Close, payload: closeBody(4000, `token=${SECRETS.reason}`) }),
      ]),
    );
  });

  // The Close body's preview is hex (its status code is not text): "token=" and the rest hidden.
  const closePreview = `0fa0${Buffer.from('token=').toString('hex')}REDACTED`;

  it('previews (text and hex, cut or whole) and Close reasons show no secret, in both formats', async () => {
    for (const format of [[], ['--json']]) {
      const run = await runCli(['analyze', capture, '--from', 'client', ...format]);
      assert.equal(run.code, 1, run.stderr);
      assert.ok(!run.stdout.includes(Buffer.from(SECRETS.reason).toString('hex').slice(0, 20)), `no reason in hex: ${run.stdout}`);
      // The second preview is cut by the 64-byte limit in the middle of the ?t= token.
      assertRedacted(run.stdout, `analyze ${format.join(' ')}`, [
        SHOWN.payload,
        `GET /ws/REDACTED/feed?t=REDACTED`,
        closePreview,
        SHOWN.reason,
      ]);
    }
  });

  it('--show-secrets shows them', async () => {
    const run = await runCli(['analyze', capture, '--from', 'client', '--json', '--show-secrets']);
    assert.equal(run.code, 1, run.stderr);
    for (const secret of [
      SECRETS.payload,
      SECRETS.segment,
      SECRETS.query.slice(0, 10),
      SECRETS.reason,
      Buffer.from(SECRETS.reason).toString('hex'),
    ]) {
      assert.ok(run.stdout.includes(secret), secret);
    }
  });
});

describe('wsdiag probe', () => {
  it('a token in the --through URL appears nowhere in the matrix, JSON Lines or JUnit; --show-secrets shows it', async () => {
    const reflectorPort = await freePort();
    const honest = await startIntermediary(`ws://127.0.0.1:${reflectorPort}`);
    try {
      const through = `${honest.url}/ws/${SECRETS.segment}?t=${SECRETS.query}`;
      const shown = `${honest.url}/ws/REDACTED?t=REDACTED`;
      const common = ['probe', '--through', through, '--reflector', `127.0.0.1:${reflectorPort}`, '--cases', 'text/hello'];
      const junit = file('probe.xml');
      const json = await runCli([...common, '--json', '--junit', junit]);
      assert.equal(json.code, 0, json.stderr);
      assertRedacted(json.stdout, 'probe --json', [`"through":"${shown}"`]);
      assertRedacted(readFileSync(junit, 'utf8'), 'probe JUnit', [`value="${shown}"`]);
      const matrix = await runCli(common);
      assertRedacted(matrix.stdout, 'probe matrix', [`wsdiag probe: ${shown} → reflector`]);
      const shownSecrets = await runCli([...common, '--json', '--show-secrets']);
      assert.ok(shownSecrets.stdout.includes(`"through":"${through}"`), shownSecrets.stdout);
    } finally {
      await honest.close();
    }
  });

  it('an unreachable --through: the error names it redacted', async () => {
    const port = await freePort();
    const run = await runCli([
      'probe',
      '--through',
      `ws://127.0.0.1:${port}/ws/${SECRETS.segment}`,
      '--reflector',
      `127.0.0.1:${await freePort()}`,
      '--cases',
      'text/hello',
    ]);
    assert.equal(run.code, 3, run.stderr);
    assertRedacted(run.stderr, 'probe stderr', [`ws://127.0.0.1:${port}/ws/REDACTED`]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
