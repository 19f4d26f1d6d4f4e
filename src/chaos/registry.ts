/**
 * The toxics of a chaos run: validated on the way in (the API, a config file and `--toxic` share one
 * validator), listed in the order they were added, read by every connection's engines at every frame
 * (so a change reaches open connections at their next frame).
 *
 * Errors are `ToxicError`s carrying the HTTP status the API answers with (toxiproxy's statuses: 400 for a
 * bad body, 404 for an unknown toxic or type, 409 for a name in use) and, for an unknown type, the list
 * of known ones.
 */
import { DIRECTIONS, type Direction } from '../events/index.js';
import { UsageError } from '../errors.js';
import { checkAttribute } from './attributes.js';
import type { ActiveToxic, ToxicSource } from './engine.js';
import { TOXIC_TYPES, attributeSchemas, isToxicType, toxicDefinition } from './toxics/index.js';
import type { AnyToxic, ToxicType } from './types.js';

/** A toxic that cannot be added, found or changed; `status` is what the API answers. */
export class ToxicError extends UsageError {
  readonly status: number;
  /** The known toxic types, when the type was unknown. */
  readonly known?: string[];
  constructor(status: number, message: string, known?: string[]) {
    super(message);
    this.status = status;
    if (known) this.known = known;
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const SPEC_FIELDS = new Set(['name', 'type', 'stream', 'toxicity', 'attributes']);

/** `rsv-c2s`, `drop-s2c`: the default name (URL-safe, unlike the direction itself). */
export function defaultToxicName(type: ToxicType, stream: Direction): string {
  return `${type}-${stream === 'client->server' ? 'c2s' : 's2c'}`;
}

/** Validates a toxic as the API, a config file or a flag gives it; fills in the defaults. */
export function validateToxic(input: unknown): AnyToxic {
  if (!isPlainObject(input)) throw bad(`a toxic is a JSON object, got ${describe(input)}`);
  for (const key of Object.keys(input)) {
    if (!SPEC_FIELDS.has(key)) throw bad(`${key}: unknown field (a toxic has name, type, stream, toxicity, attributes)`);
  }
  const type = input['type'];
  if (typeof type !== 'string') throw bad(`type: required, one of ${TOXIC_TYPES.join(', ')}`);
  if (!isToxicType(type)) throw new ToxicError(404, `type: unknown toxic type "${type}"`, [...TOXIC_TYPES]);
  const stream = input['stream'];
  if (stream === undefined) throw bad('stream: required: "client->server" or "server->client"');
  if (typeof stream !== 'string' || !(DIRECTIONS as readonly string[]).includes(stream)) {
    throw bad(`stream: expected "client->server" or "server->client", got ${describe(stream)}`);
  }
  const direction = stream as Direction;
  const name = input['name'] ?? defaultToxicName(type, direction);
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw bad(`name: expected 1 to 64 letters, digits, ".", "_" or "-" (starting with a letter or digit), got ${describe(name)}`);
  }
  const toxicity = checkToxicity(input['toxicity'] ?? 1);
  const attributes = checkAttributes(type, {}, input['attributes'] ?? {});
  return { name, type, stream: direction, toxicity, attributes } as AnyToxic;
}

/** Applies an update (toxicity, attributes merged into the current ones) and returns the new toxic. */
export function updatedToxic(current: AnyToxic, input: unknown): AnyToxic {
  if (!isPlainObject(input)) throw bad(`an update is a JSON object, got ${describe(input)}`);
  for (const [key, value] of Object.entries(input)) {
    if (key === 'toxicity' || key === 'attributes') continue;
    if (!SPEC_FIELDS.has(key)) throw bad(`${key}: unknown field (an update has toxicity, attributes)`);
    if (value !== (current as unknown as Record<string, unknown>)[key]) {
      throw bad(`${key}: cannot be changed (remove the toxic and add it again)`);
    }
  }
  const toxicity = input['toxicity'] === undefined ? current.toxicity : checkToxicity(input['toxicity']);
  const attributes = checkAttributes(current.type, current.attributes, input['attributes'] ?? {});
  return { ...current, toxicity, attributes } as AnyToxic;
}

function checkToxicity(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw bad(`toxicity: expected a probability from 0 to 1, got ${describe(value)}`);
  }
  return value;
}

