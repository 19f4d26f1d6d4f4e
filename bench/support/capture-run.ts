/**
 * Child process of the capture benchmark: reads one capture file with the capture analyzer, in a fresh
 * process so its peak RSS is this job's alone, and prints the result as JSON on stdout.
 *
 *   node dist/bench/support/capture-run.js FILE [chunk bytes]
 */
import { createReadStream } from 'node:fs';
import { CaptureAnalyzer, type CaptureStats } from '../../src/capture/analyze.js';
import { peakRssBytes } from './peak-rss.js';

export interface CaptureRunResult {
  fileBytes: number;
  seconds: number;
  baselineRss: number;
  peakRss: number;
  events: Record<string, number>;
  stats: CaptureStats;
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: capture-run.js FILE [chunk bytes]');
  const chunk = Number(process.argv[3] ?? 1024 * 1024);
  const events: Record<string, number> = {};
  const baselineRss = process.memoryUsage.rss();
  const analyzer = new CaptureAnalyzer({ onEvent: (e) => void (events[e.type] = (events[e.type] ?? 0) + 1) });
  const start = process.hrtime.bigint();
  let fileBytes = 0;
  for await (const data of createReadStream(file, { highWaterMark: chunk })) {
    fileBytes += (data as Buffer).length;
    analyzer.push(data as Buffer);
  }
  const stats = analyzer.end();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const result: CaptureRunResult = { fileBytes, seconds, baselineRss, peakRss: peakRssBytes() ?? process.memoryUsage.rss(), events, stats };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
