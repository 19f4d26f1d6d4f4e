/**
 * The live feed between the dashboard server (src/ui/) and the page (src/ui/web/): one WebSocket, one way
 * (server to page), each WebSocket message one JSON object of the kinds below. Types only, shared by both
 * sides so they cannot drift apart; the page still checks what it receives, since event contents come from
 * the traffic.
 */

/** Request and response headers of one upgrade as the page shows them: credentials already REDACTED. */
export interface HandshakeInfo {
  conn: string;
  ts: string;
  /** Request target, redacted as in events. */
  path: string;
  status: number;
  request: Array<[string, string]>;
  response: Array<[string, string]>;
}

/** One entry of the server's ring: a wsdiag event (from the proxy or a log) or the headers of an upgrade. */
export type FeedRecord = { seq: number; src?: number; event: Record<string, unknown> } | { seq: number; handshake: HandshakeInfo };

export interface FeedSource {
  id: number;
  /** The log file's name as given on the command line. */
  label: string;
}

export type FeedMessage =
  /** First message on every feed connection. */
  | {
      kind: 'hello';
      mode: 'live' | 'view';
      version: string;
      /** How many records the server keeps for pages opened late (--ui-buffer). */
      capacity: number;
      /** Records dropped from the server's ring before this page connected (oldest first). */
      evicted: number;
      sources: FeedSource[];
    }
  /** Records in sequence order (the ring's replay first, then live ones). */
  | { kind: 'records'; records: FeedRecord[] }
  /** This page was too slow to read the feed: `count` records were not sent to it. */
  | { kind: 'dropped'; count: number; first_seq: number; last_seq: number }
  /** The replay of the ring is complete; everything after is live. */
  | { kind: 'live' };
