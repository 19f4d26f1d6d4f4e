/**
 * `wsdiag view LOG…`: the live dashboard over recorded JSON Lines logs (from `--log FILE` or `--json`),
 * several merged by time, each followed as it grows — how you look at a run that happened elsewhere, or
 * one still writing its log. Flags → options → runView until Ctrl-C or SIGTERM → exit 0.
 */
import type { Command } from 'commander';
import { DEFAULT_POLL_INTERVAL_MS } from '../../reporters/index.js';
import { DEFAULT_UI_BUFFER, dashboardLines } from '../../ui/index.js';
import { runView, type ViewOptions } from '../../view/index.js';
import { action } from '../run.js';
import { addFlags, addOptionHints, type Flag } from '../flags.js';
import { UI, parseUiAddress } from '../options/ui.js';
import { untilSignal } from '../signals.js';
import { noticeText } from '../../tail/index.js';
import { parseInterval } from './tail.js';

interface ViewFlags {
  listen?: string;
  uiBuffer?: number;
  interval?: number;
}

const VIEW_FLAGS: Array<Flag<ViewOptions>> = [
  {
    flags: '--listen <host:port>',
    help: 'where the dashboard listens (default 127.0.0.1 and a free port; a non-loopback host requires the token printed at start)',
    sets: ['listen'],
  },
  { ...UI.uiBuffer, help: `events kept for the page; the oldest are dropped (default ${DEFAULT_UI_BUFFER})`, sets: ['capacity'] },
  {
    flags: '--interval <ms>',
    help: `how often to check the logs for new lines, in milliseconds (default ${DEFAULT_POLL_INTERVAL_MS})`,
    parse: parseInterval,
    sets: ['intervalMs'],
  },
];

export function registerView(program: Command): void {
  const command = program
    .command('view')
    .description('serve the live dashboard over recorded JSON Lines logs, merged by time and followed as they grow')
    .argument('<logs...>', 'wsdiag JSON Lines logs (from --log FILE or --json)');
  addOptionHints(addFlags(command, VIEW_FLAGS), { files: 'write one with wsdiag proxy --log FILE or --json' })
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  wsdiag view wsdiag.log                       # then open the printed address\n' +
        '  wsdiag view run1.log run2.log --listen 127.0.0.1:8081\n' +
        '\nExit status: 0 stopped with Ctrl-C, 2 bad usage or a file that is not a wsdiag log, 3 cannot listen.',
    )
    .action(
      action(async (logs: string[], flags: ViewFlags) => {
        const listen = parseUiAddress(flags.listen ?? true, 'listen');
        await untilSignal(({ signal }) =>
          runView({
            files: logs,
            listen,
            capacity: flags.uiBuffer ?? DEFAULT_UI_BUFFER,
            intervalMs: flags.interval ?? DEFAULT_POLL_INTERVAL_MS,
            signal,
            onReady: (dashboard) => {
              process.stdout.write(
                dashboardLines(dashboard)
                  .map((line) => `${line}\n`)
                  .join(''),
              );
              process.stdout.write(`serving ${logs.length === 1 ? logs[0] : `${logs.length} logs`}; Ctrl-C stops.\n`);
            },
            onWarning: (text) => process.stderr.write(`wsdiag: ${text}\n`),
            onNotice: (file, notice) => process.stderr.write(`wsdiag: ${noticeText(file, notice)}\n`),
          }),
        );
        return 0;
      }),
    );
}
