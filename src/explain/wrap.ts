/**
 * Plain-text layout: word wrapping and column padding, measured in code points (the text uses Latin
 * letters, dashes and arrows, all one column wide). Colour is applied after layout, so widths stay exact.
 */

/** Visible width of plain text. */
export function visibleWidth(text: string): number {
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- columns are counted in code points, as the terminal widths here assume
  return [...text].length;
}

/** Pads plain text with spaces to `width` columns. */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

/**
 * Splits text into units that must stay on one line: words, with French spaced punctuation (` :`, ` ;`,
 * ` ?`, ` !`, `»`) glued to the word before it and `«` to the word after it.
 */
function units(text: string): string[] {
  // Only ordinary spaces break: a no-break space (U+00A0) keeps its neighbours together.
  const words = text.split(/[ \t\n]+/).filter((w) => w !== '');
  const out: string[] = [];
  let openQuote = '';
  for (const word of words) {
    if (word === '«') {
      openQuote += '« ';
      continue;
    }
    const previous = out.at(-1);
    if (/^[:;?!»]/.test(word) && previous !== undefined && openQuote === '') {
      out[out.length - 1] = `${previous} ${word}`;
      continue;
    }
    out.push(openQuote + word);
    openQuote = '';
  }
  if (openQuote !== '') out.push(openQuote.trimEnd());
  return out;
}

/** Cuts a unit longer than the line into line-sized pieces (long header names in narrow columns). */
function hardBreak(unit: string, width: number): string[] {
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- cut between code points, never inside a surrogate pair
  const chars = [...unit];
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += width) pieces.push(chars.slice(i, i + width).join(''));
  return pieces;
}

/**
 * Wraps text to `width` columns. The first line starts with `first` (an indent or a bullet), the others
 * with `rest`; both count towards the width.
 */
export function wrap(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  let prefix = first;
  let current = '';
  const room = (): number => Math.max(1, width - visibleWidth(prefix));
  const flush = (): void => {
    lines.push(prefix + current);
    prefix = rest;
    current = '';
  };
  for (const unit of units(text)) {
    const pieces = visibleWidth(unit) > room() ? hardBreak(unit, Math.max(1, width - visibleWidth(rest))) : [unit];
    for (const piece of pieces) {
      const candidate = current === '' ? piece : `${current} ${piece}`;
      if (visibleWidth(candidate) <= room()) {
        current = candidate;
      } else {
        if (current !== '') flush();
        current = piece;
      }
    }
  }
  if (current !== '' || lines.length === 0) flush();
  return lines;
}

/**
 * Packs short items (facts such as `valid`, `RFC 6455 §7.4.1`) into lines joined by `separator`,
 * breaking only between items; an item longer than a line is wrapped on its own.
 */
export function wrapItems(items: readonly string[], width: number, separator = ' · '): string[] {
  const lines: string[] = [];
  let current = '';
  for (const item of items) {
    const candidate = current === '' ? item : current + separator + item;
    if (visibleWidth(candidate) <= width) {
      current = candidate;
      continue;
    }
    if (current !== '') lines.push(current);
    if (visibleWidth(item) <= width) {
      current = item;
    } else {
      lines.push(...wrap(item, width));
      current = '';
    }
  }
  if (current !== '') lines.push(current);
  return lines;
}
