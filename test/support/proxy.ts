/**
 * A proxy for one test: listens on a free loopback port, records its events, and closes in `after`.
 */
import { startProxy, type ProxyOptions, type RunningProxy } from '../../src/proxy/index.js';
import { EventLog } from './event-log.js';

export interface TestProxy {
  proxy: RunningProxy;
  log: EventLog;
}

/** `options.addons` come after the one that records suppressed violations in `log.suppressed`. */
export async function startTestProxy(target: string, options: Partial<Omit<ProxyOptions, 'target' | 'onEvent'>> = {}): Promise<TestProxy> {
  const log = new EventLog();
  const proxy = await startProxy({
    target,
    listen: { host: '127.0.0.1', port: 0 },
    onEvent: log.push,
    ...options,
    addons: [{ name: 'test log', suppressed: (v) => log.suppressed.push(v) }, ...(options.addons ?? [])],
  });
  return { proxy, log };
}
