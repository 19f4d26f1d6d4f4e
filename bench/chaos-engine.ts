/**
 * `node dist/bench/chaos-engine.js`: the chaos engine's CPU cost, without sockets, against the decoder as
 * the proxy's analyzer runs it, on the same bytes in the same run (masked client frames in 16 KiB chunks,
 * the decode benchmark's input). The relay benchmark's goal (chaos with a no-op toxic at ≥ 0.9x of
 * `proxy`) includes socket I/O, which this leaves out: these ratios are the floor it starts from.
 *
 * Rows: the engine with no toxic, with a `noop` toxic (each chunk pushed for its actions, then as the relay
 * hands it over when no toxic acts on the direction: `pushUnchanged`, which only follows the frames), with
 * an `rsv` toxic at toxicity 0 (every frame asked, none changed), and with `rsv` at toxicity 1 (every frame
 * re-encoded and re-masked).
 *
 * Options: --quick (fewer, smaller runs), --reps N.
 */
import { ChaosDirection, staticToxics } from '../src/chaos/engine.js';
import { validateToxic } from '../src/chaos/registry.js';
import type { AnyToxic } from '../src/chaos/types.js';
import { Opcode } from '../src/protocol/constants.js';
import { FrameDecoder } from '../src/protocol/decoder.js';
import { formatNumber, formatRatio, formatSize, markdownTable } from './support/format.js';
import { buildStream, type FrameStream } from './support/frames.js';
import { collectGarbage, median } from './support/stats.js';

const CHUNK_SIZE = 16 * 1024;
const quick = process.argv.includes('--quick');
const repsArg = process.argv.indexOf('--reps');
const REPS = repsArg > 0 ? Number(process.argv[repsArg + 1]) : quick ? 3 : 9;
const WIRE_BYTES = quick ? 8 * 2 ** 20 : 48 * 2 ** 20;
const SIZES = [16, 1024, 64 * 1024];

interface Runner {
  name: string;
  run(stream: FrameStream): number;
}

let sink = 0;

const decoder: Runner = {
  name: 'FrameDecoder (as the proxy analyzes)',
  run(stream) {
    let messages = 0;
    const d = new FrameDecoder(
      {
        finding: () => {},
        messageEnd: () => {
          messages++;
        },
      },
      { from: 'client', maxMessage: 0 },
    );
    for (const chunk of stream.chunks) d.push(chunk);
    return messages;
  },
};

function chaos(name: string, toxics: AnyToxic[], unchanged = false): Runner {
  const source = staticToxics(toxics);
  return {
    name,
    run(stream) {
      const engine = new ChaosDirection({ direction: 'client->server', toxics: source, seed: 'bench', connection: 'c1' });
      let written = 0;
      for (const chunk of stream.chunks) {
        if (unchanged && engine.pushUnchanged(chunk)) {
          written += chunk.length;
          continue;
        }
        for (const action of engine.push(chunk, 0)) if (action.type === 'write') written += action.bytes.length;
      }
      sink ^= written;
      return written;
    },
  };
}

const toxic = (type: string, toxicity = 1): AnyToxic => validateToxic({ type, stream: 'client->server', toxicity });

const RUNNERS: Runner[] = [
  decoder,
  chaos('chaos, no toxic', []),
  chaos('chaos, noop toxic', [toxic('noop')]),
  chaos('chaos, noop toxic, pushUnchanged (the relay)', [toxic('noop')], true),
  chaos('chaos, rsv at toxicity 0', [toxic('rsv', 0)]),
  chaos('chaos, rsv at toxicity 1 (every frame re-encoded)', [toxic('rsv', 1)]),
];

const rows: string[][] = [];
for (const opcode of [Opcode.Text, Opcode.Binary] as const) {
  for (const size of SIZES) {
    const frames = Math.max(1, Math.floor(WIRE_BYTES / (size + 14)));
    const stream = buildStream(opcode, size, frames, CHUNK_SIZE);
    const timed = RUNNERS.map((runner) => ({ runner, times: [] as number[] }));
    for (const runner of RUNNERS) runner.run(stream); // warm-up
    for (let rep = 0; rep < REPS; rep++) {
      for (const { runner, times } of timed) {
        collectGarbage();
        const start = process.hrtime.bigint();
        runner.run(stream);
        times.push(Number(process.hrtime.bigint() - start) / 1e9);
      }
    }
    // The first runner is the baseline the others are compared with.
    const base = median(timed[0]?.times ?? []);
    timed.forEach(({ runner, times }) => {
      const seconds = median(times);
      rows.push([
        opcode === Opcode.Text ? 'text' : 'binary',
        formatSize(size),
        runner.name,
        formatNumber(stream.wireBytes / seconds / 1e6),
        formatRatio(base / seconds),
      ]);
    });
  }
}

process.stdout.write(
  `${markdownTable(['frames', 'payload', 'engine', 'MB/s', 'vs decoder'], rows, ['left', 'right', 'left', 'right', 'right'])}\n`,
);
if (sink === 42) process.stdout.write('\n');
