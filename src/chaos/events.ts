/**
 * The `fault` event: one applied fault, in the JSON Lines log next to the violations it causes downstream.
 * Its fields follow the schema's conventions (events.ts): `conn`, `dir`, a `frame` reference as in
 * `violation`, snake_case for the rest.
 *
 * Not yet part of the `WsdiagEvent` union: the relay that emits it is wired separately (see index.ts).
 */
import { SCHEMA_VERSION, systemClock, type Clock, type EventBase } from '../events/index.js';
import type { FaultRecord } from './types.js';

/** One applied fault (FaultRecord, types.ts) of connection `conn`, with the fields every event starts with. */
export interface FaultEvent extends EventBase, FaultRecord {
  type: 'fault';
  conn: string;
}

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

/** A fault in one line of the readable log: `fault c1 client->server #3 rsv-c2s (rsv): set RSV1 on text frame #3`. */
export function formatFault(event: FaultEvent): string {
  const where = event.frame ? ` #${event.frame.index}` : '';
  return `fault ${event.conn} ${event.dir}${where} ${event.toxic} (${event.toxic_type}): ${event.message}`;
}
