/**
 * `runProbe`: the library entry of `wsdiag probe`. Checks every option before anything listens, starts
 * the reflector (or uses one given), plays the selected cases one at a time, and reports each result as
 * it comes. The first case doubles as the reachability check: if the intermediary cannot be reached, or
 * never forwards the upgrade to the reflector, the run stops with an OperationalError (exit 3) that says
 * which of the two it was.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, ExitCode, OperationalError, type ExitCodeValue } from '../errors.js';
import { hostPort } from '../text.js';
import { redactorFor, type Redactor } from '../redact.js';
import { selectCases, type ProbeCase } from './cases.js';
import { parseThrough, type ThroughTarget } from './client.js';
import { parseForwardProxy, type ForwardProxy } from './forward-proxy.js';
import { playCase, type PlayContext } from './play.js';
import { startReflector, type Reflector } from './reflector.js';
import type { CaseResult, CaseStatus } from './types.js';
import { UnreachableError } from './unreachable.js';

export interface ProbeOptions {
  /** The URL the intermediary serves (ws:// or wss://), routed by it to the reflector. */
  through: string;
  /** Where the reflector listens (default 127.0.0.1:9001); ignored when `reflectorInstance` is given. */
  reflector?: { host: string; port: number };
  /** An already started reflector (tests, embedding). It is not closed by the run. */
  reflectorInstance?: Reflector;
  /** Comma-separated globs of case names. */
  cases?: string;
  includeInvalid?: boolean;
  /** Length of the idle case (seconds). */
  idleSeconds?: number;
  forwardProxy?: string;
  insecure?: boolean;
  /** PEM of a CA to trust for wss:. */
  ca?: Buffer;
  /** Bound of every wait (ms). */
  timeoutMs?: number;
  /** One-way delay (ms) above which a small message counts as delayed; null = no bound. */
  maxLatencyMs?: number | null;
  /**
   * Show the --through URL's credentials (a token in its path or query), and anything quoted from the
   * intermediary's answers, as they are (`--show-secrets`); redacted by default.
   */
  showSecrets?: boolean;
  /** Called once the reflector listens, before the first case. */
  onStart?: (plan: ProbePlan) => void;
  /** Called after each case. */
  onCase?: (result: CaseResult) => void;
  /** Aborting stops the run after the case in progress; the summary covers the cases that ran. */
  signal?: AbortSignal;
}

export interface ProbePlan {
  through: string;
  reflector: string;
  forwardProxy: string | null;
  cases: string[];
}

export interface ProbeSummary extends ProbePlan {
  results: CaseResult[];
  counts: Record<CaseStatus, number>;
  durationMs: number;
}

export const DEFAULT_REFLECTOR = { host: '127.0.0.1', port: 9001 };
export const DEFAULT_IDLE_SECONDS = 2;
export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_LATENCY_MS = 500;

interface Resolved {
  target: ThroughTarget;
  forwardProxy: ForwardProxy | null;
  cases: ProbeCase[];
}

