/**
 * What the dashboard serves besides its API: the page (one HTML document), its stylesheet, the compiled
 * front end (dist/src/ui/web/*.js, built from src/ui/web/ by its own tsconfig) and the two libraries it runs
 * on, Preact and htm, served as ES modules straight from the installed packages through an import map. No
 * CDN, no bundler: everything comes from this package and its dependencies, so the page works offline.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative, sep } from 'node:path';
import { STYLESHEET } from './style.js';

export interface Asset {
  type: string;
  body: Buffer;
}

/** The bare specifiers the front end imports, and the module each resolves to in node_modules. */
const VENDOR_MODULES: Record<string, string> = {
  preact: 'preact',
  'preact/hooks': 'preact/hooks',
  htm: 'htm',
  'htm/preact': 'htm/preact',
};

const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url));
const ENTRY = 'main.js';

export interface Assets {
  /** Path → asset, for every file the page may load (a fixed list: nothing else on disk is served). */
  files: Map<string, Asset>;
  html: Buffer;
  /** The Content-Security-Policy header value: scripts only from here, plus the import map by its hash. */
  csp: string;
}

let cached: Assets | undefined;

/** Reads everything once; later calls return the same. Throws when the front end was not built. */
export function loadAssets(): Assets {
  if (cached) return cached;
  if (!existsSync(join(WEB_DIR, ENTRY))) {
    throw new Error(`the dashboard's front end is missing (${join(WEB_DIR, ENTRY)}); run npm run build`);
  }
  const files = new Map<string, Asset>();
  for (const file of listFiles(WEB_DIR)) {
    if (!file.endsWith('.js')) continue;
    const path = `/app/${relative(WEB_DIR, file).split(sep).join('/')}`;
    files.set(path, { type: 'text/javascript; charset=utf-8', body: readFileSync(file) });
  }
  const imports: Record<string, string> = {};
  for (const [specifier, module] of Object.entries(VENDOR_MODULES)) {
    const path = `/vendor/${specifier.replace('/', '-')}.js`;
    files.set(path, { type: 'text/javascript; charset=utf-8', body: readFileSync(fileURLToPath(import.meta.resolve(module))) });
    imports[specifier] = path;
  }
  files.set('/app.css', { type: 'text/css; charset=utf-8', body: Buffer.from(STYLESHEET) });
  const importMap = JSON.stringify({ imports });
  const hash = createHash('sha256').update(importMap).digest('base64');
  const html = Buffer.from(
    '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
      '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
      '<meta name="referrer" content="no-referrer">\n' +
      '<title>wsdiag</title>\n<link rel="stylesheet" href="/app.css">\n' +
      `<script type="importmap">${importMap}</script>\n` +
      `<script type="module" src="/app/${ENTRY}"></script>\n` +
      '</head>\n<body>\n<div id="app"><p class="boot">Loading the wsdiag dashboard… (it needs JavaScript)</p></div>\n</body>\n</html>\n',
  );
  const csp = [
    "default-src 'none'",
    `script-src 'self' 'sha256-${hash}'`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  cached = { files, html, csp };
  return cached;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}
