/**
 * `npm run bench:decode`: our decoder against ws's own Receiver on the same bytes in the same run.
 *
 * Input: masked client text and binary frames of 16 B to 1 MiB (what a server's parser reads), cut into
 * 16 KiB chunks. Each parser gets warm-up runs, then interleaved repetitions; the tables quote medians.
 * Every run is checked (all messages seen, nothing rejected) before its time is used. Then one 1 GiB
 * frame is streamed through each parser in a fresh child process to measure peak RSS. The decoder also runs
 * with payload and message-data listeners on ("payload on"), against itself with them off (the goal: at
 * least 0.8x) and against the unmask pass alone (the floor for anything that hands out unmasked payload).
 *
 * Options: --quick (fewer, smaller runs, for a smoke test), --reps N, --no-rss.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Opcode } from '../src/protocol/constants.js';
import type { RssResult } from './support/decode-rss.js';
import { formatMiB, formatNumber, formatRatio, formatSize, markdownTable } from './support/format.js';
import { reportHeadlines } from './support/headline.js';
import { buildStream, copyChunks, type FrameStream } from './support/frames.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { nativeFloor, unmaskFloor } from './support/floor.js';
import {
  keepParsersResident,
  ourAnalyzer,
  ourDecoder,
  ourDecoderWithPayload,
  payloadChecksum,
  wsReceiver,
  type Parser,
} from './support/parsers.js';
import { writeResults } from './support/results.js';
import { must } from './support/must.js';
import { collectGarbage, median } from './support/stats.js';

const CHUNK_SIZE = 16 * 1024;
const GOAL_RATIO = 1.5;
/** With payload and message-data listeners on, the decoder keeps at least this share of its speed. */
const PAYLOAD_GOAL = 0.8;
const RSS_FRAME_BYTES = 2 ** 30;
const RSS_GOAL = 64 * 2 ** 20;

/** Payload sizes, and how many wire bytes each case streams per run (small frames cost per frame, not per byte). */
const CASES: readonly { size: number; wireBytes: number }[] = [
  { size: 16, wireBytes: 4 * 2 ** 20 },
  { size: 125, wireBytes: 12 * 2 ** 20 },
  { size: 1024, wireBytes: 32 * 2 ** 20 },
  { size: 64 * 1024, wireBytes: 64 * 2 ** 20 },
  { size: 2 ** 20, wireBytes: 64 * 2 ** 20 },
];

const PARSERS: readonly Parser[] = [ourDecoder, ourDecoderWithPayload, ourAnalyzer, wsReceiver];

interface Options {
  /** A smoke test: its numbers are not saved over the latest results. */
  quick: boolean;
  reps: number;
  warmups: number;
  scale: number;
  rss: boolean;
}

interface ParserResult {
  parser: string;
  secondsMedian: number;
  seconds: number[];
  mbPerSecond: number;
  framesPerSecond: number;
}

interface CaseResult {
  type: 'text' | 'binary';
  payloadBytes: number;
  frames: number;
  wireBytes: number;
  results: Record<string, ParserResult>;
  /** Our decoder's throughput over ws's (the goal: at least 1.5). */
  ratio: number;
  analyzerRatio: number;
  /** Text only: the native passes alone (support/floor.ts), and ws's time over theirs (the best ratio reachable). */
  floorMbPerSecond?: number;
  bestRatio?: number;
  /** The decoder with payload listeners over without (the goal: at least PAYLOAD_GOAL). */
  payloadRatio: number;
  /** The unmask pass alone (copy out + SIMD XOR), and the payload decoder's time over it. */
  unmaskFloorMbPerSecond: number;
}

function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes('--quick');
  const repsAt = argv.indexOf('--reps');
  const reps = repsAt >= 0 ? Number(argv[repsAt + 1]) : quick ? 3 : 7;
  if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps takes a positive integer');
  return { quick, reps, warmups: quick ? 1 : 2, scale: quick ? 0.25 : 1, rss: !argv.includes('--no-rss') };
}

/**
 * One timed run; throws if the parser did not see every message or rejected valid input. The heap is
 * collected first, so no parser pays for garbage the previous one left (ws leaves every message it joined).
 */
