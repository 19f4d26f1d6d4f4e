/**
 * The package as a user gets it: `npm pack` the built tree, install the tarball into a fresh project, and
 * use it from there. Each subpath of package.json's "exports" loads and offers what docs/library.md says,
 * its types resolve for TypeScript, nothing outside "exports" can be imported, the tarball carries the
 * build, the bin, the docs and no tests, and the installed `wsdiag` command runs.
 *
 * Slow (an install), so it runs once, with generous bounds; it skips when npm is not on PATH. Runtime
 * dependencies come from npm's cache when they are there (--prefer-offline).
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; exports: Record<string, unknown> };

const npmMissing = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status !== 0;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, bounded by `timeoutMs`; a non-zero exit is returned, not thrown. */
function run(file: string, args: string[], cwd: string, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(new Error(`${file} ${args.join(' ')}: ${error.message}\n${stderr}`));
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

const fn = 'function';
/** A few names of each subpath and what each must be (classes and functions are both 'function'). */
const EXPECTED: Record<string, Record<string, string>> = {
  wsdiag: {
    analyzeBytes: fn,
    FrameDecoder: fn,
    ConnectionAnalyzer: fn,
    startProxy: fn,
    MessagePolicies: fn,
    PrettyReporter: fn,
    explain: fn,
    runCi: fn,
    runProbe: fn,
    runDemo: fn,
    MessageCollector: fn,
    StreamRecorder: fn,
    redactorFor: fn,
    ConfigError: fn,
    runSniff: fn,
  },
  'wsdiag/protocol': {
    FrameDecoder: fn,
    analyzeBytes: fn,
    ConnectionAnalyzer: fn,
    encodeFrame: fn,
    checkUpgradeRequest: fn,
    Utf8Validator: fn,
  },
  'wsdiag/events': { parseEventLine: fn, RULES: 'object', getRule: fn, newRunId: fn },
  'wsdiag/proxy': { startProxy: fn, resolveSettings: fn, summaryCounts: fn, MessagePolicies: fn, pcapRecorder: fn },
  'wsdiag/reporters': { JsonlReporter: fn, PrettyReporter: fn, SummaryCollector: fn, formatEvent: fn, readLog: fn, redactText: fn },
  'wsdiag/capture': { analyzeCapture: fn, analyzeCaptureBytes: fn, CaptureReader: fn, PcapngWriter: fn },
  'wsdiag/chaos': { createChaosConnection: fn, ToxicRegistry: fn, startChaosApi: fn, ChaosClient: fn },
};

/** Run in the consumer project: what each subpath offers, the manifest, a deep import, one analysis. */
const CHECK_SCRIPT = `
const expected = ${JSON.stringify(EXPECTED)};
const report = {};
for (const [specifier, names] of Object.entries(expected)) {
  const module = await import(specifier);
  report[specifier] = Object.fromEntries(Object.keys(names).map((name) => [name, typeof module[name]]));
}
const pkg = await import('wsdiag/package.json', { with: { type: 'json' } });
report.version = pkg.default.version;
try {
  await import('wsdiag/dist/src/proxy/relay.js');
  report.deep = 'imported';
} catch (error) {
  report.deep = error.code;
}
const { analyzeBytes, encodeFrame } = await import('wsdiag/protocol');
report.violations = analyzeBytes(encodeFrame({ opcode: 1, payload: 'unmasked' }), { from: 'client' }).events
  .filter((e) => e.type === 'violation')
  .map((e) => e.rule);
console.log(JSON.stringify(report));
`;

/** A TypeScript user of the package: compiles only if every subpath's "types" resolves. */
const TYPES_CHECK = `
import { analyzeBytes, startProxy, type WsdiagEvent, type ProxyOptions } from 'wsdiag';
import { FrameDecoder, type DecoderSink } from 'wsdiag/protocol';
import { parseEventLine, type ViolationEvent } from 'wsdiag/events';
import { MessagePolicies, type ProxyAddon } from 'wsdiag/proxy';
import { JsonlReporter, type Reporter } from 'wsdiag/reporters';
import { analyzeCaptureBytes } from 'wsdiag/capture';
import { createChaosConnection } from 'wsdiag/chaos';

const events: WsdiagEvent[] = analyzeBytes(new Uint8Array(0), { from: 'client' }).events;
const sink: DecoderSink = { finding: (f) => void f.rule };
const decoder: FrameDecoder = new FrameDecoder(sink, { from: 'server' });
const addon: ProxyAddon = new MessagePolicies({ serverAccepts: 'text' });
const options: Partial<ProxyOptions> = { addons: [addon] };
const reporter: Reporter = new JsonlReporter(process.stdout);
const violation: ViolationEvent | undefined = events.find((e): e is ViolationEvent => e.type === 'violation');
export { analyzeCaptureBytes, createChaosConnection, decoder, options, parseEventLine, reporter, startProxy, violation };
`;

describe('the packed package', { skip: npmMissing ? 'npm is not on PATH' : false }, () => {
  let dir = '';
  let files: string[] = [];
  let app = '';
  // One install for every check below. The tree is already built (npm test builds first); --ignore-scripts
  // keeps `prepare` from rebuilding (and emptying dist/ under the tests running beside this one).
  before(
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'wsdiag-pack-'));
      const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT, 180_000);
      assert.equal(pack.code, 0, `npm pack failed:\n${pack.stderr}`);
      const [packed] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
      assert.ok(packed, 'npm pack reported its tarball');
      files = packed.files.map((f) => f.path);
      app = join(dir, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'wsdiag-consumer', private: true, type: 'module' }));
      const install = await run(
        'npm',
        ['install', join(dir, packed.filename), '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--no-package-lock'],
        app,
        600_000,
      );
      assert.equal(install.code, 0, `npm install of the tarball failed:\n${install.stderr}`);
    },
    { timeout: 900_000 },
  );
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships the build, the bin, the docs and the license, and no tests, benchmarks, sources or source maps', () => {
    for (const path of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/wsdiag.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'docs/library.md',
    ]) {
      assert.ok(files.includes(path), `${path} is in the tarball`);
    }
    assert.ok(files.includes('dist/src/ui/web/main.js'), "the dashboard's front end is in the tarball");
    const unwanted = files.filter((path) => /^(dist\/(test|bench|examples)\/|test\/|bench\/|src\/|node_modules\/)|\.map$/.test(path));
    assert.deepEqual(unwanted, []);
  });

  it('points every subpath of "exports" at a module and its types in the tarball', () => {
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (subpath === './package.json') continue;
      const { types, import: module } = target as { types: string; import: string };
      assert.ok(files.includes(types.replace(/^\.\//, '')), `${subpath}: ${types} is in the tarball`);
      assert.ok(files.includes(module.replace(/^\.\//, '')), `${subpath}: ${module} is in the tarball`);
    }
  });

  it('loads every subpath with its named exports, and refuses paths outside "exports"', async () => {
    writeFileSync(join(app, 'check.mjs'), CHECK_SCRIPT);
    const result = await run(process.execPath, ['check.mjs'], app, 120_000);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    const subpaths = Object.keys(manifest.exports).filter((s) => s !== './package.json');
    for (const subpath of subpaths) {
      const specifier = subpath === '.' ? 'wsdiag' : `wsdiag/${subpath.slice(2)}`;
      assert.deepEqual(report[specifier], EXPECTED[specifier], `${specifier} offers what the library documents`);
    }
    assert.equal(report['version'], manifest.version);
    assert.equal(report['deep'], 'ERR_PACKAGE_PATH_NOT_EXPORTED');
    assert.deepEqual(report['violations'], ['unmasked-client-frame']);
  });

  it('gives TypeScript the types of every subpath', async () => {
    writeFileSync(join(app, 'types-check.ts'), TYPES_CHECK);
    const config = {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
      },
      files: ['types-check.ts'],
    };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(config));
    const tsc = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], app, 180_000);
    assert.equal(tsc.code, 0, `tsc in the consumer project:\n${tsc.stdout}${tsc.stderr}`);
  });

  it('installs a working wsdiag command', async () => {
    const version = await run(join(app, 'node_modules/.bin/wsdiag'), ['--version'], app, 60_000);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), manifest.version);
    const help = await run(process.execPath, [join(app, 'node_modules/wsdiag/bin/wsdiag.js'), '--help'], app, 60_000);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage: wsdiag/);
  });
});
