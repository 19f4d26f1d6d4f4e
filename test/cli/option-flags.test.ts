/**
 * Library errors name library options; each command names them by its own flags. This walks every
 * command's option → flag table (as the command declared it) and, for each library option that can
 * fail, runs the command with a bad value and checks that the one line on stderr names the flag the
 * user typed (never the library's name for it), with exit 2. An option added to a table without a
 * recipe here, or declared unable to fail, fails the test: the mapping cannot grow untested.
 *
 * The program runs in this process (commander told to throw instead of exiting, stderr captured): some
 * ninety command lines, each failing before anything listens. The other CLI tests spawn the real thing.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CommanderError } from 'commander';
import { OptionFlags, optionFlags } from '../../src/cli/flags.js';
import { buildProgram } from '../../src/cli/program.js';
import { errorLine } from '../../src/cli/run.js';
import { ConfigError, ExitCode, OperationalError, UsageError } from '../../src/errors.js';
import { tempDir } from '../support/temp.js';

const dir = tempDir('option-flags').path;
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const missing = join(dir, 'no-such-dir', 'file');
const notPem = file('not.pem', 'this is not PEM\n');
const notLog = file('not.log', 'hello\n');
const aLog = file('a.log', '');
const badHex = file('bad.hex', '81 0');
const caDir = join(dir, 'ca');

/**
 * How a bad value shows: `flag` = the message names the flag (from the library through the command's
 * table, or from commander's own parsing); `file` = the message is about a file the flag named, and
 * names that file (a log, a config file, a CA directory); `value` = the message quotes the bad value
 * (a name looked up in a list it shows).
 */
type Shows = 'flag' | 'file' | 'value';

interface Recipe {
  args: string[];
  shows: Shows;
  /** What the message must contain besides (for `file`/`value`: the path or value). */
  mentions?: string;
}

/** Options that take no value (switches): nothing to get wrong. */
const SWITCHES = new Set([
  'json',
  'frames',
  'quiet',
  'enforce',
  'preview',
  'showSecrets',
  'insecure',
  'color',
  'policies.learn',
  'learn',
  'includeInvalid',
  'hex',
  'messages',
  'follow',
]);

/** Options that take any value: nothing to get wrong either (any text is a chaos seed). */
const ANY_VALUE = new Set(['seed']);

const UPSTREAM = 'ws://127.0.0.1:1';

const proxyRecipes = (base: string[], after: string[] = []): Record<string, Recipe> => {
  const run = (...args: string[]): string[] => [...base, ...args, ...after];
  return {
    target: { args: run('--target', 'ftp://127.0.0.1'), shows: 'flag' },
    listen: { args: run('--listen', 'nowhere'), shows: 'flag' },
    log: { args: run('--log', missing), shows: 'file', mentions: missing },
    instance: { args: run('--instance', 'a b'), shows: 'flag', mentions: 'instance id "a b"' },
    admin: { args: run('--admin', 'nope'), shows: 'flag', mentions: '"nope" is not HOST:PORT or PORT' },
    maxMessage: { args: run('--max-message', 'lots'), shows: 'flag' },
    maxPerRule: { args: run('--max-per-rule', '-1'), shows: 'flag' },
    pongTimeoutMs: { args: run('--pong-timeout', 'soon'), shows: 'flag' },
    ca: { args: run('--ca', missing), shows: 'flag', mentions: missing },
    resolve: { args: run('--resolve', 'app.test:443:127.0.0.1'), shows: 'flag', mentions: 'takes no port' },
    upstreamProxy: { args: run('--upstream-proxy', 'https://proxy.corp:3128'), shows: 'flag', mentions: 'must be an http:// URL' },
    tls: { args: run('--tls-cert', notPem, '--tls-key', notPem), shows: 'flag' },
    'tls.cert': { args: run('--tls-key', notPem), shows: 'flag' },
    'tls.key': { args: run('--tls-cert', notPem), shows: 'flag' },
    'policies.serverAccepts': { args: run('--server-accepts', 'json'), shows: 'flag' },
    'policies.clientAccepts': { args: run('--client-accepts', 'json'), shows: 'flag' },
    'policies.configFile': { args: run('--config', missing), shows: 'file', mentions: missing },
    maxConnections: { args: run('--max-connections', 'many'), shows: 'flag' },
    headerTimeoutMs: { args: run('--header-timeout', '1.5'), shows: 'flag' },
    shutdownGraceMs: { args: run('--grace', 'later'), shows: 'flag' },
    bodyLimit: { args: run('--body-limit', '-1'), shows: 'flag' },
    redact: { args: run('--redact', 'token=(['), shows: 'flag', mentions: 'not a valid regular expression' },
  };
};

