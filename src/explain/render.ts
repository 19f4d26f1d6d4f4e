/**
 * Renders explanations for a terminal. One topic: its sections one after the other. Several topics: side
 * by side in columns when the terminal is wide enough, else one after the other; either way followed by
 * "Key differences" and "Which to use when". Layout is done on plain text first, colour last.
 */
import chalk, { Chalk, type ChalkInstance } from 'chalk';
import { comparePairs, type PairComparison } from './compare.js';
import { catalogue, type Labels } from './text/index.js';
import type { CodeExplanation, Explanation, RuleExplanation } from './types.js';
import { padEnd, wrap, wrapItems } from './wrap.js';

export interface RenderOptions {
  /** Terminal width in columns (process.stdout.columns); 80 when unknown. */
  width?: number;
  /** Colour with ANSI escapes (the CLI passes true only for a TTY without NO_COLOR). */
  color?: boolean;
}

/** Columns are used from this terminal width on (and only if each column gets MIN_COLUMN_WIDTH). */
export const SIDE_BY_SIDE_MIN_WIDTH = 100;
const MIN_COLUMN_WIDTH = 40;
const COLUMN_GAP = ' │ ';
/** Prose is easier to read in lines no longer than this, however wide the terminal. */
const MAX_TEXT_WIDTH = 100;
const MIN_TEXT_WIDTH = 40;

type Style = 'title' | 'facts' | 'heading' | 'body' | 'id' | 'warn' | 'dim';
interface Line {
  text: string;
  style: Style;
}

export function renderExplanations(list: readonly Explanation[], options: RenderOptions = {}): string {
  const [first] = list;
  if (first === undefined) return '';
  const width = Math.max(MIN_TEXT_WIDTH, Math.floor(options.width ?? 80));
  const paint = painter(options.color ?? false);
  const labels = catalogue(first.lang).labels;
  const textWidth = Math.min(width, MAX_TEXT_WIDTH);

  const columnWidth = Math.floor((width - COLUMN_GAP.length * (list.length - 1)) / list.length);
  const sideBySide = list.length > 1 && width >= SIDE_BY_SIDE_MIN_WIDTH && columnWidth >= MIN_COLUMN_WIDTH;

  const out: string[] = [];
  if (sideBySide) {
    out.push(
      ...columns(
        list.map((e) => explanationLines(e, labels, columnWidth)),
        columnWidth,
        paint,
      ),
    );
  } else {
    list.forEach((e, i) => {
      if (i > 0) out.push('', paint({ text: '─'.repeat(textWidth), style: 'dim' }), '');
      out.push(...explanationLines(e, labels, textWidth).map(paint));
    });
  }
  const pairs = comparePairs(list);
  if (pairs.length > 0)
    out.push('', paint({ text: '═'.repeat(textWidth), style: 'dim' }), '', ...comparisonLines(pairs, labels, textWidth).map(paint));
  return `${out.join('\n')}\n`;
}

function painter(color: boolean): (line: Line) => string {
  if (!color) return (line) => line.text;
  const c: ChalkInstance = new Chalk({ level: chalk.level > 0 ? chalk.level : 1 });
  const styles: Record<Style, (s: string) => string> = {
    title: (s) => c.bold.cyan(s),
    facts: (s) => c.dim(s),
    heading: (s) => c.bold(s),
    body: (s) => s,
    id: (s) => c.yellow(s),
    warn: (s) => c.red(s),
    dim: (s) => c.dim(s),
  };
  return (line) => styles[line.style](line.text);
}

function explanationLines(e: Explanation, labels: Labels, width: number): Line[] {
  return e.kind === 'rule' ? ruleLines(e, labels, width) : codeLines(e, labels, width);
}

const body = (text: string, width: number, style: Style = 'body'): Line[] => wrap(text, width, '  ').map((t) => ({ text: t, style }));
const bullet = (text: string, width: number, style: Style = 'body'): Line[] =>
  wrap(text, width, '  • ', '    ').map((t) => ({ text: t, style }));
const heading = (text: string): Line[] => [
  { text: '', style: 'body' },
  { text, style: 'heading' },
];

function section(title: string, lines: Line[]): Line[] {
  return [...heading(title), ...lines];
}