async function timeRun(parser: Parser, stream: FrameStream): Promise<number> {
  const chunks = parser.mutatesInput ? copyChunks(stream.chunks) : stream.chunks;
  collectGarbage();
  const session = parser.open();
  const start = process.hrtime.bigint();
  for (const chunk of chunks) session.push(chunk);
  const counts = await session.finish();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (counts.messages !== stream.frames || counts.problems !== 0) {
    throw new Error(
      `${parser.name} on ${stream.frames} ${formatSize(stream.payloadSize)} frames saw ${counts.messages} messages and ${counts.problems} problems`,
    );
  }
  return seconds;
}

async function runCase(type: 'text' | 'binary', size: number, wireBudget: number, options: Options): Promise<CaseResult> {
  const opcode = type === 'text' ? Opcode.Text : Opcode.Binary;
  const frameBytes = size + 6 + (size < 126 ? 0 : size < 65536 ? 2 : 8);
  const frames = Math.max(8, Math.round((wireBudget * options.scale) / frameBytes));
  const stream = buildStream(opcode, size, frames, CHUNK_SIZE);
  const seconds = new Map<Parser, number[]>(PARSERS.map((p) => [p, []]));
  // The floor runs in the same repetitions, so a slow moment of the machine weighs on it as on the parsers.
  const floor = type === 'text' ? nativeFloor(stream.wireBytes, CHUNK_SIZE) : null;
  const floorSeconds: number[] = [];
  const unmask = unmaskFloor(stream.wireBytes, CHUNK_SIZE);
  const unmaskSeconds: number[] = [];
  for (const parser of PARSERS) for (let i = 0; i < options.warmups; i++) await timeRun(parser, stream);
  for (let i = 0; i < options.warmups; i++) {
    floor?.time();
    unmask.time();
  }
  for (let rep = 0; rep < options.reps; rep++) {
    // Rotate the order so no parser always runs right after another's garbage.
    const turn = rep % PARSERS.length;
    for (const parser of [...PARSERS.slice(turn), ...PARSERS.slice(0, turn)]) {
      must(seconds.get(parser), `timings of ${parser.name}`).push(await timeRun(parser, stream));
    }
    if (floor !== null) {
      collectGarbage();
      floorSeconds.push(floor.time());
    }
    collectGarbage();
    unmaskSeconds.push(unmask.time());
  }
  const floorMedian = floor === null ? null : median(floorSeconds);
  const results: Record<string, ParserResult> = {};
  for (const parser of PARSERS) {
    const all = must(seconds.get(parser), `timings of ${parser.name}`);
    const mid = median(all);
    results[parser.key] = {
      parser: parser.name,
      secondsMedian: mid,
      seconds: all,
      mbPerSecond: stream.wireBytes / 1e6 / mid,
      framesPerSecond: stream.frames / mid,
    };
  }
  const ws = must(results[wsReceiver.key], 'ws result');
  const ours = must(results[ourDecoder.key], 'decoder result');
  return {
    type,
    payloadBytes: size,
    frames: stream.frames,
    wireBytes: stream.wireBytes,
    results,
    ratio: ours.mbPerSecond / ws.mbPerSecond,
    analyzerRatio: must(results[ourAnalyzer.key], 'analyzer result').mbPerSecond / ws.mbPerSecond,
    payloadRatio: must(results[ourDecoderWithPayload.key], 'decoder+payload result').mbPerSecond / ours.mbPerSecond,
    unmaskFloorMbPerSecond: stream.wireBytes / 1e6 / median(unmaskSeconds),
    ...(floorMedian === null ? {} : { floorMbPerSecond: stream.wireBytes / 1e6 / floorMedian, bestRatio: ws.secondsMedian / floorMedian }),
  };
}

