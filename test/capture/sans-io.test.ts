/**
 * The capture layer is sans-IO: nothing it loads, directly or through the modules it reuses, opens files,
 * sockets, streams or processes. Checked on the compiled JavaScript, import by import.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CAPTURE_DIR = fileURLToPath(new URL('../../src/capture/', import.meta.url));
const IO_MODULES =
  /^node:(fs|fs\/promises|net|stream|stream\/promises|http|https|http2|tls|dgram|child_process|worker_threads|cluster|readline)$/;
/** `import … from 'x'`, `export … from 'x'`, `import 'x'` (compiled ESM puts each at the start of a line). */
const SPECIFIER = /^(?:import|export)\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"];/gm;

describe('capture layer', () => {
  it('loads no I/O module, directly or through what it imports', () => {
    const seen = new Set<string>();
    const found: string[] = [];
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
        const specifier = match[1]!;
        if (IO_MODULES.test(specifier)) found.push(`${file.slice(file.indexOf('dist/'))} imports ${specifier}`);
        else if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
        else if (!specifier.startsWith('node:')) found.push(`${file.slice(file.indexOf('dist/'))} imports package ${specifier}`);
      }
    };
    const files = readdirSync(CAPTURE_DIR).filter((f) => f.endsWith('.js'));
    assert.ok(files.length >= 10, `compiled capture modules found in ${CAPTURE_DIR}`);
    for (const f of files) visit(join(CAPTURE_DIR, f));
    assert.deepEqual(found, []);
    assert.ok(seen.size > files.length, 'the walk followed imports out of src/capture');
  });
});