function commonSections(e: Explanation, labels: Labels, width: number): Line[] {
  return [
    ...section(labels.meaning, body(e.meaning, width)),
    ...section(labels.whenSeen, body(e.whenSeen, width)),
    ...section(
      labels.resolve,
      e.resolve.flatMap((r) => bullet(r, width)),
    ),
  ];
}

function codeLines(e: CodeExplanation, labels: Labels, width: number): Line[] {
  const facts = [
    labels.status[e.status],
    e.wire ? labels.mayBeSent : labels.neverSent,
    `${labels.sentByLabel}${labels.colon}${labels.sender[e.sentBy]}`,
    e.reference,
  ];
  const lines: Line[] = [
    ...wrap(e.title, width).map((t): Line => ({ text: t, style: 'title' })),
    ...wrapItems(facts, width).map((t): Line => ({ text: t, style: e.wire ? 'facts' : 'warn' })),
    ...commonSections(e, labels, width),
  ];
  if (e.profiles && e.profiles.length > 0) {
    const nameWidth = Math.max(...e.profiles.map((p) => p.subprotocol.length));
    lines.push(
      ...section(
        labels.profiles,
        e.profiles.map((p) => ({
          text: `  ${padEnd(p.subprotocol, nameWidth)}  ${labels.messageType[p.messageType]}`,
          style: 'body' as Style,
        })),
      ),
    );
  }
  const rules = e.rules.length > 0 ? e.rules.flatMap((r) => bullet(`${r.id} — ${r.summary}`, width)) : body(labels.noRules, width, 'dim');
  lines.push(...section(labels.rulesProducing(e.code), rules));
  return lines;
}

function ruleLines(e: RuleExplanation, labels: Labels, width: number): Line[] {
  const facts = [
    `${labels.closeCode} ${e.code}`,
    labels.severity[e.severity],
    e.rfc,
    `${labels.sentByLabel}${labels.colon}${labels.sender[e.sentBy]}`,
  ];
  return [
    ...wrap(e.title, width).map((t): Line => ({ text: t, style: 'title' })),
    ...wrapItems(facts, width).map((t): Line => ({ text: t, style: 'facts' })),
    ...wrap(e.summary, width).map((t): Line => ({ text: t, style: 'body' })),
    ...commonSections(e, labels, width),
    { text: '', style: 'body' },
    ...wrap(labels.seeAlso(e.code), width).map((t): Line => ({ text: t, style: 'dim' })),
  ];
}

/** Lays blocks of lines next to each other, each padded to the column width. */
function columns(blocks: Line[][], columnWidth: number, paint: (line: Line) => string): string[] {
  const height = Math.max(...blocks.map((b) => b.length));
  const rows: string[] = [];
  for (let row = 0; row < height; row++) {
    const cells = blocks.map((block, i) => {
      const line = block[row] ?? { text: '', style: 'body' };
      // The last column needs no padding: trailing spaces only get in the way when copying.
      const text = i === blocks.length - 1 ? line.text : padEnd(line.text, columnWidth);
      return paint({ text, style: line.style });
    });
    rows.push(cells.join(paint({ text: COLUMN_GAP, style: 'dim' })).trimEnd());
  }
  return rows;
}

/**
 * "Key differences" then "Which to use when", one sub-heading per pair. A sentence already shown for
 * an earlier pair is not repeated (generated pairs share each topic's "use when" sentence).
 */
function comparisonLines(pairs: readonly PairComparison[], labels: Labels, width: number): Line[] {
  const subheading = (p: PairComparison): Line => ({ text: `${p.a} ${labels.versus} ${p.b}`, style: 'id' });
  const lines: Line[] = [{ text: labels.keyDifferences, style: 'heading' }];
  for (const p of pairs) lines.push(subheading(p), ...p.differences.flatMap((d) => bullet(d, width)));
  lines.push({ text: '', style: 'body' }, { text: labels.whichToUseWhen, style: 'heading' });
  const shown = new Set<string>();
  for (const p of pairs) {
    const fresh = p.whichWhen.filter((w) => !shown.has(w));
    if (fresh.length === 0) continue;
    fresh.forEach((w) => shown.add(w));
    lines.push(subheading(p), ...fresh.flatMap((w) => bullet(w, width)));
  }
  return lines;
}