/** Runs the 1 GiB frame through a parser in a fresh Node process and reads its peak RSS. */
function measureRss(parserKey: string, chunks: 'fresh' | 'reused'): RssResult {
  const script = fileURLToPath(new URL('./support/decode-rss.js', import.meta.url));
  const out = execFileSync(process.execPath, [script, parserKey, String(RSS_FRAME_BYTES), chunks], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const result = JSON.parse(out.trim()) as RssResult;
  if (result.messages !== 1 || result.problems !== 0) {
    throw new Error(`${result.parser} on the 1 GiB frame saw ${result.messages} messages and ${result.problems} problems`);
  }
  return result;
}

function throughputTable(cases: readonly CaseResult[]): string {
  const rows = cases.map((c) => {
    const ours = must(c.results[ourDecoder.key], 'decoder result');
    const analyzer = must(c.results[ourAnalyzer.key], 'analyzer result');
    const ws = must(c.results[wsReceiver.key], 'ws result');
    return [
      `${formatSize(c.payloadBytes)} ${c.type}`,
      formatNumber(ours.mbPerSecond),
      formatNumber(ours.framesPerSecond),
      formatNumber(ws.mbPerSecond),
      formatNumber(ws.framesPerSecond),
      `${formatRatio(c.ratio, GOAL_RATIO)}${c.ratio >= GOAL_RATIO ? '' : ' ✗'}`,
      formatNumber(analyzer.mbPerSecond),
      formatRatio(c.analyzerRatio),
      c.floorMbPerSecond === undefined ? '–' : formatNumber(c.floorMbPerSecond),
      c.bestRatio === undefined ? '–' : formatRatio(c.bestRatio),
    ];
  });
  return markdownTable(
    [
      'Frames',
      'wsdiag MB/s',
      'wsdiag frames/s',
      'ws MB/s',
      'ws frames/s',
      'wsdiag/ws',
      'analyzer MB/s',
      'analyzer/ws',
      'floor MB/s',
      'best possible',
    ],
    rows,
  );
}

function payloadTable(cases: readonly CaseResult[]): string {
  const rows = cases.map((c) => {
    const off = must(c.results[ourDecoder.key], 'decoder result');
    const on = must(c.results[ourDecoderWithPayload.key], 'decoder+payload result');
    return [
      `${formatSize(c.payloadBytes)} ${c.type}`,
      formatNumber(off.mbPerSecond),
      formatNumber(on.mbPerSecond),
      formatNumber(on.framesPerSecond),
      `${formatRatio(c.payloadRatio, PAYLOAD_GOAL)}${c.payloadRatio >= PAYLOAD_GOAL ? '' : ' ✗'}`,
      formatNumber(c.unmaskFloorMbPerSecond),
      formatRatio(on.mbPerSecond / c.unmaskFloorMbPerSecond),
    ];
  });
  return markdownTable(['Frames', 'payload off MB/s', 'payload on MB/s', 'on frames/s', 'on/off', 'unmask floor MB/s', 'on/floor'], rows);
}

function rssTable(results: readonly RssResult[]): string {
  return markdownTable(
    ['Parser (one 1 GiB text frame, 16 KiB chunks)', 'chunks', 'peak RSS', 'RSS before', 'time'],
    results.map((r) => [
      r.parser,
      r.chunks === 'fresh' ? 'fresh buffer each' : 'one buffer reused',
      formatMiB(r.peakRss),
      formatMiB(r.baselineRss),
      `${r.seconds.toFixed(2)} s`,
    ]),
    ['left', 'left'],
  );
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  keepParsersResident();
  const machine = machineInfo();
  warnIfBusy(machine);
  const started = process.hrtime.bigint();
  const cases: CaseResult[] = [];
  for (const { size, wireBytes } of CASES) {
    for (const type of ['text', 'binary'] as const) {
      const result = await runCase(type, size, wireBytes, options);
      cases.push(result);
      process.stderr.write(`  ${formatSize(size)} ${type}: wsdiag/ws ${formatRatio(result.ratio)}\n`);
    }
  }
  const rss = options.rss
    ? [
        measureRss(ourDecoder.key, 'reused'),
        measureRss(ourDecoder.key, 'fresh'),
        measureRss(ourDecoderWithPayload.key, 'reused'),
        measureRss(ourAnalyzer.key, 'fresh'),
        measureRss(wsReceiver.key, 'fresh'),
      ]
    : [];
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;

  const met = cases.filter((c) => c.ratio >= GOAL_RATIO).length;
  const lines = [
    '',
    `### Decoder throughput (wsdiag ${machine.date.slice(0, 10)})`,
    '',
    `Machine: ${describeMachine(machine)}.`,
    `Masked client frames fed in ${formatSize(CHUNK_SIZE)} chunks; medians of ${options.reps} runs after ${options.warmups} warm-up runs; MB/s counts wire bytes (headers included, 1 MB = 10^6 B).`,
    `"wsdiag" is FrameDecoder with a finding + messageEnd sink; "analyzer" is the whole ConnectionAnalyzer; "ws" is ws's Receiver as its server builds it.`,
    `"floor" (text only) is the native passes alone: copy out, unmask, isUtf8 over as many bytes in ${formatSize(CHUNK_SIZE)} pieces, no parsing; "best possible" is ws's time over the floor's, the most any validator built on those passes can reach.`,
    '',
    throughputTable(cases),
    '',
    `Goal (≥ ${GOAL_RATIO}x ws at every size): met in ${met} of ${cases.length} cases.`,
    '',
    `#### Payload events`,
    '',
    `"payload on" is FrameDecoder with \`payload\` and \`messageData\` listeners as well (each reads one byte of every view it gets), so every payload byte is unmasked and handed over; "off" is the decoder above. "unmask floor" is the copy out and the SIMD XOR alone over as many bytes in ${formatSize(CHUNK_SIZE)} pieces: the most a decoder that hands out unmasked payload can reach. With payload off, binary payload is never unmasked (only its 64-byte preview), so for large binary frames on/off is bounded by the floor, not by the decoder.`,
    '',
    payloadTable(cases),
    '',
    `Goal (payload on ≥ ${PAYLOAD_GOAL}x off): met in ${cases.filter((c) => c.payloadRatio >= PAYLOAD_GOAL).length} of ${cases.length} cases (listeners read ${payloadChecksum() === 0 ? 'nothing' : 'every view'}).`,
  ];
  // Measured: the decoder with a reused buffer first, then with a fresh buffer per chunk.
  const [own, socketLike] = rss;
  if (own && socketLike) {
    lines.push(
      '',
      rssTable(rss),
      '',
      `Goal (decoder peak RSS < ${formatMiB(RSS_GOAL)}): ${own.peakRss < RSS_GOAL ? 'met' : 'missed'} with a reused buffer, ` +
        `${socketLike.peakRss < RSS_GOAL ? 'met' : 'missed'} with a fresh buffer per chunk. The decoder keeps no chunk; with fresh buffers the ` +
        `peak is input garbage that V8 collects only once about 64 MiB of external memory has piled up. ws holds the whole frame (and a joined copy) before it validates it.`,
    );
  }
  lines.push('', `(bench took ${totalSeconds.toFixed(1)} s)`, '');
  process.stdout.write(lines.join('\n'));
  reportHeadlines([
    ...cases
      .filter((c) => c.type === 'text' && (c.payloadBytes === 1024 || c.payloadBytes === 64 * 1024))
      .map((c) => ({
        bench: 'decode',
        what: `${formatSize(c.payloadBytes)} text in memory: decoder / ws Receiver`,
        value: formatRatio(c.ratio, GOAL_RATIO),
        goal: `≥ ${GOAL_RATIO}x: ${c.ratio >= GOAL_RATIO ? 'met' : 'missed'}`,
        load: machine.loadAverage,
      })),
    ...rss.slice(0, 1).map((own) => ({
      bench: 'decode',
      what: `one ${formatSize(RSS_FRAME_BYTES)} frame, decoder alone: peak RSS`,
      value: formatMiB(own.peakRss),
      goal: `< ${formatMiB(RSS_GOAL)}: ${own.peakRss < RSS_GOAL ? 'met' : 'missed'}`,
      load: machine.loadAverage,
    })),
  ]);

  if (options.quick) {
    process.stdout.write('Quick run: results not saved.\n');
  } else {
    const path = writeResults('decode', { machine, options, chunkSize: CHUNK_SIZE, goalRatio: GOAL_RATIO, cases, rss, totalSeconds });
    process.stdout.write(`Results: ${path}\n`);
  }
}

await main();