/** The filter flags `proxy` and `tail` share (src/cli/options/filter.ts). */
const filterRecipes = (base: string[]): Record<string, Recipe> => ({
  'filter.conns': { args: [...base, '--conn', ',,'], shows: 'flag' },
  'filter.dirs': { args: [...base, '--dir', 'up'], shows: 'flag' },
  'filter.types': { args: [...base, '--type', 'mesage'], shows: 'flag', mentions: 'did you mean "message"' },
  'filter.rules': { args: [...base, '--rule', 'reserved-bit'], shows: 'flag' },
  'filter.codes': { args: [...base, '--code', '1000'], shows: 'flag' },
  'filter.grep': { args: [...base, '--grep', '(unclosed'], shows: 'flag', mentions: 'not a valid regular expression' },
});

const CI_COMMAND = ['--', process.execPath, '-e', ''];
const SANDWICH = ['sandwich', '--via', 'ws://127.0.0.1:9', '--return', '127.0.0.1:0', '--target', 'ws://127.0.0.1:9'];
const PROBE = ['probe', '--through', 'ws://127.0.0.1:1/'];

const RECIPES: Record<string, Record<string, Recipe>> = {
  proxy: {
    ...proxyRecipes(['proxy', '--target', UPSTREAM]),
    ui: { args: ['proxy', '--target', UPSTREAM, '--ui', 'nonsense:port'], shows: 'flag' },
    'ui.capacity': { args: ['proxy', '--target', UPSTREAM, '--ui-buffer', '5'], shows: 'flag' },
    workers: { args: ['proxy', '--target', UPSTREAM, '--workers', 'two'], shows: 'flag' },
    ...filterRecipes(['proxy', '--target', UPSTREAM]),
    pcap: { args: ['proxy', '--target', UPSTREAM, '--pcap', missing], shows: 'file', mentions: missing },
    // Forward mode (no --target): each fails before anything listens.
    mode: { args: ['proxy', '--mode', 'sideways'], shows: 'flag' },
    'forward.intercept': { args: ['proxy', '--listen', '127.0.0.1:0', '--ca-dir', caDir, '--intercept', 'a[b]'], shows: 'flag' },
    'forward.caDir': { args: ['proxy', '--listen', '127.0.0.1:0', '--ca-dir', notPem], shows: 'file', mentions: notPem },
    'forward.allowRemote': { args: ['proxy', '--listen', '0.0.0.0:0', '--ca-dir', caDir], shows: 'flag' },
    'forward.allowFrom': {
      args: ['proxy', '--listen', '0.0.0.0:0', '--ca-dir', caDir, '--allow-remote', '--allow-from', '10.0.0.0/33'],
      shows: 'flag',
    },
  },
  // Each fails before tcpdump would start.
  sniff: {
    interface: { args: ['sniff', '-i', ' '], shows: 'flag' },
    ports: { args: ['sniff', '-i', 'lo', '--port', '70000'], shows: 'flag' },
    log: { args: ['sniff', '-i', 'lo', '--log', missing], shows: 'file', mentions: missing },
    maxMessage: { args: ['sniff', '-i', 'lo', '--max-message', 'lots'], shows: 'flag' },
    maxPerRule: { args: ['sniff', '-i', 'lo', '--max-per-rule', '-1'], shows: 'flag' },
    bodyLimit: { args: ['sniff', '-i', 'lo', '--body-limit', '1.5'], shows: 'flag' },
    redact: { args: ['sniff', '-i', 'lo', '--redact', '(a'], shows: 'flag', mentions: 'not a valid regular expression' },
    ...filterRecipes(['sniff', '-i', 'lo']),
  },
  tail: {
    ...filterRecipes(['tail', aLog]),
    summary: { args: ['tail', aLog, '--summary', '--follow'], shows: 'flag', mentions: '--follow' },
  },
  chaos: {
    ...Object.fromEntries(
      Object.entries(proxyRecipes(['chaos', '--target', UPSTREAM])).filter(([option]) => option !== 'policies.configFile'),
    ),
    toxics: {
      args: ['chaos', '--target', UPSTREAM, '--toxic', 'rsv:client->server:bit=9'],
      shows: 'value',
      mentions: '--toxic "rsv:client->server:bit=9": bit: expected an integer from 1 to 3',
    },
    api: { args: ['chaos', '--target', UPSTREAM, '--api', 'nowhere'], shows: 'flag' },
    ui: { args: ['chaos', '--target', UPSTREAM, '--ui', 'nonsense:port'], shows: 'flag' },
    'ui.capacity': { args: ['chaos', '--target', UPSTREAM, '--ui-buffer', '5'], shows: 'flag' },
  },
  ci: {
    ...Object.fromEntries(Object.entries(proxyRecipes(['ci', '--target', UPSTREAM], CI_COMMAND)).filter(([option]) => option !== 'admin')),
    junit: { args: ['ci', '--target', UPSTREAM, '--junit', missing, ...CI_COMMAND], shows: 'flag', mentions: missing },
    summaryJson: { args: ['ci', '--target', UPSTREAM, '--summary-json', missing, ...CI_COMMAND], shows: 'flag', mentions: missing },
    failOn: { args: ['ci', '--target', UPSTREAM, '--fail-on', 'oops', ...CI_COMMAND], shows: 'flag' },
    command: { args: ['ci', '--target', UPSTREAM, '--', ''], shows: 'value', mentions: 'give it after --' },
  },
  sandwich: {
    via: { args: [...SANDWICH, '--via', 'proxy:80'], shows: 'flag' },
    returnListen: { args: [...SANDWICH, '--return', 'nowhere'], shows: 'flag' },
    target: { args: [...SANDWICH, '--target', 'ftp://127.0.0.1'], shows: 'flag' },
    listen: { args: [...SANDWICH, '--listen', 'nowhere'], shows: 'flag' },
    log: { args: [...SANDWICH, '--log', missing], shows: 'file', mentions: missing },
    maxMessage: { args: [...SANDWICH, '--max-message', 'lots'], shows: 'flag' },
    maxPerRule: { args: [...SANDWICH, '--max-per-rule', 'x'], shows: 'flag' },
    pongTimeoutMs: { args: [...SANDWICH, '--pong-timeout', 'soon'], shows: 'flag' },
    ca: { args: [...SANDWICH, '--ca', notPem], shows: 'flag', mentions: 'not a usable PEM certificate' },
    maxLatencyMs: { args: [...SANDWICH, '--max-latency', 'fast'], shows: 'flag' },
    lingerMs: { args: [...SANDWICH, '--linger', 'soon'], shows: 'flag' },
    maxConnections: { args: [...SANDWICH, '--max-connections', 'many'], shows: 'flag' },
    headerTimeoutMs: { args: [...SANDWICH, '--header-timeout', 'x'], shows: 'flag' },
    shutdownGraceMs: { args: [...SANDWICH, '--grace', 'x'], shows: 'flag' },
    bodyLimit: { args: [...SANDWICH, '--body-limit', '1.5'], shows: 'flag' },
    redact: { args: [...SANDWICH, '--redact', '*'], shows: 'flag', mentions: 'not a valid regular expression' },
  },
  probe: {
    through: { args: ['probe', '--through', 'http://127.0.0.1/'], shows: 'flag' },
    reflector: { args: [...PROBE, '--reflector', 'nowhere'], shows: 'flag' },
    cases: { args: [...PROBE, '--cases', 'nope'], shows: 'flag', mentions: 'see wsdiag probe --list' },
    idleSeconds: { args: [...PROBE, '--idle', 'soon'], shows: 'flag' },
    forwardProxy: { args: [...PROBE, '--forward-proxy', 'ftp://127.0.0.1'], shows: 'flag' },
    // A switch, but one that contradicts a ws:// --through.
    insecure: { args: [...PROBE, '--insecure'], shows: 'flag' },
    ca: { args: [...PROBE, '--ca', missing], shows: 'flag', mentions: missing },
    junit: { args: [...PROBE, '--junit', missing], shows: 'flag', mentions: missing },
    timeoutMs: { args: [...PROBE, '--timeout', 'x'], shows: 'flag' },
    maxLatencyMs: { args: [...PROBE, '--max-latency', 'x'], shows: 'flag' },
  },
  view: {
    listen: { args: ['view', aLog, '--listen', 'nonsense:port'], shows: 'flag' },
    capacity: { args: ['view', aLog, '--ui-buffer', '0'], shows: 'flag' },
    intervalMs: { args: ['view', aLog, '--interval', '0'], shows: 'flag' },
    files: {
      args: ['view', notLog, '--listen', '127.0.0.1:0'],
      shows: 'file',
      mentions: 'write one with wsdiag proxy --log FILE or --json',
    },
  },
  analyze: {
    from: { args: ['analyze', '-', '--from', 'both'], shows: 'flag' },
    extensions: {
      args: ['analyze', '-', '--from', 'client', '--extensions', 'permessage-deflate; server_max_window_bits=99'],
      shows: 'flag',
    },
    maxMessage: { args: ['analyze', '-', '--from', 'client', '--max-message', 'lots'], shows: 'flag' },
    accepts: { args: ['analyze', '-', '--from', 'client', '--accepts', 'json'], shows: 'flag' },
    // A switch, but its input can be wrong.
    hex: { args: ['analyze', badHex, '--from', 'client', '--hex'], shows: 'flag' },
    bodyLimit: { args: ['analyze', '-', '--from', 'client', '--body-limit', '-4096'], shows: 'flag' },
    redact: { args: ['analyze', '-', '--from', 'client', '--redact', '(a'], shows: 'flag', mentions: 'not a valid regular expression' },
  },
  explain: {
    lang: { args: ['explain', '1002', '--lang', 'de'], shows: 'flag' },
  },
  demo: {
    only: { args: ['demo', '--only', 'nope'], shows: 'value', mentions: '"nope"' },
    serverAccepts: { args: ['demo', '--server-accepts', 'json'], shows: 'flag' },
    clientAccepts: { args: ['demo', '--client-accepts', 'json'], shows: 'flag' },
  },
  ca: {
    dir: { args: ['ca', '--ca-dir', join(notPem, 'ca')], shows: 'file', mentions: join(notPem, 'ca') },
    keyType: { args: ['ca', '--key-type', 'dsa'], shows: 'flag' },
  },
};

