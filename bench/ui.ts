/**
 * `npm run bench:ui`: what the live dashboard costs the relay. A ws echo server and closed-loop ws clients,
 * through wsdiag's proxy three ways in one run, alternating in each repetition: without the dashboard;
 * with it and a client reading the live feed (a ws client, as a page would); and with it and a real page
 * open in headless Chromium (when installed). At 64 B and 256 KiB, 1 and 50 connections, with and without
 * `--frames` (one feed record per frame: the heaviest feed the proxy makes before message events). Goal:
 * throughput with the dashboard and a reader ≥ 0.9x without it, with the default events (the `--frames`
 * rows are shown for what they cost); each ratio is the median of the repetitions' own ratios
 * (pairedRatio). Relay CPU per round trip is the proxy process's own (/proc). Each repetition starts its
 * relays (and opens its reader and page) anew (startRelays).
 *
 * The relays are `wsdiag proxy` processes as users start them (`--log FILE`, and `--ui` for the two with a
 * reader), not the relay benchmarks' child process: how much a relay's heap holds decides how V8 collects it
 * under large messages (docs/performance.md, "Dashboard"), and the child, which loads less and runs no
 * command line, held 7–9 MB where `wsdiag proxy` holds about 13 MB, so its figures were not the program's.
 *
 * Options: --quick (short windows, smoke test), --reps N, --window MS, --no-browser.
 */
import { WebSocket } from 'ws';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchChild } from './support/child.js';
import { formatNumber, formatRatio, formatSize, markdownTable } from './support/format.js';
import { describeMachine, machineInfo, warnIfBusy } from './support/machine.js';
import { writeResults } from './support/results.js';
import { must } from './support/must.js';
import { startWsdiagRelay, type WsdiagRelay } from './support/relays.js';
import { roundTripsThrough, type RoundTrips } from './support/round-trips.js';
import { median, pairedRatio } from './support/stats.js';
import { windowedOptions, type WindowedOptions } from './support/args.js';

const SIZES = [64, 256 * 1024] as const;
const CONNECTIONS = [1, 50] as const;
const GOAL = 0.9;

type Reader = 'off' | 'feed' | 'browser';

interface Options extends WindowedOptions {
  browser: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  return { ...windowedOptions(argv), browser: !argv.includes('--no-browser') };
}

interface Row {
  frames: boolean;
  size: number;
  connections: number;
  reader: Reader;
  messagesPerSecond: number;
  relayCpuUsPerMessage: number;
  samples: RoundTrips[];
}

/** A ws client on the dashboard's feed, reading (and counting) everything, as a page does. */
class FeedReader {
  records = 0;
  dropped = 0;
  readonly #ws: WebSocket;
  constructor(uiUrl: string) {
    this.#ws = new WebSocket(`${uiUrl.replace(/^http/, 'ws')}feed`);
    this.#ws.on('message', (data) => {
      // ws hands a text message over as one Buffer (binaryType 'nodebuffer').
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : '';
      // Counted, not parsed: the reader runs in the load generator's process and must stay cheap.
      if (text.startsWith('{"kind":"records"')) this.records += countOf(text, '{"seq":');
      else if (text.startsWith('{"kind":"dropped"')) this.dropped += (JSON.parse(text) as { count: number }).count;
    });
    this.#ws.on('error', () => {});
  }
  async opened(): Promise<void> {
    if (this.#ws.readyState === WebSocket.OPEN) return;
    await new Promise<void>((resolve, reject) => {
      this.#ws.once('open', () => resolve());
      this.#ws.once('error', reject);
    });
  }
  close(): void {
    this.#ws.close();
  }
}

function countOf(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}

interface Browser {
  /** Opens the dashboard at `url` in a new page; resolves once its live feed is connected. */
  open(url: string): Promise<{ close(): Promise<void> }>;
  close(): Promise<void>;
}

async function openBrowser(): Promise<Browser | null> {
  const { existsSync } = await import('node:fs');
  if (!existsSync('/usr/bin/chromium')) return null;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
  return {
    open: async (url) => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
      await page.goto(url);
      await page.waitForSelector('[data-testid=feed-status]');
      return { close: () => page.close() };
    },
    close: () => browser.close(),
  };
}

/** One repetition's relays: without the dashboard, with it and a feed reader, with it and a page (when a browser runs). */
interface Relays {
  children: Partial<Record<Reader, WsdiagRelay>>;
  reader: FeedReader;
  stop(): Promise<void>;
}

/**
 * Starts the relays anew for each repetition: a relay process can keep a state of its own for minutes (how
 * its allocator, heap and JIT settled, where the scheduler put it), which moved one process's CPU per
 * message by 2x and more against its twin of the same build (at 256 KiB over one connection, 2,733 µs
 * against 501–516 µs in one run); fresh relays sample those states instead of drawing one for the run.
 * Each writes its events to a log file of its own (`--log`), as `wsdiag proxy --log` would.
 */
