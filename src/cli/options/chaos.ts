/**
 * The fault injection flags (`wsdiag chaos`): the toxics (--toxic, repeatable, and --config FILE), the
 * seed (--seed) and the HTTP API (--api). The rest of the command's flags are the proxy's groups; the
 * proxy's own --config (message policies) gives way to the toxics file here. Every toxic is parsed and the
 * file read before anything listens: a typo is exit 2 naming the value and the key.
 */
import { DEFAULT_CHAOS_API_PORT, TOXIC_FLAG_SYNTAX, loadChaosConfig, parseToxicFlag, type AnyToxic } from '../../chaos/index.js';
import { UsageError } from '../../errors.js';
import type { RunChaosOptions } from '../../live/index.js';
import { withHelp, type Flag } from '../flags.js';
import { OUTPUT } from './output.js';
import { PROXY, proxyCommandFlags, proxyRunOptions, type ProxyCommandFlags } from './proxy.js';
import { UI, parseUiAddress, uiOptions, type UiFlags } from './ui.js';

/** The fault injection flags as commander names their values. */
export interface ChaosFlags {
  /** Every --toxic, in order. */
  toxic: string[];
  /** The toxics file (here, not the proxy's policies file). */
  config?: string;
  seed?: string;
  /** true for a bare --api. */
  api?: string | true;
}

type Chaos = RunChaosOptions['chaos'];

export const DEFAULT_CHAOS_LISTEN = '127.0.0.1:8081';

export const CHAOS = {
  toxic: {
    flags: '--toxic <spec>',
    help: `a toxic, ${TOXIC_FLAG_SYNTAX} (repeatable, applied in order), e.g. 'rsv:client->server:bit=2' or 'drop:server->client:frames=pong,toxicity=0.5'`,
    parse: (value: string, previous: unknown) => [...(previous as string[]), value],
    default: [],
    defaultText: 'none',
    sets: ['toxics'],
  } satisfies Flag<Chaos>,
  config: {
    flags: '--config <file>',
    help: 'toxics from a JSON file, {"toxics": [TOXIC, ...]}, each as the API takes it (added before the --toxic ones)',
    sets: ['toxics'],
  } satisfies Flag<Chaos>,
  seed: {
    flags: '--seed <n>',
    help: 'the run seed: the same seed on the same traffic gives the same faults (default: a random one, printed at start)',
    sets: ['seed'],
  } satisfies Flag<Chaos>,
  api: {
    flags: '--api [host:port]',
    help: `serve the HTTP API that lists, adds, changes and removes toxics at run time (default 127.0.0.1:${DEFAULT_CHAOS_API_PORT}; port 0 = any free port)`,
    sets: ['api'],
  } satisfies Flag<Chaos>,
};

/** Every flag of `wsdiag chaos`, in --help order: the proxy's (without its policies file), then the toxics'. */
export function chaosCommandFlags(): Flag[] {
  const proxyFlags = proxyCommandFlags(DEFAULT_CHAOS_LISTEN);
  const [target, listen, ...rest] = proxyFlags;
  return [
    ...(target && listen ? [target, listen] : []),
    CHAOS.toxic,
    CHAOS.config,
    CHAOS.seed,
    CHAOS.api,
    ...rest
      .filter((flag) => flag !== PROXY.config)
      .map((flag) =>
        flag === PROXY.enforce
          ? withHelp(flag, 'not with chaos: --enforce is the other way of forwarding bytes (refused with exit 2)')
          : flag === OUTPUT.quiet
            ? withHelp(flag, 'show only where it listens, faults, violations, errors and the summary')
            : flag,
      ),
    UI.ui,
    UI.uiBuffer,
  ];
}

export type ChaosCommandFlags = Omit<ProxyCommandFlags, 'config'> & ChaosFlags & UiFlags;

/** The flags as runChaos's options, every toxic parsed and the file read. */
export async function chaosRunOptions(flags: ChaosCommandFlags): Promise<RunChaosOptions> {
  const { toxic, config, seed, api, ...proxyFlags } = flags;
  const toxics: AnyToxic[] = [...(config !== undefined ? await loadChaosConfig(config) : []), ...toxic.map(parseToxicFlag)];
  const names = new Set<string>();
  for (const item of toxics) {
    if (names.has(item.name)) {
      throw new UsageError(
        `toxic name "${item.name}" is used twice: give one of them another name (name=... in --toxic, "name" in --config)`,
      );
    }
    names.add(item.name);
  }
  return {
    ...proxyRunOptions(proxyFlags),
    ...uiOptions(flags),
    chaos: {
      toxics,
      ...(seed !== undefined ? { seed } : {}),
      ...(api === undefined
        ? {}
        : { api: api === true ? { host: '127.0.0.1', port: DEFAULT_CHAOS_API_PORT } : parseUiAddress(api, 'api') }),
    },
  };
}
