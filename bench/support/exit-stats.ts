/**
 * Preloaded (`node --import`) into the processes the analyze benchmark times as a whole: at exit, writes
 * the process's CPU time and peak RSS as JSON to the file named by WSDIAG_BENCH_STATS. Both sides get the
 * same preload, so it costs them the same. Peak RSS is /proc's VmHWM (see peak-rss.ts for why not maxRSS).
 */
import { writeFileSync } from 'node:fs';
import { peakRssBytes } from './peak-rss.js';

export interface ExitStats {
  /** User + system CPU of the whole process, in seconds. */
  cpuSeconds: number;
  peakRss: number;
}

const target = process.env['WSDIAG_BENCH_STATS'];
if (target) {
  process.on('exit', () => {
    const cpu = process.cpuUsage();
    const stats: ExitStats = { cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRss: peakRssBytes() ?? process.memoryUsage.rss() };
    writeFileSync(target, JSON.stringify(stats));
  });
}
