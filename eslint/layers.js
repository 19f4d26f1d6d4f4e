/**
 * The layer rules of docs/architecture.md, checked: an ESLint rule that reads each relative import of a
 * file under src/ and reports
 *
 * - an I/O module (node:net, node:fs, ws...) imported by a sans-IO folder: bytes in, events out, no I/O;
 * - any import of src/cli/ from outside it: the CLI is a shell over the library, never the reverse;
 * - a deep import into another folder: folders import each other through their index.ts, so what a
 *   folder offers the rest of the tree is written down in one place.
 *
 * The layers are data (LAYERS below), so the rule and the architecture page say the same thing.
 */
import { dirname, join, relative, sep } from 'node:path';

/** Folders of src/ that do no I/O: they take bytes or events and give events. */
export const SANS_IO = ['protocol', 'session', 'observe', 'capture', 'events', 'rules', 'filter', 'views', 'explain', 'messages'];

/** What a sans-IO folder may not import: the modules that reach sockets, files and processes. */
export const IO_MODULES = [
  'net',
  'tls',
  'http',
  'https',
  'http2',
  'dgram',
  'fs',
  'fs/promises',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'ws',
  'http-proxy',
];

const SRC = join(process.cwd(), 'src');

/** The top folder of src/ a path is in ('' for a file directly in src/, null outside src/). */
function topFolder(path) {
  const rel = relative(SRC, path);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  return parts.length > 1 ? parts[0] : '';
}

function isIoModule(source) {
  const name = source.startsWith('node:') ? source.slice('node:'.length) : source;
  return IO_MODULES.includes(name);
}

/** @type {import('eslint').Rule.RuleModule} */
const layers = {
  meta: {
    type: 'problem',
    docs: { description: 'layer boundaries of src/: sans-IO folders, the CLI on top, folders through their index.ts' },
    schema: [],
    messages: {
      io: '{{folder}}/ is sans-IO (bytes in, events out): it may not import {{source}}; do the I/O at the edge and pass bytes in',
      cli: 'only src/cli/ may import the CLI: move what {{source}} offers into the library',
      deep: "import {{folder}}/ through its index.ts ('{{index}}'), not {{source}}: add the name to its index.ts if it is missing",
    },
  },
  create(context) {
    const file = context.filename;
    const from = topFolder(file);
    // src/ui/web is the browser page: its own build, its own imports.
    if (from === null || file.includes(`${sep}ui${sep}web${sep}`)) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string') return;
      if (!source.startsWith('.')) {
        if (from !== '' && SANS_IO.includes(from) && isIoModule(source)) {
          context.report({ node, messageId: 'io', data: { folder: from, source } });
        }
        return;
      }
      const target = join(dirname(file), source);
      const to = topFolder(target);
      if (to === null || to === '' || to === from) return;
      if (to === 'cli') {
        context.report({ node, messageId: 'cli', data: { source } });
        return;
      }
      const index = join(SRC, to, 'index.js');
      if (target !== index) {
        const indexSpec = relative(dirname(file), index).split(sep).join('/');
        context.report({
          node,
          messageId: 'deep',
          data: { folder: to, source, index: indexSpec.startsWith('.') ? indexSpec : `./${indexSpec}` },
        });
      }
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: (node) => check({ ...node, source: node.source }),
    };
  },
};

export default { rules: { layers } };
