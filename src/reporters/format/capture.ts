/**
 * What a capture adds: bytes it does not hold (`gap`), a TCP connection that was not judged as a
 * WebSocket (`stream`), and problems with the file itself (`capture-problem`).
 */
import type { CaptureProblemEvent, GapEvent, StreamEvent } from '../../events/index.js';
import { formatBytes, printable as p } from '../../text.js';
import { MARK, type Block } from './block.js';

export function gap(b: Block, e: GapEvent): void {
  b.header(
    `${b.c.warning(`${MARK.warning} gap`)} ${b.c.conn(p(e.conn))} ${p(e.dir)}`,
    `${formatBytes(e.length)} missing at offset ${e.offset}`,
    `(${p(e.cause)})`,
  );
  b.sentence('', e.message);
}

export function stream(b: Block, e: StreamEvent): void {
  b.header(`${b.c.emphasis('stream')} #${e.tcp_stream}`, `${p(e.client)} → ${p(e.server)}`, p(e.kind));
  b.sentence('', e.message);
}

export function captureProblem(b: Block, e: CaptureProblemEvent): void {
  const paint = e.severity === 'error' ? b.c.error : b.c.warning;
  const where = [e.offset === undefined ? '' : `at byte ${e.offset}`, e.packet === undefined ? '' : `packet ${e.packet}`].filter(
    (s) => s !== '',
  );
  b.header(paint(`${MARK[e.severity]} capture ${p(e.code)}`), where.join(', '));
  b.sentence('', e.message);
}
