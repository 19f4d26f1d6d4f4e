/**
 * Just enough Markdown for the docs tests: headings and the anchors GitHub gives them, explicit HTML
 * anchors, links and images, and a heading's section. Fenced code is skipped (a `# comment` in a shell
 * block is not a heading, a `[x](y)` in a code sample is not a link), and so are inline code spans when
 * looking for links.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';

export interface Heading {
  level: number;
  /** The heading as written, without the leading #s. */
  source: string;
  /** The anchor GitHub gives it (with -1, -2… for repeats). */
  slug: string;
  /** 0-based line index. */
  line: number;
}

export interface Link {
  /** The target as written: `docs/x.md#anchor`, `#anchor`, `https://…`. */
  target: string;
  /** 1-based line number, for messages. */
  line: number;
}

/** The lines of a document with fenced code blocks blanked out (line numbers are kept). */
export function proseLines(markdown: string): string[] {
  const lines = markdown.split('\n');
  let fence: string | null = null;
  return lines.map((line) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && marker !== undefined) {
      fence = marker;
      return '';
    }
    if (fence !== null) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = null;
      return '';
    }
    return line;
  });
}

/** The text a heading renders to: code spans keep their content, links their text, emphasis and HTML go. */
export function headingText(source: string): string {
  return source
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/(\*\*|__)(.*?)\1/g, '$2')
    .replace(/(^|\W)[*_](\S(?:.*?\S)?)[*_](?=\W|$)/g, '$1$2')
    .trim();
}

/**
 * GitHub's anchor for a heading (github-slugger): lower case, every character that is not a letter, a mark,
 * a digit, a connector (`_`), a hyphen or a space removed, then each space a hyphen.
 */
export function githubSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

export function headings(markdown: string): Heading[] {
  const seen = new Map<string, number>();
  const found: Heading[] = [];
  proseLines(markdown).forEach((line, index) => {
    const match = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (match === null) return;
    const hashes = match[1] ?? '';
    const source = match[2] ?? '';
    const base = githubSlug(headingText(source));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.push({ level: hashes.length, source, slug: count === 0 ? base : `${base}-${count}`, line: index });
  });
  return found;
}

/** Every anchor a link may point at in this document: heading slugs and `<a id|name="…">` / `id="…"`. */
export function anchors(markdown: string): Set<string> {
  const set = new Set(headings(markdown).map((h) => h.slug));
  for (const line of proseLines(markdown)) {
    for (const match of line.matchAll(/<[a-z][^>]*\s(?:id|name)="([^"]+)"/gi)) set.add(match[1] ?? '');
  }
  return set;
}

/** Inline links and images, reference definitions, and HTML href/src, outside code. */
export function links(markdown: string): Link[] {
  const found: Link[] = [];
  // Code spans may hold brackets and parentheses; blank their content so they cannot look like links.
  const text = proseLines(markdown)
    .join('\n')
    .replace(/`[^`\n]*`/g, (span) => '`' + ' '.repeat(Math.max(0, span.length - 2)) + '`');
  const lineOf = (offset: number): number => text.slice(0, offset).split('\n').length;
  for (const match of text.matchAll(/\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    found.push({ target: match[1] ?? '', line: lineOf(match.index) });
  }
  for (const match of text.matchAll(/^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?(\S+?)>?(?:\s|$)/gm)) {
    found.push({ target: match[1] ?? '', line: lineOf(match.index) });
  }
  for (const match of text.matchAll(/<[a-z][^>]*\s(?:href|src)="([^"]+)"/gi)) {
    found.push({ target: match[1] ?? '', line: lineOf(match.index) });
  }
  return found;
}

/** The text under a heading, up to the next heading of the same or a higher level. */
export function section(markdown: string, heading: Heading): string {
  const lines = markdown.split('\n');
  const next = headings(markdown).find((h) => h.line > heading.line && h.level <= heading.level);
  return lines.slice(heading.line, next === undefined ? lines.length : next.line).join('\n');
}

/**
 * The relative links and anchors in `files` (paths relative to `root`) that do not resolve, one readable
 * line each: a missing file, a missing anchor, or a link that leaves the repository. Links with a scheme
 * (`https:`, `mailto:`) are not followed: the docs tests never touch the network.
 */
export function brokenLinks(root: string, files: readonly string[]): string[] {
  const broken: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (path: string): Set<string> => {
    let set = anchorCache.get(path);
    if (set === undefined) {
      set = anchors(readFileSync(path, 'utf8'));
      anchorCache.set(path, set);
    }
    return set;
  };
  const top = resolve(root);
  for (const file of files) {
    const from = resolve(top, file);
    for (const link of links(readFileSync(from, 'utf8'))) {
      const where = `${file}:${link.line}: ${link.target}`;
      if (/^[a-z][a-z0-9+.-]*:/i.test(link.target) || link.target.startsWith('//')) continue;
      const hash = link.target.indexOf('#');
      const pathPart = hash === -1 ? link.target : link.target.slice(0, hash);
      const anchor = hash === -1 ? null : decodeURIComponent(link.target.slice(hash + 1));
      const target = pathPart === '' ? from : resolve(dirname(from), decodeURI(pathPart));
      const rel = relative(top, target);
      if (rel.startsWith('..') || isAbsolute(rel)) {
        broken.push(`${where}: leaves the repository`);
        continue;
      }
      if (!existsSync(target)) {
        broken.push(`${where}: no such file`);
        continue;
      }
      if (anchor === null) continue;
      if (target.endsWith('.md') && statSync(target).isFile()) {
        if (!anchorsOf(target).has(anchor)) broken.push(`${where}: no anchor #${anchor} in ${relative(top, target)}`);
      } else if (!/^L\d+(-L\d+)?$/.test(anchor)) {
        broken.push(`${where}: an anchor into a file that is not Markdown`);
      }
    }
  }
  return broken;
}
