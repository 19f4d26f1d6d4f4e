/**
 * The words the demo prints around wsdiag's own log: the opening lines, the heading before each
 * scenario, the closing paragraph, and the `--list` table. Pure functions of what ran.
 */
import type { Palette } from '../reporters/index.js';
import { SCENARIOS, scenarioHeading, type Scenario } from './scenarios.js';

export function introText(scenarios: readonly Scenario[], c: Palette): string {
  const what = scenarios.length === 1 ? 'one scripted connection' : `${scenarios.length} scripted connections, one after the other,`;
  return (
    `${c.emphasis('wsdiag demo')}: ${what} through wsdiag to a built-in text-only echo server\n` +
    '(it echoes text and closes with 1003 on binary). wsdiag relays every byte unchanged and reports what it sees.\n'
  );
}

/** The heading before `scenario`, numbered among the scenarios that run (`ran`). */
export function headingText(scenario: Scenario, ran: readonly Scenario[], c: Palette): string {
  return `\n${c.emphasis(scenarioHeading(scenario, ran))}\n`;
}

export interface ClosingFacts {
  scenarios: readonly Scenario[];
  /** Whether wsdiag was told that the upstream accepts text only (the 1003 policy). */
  textOnlyPolicy: boolean;
}

export function closingText({ scenarios, textOnlyPolicy }: ClosingFacts, c: Palette): string {
  const ran = (name: string) => scenarios.some((s) => s.name === name);
  const lines: string[] = ['', c.emphasis('What you just saw')];
  if (ran('good')) {
    lines.push('  The well-behaved client follows RFC 6455: wsdiag logs its open, the closing handshake and the close, and nothing else.');
  }
  const faulty = scenarios.filter((s) => s.name !== 'good').length;
  if (faulty > 0) {
    const who = ran('good') ? 'Every other connection breaks' : faulty === 1 ? 'The connection breaks' : 'Each connection breaks';
    lines.push(
      `  ${who} one rule. wsdiag relays the bytes unchanged (it is transparent unless you pass`,
      '  --enforce), names the rule and the close code it calls for, blames the side that sent the bytes, says how to',
      "  fix it, and links the endpoint's Close to the violation that provoked it.",
    );
  }
  if (ran('binary-to-text-server')) {
    lines.push(
      textOnlyPolicy
        ? '  The binary message is flagged as unsupported-binary because the demo tells wsdiag that its server accepts text\n' +
            '  only (what --server-accepts text does); the server then closes with 1003, as predicted.'
        : "  The binary message is valid framing, so only the server's Close 1003 (unsupported data) reveals the mismatch.",
    );
  }
  lines.push(
    '',
    c.emphasis('Try next'),
    `  ${c.rule('wsdiag explain 1002 1003')}                  the two close codes side by side`,
    `  ${c.rule('wsdiag explain unmasked-client-frame')}      one rule in depth (any rule id from the log works)`,
    `  ${c.rule('wsdiag proxy --target ws://your-server')}    put wsdiag in front of your own server, then point`,
    '                                            your client at the address it prints instead of the server',
    `  ${c.rule('wsdiag demo --json')}                        this run as JSON Lines, the format scripts and CI read`,
    '',
  );
  return lines.join('\n');
}

/** `wsdiag demo --list`: name and heading of each scenario, in the order they run. */
export function listText(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return SCENARIOS.map((s, i) => `${String(i + 1).padStart(2)}  ${s.name.padEnd(width)}  ${s.title}\n`).join('');
}
