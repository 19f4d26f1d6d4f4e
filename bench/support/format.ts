/**
 * Markdown output of the benchmarks: tables the lead pastes into the README, and the numbers in them.
 */

export type Align = 'left' | 'right';

/** A GitHub-flavoured markdown table; columns are padded so the raw text lines up too. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const widths = headers.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const alignOf = (i: number): Align => align?.[i] ?? (i === 0 ? 'left' : 'right');
  const pad = (text: string, i: number): string => (alignOf(i) === 'left' ? text.padEnd(widths[i] ?? 0) : text.padStart(widths[i] ?? 0));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => pad(c, i)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (alignOf(i) === 'left' ? ` ${'-'.repeat(w)} ` : ` ${'-'.repeat(w - 1)}: `)).join('|')}|`;
  return [line(headers), rule, ...rows.map((r) => line(r))].join('\n');
}

/** 1234567 → "1,234,567"; fractional values keep `digits` decimals. */
export function formatNumber(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * A ratio such as "1.83x". Next to a goal it gets a third decimal when two would round it onto the goal
 * (0.898 against 0.9 reads "0.898x", not a "0.90x" marked missed).
 */
export function formatRatio(value: number, goal?: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const short = value.toFixed(2);
  return goal !== undefined && short === goal.toFixed(2) && value !== goal ? `${value.toFixed(3)}x` : `${short}x`;
}

/** Bytes as B, KiB or MiB, the units the benchmark sizes are named in. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/** Bytes as MiB with one decimal. */
export function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
