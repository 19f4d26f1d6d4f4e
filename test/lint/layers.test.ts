/**
 * The layer rule (eslint/layers.js) reports what docs/architecture.md forbids and nothing it allows, and the
 * page's layer table lists the same layers as the rule's data, so the two cannot drift apart.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Linter, type ESLint } from 'eslint';

// Compiled to dist/test/lint/: the repository is three levels up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface LayersModule {
  default: ESLint.Plugin;
  LAYERS: string[][];
  SANS_IO: string[];
}
const layers = (await import(pathToFileURL(join(ROOT, 'eslint/layers.js')).href)) as LayersModule;

/** The rule's messages for `code` written in the file `path` (relative to the repository). */
function lint(path: string, code: string): string[] {
  const linter = new Linter({ cwd: ROOT });
  const config = [{ files: ['**/*.ts'], plugins: { wsdiag: layers.default }, rules: { 'wsdiag/layers': 'error' as const } }];
  return linter.verify(code, config, { filename: join(ROOT, path) }).map((m) => m.message);
}

describe('the layer rule', () => {
  it('allows imports of lower layers through their index.ts, of the shared files in src/, and within a folder', () => {
    const allowed: Array<[string, string]> = [
      ['src/session/x.ts', "import { FrameDecoder } from '../protocol/index.js';"],
      ['src/session/x.ts', "import { plural } from '../text.js';"],
      ['src/session/x.ts', "import { pings } from './pings.js';"],
      ['src/proxy/x.ts', "export { ConnectionAnalyzer } from '../session/index.js';"],
      ['src/reporters/format/x.ts', "import { columnOf } from '../../observe/index.js';"],
      ['src/ci/x.ts', "import { livePrettyOptions } from '../live/index.js';"],
      ['src/cli/x.ts', "import { runCi } from '../ci/index.js';"],
      ['src/index.ts', "export * from './exports/protocol.js';"],
      ['src/exports/proxy.ts', "export { startProxy } from '../proxy/index.js';"],
      ['src/protocol/x.ts', "import { createHash } from 'node:crypto';"],
      ['src/proxy/x.ts', "import { createServer } from 'node:net';"],
      ['test/protocol/x.ts', "import { x } from '../../src/proxy/relay.js';"],
    ];
    for (const [path, code] of allowed) assert.deepEqual(lint(path, code), [], `${path}: ${code}`);
  });

  it('reports an import of a higher layer or of a folder in the same layer', () => {
    const [up] = lint('src/session/x.ts', "import { formatDuration } from '../reporters/index.js';");
    assert.match(up ?? '', /session\/ may not import reporters\/ \(a higher layer/);
    const [side] = lint('src/capture/x.ts', "import { columnOf } from '../observe/index.js';");
    assert.match(side ?? '', /capture\/ may not import observe\/ \(a folder of the same layer/);
    const [root] = lint('src/text.ts', "import { Opcode } from './protocol/index.js';");
    assert.match(root ?? '', /src\/text\.ts may not import protocol\//);
  });

  it('reports an I/O module in a sans-IO folder', () => {
    for (const source of ['node:net', 'node:fs', 'fs/promises', 'node:stream', 'ws', 'http-proxy']) {
      const [message] = lint('src/capture/x.ts', `import * as m from '${source}';`);
      assert.match(message ?? '', /capture\/ is sans-IO/, source);
    }
  });

  it('reports a deep import into another folder, naming the index to use', () => {
    const [deep] = lint('src/proxy/x.ts', "import { ConnectionAnalyzer } from '../session/analyzer.js';");
    assert.match(deep ?? '', /import session\/ through its index\.ts \('\.\.\/session\/index\.js'\)/);
    const [reexport] = lint('src/ui/x.ts', "export { x } from '../reporters/format/index.js';");
    assert.match(reexport ?? '', /import reporters\/ through its index\.ts/);
  });

  it('reports the CLI and the package entry points imported from the library', () => {
    assert.match(lint('src/live/x.ts', "import { main } from '../cli/main.js';")[0] ?? '', /only src\/cli\/ may import the CLI/);
    assert.match(lint('src/proxy/x.ts', "import { startProxy } from '../index.js';")[0] ?? '', /entry points/);
    assert.match(lint('src/cli/x.ts', "import { x } from '../exports/protocol.js';")[0] ?? '', /entry points/);
  });

  it('reports a folder that is in no layer', () => {
    assert.match(lint('src/newfolder/x.ts', "import { x } from '../protocol/index.js';")[0] ?? '', /newfolder\/ is in no layer/);
    assert.match(lint('src/proxy/x.ts', "import { x } from '../newfolder/index.js';")[0] ?? '', /newfolder\/ is in no layer/);
  });

  it('knows every folder of src/ and no folder that is gone', () => {
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    assert.deepEqual(layers.LAYERS.flat().sort(), folders);
  });
});

describe('docs/architecture.md', () => {
  it('lists the layers of the rule and marks the same folders sans-IO', () => {
    // Rows of the layer table, numbered from the bottom: `| 4 | `session/` | sans-IO | ... |`.
    const page = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    const rows = [...page.matchAll(/^\| (\d+) \| ([^|]+) \| ([^|]*) \|/gm)].sort((a, b) => Number(a[1]) - Number(b[1]));
    assert.ok(rows.length > 0, 'the layer table is on the page');
    const documented = rows.map((row) => [...(row[2] ?? '').matchAll(/`([a-z-]+)\/`/g)].map((m) => m[1]));
    assert.deepEqual(documented, layers.LAYERS);
    const sansIo = rows
      .filter((row) => /sans-IO/.test(row[3] ?? ''))
      .flatMap((row) => [...(row[2] ?? '').matchAll(/`([a-z-]+)\/`/g)].map((m) => m[1]));
    assert.deepEqual(sansIo.sort(), [...layers.SANS_IO].sort());
    assert.deepEqual(
      rows.map((row) => Number(row[1])),
      layers.LAYERS.map((_, i) => i + 1),
    );
  });
});
