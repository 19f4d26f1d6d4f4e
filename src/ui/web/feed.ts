/**
 * The page's end of the live feed: a WebSocket to /feed on the page's own origin, messages applied to the
 * store, and a reconnect (with the replay of the server's ring) when the connection drops while the
 * server still runs.
 */
import type { FeedMessage } from './protocol.js';
import type { Store } from './store.js';

export type FeedStatus = 'connecting' | 'replaying' | 'live' | 'closed';

export interface FeedHandle {
  stop(): void;
}

export interface FeedInfo {
  status: FeedStatus;
  version: string;
  /** Why the feed closed, when the server said. */
  closeReason: string;
}

export function connectFeed(store: Store, info: FeedInfo, changed: () => void): FeedHandle {
  let socket: WebSocket | undefined;
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let delay = 500;

  const open = (): void => {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(`${scheme}//${location.host}/feed`);
    info.status = 'connecting';
    changed();
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      let message: FeedMessage;
      try {
        message = JSON.parse(event.data) as FeedMessage;
      } catch {
        return;
      }
      switch (message.kind) {
        case 'hello':
          delay = 500;
          info.status = 'replaying';
          info.version = message.version;
          store.reset(message);
          break;
        case 'records':
          if (Array.isArray(message.records)) store.receive(message.records);
          break;
        case 'dropped':
          store.dropped(message.count);
          break;
        case 'live':
          info.status = 'live';
          break;
      }
      changed();
    };
    socket.onclose = (event: CloseEvent) => {
      info.status = 'closed';
      info.closeReason = event.reason;
      changed();
      // 1001: wsdiag stopped; nothing to come back to. Otherwise try again, more and more slowly.
      if (stopped || event.code === 1001) return;
      retry = setTimeout(open, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };
  open();
  return {
    stop: () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      socket?.close();
    },
  };
}
