/**
 * Typed toxic attributes: each toxic declares a schema per attribute (kind, default, bounds), from which
 * come the defaults, the validation of API bodies and config files (errors name the attribute), the
 * parsing of `--toxic` values and the `GET /types` listing.
 */
import type { AttributeInfo } from './types.js';

export type AttributeSchema =
  | { kind: 'integer'; default: number; min: number; max: number; values?: readonly number[]; description: string }
  | { kind: 'number'; default: number; min: number; max: number; description: string }
  | { kind: 'enum'; default: string; values: readonly string[]; description: string }
  | { kind: 'string'; default: string | null; nullable: boolean; maxBytes: number; description: string }
  | { kind: 'boolean'; default: boolean; description: string };

/** One schema per attribute of A (the compiler checks none is missing). */
export type AttributeSchemas<A> = { readonly [K in keyof A]-?: AttributeSchema };

/** Checks one value; returns it (typed by the schema) or a reason starting with "expected". */
export function checkAttribute(schema: AttributeSchema, value: unknown): { value: unknown } | { error: string } {
  switch (schema.kind) {
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value))
        return { error: `expected ${describeInteger(schema)}, got ${show(value)}` };
      if (schema.values ? !schema.values.includes(value) : value < schema.min || value > schema.max) {
        return { error: `expected ${describeInteger(schema)}, got ${value}` };
      }
      return { value };
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < schema.min || value > schema.max) {
        return { error: `expected a number from ${schema.min} to ${schema.max}, got ${show(value)}` };
      }
      return { value };
    case 'enum':
      if (typeof value !== 'string' || !schema.values.includes(value))
        return { error: `expected one of ${schema.values.join(', ')}; got ${show(value)}` };
      return { value };
    case 'string':
      if (value === null && schema.nullable) return { value };
      if (typeof value !== 'string') return { error: `expected a string${schema.nullable ? ' or null' : ''}, got ${show(value)}` };
      if (new TextEncoder().encode(value).length > schema.maxBytes)
        return { error: `expected at most ${schema.maxBytes} bytes of UTF-8, got ${new TextEncoder().encode(value).length}` };
      return { value };
    case 'boolean':
      if (typeof value !== 'boolean') return { error: `expected true or false, got ${show(value)}` };
      return { value };
  }
}

/**
 * Reads an attribute written as text (a `--toxic` value): numbers, true/false, null for nullable strings;
 * strings are percent-decoded, so `%2C` writes a comma.
 */
export function parseAttributeText(schema: AttributeSchema, text: string): { value: unknown } | { error: string } {
  switch (schema.kind) {
    case 'integer':
    case 'number': {
      const trimmed = text.trim();
      const n = /^0x[0-9a-f]+$/i.test(trimmed) ? Number.parseInt(trimmed.slice(2), 16) : trimmed === '' ? Number.NaN : Number(trimmed);
      if (Number.isNaN(n)) {
        return {
          error: `expected ${schema.kind === 'integer' ? describeInteger(schema) : `a number from ${schema.min} to ${schema.max}`}, got "${text}"`,
        };
      }
      return checkAttribute(schema, n);
    }
    case 'boolean':
      if (text === 'true' || text === 'false') return { value: text === 'true' };
      return { error: `expected true or false, got "${text}"` };
    case 'enum':
      return checkAttribute(schema, text);
    case 'string': {
      if (text === 'null' && schema.nullable) return { value: null };
      let decoded: string;
      try {
        decoded = decodeURIComponent(text);
      } catch {
        return { error: `"${text}" has a malformed %-escape` };
      }
      return checkAttribute(schema, decoded);
    }
  }
}

/** The schema as `GET /types` shows it. */
export function describeAttribute(schema: AttributeSchema): AttributeInfo {
  const info: AttributeInfo = { kind: schema.kind, default: schema.default, description: schema.description };
  if (schema.kind === 'integer') {
    if (schema.values) info.values = schema.values;
    else {
      info.min = schema.min;
      info.max = schema.max;
    }
  } else if (schema.kind === 'number') {
    info.min = schema.min;
    info.max = schema.max;
  } else if (schema.kind === 'enum') {
    info.values = schema.values;
  } else if (schema.kind === 'string' && schema.nullable) {
    info.nullable = true;
  }
  return info;
}

function describeInteger(schema: { min: number; max: number; values?: readonly number[] }): string {
  if (schema.values) return `one of ${schema.values.join(', ')}`;
  return `an integer from ${schema.min} to ${schema.max}`;
}

/** JSON.stringify as it behaves: undefined (whatever its declared type says) for a function or a symbol. */
function stringified(value: unknown): string | undefined {
  return JSON.stringify(value);
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'nothing';
  return stringified(value) ?? `a ${typeof value}`;
}
