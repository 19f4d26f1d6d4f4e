/**
 * `wsdiag chaos --target URL --toxic SPEC...`: relay like `proxy` and inject faults into the frames of
 * chosen directions. Flags → options (every toxic parsed and every file read before anything listens) →
 * runChaos until SIGINT/SIGTERM → exit code.
 */
import type { Command } from 'commander';
import { describeToxicTypes } from '../../chaos/index.js';
import { runChaos } from '../../live/index.js';
import { action } from '../run.js';
import { addFlags } from '../flags.js';
import { ADMIN, adminOptions, type AdminFlags } from '../options/admin.js';
import { chaosCommandFlags, chaosRunOptions, type ChaosCommandFlags } from '../options/chaos.js';
import { untilSignal } from '../signals.js';
import { tuneHeapForRelaying } from '../heap.js';

export function registerChaos(program: Command): void {
  const command = program
    .command('chaos')
    .description('relay like proxy and inject faults (toxics) into the frames of chosen directions, to test how endpoints cope');
  const types = describeToxicTypes()
    .map((type) => `  ${type.type.padEnd(19)}${type.valid ? '(valid) ' : ''}${Object.keys(type.attributes).join(', ') || '-'}`)
    .join('\n');
  addFlags(command, [...chaosCommandFlags(), ADMIN.admin])
    .addHelpText(
      'after',
      '\nExamples:\n' +
        "  wsdiag chaos --target ws://127.0.0.1:9000 --toxic 'rsv:client->server:bit=1'   # clients dial ws://127.0.0.1:8081\n" +
        "  wsdiag chaos --target ws://127.0.0.1:9000 --toxic 'drop:server->client:frames=pong' --seed 42\n" +
        '  wsdiag chaos --target ws://127.0.0.1:9000 --config toxics.json --api      # change toxics at run time on 127.0.0.1:8474\n' +
        '  curl -s -X POST 127.0.0.1:8474/toxics -d \'{"type": "retype", "stream": "server->client"}\'\n' +
        `\nToxic types and their attributes (KEY=VALUE in --toxic; docs/chaos.md has the details):\n${types}\n` +
        '\nEvery applied fault is a "fault" event, just before the violation or Close it causes; the summary counts\n' +
        'faults per toxic. The seed is printed on stderr at start: --seed replays the same faults on the same traffic.\n' +
        'Exit status: 0 stopped normally, 2 bad usage, a bad toxic or unreadable file (or --enforce, which cannot\n' +
        'go with fault injection), 3 cannot listen.',
    )
    .action(
      action(async (flags: ChaosCommandFlags & AdminFlags) => {
        const options = { ...(await chaosRunOptions(flags)), ...adminOptions(flags) };
        tuneHeapForRelaying();
        return untilSignal(({ signal, onHangup }) =>
          runChaos(options, { stdout: process.stdout, stderr: process.stderr, signal, onHangup }),
        );
      }),
    );
}