/** process.exitCode as a number (a command sets it; 0 when none did). */
function currentExitCode(): number {
  return Number(process.exitCode ?? 0);
}

/** Runs `wsdiag ARGS…` in this process: its exit code and what it wrote on stderr. */
async function run(args: readonly string[]): Promise<{ code: number; stderr: string }> {
  const program = await buildProgram();
  let stderr = '';
  const capture = (text: string): void => {
    stderr += text;
  };
  for (const command of [program, ...program.commands]) command.exitOverride().configureOutput({ writeErr: capture, writeOut: () => {} });
  const write = process.stderr.write.bind(process.stderr);
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  process.stderr.write = (chunk: string | Uint8Array) => {
    capture(String(chunk));
    return true;
  };
  try {
    await program.parseAsync([...args], { from: 'user' });
    return { code: currentExitCode(), stderr };
  } catch (err) {
    // What buildProgram's own exitOverride turns into exit 2 (commander's usage errors).
    if (err instanceof CommanderError) return { code: err.exitCode === 0 ? 0 : ExitCode.Usage, stderr };
    throw err;
  } finally {
    process.stderr.write = write;
    process.exitCode = exitCode;
  }
}

// Every command, loaded before the suite is declared: its tests are one per command.
const program = await buildProgram();

describe('every command names library options by its own flags', () => {
  it('every option of every command table has a recipe here or is a switch, and every recipe an option', () => {
    for (const command of program.commands) {
      const declared = optionFlags(command)
        .options()
        .map((o) => o.option);
      const recipes = RECIPES[command.name()] ?? {};
      for (const option of declared) {
        assert.ok(
          option in recipes || SWITCHES.has(option) || ANY_VALUE.has(option),
          `${command.name()}: no bad-value recipe for option ${option}`,
        );
      }
      for (const option of Object.keys(recipes))
        assert.ok(declared.includes(option), `${command.name()}: recipe for ${option}, which the command does not declare`);
    }
  });

  for (const command of program.commands) {
    const recipes = RECIPES[command.name()];
    if (!recipes) continue;
    it(`${command.name()}: a bad value of each option is exit 2 with one line naming its flag`, async () => {
      const table = optionFlags(command);
      for (const [option, recipe] of Object.entries(recipes)) {
        const r = await run(recipe.args);
        const what = `${command.name()} ${option} (${recipe.args.join(' ')}): ${r.stderr}`;
        assert.equal(r.code, 2, what);
        assert.match(r.stderr, /^(wsdiag: |error: )/, what);
        assert.doesNotMatch(r.stderr, /\n\s+at /, `no stack trace: ${what}`);
        const lines = r.stderr
          .replace(/\(run with --help for usage\)\n$/, '')
          .trimEnd()
          .split('\n');
        assert.equal(lines.length, 1, `one line: ${what}`);
        if (recipe.mentions !== undefined) assert.ok(r.stderr.includes(recipe.mentions), `mentions ${recipe.mentions}: ${what}`);
        if (recipe.shows !== 'flag') continue;
        const flag = table.name(option);
        assert.ok(flag.startsWith('--'), `${command.name()} maps ${option} to a flag`);
        for (const one of flag.split('/')) assert.ok(r.stderr.includes(one), `names ${one}: ${what}`);
        // The library's own name never leaks where it differs from the flag (returnListen, maxLatencyMs, tls.cert…).
        const bare = option.split('.').at(-1) ?? option;
        if (!flag.includes(bare)) assert.doesNotMatch(r.stderr, new RegExp(`(^|[^\\w-])${bare}([^\\w-]|$)`), what);
      }
    });
  }
});