/** Checks the options; a mistake is a ConfigError before anything starts. */
export function resolveProbeOptions(options: ProbeOptions): Resolved {
  const target = parseThrough(options.through);
  const forwardProxy = options.forwardProxy === undefined ? null : parseForwardProxy(options.forwardProxy);
  const { cases, unmatched } = selectCases(options.cases, options.includeInvalid ?? false);
  if (unmatched.length > 0) {
    const globs = unmatched.map((g) => JSON.stringify(g)).join(', ');
    const needInvalid = unmatched.some((g) => g.startsWith('invalid')) && !options.includeInvalid;
    throw new ConfigError(
      'cases',
      (n) => `${n('cases')} ${globs} matches no case${needInvalid ? ` (invalid/* cases need ${n('includeInvalid')})` : ''}`,
    );
  }
  if (options.insecure && options.ca)
    throw new ConfigError('insecure', (n) => `${n('insecure')} and ${n('ca')} contradict each other: pick one`);
  const trust = options.insecure ? 'insecure' : options.ca ? 'ca' : null;
  if (trust !== null && !target.secure) throw new ConfigError(trust, (n) => `${n(trust)} only applies to a wss:// ${n('through')} URL`);
  return { target, forwardProxy, cases };
}

export async function runProbe(options: ProbeOptions): Promise<ProbeSummary> {
  const resolved = resolveProbeOptions(options);
  const started = performance.now();
  const reflector =
    options.reflectorInstance ??
    (await startReflector(options.reflector?.host ?? DEFAULT_REFLECTOR.host, options.reflector?.port ?? DEFAULT_REFLECTOR.port));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ctx: PlayContext = {
    reflector,
    client: {
      target: resolved.target,
      forwardProxy: resolved.forwardProxy,
      insecure: options.insecure ?? false,
      ca: options.ca ?? null,
      timeoutMs,
    },
    runId: randomBytes(4).toString('hex'),
    timeoutMs,
    idleMs: (options.idleSeconds ?? DEFAULT_IDLE_SECONDS) * 1000,
    maxLatencyMs: options.maxLatencyMs === undefined ? DEFAULT_MAX_LATENCY_MS : options.maxLatencyMs,
  };
  const redact = redactorFor(options.showSecrets);
  const plan: ProbePlan = {
    through: redact.url(resolved.target.href),
    reflector: hostPort(reflector.host, reflector.port),
    forwardProxy: resolved.forwardProxy?.href ?? null,
    cases: resolved.cases.map((c) => c.name),
  };
  try {
    options.onStart?.(plan);
    const results: CaseResult[] = [];
    for (const c of resolved.cases) {
      if (options.signal?.aborted) break;
      const r = shownResult(await playOne(c, ctx, results.length === 0, plan, redact), redact);
      results.push(r);
      options.onCase?.(r);
    }
    const counts: Record<CaseStatus, number> = { pass: 0, warn: 0, fail: 0, error: 0 };
    for (const r of results) counts[r.status]++;
    return { ...plan, results, counts, durationMs: Math.round(performance.now() - started) };
  } finally {
    if (!options.reflectorInstance) await reflector.close();
  }
}

/**
 * A case's result as the report shows it: findings quote the request path (the --through URL's) and what
 * the intermediary answered (status lines, Close reasons), which may carry credentials.
 */
function shownResult(r: CaseResult, redact: Redactor): CaseResult {
  if (!redact.enabled) return r;
  return {
    ...r,
    findings: r.findings.map((f) => ({ ...f, message: redact.text(f.message) })),
    ...(typeof r.error === 'string' ? { error: redact.text(r.error) } : {}),
  };
}

/** Plays a case; operational failures become an errored result, or stop the run on the first case. */
async function playOne(c: ProbeCase, ctx: PlayContext, first: boolean, plan: ProbePlan, redact: Redactor): Promise<CaseResult> {
  let result: CaseResult;
  try {
    result = await playCase(c, ctx);
  } catch (err) {
    if (!(err instanceof UnreachableError)) throw err;
    if (first) throw new OperationalError((n) => redact.text(err.describe(n)), { cause: err });
    return { case: c.name, summary: c.summary, status: 'error', durationMs: 0, findings: [], maxLatencyMs: null, error: err.message };
  }
  const refusal = first ? result.findings.find((f) => f.check === 'handshake-refused') : undefined;
  if (refusal && ctx.reflector.strays === 0) {
    throw new OperationalError(
      `${redact.text(refusal.message)} The intermediary at ${plan.through} is reachable but does not forward WebSocket upgrades to the reflector at ${plan.reflector}: route ${plan.through} to ws://${plan.reflector}.`,
    );
  }
  return result;
}

/** Exit code of a run (DESIGN §5): 1 if a case failed, 3 if a case could not run, else 0. */
export function probeExitCode(summary: ProbeSummary): ExitCodeValue {
  if (summary.counts.fail > 0) return ExitCode.Violations;
  if (summary.counts.error > 0) return ExitCode.Operational;
  return ExitCode.Ok;
}
