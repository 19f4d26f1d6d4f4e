/**
 * What kind of file this is, from its first bytes (the magic number): a classic pcap file in either byte
 * order and either time precision, a pcapng file, or something else, with a sentence that says what it
 * looks like instead ("gzip-compressed", "text") so the user knows what to do with it.
 */
import { hexOf, u32 } from './bytes.js';

/** How a classic pcap file's records look, from its magic number. */
export interface PcapFlavour {
  littleEndian: boolean;
  /** Fractions of a second are nanoseconds (magic 0xa1b23c4d) rather than microseconds. */
  nanoseconds: boolean;
  /** Alexey Kuznetzov's patched libpcap (magic 0xa1b2cd34): record headers are 24 bytes, not 16. */
  recordHeaderLength: 16 | 24;
}

export type Detection = { format: 'pcap'; pcap: PcapFlavour } | { format: 'pcapng' } | { format: null; reason: string };

/** Bytes `detectCapture` needs to decide. */
export const MAGIC_BYTES = 4;
/** Bytes looked at to say what a file that is not a capture looks like instead. */
export const DESCRIBE_BYTES = 512;

export const PCAPNG_SHB_TYPE = 0x0a0d0d0a;

const PCAP_MAGICS: ReadonlyArray<readonly [number, Omit<PcapFlavour, 'littleEndian'>]> = [
  [0xa1b2c3d4, { nanoseconds: false, recordHeaderLength: 16 }],
  [0xa1b23c4d, { nanoseconds: true, recordHeaderLength: 16 }],
  [0xa1b2cd34, { nanoseconds: false, recordHeaderLength: 24 }],
];

/**
 * Detects the capture format from the first bytes of a file (at least MAGIC_BYTES of them, more gives a
 * better sentence for files that are not captures). Never throws.
 */
export function detectCapture(head: Uint8Array): Detection {
  if (head.length === 0) return { format: null, reason: 'the file is empty' };
  if (head.length < MAGIC_BYTES)
    return { format: null, reason: `the file has only ${head.length} byte${head.length === 1 ? '' : 's'}, too few for a capture` };
  for (const little of [true, false]) {
    const magic = u32(head, 0, little);
    for (const [value, flavour] of PCAP_MAGICS) {
      if (magic === value) return { format: 'pcap', pcap: { littleEndian: little, ...flavour } };
    }
  }
  if (u32(head, 0, false) === PCAPNG_SHB_TYPE) return { format: 'pcapng' };
  return { format: null, reason: describeOther(head) };
}

/** Why the first bytes of a file (the first DESCRIBE_BYTES of them, or all) are not a capture. */
export function describeNonCapture(head: Uint8Array): string {
  const detection = detectCapture(head.subarray(0, DESCRIBE_BYTES));
  return detection.format === null ? detection.reason : 'it ends inside its header';
}

function describeOther(head: Uint8Array): string {
  const magic = `0x${hexOf(head, 0, 4)}`;
  if (head[0] === 0x1f && head[1] === 0x8b) return 'it is gzip-compressed (decompress it first, e.g. with gunzip)';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd)
    return 'it is zstd-compressed (decompress it first, e.g. with unzstd)';
  if (head[0] === 0x04 && head[1] === 0x22 && head[2] === 0x4d && head[3] === 0x18)
    return 'it is lz4-compressed (decompress it first, e.g. with unlz4)';
  if (startsWith(head, 'snoop\0\0\0')) return 'it is a Solaris snoop capture (convert it with editcap -F pcapng)';
  if (looksLikeText(head)) {
    if (head[0] === 0x7b) return 'it is text that looks like JSON (a wsdiag log is read with `wsdiag tail`)';
    return 'it is text, not a capture (tcpdump and tshark write captures with -w FILE)';
  }
  return `its magic number ${magic} is neither pcap (a1b2c3d4, a1b23c4d, either byte order) nor pcapng (0a0d0d0a)`;
}

function startsWith(head: Uint8Array, text: string): boolean {
  if (head.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (head[i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Printable ASCII, tabs and newlines only, in the first bytes we have. */
function looksLikeText(head: Uint8Array): boolean {
  const end = Math.min(head.length, DESCRIBE_BYTES);
  for (let i = 0; i < end; i++) {
    const b = head[i]!;
    if (b === 0x09 || b === 0x0a || b === 0x0d) continue;
    if (b < 0x20 || b > 0x7e) return false;
  }
  return true;
}
