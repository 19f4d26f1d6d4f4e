/**
 * One HTTP exchange through the proxy, measured for its `http` event: the body bytes each way, counted
 * as they cross, and the time from the request's arrival to the end of the answer. Counting is one
 * addition per chunk; nothing is buffered or copied.
 */
import { SCHEMA_VERSION, type Clock, type HttpEvent, type WsdiagEvent } from '../events/index.js';

export interface ExchangeStart {
  conn: string;
  client: string;
  method: string;
  /** Already redacted. */
  path: string;
  upgrade: boolean;
  /** Forward mode: the origin the request went to (`https://host:port`). */
  target?: string;
}

export class HttpExchange {
  requestBytes = 0;
  responseBytes = 0;
  readonly #start: ExchangeStart;
  readonly #startedAt: number;
  readonly #clock: Clock;
  readonly #emit: (event: WsdiagEvent) => void;
  #done = false;

  constructor(start: ExchangeStart, clock: Clock, emit: (event: WsdiagEvent) => void) {
    this.#start = start;
    this.#clock = clock;
    this.#emit = emit;
    this.#startedAt = clock().getTime();
  }

  readonly countRequest = (chunk: Buffer): void => {
    this.requestBytes += chunk.length;
  };

  readonly countResponse = (chunk: Buffer): void => {
    this.responseBytes += chunk.length;
  };

  /**
   * Emits the event, once: `status` is what the client got (0 for nothing), `aborted` that the answer did
   * not reach it whole. Later calls do nothing.
   */
  end(status: number, aborted: boolean): void {
    if (this.#done) return;
    this.#done = true;
    const now = this.#clock();
    const { conn, client, method, path, upgrade, target } = this.#start;
    const event: HttpEvent = {
      v: SCHEMA_VERSION,
      type: 'http',
      ts: now.toISOString(),
      conn,
      client,
      method,
      path,
      status,
      request_bytes: this.requestBytes,
      response_bytes: this.responseBytes,
      duration_ms: Math.max(0, now.getTime() - this.#startedAt),
      upgrade,
    };
    if (target !== undefined) event.target = target;
    if (aborted) event.aborted = true;
    this.#emit(event);
  }

  /** The exchange became something else (a WebSocket connection, told by `open`): no event. */
  cancel(): void {
    this.#done = true;
  }
}