/** The attributes given, over `base` (the current ones), over the defaults. */
function checkAttributes(type: ToxicType, base: object, input: unknown): AnyToxic['attributes'] {
  if (!isPlainObject(input)) throw bad(`attributes: expected a JSON object, got ${describe(input)}`);
  const schemas = attributeSchemas(type);
  const result: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(schemas))
    result[name] = Object.hasOwn(base, name) ? (base as Record<string, unknown>)[name] : schema.default;
  for (const [name, value] of Object.entries(input)) {
    const schema = schemas[name];
    if (!schema) {
      const known = Object.keys(schemas);
      throw bad(`attributes.${name}: unknown attribute of ${type} (${known.length > 0 ? `known: ${known.join(', ')}` : 'it has none'})`);
    }
    const checked = checkAttribute(schema, value);
    if ('error' in checked) throw bad(`attributes.${name}: ${checked.error}`);
    result[name] = checked.value;
  }
  const attributes = result as AnyToxic['attributes'];
  // The erased definition types `attribute` as the keys every toxic shares (none): a name is a string.
  const problem: { attribute: string; error: string } | null | undefined = toxicDefinition(type).check?.(attributes);
  if (problem) throw bad(`attributes.${problem.attribute}: ${problem.error}`);
  return attributes;
}

export class ToxicRegistry implements ToxicSource {
  private toxics: ActiveToxic[] = [];
  private nextId = 1;
  private versionNumber = 0;
  private readonly byDirection = new Map<Direction, readonly ActiveToxic[]>();

  constructor(initial: readonly AnyToxic[] = []) {
    for (const toxic of initial) this.add(toxic);
  }

  get version(): number {
    return this.versionNumber;
  }

  /** Copies, in the order they were added (the order engines apply them in). */
  list(): AnyToxic[] {
    return this.toxics.map((a) => structuredClone(a.toxic));
  }

  get(name: string): AnyToxic {
    return structuredClone(this.find(name).toxic);
  }

  /** Validates and adds a toxic; a name in use is a 409. */
  add(input: unknown): AnyToxic {
    const toxic = validateToxic(input);
    if (this.toxics.some((a) => a.toxic.name === toxic.name)) throw new ToxicError(409, `name: toxic "${toxic.name}" already exists`);
    this.toxics = [...this.toxics, { id: this.nextId++, toxic }];
    this.changed();
    return structuredClone(toxic);
  }

  update(name: string, input: unknown): AnyToxic {
    const active = this.find(name);
    const toxic = updatedToxic(active.toxic, input);
    this.toxics = this.toxics.map((a) => (a === active ? { id: a.id, toxic } : a));
    this.changed();
    return structuredClone(toxic);
  }

  remove(name: string): void {
    const active = this.find(name);
    this.toxics = this.toxics.filter((a) => a !== active);
    this.changed();
  }

  /** Removes every toxic (toxiproxy's reset). */
  reset(): void {
    this.toxics = [];
    this.changed();
  }

  toxicsFor(direction: Direction): readonly ActiveToxic[] {
    let list = this.byDirection.get(direction);
    if (!list) {
      list = this.toxics.filter((a) => a.toxic.stream === direction);
      this.byDirection.set(direction, list);
    }
    return list;
  }

  private find(name: string): ActiveToxic {
    const active = this.toxics.find((a) => a.toxic.name === name);
    if (!active) throw new ToxicError(404, `toxic "${name}" not found`);
    return active;
  }

  private changed(): void {
    this.versionNumber++;
    this.byDirection.clear();
  }
}

function bad(message: string): ToxicError {
  return new ToxicError(400, message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : `a ${typeof value}`;
}
