/**
 * A typed client of the chaos API for tests written in TypeScript (Node 20's fetch, no dependency):
 *
 *   const chaos = new ChaosClient('http://127.0.0.1:8474');
 *   await chaos.add({ type: 'drop', stream: 'server->client', attributes: { frames: 'pong' } });
 *   await chaos.withToxic({ type: 'rsv', stream: 'client->server', attributes: { bit: 2 } }, async () => {
 *     // one step of the test runs with the fault on
 *   });
 *   await chaos.reset();
 *
 * Attributes are typed per toxic type; an error answer is thrown as a ChaosApiError with the status and
 * the API's reason (and, for an unknown type, the known ones).
 */
import { ExitCode, WsdiagError } from '../errors.js';
import type { AnyToxic, ChaosErrorBody, Toxic, ToxicPatch, ToxicSpec, ToxicType, ToxicTypeInfo } from './types.js';

export class ChaosApiError extends WsdiagError {
  /** The HTTP status; 0 when the API could not be reached or did not answer in JSON. */
  readonly status: number;
  /** The API's own words (its `error` field), or what went wrong on the way. */
  readonly reason: string;
  /** The known toxic types, when the type was unknown. */
  readonly known?: string[];

  constructor(status: number, reason: string, options?: { known?: string[]; cause?: unknown }) {
    super(
      status === 0 ? `chaos API: ${reason}` : `chaos API answered ${status}: ${reason}`,
      'WSDIAG_CHAOS_API',
      ExitCode.Operational,
      options,
    );
    this.status = status;
    this.reason = reason;
    if (options?.known) this.known = options.known;
  }
}

export interface ChaosClientOptions {
  /** Replaces the global fetch (a test double, a proxy-aware fetch). */
  fetch?: typeof fetch;
}

export class ChaosClient {
  readonly url: string;
  private readonly fetcher: typeof fetch;

  /** `url`: the API's address, e.g. `http://127.0.0.1:8474` (what `startChaosApi` returns). */
  constructor(url: string | URL, options: ChaosClientOptions = {}) {
    this.url = String(url).replace(/\/+$/, '');
    this.fetcher = options.fetch ?? fetch;
  }

  /** Every toxic, in the order they apply. */
  list(): Promise<AnyToxic[]> {
    return this.call('GET', '/toxics');
  }

  get(name: string): Promise<AnyToxic> {
    return this.call('GET', toxicPath(name));
  }

  /** Adds a toxic; `name` defaults to `<type>-c2s` / `<type>-s2c`, `toxicity` to 1, attributes to their defaults. */
  add<T extends ToxicType>(spec: ToxicSpec<T>): Promise<Toxic<T>> {
    return this.call('POST', '/toxics', spec);
  }

  /** Changes a toxic's toxicity or some of its attributes (the others keep their values). */
  update<T extends ToxicType = ToxicType>(name: string, patch: ToxicPatch<T>): Promise<Toxic<T>> {
    return this.call('PATCH', toxicPath(name), patch);
  }

  remove(name: string): Promise<void> {
    return this.call('DELETE', toxicPath(name));
  }

  /** Removes every toxic. */
  reset(): Promise<void> {
    return this.call('POST', '/reset');
  }

  /** The toxic types the API knows, with their attributes and defaults. */
  types(): Promise<ToxicTypeInfo[]> {
    return this.call('GET', '/types');
  }

  /** Adds a toxic, runs `step`, and removes the toxic again, whatever `step` did. */
  async withToxic<T extends ToxicType, R>(spec: ToxicSpec<T>, step: (toxic: Toxic<T>) => Promise<R> | R): Promise<R> {
    const toxic = await this.add(spec);
    try {
      return await step(toxic);
    } finally {
      await this.remove(toxic.name);
    }
  }

  private async call<R>(method: string, path: string, body?: unknown): Promise<R> {
    let response: Response;
    try {
      response = await this.fetcher(`${this.url}${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      throw new ChaosApiError(0, `cannot reach ${this.url}${cause?.code ? ` (${cause.code})` : ''}`, { cause: error });
    }
    const text = await response.text();
    if (response.ok) return (text === '' ? undefined : JSON.parse(text)) as R;
    let parsed: Partial<ChaosErrorBody> | null = null;
    try {
      parsed = JSON.parse(text) as Partial<ChaosErrorBody>;
    } catch {
      // Not our API (or not JSON): keep the text.
    }
    const reason = typeof parsed?.error === 'string' ? parsed.error : text.trim() || response.statusText;
    throw new ChaosApiError(response.status, reason, Array.isArray(parsed?.known) ? { known: parsed.known } : undefined);
  }
}

function toxicPath(name: string): string {
  return `/toxics/${encodeURIComponent(name)}`;
}
