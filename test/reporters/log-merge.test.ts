/**
 * mergeLogs, the time-order merge `tail LOG...` and `view LOG...` share: interleaved logs come out in
 * time order (ties to the log listed first, each log's own order kept), whatever their sizes, holding
 * only a bounded number of lines ahead; lines that arrive while following come as they come; a log that
 * fails stops the others and its error is the result.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { UsageError } from '../../src/errors.js';
import { mergeLogs, type MergedLog } from '../../src/reporters/index.js';
import { withTimeout } from '../support/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'wsdiag-merge-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function file(lines: string[]): string {
  const path = join(dir, `log-${++count}.jsonl`);
  writeFileSync(path, lines.map((line) => `${line}\n`).join(''));
  return path;
}

/** A line `ts label`: the merge reads its timestamp from the first word. */
const at = (second: number, label: string) => `2026-01-01T00:00:${String(second).padStart(2, '0')}.000Z ${label}`;

interface Log extends MergedLog {
  name: string;
}

/** Merges the files without following; resolves with "name:label" in emitted order. */
async function merged(files: Array<[string, string]>): Promise<string[]> {
  const out: string[] = [];
  await mergeLogs<Log, string>(
    files.map(([name, path]) => ({ name, file: path })),
    {
      follow: false,
      read: (_log, line) => {
        if (line.text === '') return undefined;
        const [ts, label] = line.text.split(' ');
        return { ts: ts!, item: label! };
      },
      emit: (label, log) => out.push(`${log.name}:${label}`),
    },
  );
  return out;
}

