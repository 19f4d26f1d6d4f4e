/**
 * The demo's script: one entry per connection, run in this order. Each scenario has a name (for
 * `--only`), the heading printed before it, the path it dials (so a JSON Lines log of the demo says which
 * scenario each connection was, through the `open` event's path), and the client that plays it.
 */
import { ConfigError } from '../errors.js';
import {
  binaryJsonFrame,
  closeOnServerFault,
  fragmentedPingFrame,
  invalidUtf8Frame,
  reservedOpcodeFrame,
  rsvBitsFrame,
  sendFaultyFrames,
  unmaskedFrame,
  type ClientOutcome,
} from './faulty-clients.js';
import { runGoodClient } from './good-client.js';
import { MASKED_SERVER_PATH } from './upstream.js';

export interface Scenario {
  name: string;
  /** What the connection does, in a few words (the heading after "3/8"). */
  title: string;
  /** Request path on the proxy (and so on the upstream). */
  path: string;
  /** Plays the scenario against `url` (the proxy's URL with `path`); resolves when the connection ended. */
  play(url: string): Promise<ClientOutcome>;
}

const faulty = (frame: () => Uint8Array) => (url: string) => sendFaultyFrames(url, [frame()]);

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'good',
    title: 'a well-behaved client: three text messages, a ping, a clean close',
    path: '/demo/good',
    play: runGoodClient,
  },
  {
    name: 'unmasked',
    title: 'a client that forgets to mask its frames',
    path: '/demo/unmasked',
    play: faulty(unmaskedFrame),
  },
  {
    name: 'reserved-opcode',
    title: 'a client that sends a frame with reserved opcode 0x3',
    path: '/demo/reserved-opcode',
    play: faulty(reservedOpcodeFrame),
  },
  {
    name: 'rsv-bits',
    title: 'a client that sets RSV1 ("compressed") without negotiating an extension',
    path: '/demo/rsv-bits',
    play: faulty(rsvBitsFrame),
  },
  {
    name: 'fragmented-ping',
    title: 'a client that fragments a ping (control frames must come whole)',
    path: '/demo/fragmented-ping',
    play: faulty(fragmentedPingFrame),
  },
  {
    name: 'invalid-utf8',
    title: 'a client that sends Latin-1 bytes in a text message (not UTF-8)',
    path: '/demo/invalid-utf8',
    play: faulty(invalidUtf8Frame),
  },
  {
    name: 'binary-to-text-server',
    title: 'a client that sends JSON as a binary message to a text-only server',
    path: '/demo/binary-to-text-server',
    play: faulty(binaryJsonFrame),
  },
  {
    name: 'masked-server',
    title: 'a server that masks its frames (only clients may)',
    path: MASKED_SERVER_PATH,
    play: closeOnServerFault,
  },
];

/** The scenarios to run: all, or the one named by `only` (a ConfigError names the valid ones). */
export function selectScenarios(only?: string): readonly Scenario[] {
  if (only === undefined) return SCENARIOS;
  const scenario = SCENARIOS.find((s) => s.name === only);
  if (!scenario) {
    throw new ConfigError('only', `unknown demo scenario "${only}" (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  }
  return [scenario];
}

/**
 * "3/8  a client that …": the heading printed before a scenario. The count is of the scenarios that run
 * (`ran`, the whole script by default), so `--only good` reads "1/1", not "1/8".
 */
export function scenarioHeading(scenario: Scenario, ran: readonly Scenario[] = SCENARIOS): string {
  return `${ran.indexOf(scenario) + 1}/${ran.length}  ${scenario.title}`;
}
