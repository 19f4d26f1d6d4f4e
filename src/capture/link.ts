/**
 * Link layers: where the IP packet starts inside a captured frame, for the link types captures of
 * WebSocket traffic come in (https://www.tcpdump.org/linktypes.html). Everything else is reported once per
 * interface by the caller and its packets are skipped.
 */
import { u16be, u32 } from './bytes.js';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** DLT_RAW as most platforms number it; OpenBSD uses 14. Files normally say LINKTYPE_RAW (101). */
export const DLT_RAW = 12;
export const DLT_RAW_OPENBSD = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
/** 802.1Q, 802.1ad (QinQ outer tag) and the pre-standard QinQ value. */
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;
/** Ethernet frames can stack a few tags; more than this is not a real frame. */
const MAX_VLAN_TAGS = 4;

const LINK_NAMES: Record<number, string> = {
  [LINKTYPE_NULL]: 'BSD loopback (NULL)',
  [LINKTYPE_ETHERNET]: 'Ethernet',
  [DLT_RAW]: 'raw IP',
  [DLT_RAW_OPENBSD]: 'raw IP',
  [LINKTYPE_RAW]: 'raw IP',
  [LINKTYPE_LOOP]: 'OpenBSD loopback (LOOP)',
  [LINKTYPE_LINUX_SLL]: 'Linux cooked (SLL)',
  [LINKTYPE_IPV4]: 'raw IPv4',
  [LINKTYPE_IPV6]: 'raw IPv6',
  [LINKTYPE_LINUX_SLL2]: 'Linux cooked v2 (SLL2)',
  // Not decoded, named so the notice says what the capture is.
  9: 'PPP',
  50: 'PPP over HDLC',
  105: 'IEEE 802.11 (Wi-Fi)',
  127: 'IEEE 802.11 with radiotap',
  192: 'PPI',
  220: 'USB (Linux)',
  249: 'USB (Linux, mmapped)',
  252: 'Wireshark upper PDU',
};

const DECODED = new Set([
  LINKTYPE_NULL,
  LINKTYPE_ETHERNET,
  DLT_RAW,
  DLT_RAW_OPENBSD,
  LINKTYPE_RAW,
  LINKTYPE_LOOP,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL2,
]);

export function isDecodedLinkType(linkType: number): boolean {
  return DECODED.has(linkType);
}

export function linkTypeName(linkType: number): string {
  return LINK_NAMES[linkType] ?? `link type ${linkType}`;
}

/** Where the network layer starts, and which IP version the link layer announced (0: read it from the packet). */
export interface NetworkStart {
  offset: number;
  family: 0 | 4 | 6;
}

/**
 * Finds the IP packet in a frame of `linkType`, or returns null when the frame carries something else
 * (ARP, LLC, another address family) or is too short to say.
 */
export function findNetwork(linkType: number, frame: Uint8Array, out: NetworkStart): NetworkStart | null {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return ethernet(frame, out);
    case LINKTYPE_LINUX_SLL:
      return frame.length < 16 ? null : etherType(u16be(frame, 14), 16, out);
    case LINKTYPE_LINUX_SLL2:
      return frame.length < 20 ? null : etherType(u16be(frame, 0), 20, out);
    case LINKTYPE_RAW:
    case DLT_RAW:
    case DLT_RAW_OPENBSD:
      return set(out, 0, 0);
    case LINKTYPE_IPV4:
      return set(out, 0, 4);
    case LINKTYPE_IPV6:
      return set(out, 0, 6);
    case LINKTYPE_NULL:
      return frame.length < 4 ? null : addressFamily(nullFamily(frame), out);
    case LINKTYPE_LOOP:
      return frame.length < 4 ? null : addressFamily(u32(frame, 0, false), out);
    default:
      return null;
  }
}

function ethernet(frame: Uint8Array, out: NetworkStart): NetworkStart | null {
  let at = 12;
  for (let tags = 0; tags <= MAX_VLAN_TAGS; tags++) {
    if (frame.length < at + 2) return null;
    const type = u16be(frame, at);
    if (type !== ETHERTYPE_VLAN && type !== ETHERTYPE_QINQ && type !== ETHERTYPE_QINQ_OLD) return etherType(type, at + 2, out);
    // A tag is 2 bytes of TCI followed by the next EtherType.
    at += 4;
  }
  return null;
}

function etherType(type: number, offset: number, out: NetworkStart): NetworkStart | null {
  if (type === ETHERTYPE_IPV4) return set(out, offset, 4);
  if (type === ETHERTYPE_IPV6) return set(out, offset, 6);
  return null;
}

/**
 * DLT_NULL's 4-byte family is in the byte order of the machine that captured, which the file does not
 * say: a value with its upper half set was written the other way round (as libpcap and Wireshark reason).
 */
function nullFamily(frame: Uint8Array): number {
  const little = u32(frame, 0, true);
  return little & 0xffff0000 ? u32(frame, 0, false) : little;
}

/** BSD address families: AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (Darwin), 10 (Linux). */
function addressFamily(family: number, out: NetworkStart): NetworkStart | null {
  if (family === 2) return set(out, 4, 4);
  if (family === 24 || family === 28 || family === 30 || family === 10) return set(out, 4, 6);
  return null;
}

function set(out: NetworkStart, offset: number, family: 0 | 4 | 6): NetworkStart {
  out.offset = offset;
  out.family = family;
  return out;
}