describe('mergeLogs', () => {
  it('interleaved logs come out in time order', async () => {
    const a = file([at(1, 'a1'), at(3, 'a3'), at(5, 'a5'), at(6, 'a6')]);
    const b = file([at(2, 'b2'), at(4, 'b4'), at(7, 'b7')]);
    const c = file([at(0, 'c0'), at(8, 'c8')]);
    assert.deepEqual(
      await merged([
        ['a', a],
        ['b', b],
        ['c', c],
      ]),
      ['c:c0', 'a:a1', 'b:b2', 'a:a3', 'b:b4', 'a:a5', 'a:a6', 'b:b7', 'c:c8'],
    );
  });

  it('equal times go to the log listed first; a log out of order keeps its own order', async () => {
    const a = file([at(1, 'a1'), at(2, 'a2x'), at(2, 'a2y')]);
    const b = file([at(1, 'b1'), at(2, 'b2')]);
    assert.deepEqual(
      await merged([
        ['a', a],
        ['b', b],
      ]),
      ['a:a1', 'b:b1', 'a:a2x', 'a:a2y', 'b:b2'],
    );
    assert.deepEqual(
      await merged([
        ['b', b],
        ['a', a],
      ]),
      ['b:b1', 'a:a1', 'b:b2', 'a:a2x', 'a:a2y'],
    );
    const unordered = file([at(5, 'u5'), at(1, 'u1')]);
    assert.deepEqual(
      await merged([
        ['u', unordered],
        ['b', b],
      ]),
      ['b:b1', 'b:b2', 'u:u5', 'u:u1'],
    );
  });

  it('one log, empty logs, no logs', async () => {
    const a = file([at(1, 'a1'), at(2, 'a2')]);
    const empty = file([]);
    assert.deepEqual(await merged([['a', a]]), ['a:a1', 'a:a2']);
    assert.deepEqual(
      await merged([
        ['e', empty],
        ['a', a],
        ['f', empty],
      ]),
      ['a:a1', 'a:a2'],
    );
    assert.deepEqual(await merged([]), []);
  });

  it('large logs, one far ahead of the other: in order, with a bounded number of lines held', async () => {
    const lines = 40_000;
    const pad = 'x'.repeat(40);
    // The early log is read to its end while the late one waits; then the late one.
    const late = file(Array.from({ length: lines }, (_, i) => `2026-01-02T00:00:00.000Z l${i} ${pad}`));
    const early = file(Array.from({ length: lines }, (_, i) => `2026-01-01T00:00:00.000Z e${i} ${pad}`));
    let read = 0;
    let emitted = 0;
    let held = 0;
    const order: string[] = [];
    await mergeLogs<Log, string>(
      [
        { name: 'late', file: late },
        { name: 'early', file: early },
      ],
      {
        follow: false,
        read: (_log, line) => {
          read++;
          held = Math.max(held, read - emitted);
          const [ts, label] = line.text.split(' ');
          return { ts: ts!, item: label! };
        },
        emit: (label) => {
          emitted++;
          order.push(label);
        },
      },
    );
    assert.equal(order.length, 2 * lines);
    assert.deepEqual(order.slice(0, 3), ['e0', 'e1', 'e2']);
    assert.equal(order[lines - 1], `e${lines - 1}`);
    assert.equal(order[lines], 'l0');
    assert.equal(order.at(-1), `l${lines - 1}`);
    // Each log reads ahead at most 4096 lines plus one 64 KiB chunk (~1000 of these lines).
    assert.ok(held < 12_000, `held ${held} lines at once out of ${2 * lines}`);
  });

  it('following: what the logs held is merged first, then appended lines come as they arrive', async () => {
    const a = file([at(1, 'a1'), at(3, 'a3')]);
    const b = file([at(2, 'b2')]);
    const out: string[] = [];
    const stop = new AbortController();
    let merges = 0;
    let onEmit: () => void = () => {};
    let onMerged: () => void = () => {};
    const mergedAll = new Promise<void>((resolve) => (onMerged = resolve));
    const done = mergeLogs<Log, string>(
      [
        { name: 'a', file: a },
        { name: 'b', file: b },
      ],
      {
        follow: true,
        intervalMs: 5,
        signal: stop.signal,
        read: (_log, line) => {
          const [ts, label] = line.text.split(' ');
          return { ts: ts!, item: label! };
        },
        emit: (label, log) => {
          out.push(`${log.name}:${label}`);
          onEmit();
        },
        onMerged: () => {
          merges++;
          out.push('merged');
          onMerged();
        },
      },
    );
    const seen = (n: number) =>
      withTimeout(
        new Promise<void>((resolve) => {
          onEmit = () => {
            if (out.length >= n) resolve();
          };
          onEmit();
        }),
        `${n} entries`,
      );
    await withTimeout(mergedAll, 'the initial merge');
    // Live: arrival order, even when the time is older than what was shown.
    appendFileSync(b, `${at(9, 'b9')}\n`);
    await seen(5);
    appendFileSync(a, `${at(4, 'a4')}\n`);
    await seen(6);
    stop.abort();
    await done;
    assert.deepEqual(out, ['a:a1', 'b:b2', 'a:a3', 'merged', 'b:b9', 'a:a4']);
    assert.equal(merges, 1);
  });

  it('a log that cannot be read fails the merge and stops the others, even when following', async () => {
    const a = file([at(1, 'a1')]);
    const missing = join(dir, 'missing.jsonl');
    await assert.rejects(
      merged([
        ['a', a],
        ['m', missing],
      ]),
      (err: unknown) => err instanceof UsageError && err.message.includes('missing.jsonl'),
    );
    const notLog = file(['not a log']);
    const following = mergeLogs<Log, string>(
      [
        { name: 'a', file: a },
        { name: 'n', file: notLog },
      ],
      {
        follow: true,
        intervalMs: 5,
        read: (log, line) => {
          if (log.name === 'n') throw new UsageError(`${log.file}: not a log`);
          const [ts, label] = line.text.split(' ');
          return { ts: ts!, item: label! };
        },
        emit: () => {},
      },
    );
    await assert.rejects(withTimeout(following, 'the merge to fail'), /not a log/);
  });
});
