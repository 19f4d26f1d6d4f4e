/**
 * Hex input for `analyze` (`--hex`): frames pasted from bug reports come as "81 05 48 65", "0x81,0x05",
 * "\x81\x05", "81:05", `xxd -p` output or full `xxd` lines with offsets and an ASCII column.
 */

const XXD_LINE = /^\s*[0-9a-fA-F]{4,}:\s/;

export function parseHex(text: string): Uint8Array | { error: string } {
  const digits: string[] = [];
  const lines = text.split(/\r?\n/);
  for (const [n, raw] of lines.entries()) {
    let line = raw.replace(/(#|\/\/).*$/, '');
    if (XXD_LINE.test(line)) {
      // "00000000: 8105 4865 6c6c 6f              ..Hello": keep what lies between the offset and the ASCII column.
      line =
        line
          .slice(line.indexOf(':') + 1)
          .split(/\s{2,}/)
          .filter((s) => s.trim() !== '')[0] ?? '';
    }
    const cleaned = line.replace(/0x|\\x/gi, ' ').replace(/[\s,:;'"[\]{}]+/g, '');
    const bad = cleaned.search(/[^0-9a-fA-F]/);
    if (bad >= 0) return { error: `line ${n + 1}: "${cleaned[bad]}" is not a hex digit` };
    digits.push(cleaned);
  }
  const all = digits.join('');
  if (all.length % 2 !== 0) return { error: `odd number of hex digits (${all.length}); each byte needs two` };
  return Uint8Array.from(Buffer.from(all, 'hex'));
}
