/**
 * The `fault` event (src/events/fault.ts) of one engine record: the relay adds the connection and the
 * time. Its text in the human log is the reporters' (src/reporters/format/chaos.ts).
 */
import { SCHEMA_VERSION, systemClock, type Clock, type FaultEvent } from '../events/index.js';
import type { FaultRecord } from './types.js';

/** A fault record of connection `conn` as a log event. */
export function faultEvent(record: FaultRecord, conn: string, clock: Clock = systemClock): FaultEvent {
  const event: FaultEvent = {
    v: SCHEMA_VERSION,
    ts: clock().toISOString(),
    type: 'fault',
    conn,
    dir: record.dir,
    frame: record.frame,
    out_index: record.out_index,
    out_offset: record.out_offset,
    toxic: record.toxic,
    toxic_type: record.toxic_type,
    message: record.message,
  };
  if (record.before) event.before = record.before;
  if (record.after) event.after = record.after;
  return event;
}
