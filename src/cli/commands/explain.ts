/**
 * `wsdiag explain CODE-OR-RULE...`: a thin shell over src/explain. Chooses the language (--lang, else the
 * locale), the width (the terminal's) and colour (a TTY without NO_COLOR), then prints.
 */
import type { Command } from 'commander';
import { explain, LANGS, renderExplanations, resolveLang } from '../../explain/index.js';
import { shouldUseColor } from '../../reporters/index.js';
import { action } from '../run.js';
import { addFlags, withHelp } from '../flags.js';
import { OUTPUT } from '../options/output.js';

interface ExplainOptions {
  lang?: string;
  json?: boolean;
  color: boolean;
}

const EXAMPLES = `
Examples:
  $ wsdiag explain 1002                 what a close code means and how to resolve it
  $ wsdiag explain reserved-bits        a wsdiag rule: code, severity, RFC section, fix
  $ wsdiag explain 1003 1007            side by side, with key differences and which to use when
  $ wsdiag explain 4001                 any code in 3000–4999 explains its range
  $ wsdiag explain 1006 --lang fr       in French (also chosen by LANG/LC_ALL/LC_MESSAGES=fr…)
  $ wsdiag explain 1009 --json          one JSON object per topic, one per line
`;

export function registerExplain(program: Command): void {
  const command = program
    .command('explain')
    .description('what a close code or a rule means, when you see it and how to resolve it; several side by side')
    .argument('<topics...>', 'close codes (1000–1015, 3000–4999, …) or rule ids (reserved-bits, …)');
  addFlags(command, [
    { flags: '--lang <lang>', help: 'language (default: from LC_ALL/LC_MESSAGES/LANG, else en)', choices: LANGS, sets: ['lang'] },
    withHelp(OUTPUT.json, 'print one JSON object per topic (JSON Lines) instead of text'),
    withHelp(OUTPUT.color, 'never colour the output (NO_COLOR does the same)'),
  ])
    .addHelpText('after', EXAMPLES)
    .action(action((topics: string[], options: ExplainOptions) => runExplain(topics, options)));
}

function runExplain(topics: string[], options: ExplainOptions): number {
  const lang = resolveLang(options.lang, process.env);
  const list = explain(topics, lang);
  const output = options.json
    ? list.map((e) => `${JSON.stringify(e)}\n`).join('')
    : renderExplanations(list, { width: terminalWidth(), color: shouldUseColor({ stream: process.stdout, flag: options.color }) });
  // A reader that goes away early (`| head`) is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  process.stdout.write(output);
  return 0;
}

/** The terminal's width; when piped, $COLUMNS if set (so scripts can ask for the side-by-side layout). */
function terminalWidth(): number {
  if (process.stdout.isTTY && process.stdout.columns) return process.stdout.columns;
  const fromEnv = Number(process.env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 80;
}