async function startRelays(echoPort: number, extra: readonly string[], browser: Browser | null): Promise<Relays> {
  const logs = mkdtempSync(join(tmpdir(), 'wsdiag-bench-ui-'));
  const start = (name: Reader, ui: boolean) =>
    startWsdiagRelay('proxy', echoPort, [...extra, '--log', join(logs, `${name}.jsonl`), ...(ui ? ['--ui', '127.0.0.1:0'] : [])]);
  const [off, feed, page] = await Promise.all([
    start('off', false),
    start('feed', true),
    browser ? start('browser', true) : Promise.resolve(undefined),
  ]);
  const reader = new FeedReader(must(feed.ui, 'dashboard URL'));
  await reader.opened();
  const tab = page && browser ? await browser.open(must(page.ui, 'dashboard URL')) : undefined;
  return {
    children: { off, feed, ...(page ? { browser: page } : {}) },
    reader,
    stop: async () => {
      reader.close();
      await tab?.close();
      await Promise.all([off, feed, ...(page ? [page] : [])].map((relay) => relay.stop()));
      rmSync(logs, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const machine = machineInfo();
  warnIfBusy(machine);
  console.log(`# wsdiag dashboard benchmark${options.quick ? ' (quick)' : ''}\n\n${describeMachine(machine)}\n`);
  const echo = await BenchChild.start('echo');
  const browser = options.browser ? await openBrowser() : null;
  if (options.browser && !browser) console.log('(no Chromium at /usr/bin/chromium: the browser column is left out)\n');
  const readers: Reader[] = browser ? ['off', 'feed', 'browser'] : ['off', 'feed'];
  const rows: Row[] = [];
  const delivery: Record<string, { records: number; dropped: number }> = {};
  try {
    for (const frames of [false, true]) {
      const extra = frames ? ['--frames'] : [];
      const delivered = { records: 0, dropped: 0 };
      for (const size of SIZES) {
        for (const connections of CONNECTIONS) {
          const samples: Record<Reader, RoundTrips[]> = { off: [], feed: [], browser: [] };
          for (let rep = 0; rep < options.reps; rep++) {
            const relays = await startRelays(echo.ready.port, extra, browser);
            try {
              const relay = (r: Reader): WsdiagRelay => must(relays.children[r], `${r} relay`);
              // One unmeasured pass each first: a fresh process runs cold (JIT, heap, socket buffers).
              for (const r of readers) await roundTripsThrough(relay(r), size, connections, options);
              // Alternate, so a change in the machine's load hits every column alike.
              for (const r of rep % 2 === 0 ? readers : [...readers].reverse()) {
                samples[r].push(await roundTripsThrough(relay(r), size, connections, options));
              }
            } finally {
              delivered.records += relays.reader.records;
              delivered.dropped += relays.reader.dropped;
              await relays.stop();
            }
          }
          for (const r of readers) {
            rows.push({
              frames,
              size,
              connections,
              reader: r,
              samples: samples[r],
              messagesPerSecond: median(samples[r].map((s) => s.messagesPerSecond)),
              relayCpuUsPerMessage: median(samples[r].map((s) => s.relayCpuUsPerMessage)),
            });
          }
          console.error(`done: ${frames ? 'frames' : 'plain'} ${formatSize(size)} x${connections}`);
        }
      }
      delivery[frames ? 'frames' : 'plain'] = delivered;
    }
  } finally {
    await browser?.close();
    await echo.stop();
  }

  const find = (frames: boolean, size: number, connections: number, reader: Reader) =>
    rows.find((r) => r.frames === frames && r.size === size && r.connections === connections && r.reader === reader);
  /** A reader's throughput against none, repetition by repetition (each rep's relays ran side by side). */
  const ratioToOff = (row: Row): number =>
    pairedRatio(
      must(find(row.frames, row.size, row.connections, 'off'), 'result without a reader').samples.map((s) => s.messagesPerSecond),
      row.samples.map((s) => s.messagesPerSecond),
    ).median;
  const table = markdownTable(
    [
      'Events',
      'Message',
      'Conns',
      'off msgs/s',
      'feed reader msgs/s',
      'ratio',
      ...(browser ? ['Chromium msgs/s', 'ratio'] : []),
      'relay CPU µs/msg off → feed' + (browser ? ' / Chromium' : ''),
    ],
    [false, true].flatMap((frames) =>
      SIZES.flatMap((size) =>
        CONNECTIONS.map((connections) => {
          const off = must(find(frames, size, connections, 'off'), 'result without a reader');
          const feed = must(find(frames, size, connections, 'feed'), 'result with the feed reader');
          const page = find(frames, size, connections, 'browser');
          return [
            frames ? '--frames' : 'default',
            formatSize(size),
            String(connections),
            formatNumber(off.messagesPerSecond),
            formatNumber(feed.messagesPerSecond),
            formatRatio(ratioToOff(feed), GOAL),
            ...(page ? [formatNumber(page.messagesPerSecond), formatRatio(ratioToOff(page), GOAL)] : []),
            `${formatNumber(off.relayCpuUsPerMessage, 1)} → ${formatNumber(feed.relayCpuUsPerMessage, 1)}${page ? ` / ${formatNumber(page.relayCpuUsPerMessage, 1)}` : ''}`,
          ];
        }),
      ),
    ),
    ['left', 'left', 'right'],
  );
  console.log(table);
  console.log(`\nFeed reader: ${JSON.stringify(delivery)} (records received and dropped-for-slowness counts, per run)`);
  const worstOf = (frames: boolean): number => Math.min(...rows.filter((r) => r.reader !== 'off' && r.frames === frames).map(ratioToOff));
  const worst = worstOf(false);
  console.log(
    `\nGoal: throughput with the dashboard and a reader ≥ ${GOAL}x without it (default events) — worst ratio ${formatRatio(worst, GOAL)}: ${worst >= GOAL ? 'met' : 'NOT met'}. With --frames: worst ${formatRatio(worstOf(true))}.`,
  );
  if (!options.quick) {
    const path = writeResults('ui', { machine, options, rows, delivery, worst, goal: GOAL, when: new Date().toISOString() });
    console.log(`\nSaved to ${path}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
