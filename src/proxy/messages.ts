/**
 * `--messages`: the `message` events of every connection, as an addon (./addon.ts). Its part in a
 * connection is two recorders (src/messages/), one per direction, built once when the connection opens
 * and listening to the decode the analyzer already does; their events join the connection's stream
 * (OpenConnection.emit). Without `--messages` the addon is not there at all: the relay's hot path does
 * not change.
 */
import { DIRECTIONS, type Clock, type WsdiagEvent } from '../events/index.js';
import { MessageRecorder } from '../messages/index.js';
import type { Redactor } from '../redact.js';
import type { ConnectionAddon, ProxyAddon } from './addon.js';
import type { ConnectionInfo } from './types.js';

export interface MessageEventsOptions {
  /** Payload bytes kept per message; 0 keeps sizes only. */
  bodyLimit: number;
  redact: Redactor;
  clock: Clock;
}

export function messageEvents(options: MessageEventsOptions): ProxyAddon {
  return {
    name: 'messages',
    connection: (info: ConnectionInfo): ConnectionAddon => {
      // Events wait for the connection to open (nothing is decoded before), then go into its stream.
      let emit: (event: WsdiagEvent) => void = () => {};
      const recorder = (dir: (typeof DIRECTIONS)[number]) =>
        new MessageRecorder({
          conn: info.conn,
          dir,
          bodyLimit: options.bodyLimit,
          redact: options.redact,
          clock: options.clock,
          emit: (e) => emit(e),
        });
      const [toServer, toClient] = DIRECTIONS.map(recorder) as [MessageRecorder, MessageRecorder];
      return {
        observers: { 'client->server': toServer.listeners, 'server->client': toClient.listeners },
        opened: (connection) => {
          emit = (event) => connection.emit(event);
        },
      };
    },
  };
}
