/**
 * `wsdiag view LOG…`: the live dashboard over recorded JSON Lines logs (from `--log FILE` or `--json`),
 * several merged by time, each followed as it grows — how you look at a run that happened elsewhere, or
 * one still writing its log. Serves until Ctrl-C or SIGTERM.
 */
import { Command, Option } from 'commander';
import { DEFAULT_POLL_INTERVAL_MS } from '../../reporters/log-reader.js';
import { DEFAULT_UI_BUFFER } from '../../ui/index.js';
import { runView } from '../../view/run.js';
import { action } from '../run.js';
import { dashboardLine, parseBufferSize, parseUiAddress } from '../ui-options.js';
import { noticeText } from '../../tail/index.js';
import { parseInterval } from './tail.js';

interface CliOptions {
  listen?: string;
  uiBuffer?: number;
  interval?: number;
}

export function registerView(program: Command): void {
  program
    .command('view')
    .description('serve the live dashboard over recorded JSON Lines logs, merged by time and followed as they grow')
    .argument('<logs...>', 'wsdiag JSON Lines logs (from --log FILE or --json)')
    .option('--listen <host:port>', 'where the dashboard listens (default 127.0.0.1 and a free port; a non-loopback host requires the token printed at start)')
    .option('--ui-buffer <n>', `events kept for the page; the oldest are dropped (default ${DEFAULT_UI_BUFFER})`, parseBufferSize)
    .addOption(new Option('--interval <ms>', `how often to check the logs for new lines, in milliseconds (default ${DEFAULT_POLL_INTERVAL_MS})`).argParser(parseInterval))
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wsdiag view wsdiag.log                       # then open the printed address\n' +
        '  wsdiag view run1.log run2.log --listen 127.0.0.1:8081\n' +
        '\nExit status: 0 stopped with Ctrl-C, 2 bad usage or a file that is not a wsdiag log, 3 cannot listen.',
    )
    .action(
      action(async (logs: string[], opts: CliOptions) => {
        const address = parseUiAddress(opts.listen ?? true, '--listen');
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          await runView({
            files: logs,
            ...address,
            capacity: opts.uiBuffer ?? DEFAULT_UI_BUFFER,
            intervalMs: opts.interval ?? DEFAULT_POLL_INTERVAL_MS,
            signal: stop.signal,
            onReady: (dashboard) => {
              process.stdout.write(dashboardLine(dashboard).replace(/^wsdiag: /gm, ''));
              process.stdout.write(`serving ${logs.length === 1 ? logs[0] : `${logs.length} logs`}; Ctrl-C stops.\n`);
            },
            onWarning: (text) => process.stderr.write(`wsdiag: ${text}\n`),
            onNotice: (file, notice) => process.stderr.write(`wsdiag: ${noticeText(file, notice)}\n`),
          });
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
        return 0;
      }),
    );
}
