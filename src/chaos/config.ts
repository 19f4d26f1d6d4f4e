/**
 * The two ways to give toxics without the API, both validated exactly as the API validates a body:
 *
 * - a JSON config file, `{"toxics": [TOXIC, ...]}`, each TOXIC as `POST /toxics` takes it;
 * - a `--toxic` flag value, `TYPE:DIRECTION[:KEY=VALUE[,KEY=VALUE...]]`, where KEY is `name`, `toxicity`
 *   or an attribute of the type, e.g. `rsv:client->server:bit=2,toxicity=0.5` or
 *   `drop:server->client:frames=pong,name=antivirus`. Numbers may be written in hex (`opcode=0xb`),
 *   strings are %-decoded (`reason=going%2C%20bye`), `null` clears a nullable string.
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { DIRECTIONS, type Direction } from '../events/index.js';
import { parseAttributeText } from './attributes.js';
import { ToxicError, validateToxic } from './registry.js';
import { TOXIC_TYPES, attributeSchemas, isToxicType } from './toxics/index.js';
import type { AnyToxic } from './types.js';

export const TOXIC_FLAG_SYNTAX = 'TYPE:DIRECTION[:KEY=VALUE[,KEY=VALUE...]]';

/** Parses one `--toxic` value; errors are ToxicErrors whose message starts with the value. */
export function parseToxicFlag(value: string): AnyToxic {
  const fail = (message: string, status = 400, known?: string[]): never => {
    throw new ToxicError(status, `--toxic ${JSON.stringify(value)}: ${message}`, known);
  };
  const colon = value.indexOf(':');
  if (colon < 0) return fail(`expected ${TOXIC_FLAG_SYNTAX}`);
  const type = value.slice(0, colon).trim();
  if (!isToxicType(type)) return fail(`unknown toxic type "${type}" (known: ${TOXIC_TYPES.join(', ')})`, 404, [...TOXIC_TYPES]);
  const rest = value.slice(colon + 1);
  const stream = DIRECTIONS.find((d) => rest === d || rest.startsWith(`${d}:`));
  if (stream === undefined) return fail(`expected a direction after "${type}:": client->server or server->client`);
  const options = rest.slice(stream.length + 1);
  const spec: { type: string; stream: Direction; name?: string; toxicity?: number; attributes: Record<string, unknown> } = {
    type,
    stream,
    attributes: {},
  };
  const seen = new Set<string>();
  const schemas = attributeSchemas(type);
  for (const option of options === '' ? [] : options.split(',')) {
    const eq = option.indexOf('=');
    if (eq <= 0) return fail(`expected KEY=VALUE, got "${option}"`);
    const key = option.slice(0, eq).trim();
    const text = option.slice(eq + 1);
    if (seen.has(key)) return fail(`${key} is given twice`);
    seen.add(key);
    if (key === 'name') {
      spec.name = text;
    } else if (key === 'toxicity') {
      const toxicity = text.trim() === '' ? Number.NaN : Number(text);
      if (!Number.isFinite(toxicity)) return fail(`toxicity: expected a probability from 0 to 1, got "${text}"`);
      spec.toxicity = toxicity;
    } else {
      const schema = schemas[key];
      if (!schema) {
        const known = ['name', 'toxicity', ...Object.keys(schemas)];
        return fail(`unknown key "${key}" for ${type} (known: ${known.join(', ')})`);
      }
      const parsed = parseAttributeText(schema, text);
      if ('error' in parsed) return fail(`${key}: ${parsed.error}`);
      spec.attributes[key] = parsed.value;
    }
  }
  try {
    return validateToxic(spec);
  } catch (error) {
    if (error instanceof ToxicError) return fail(error.message, error.status, error.known);
    throw error;
  }
}

/** Parses a config file's text; `source` names the file in errors. */
export function parseChaosConfig(text: string, source: string): AnyToxic[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ToxicError(400, `${source}: not JSON: ${(error as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ToxicError(400, `${source}: expected an object {"toxics": [...]}`);
  for (const key of Object.keys(json)) {
    if (key !== 'toxics') throw new ToxicError(400, `${source}: ${key}: unknown field (a chaos config has "toxics")`);
  }
  const list = (json as Record<string, unknown>)['toxics'];
  if (!Array.isArray(list)) throw new ToxicError(400, `${source}: toxics: expected an array of toxics`);
  const toxics: AnyToxic[] = [];
  list.forEach((item: unknown, i) => {
    let toxic: AnyToxic;
    try {
      toxic = validateToxic(item);
    } catch (error) {
      // "attributes.bit: …" becomes "toxics[2].attributes.bit: …"; a message about the whole toxic, "toxics[2]: …".
      const where = /^[A-Za-z_][\w.]*: /.test(error instanceof Error ? error.message : '') ? `toxics[${i}].` : `toxics[${i}]: `;
      if (error instanceof ToxicError) throw new ToxicError(error.status, `${source}: ${where}${error.message}`, error.known);
      throw error;
    }
    if (toxics.some((t) => t.name === toxic.name)) throw new ToxicError(409, `${source}: toxics[${i}].name: "${toxic.name}" is used twice`);
    toxics.push(toxic);
  });
  return toxics;
}

/** Reads and parses a config file (an unreadable file is a usage error, as a bad one is). */
export async function loadChaosConfig(path: string): Promise<AnyToxic[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
  }
  return parseChaosConfig(text, path);
}
