/**
 * The layer rules of docs/architecture.md, checked: an ESLint rule that reads each import of a file under
 * src/ and reports
 *
 * - an import of a higher layer, or of another folder of the same layer: a layer imports only the layers
 *   below it (LAYERS), so the folders form no cycle and a low layer never drags a high one in;
 * - an I/O module (node:net, node:fs, ws...) imported by a sans-IO folder: bytes in, events out, no I/O;
 * - any import of src/cli/ from outside it: the CLI is a shell over the library, never the reverse;
 * - a deep import into another folder: folders import each other through their index.ts, so what a
 *   folder offers the rest of the tree is written down in one place.
 *
 * The layers are data (LAYERS and SANS_IO below), and docs/architecture.md's layer table lists the same
 * (a test holds the two together), so the rule and the page say the same thing.
 */
import { dirname, join, relative, sep } from 'node:path';

/**
 * The folders of src/, bottom layer first. A folder imports only folders of lower layers (and the shared
 * files directly in src/: errors.ts, redact.ts, conn-id.ts, text.ts, ip.ts, which import nothing but each other).
 * src/index.ts and src/exports/ are the package's entry points: they sit on top, next to the CLI.
 */
export const LAYERS = [
  ['events'],
  ['rules'],
  ['protocol'],
  ['messages'],
  ['session'],
  ['observe', 'capture', 'views', 'explain', 'filter'],
  ['reporters', 'proxy'],
  ['policy', 'ui', 'tls', 'admin'],
  ['analyze', 'chaos', 'demo', 'probe', 'sandwich', 'tail', 'view'],
  ['live'],
  ['ci'],
  ['cli', 'exports'],
];

/** Folders of src/ that do no I/O: they take bytes or events and give events. */
export const SANS_IO = ['events', 'rules', 'protocol', 'messages', 'session', 'observe', 'capture', 'views', 'explain', 'filter'];

/** What a sans-IO folder may not import: the modules that reach sockets, files, streams and processes. */
export const IO_MODULES = [
  'net',
  'tls',
  'http',
  'https',
  'http2',
  'dgram',
  'fs',
  'fs/promises',
  'stream',
  'stream/promises',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'ws',
  'http-proxy',
];

/** Layer of each folder: its index in LAYERS. */
const RANK = new Map(LAYERS.flatMap((folders, rank) => folders.map((folder) => [folder, rank])));

// A sans-IO folder can only stay sans-IO if everything it may import is sans-IO too.
const lowestIoLayer = Math.min(...[...RANK].filter(([folder]) => !SANS_IO.includes(folder)).map(([, rank]) => rank));
for (const folder of SANS_IO) {
  if (!(RANK.get(folder) < lowestIoLayer)) throw new Error(`eslint/layers.js: sans-IO ${folder}/ must sit below every I/O layer`);
}

/** The top folder of src/ a path is in ('' for a file directly in src/, null outside src/). */
function topFolder(src, path) {
  const rel = relative(src, path);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  return parts.length > 1 ? parts[0] : '';
}

function isIoModule(source) {
  const name = source.startsWith('node:') ? source.slice('node:'.length) : source;
  return IO_MODULES.includes(name);
}

/** `'../x/index.js'` as written from `file`. */
function specifier(file, target) {
  const spec = relative(dirname(file), target).split(sep).join('/');
  return spec.startsWith('.') ? spec : `./${spec}`;
}

/** @type {import('eslint').Rule.RuleModule} */
const layers = {
  meta: {
    type: 'problem',
    docs: {
      description: 'layer boundaries of src/: layers import downwards, sans-IO folders, the CLI on top, folders through their index.ts',
    },
    schema: [],
    messages: {
      io: '{{folder}}/ is sans-IO (bytes in, events out): it may not import {{source}}; do the I/O at the edge and pass bytes in',
      cli: 'only src/cli/ may import the CLI: move what {{source}} offers into the library',
      entry: 'src/index.ts and src/exports/ are the package entry points: nothing inside src/ imports them',
      deep: "import {{folder}}/ through its index.ts ('{{index}}'), not {{source}}: add the name to its index.ts if it is missing",
      up: '{{from}} may not import {{folder}}/ ({{how}}, see docs/architecture.md): move the shared piece down to a layer both can import',
      unknown: '{{folder}}/ is in no layer: add it to LAYERS in eslint/layers.js and to the layer table of docs/architecture.md',
    },
  },
  create(context) {
    const src = join(context.cwd, 'src');
    const file = context.filename;
    const from = topFolder(src, file);
    // src/ui/web is the browser page: its own build, its own imports.
    if (from === null || file.includes(`${sep}ui${sep}web${sep}`)) return {};
    const isPackageIndex = file === join(src, 'index.ts');
    const fromRank = from === '' ? (isPackageIndex ? Infinity : -1) : RANK.get(from);
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string') return;
      if (fromRank === undefined) {
        context.report({ node, messageId: 'unknown', data: { folder: from } });
        return;
      }
      if (!source.startsWith('.')) {
        if (SANS_IO.includes(from) && isIoModule(source)) context.report({ node, messageId: 'io', data: { folder: from, source } });
        return;
      }
      const target = join(dirname(file), source).replace(/\.js$/, '.ts');
      const to = topFolder(src, target);
      if (to === null || to === from) return;
      if (to === 'cli') {
        context.report({ node, messageId: 'cli', data: { source } });
        return;
      }
      if (target === join(src, 'index.ts') || (to === 'exports' && !isPackageIndex)) {
        context.report({ node, messageId: 'entry' });
        return;
      }
      // The shared files directly in src/ are the bottom of every layer.
      if (to === '') return;
      const toRank = RANK.get(to);
      if (toRank === undefined) {
        context.report({ node, messageId: 'unknown', data: { folder: to } });
        return;
      }
      if (toRank >= fromRank) {
        const how = toRank === fromRank ? 'a folder of the same layer' : 'a higher layer';
        context.report({ node, messageId: 'up', data: { from: from === '' ? `src/${relative(src, file)}` : `${from}/`, folder: to, how } });
        return;
      }
      // src/index.ts gathers the entry points of src/exports/ file by file.
      if (to === 'exports') return;
      const index = join(src, to, 'index.ts');
      if (target !== index) {
        context.report({ node, messageId: 'deep', data: { folder: to, source, index: specifier(file, join(src, to, 'index.js')) } });
      }
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { layers } };