describe('options that cannot go together', () => {
  it('proxy: --pcap with --workers above 1 is exit 2 with one line naming both flags, before anything listens or is written', async () => {
    const pcap = join(dir, 'relayed.pcapng');
    const r = await run(['proxy', '--target', UPSTREAM, '--listen', '127.0.0.1:0', '--pcap', pcap, '--workers', '2']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, 'wsdiag: --pcap records the connections of one relay process: not with --workers above 1\n');
    assert.equal(existsSync(pcap), false, 'the pcap file is not created');
  });
});

describe('ConfigError and the option table', () => {
  it('a library message names options as the library does; describe() names them as the reader does', () => {
    const err = new ConfigError('returnListen', (n) => `${n('listen')} and ${n('returnListen')} are both 127.0.0.1:1`);
    assert.ok(err instanceof UsageError);
    assert.equal(err.exitCode, ExitCode.Usage);
    assert.equal(err.option, 'returnListen');
    assert.equal(err.message, 'listen and returnListen are both 127.0.0.1:1');
    const table = new OptionFlags();
    table.add('listen', '--listen');
    table.add('returnListen', '--return', 'see the set-up in --help');
    assert.equal(err.describe(table.name), '--listen and --return are both 127.0.0.1:1');
    assert.equal(errorLine(err, table), '--listen and --return are both 127.0.0.1:1; see the set-up in --help');
    assert.equal(errorLine(err), err.message, 'without a table: the library wording');
  });

  it('an option set by two flags is named by both; an option no flag sets keeps its name', () => {
    const table = new OptionFlags();
    table.add('tls', '--tls-cert');
    table.add('tls', '--tls-key');
    assert.equal(table.name('tls'), '--tls-cert/--tls-key');
    assert.equal(table.name('runId'), 'runId');
  });

  it('errors about no option, and plain-text ones, are shown as they are', () => {
    const table = new OptionFlags();
    table.add('listen', '--listen', 'a hint');
    assert.equal(errorLine(new OperationalError('cannot listen on 127.0.0.1:1'), table), 'cannot listen on 127.0.0.1:1');
    assert.equal(errorLine(new ConfigError('listen', 'plain'), table), 'plain; a hint');
  });
});
