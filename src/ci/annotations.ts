/**
 * GitHub Actions workflow commands for failing violations: each becomes an `::error` line that GitHub
 * shows as an annotation on the run and the pull request.
 * https://docs.github.com/actions/reference/workflow-commands-for-github-actions#setting-an-error-message
 */
import type { ViolationEvent } from '../events/index.js';

/**
 * Escapes a command's data (after `::`) as the runner expects: `%` first, so the escapes themselves
 * are not escaped twice, then CR and LF, which would otherwise end the command.
 */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value (title=…): as data, plus `:` and `,`, which separate properties. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * Other control characters (ESC, NUL, …) can come from the wire inside a message (a quoted close
 * reason); the runner would pass them to the log viewer, so they are shown as escapes.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this finds, to escape them
const CONTROLS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/g;

function visibleControls(text: string): string {
  return text.replace(CONTROLS, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `::error title=wsdiag <rule> (<code>)::<message> — fix: <hint>`, one line ending in `\n`. */
export function githubAnnotation(violation: ViolationEvent): string {
  const title = escapeProperty(visibleControls(`wsdiag ${violation.rule} (${violation.code})`));
  const message = visibleControls(`${violation.message} — fix: ${violation.hint}`);
  return `::error title=${title}::${escapeData(message)}\n`;
}

/** True when running as a GitHub Actions step (the runner sets GITHUB_ACTIONS=true). */
export function isGithubActions(env: NodeJS.ProcessEnv): boolean {
  return env['GITHUB_ACTIONS'] === 'true';
}
