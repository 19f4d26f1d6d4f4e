/**
 * Side by side: for every pair of topics, the key differences and which to use when. Pairs people often
 * confuse have written comparisons in the text catalogue; any other pair gets differences built from
 * the data (close code, who sends it, typical cause, and whether it may be sent at all).
 */
import { codeFacts, type CodeKey } from './codes.js';
import { catalogue, type Labels } from './text/index.js';
import type { Explanation, WrittenComparison } from './types.js';
import type { RuleId } from '../rules/index.js';

export interface PairComparison {
  /** The two topics as shown to the user (`1002`, `reserved-bits`). */
  a: string;
  b: string;
  /** True when the text is a written comparison, false when generated from the data. */
  written: boolean;
  differences: string[];
  whichWhen: string[];
}

/** The catalogue key of an explanation: ranges share one (4001 and 4002 are both `private-4000-4999`). */
function keyOf(e: Explanation): CodeKey | RuleId {
  return e.kind === 'rule' ? e.id : codeFacts(e.code).key;
}

export function labelOf(e: Explanation): string {
  return e.kind === 'rule' ? e.id : String(e.code);
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** Every pair (in argument order) whose two topics are not the same catalogue entry. */
export function comparePairs(list: readonly Explanation[]): PairComparison[] {
  const [first] = list;
  if (first === undefined || list.length < 2) return [];
  const cat = catalogue(first.lang);
  const written = new Map<string, WrittenComparison>(cat.pairs.map(([a, b, c]) => [pairKey(a, b), c]));
  const pairs: PairComparison[] = [];
  for (const [i, a] of list.entries()) {
    for (const b of list.slice(i + 1)) {
      if (keyOf(a) === keyOf(b)) continue;
      const text = written.get(pairKey(keyOf(a), keyOf(b)));
      pairs.push(
        text
          ? { a: labelOf(a), b: labelOf(b), written: true, differences: [...text.differences], whichWhen: [...text.whichWhen] }
          : {
              a: labelOf(a),
              b: labelOf(b),
              written: false,
              differences: generatedDifferences(a, b, cat.labels),
              whichWhen: [a.useWhen, b.useWhen],
            },
      );
    }
  }
  return pairs;
}

/** Differences built from the data, for pairs nobody wrote a comparison for. */
function generatedDifferences(a: Explanation, b: Explanation, labels: Labels): string[] {
  const la = labelOf(a);
  const lb = labelOf(b);
  const cat = catalogue(a.lang);
  const codeName = (code: number): string => `${code} ${cat.codes[codeFacts(code).key].name}`;
  const line = (label: string, va: string, vb: string): string =>
    va === vb
      ? `${capitalise(label)}${labels.colon}${labels.both} → ${va}.`
      : `${capitalise(label)}${labels.colon}${la} → ${va}${labels.semicolon}${lb} → ${vb}.`;
  const out = [
    line(labels.closeCode, codeName(a.code), codeName(b.code)),
    line(labels.sentByLabel, labels.sender[a.sentBy], labels.sender[b.sentBy]),
  ];
  if (a.kind === 'close-code' && b.kind === 'close-code' && a.wire !== b.wire) {
    out.push(line(labels.onWireLabel, a.wire ? labels.mayBeSent : labels.neverSent, b.wire ? labels.mayBeSent : labels.neverSent));
  }
  out.push(line(labels.typicalCauseLabel, a.typicalCause, b.typicalCause));
  return out;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
