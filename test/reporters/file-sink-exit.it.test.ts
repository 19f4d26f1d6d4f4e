/**
 * A process that logs and exits in the same turn (process.exit from a signal handler or an error path)
 * still has every line in its --log file: the file sink writes what waits on 'exit'.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { tempDir } from '../support/temp.js';

const run = promisify(execFile);
const sinkModule = pathToFileURL(join(import.meta.dirname, '../../src/reporters/file-sink.js')).href;

describe('FileLineSink on process exit', () => {
  it('writes the lines of the last turn when the process exits in it', async () => {
    const path = join(tempDir('file-sink-exit').path, 'exit.jsonl');
    const script = `
      import { openSync } from 'node:fs';
      import { FileLineSink } from ${JSON.stringify(sinkModule)};
      const sink = new FileLineSink(openSync(${JSON.stringify(path)}, 'a'), ${JSON.stringify(path)});
      for (let i = 0; i < 1000; i++) sink.write(i + '\\n');
      process.exit(7);`;
    await assert.rejects(run(process.execPath, ['--input-type=module', '-e', script]), { code: 7 });
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines.length, 1001);
    assert.equal(lines[999], '999');
  });
});
