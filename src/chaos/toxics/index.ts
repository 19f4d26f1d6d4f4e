/**
 * Every toxic type, by name (toxiproxy's registry, as a table): adding a toxic is one definition in a
 * family file and one line here, and the compiler checks the table covers ToxicAttributeMap.
 */
import { describeAttribute, type AttributeSchema } from '../attributes.js';
import type { ToxicType, ToxicTypeInfo } from '../types.js';
import { closeCode, delay, drop, duplicate, injectPing } from './control.js';
import { deflate } from './deflate.js';
import { coalesce, fragment } from './fragmentation.js';
import { nonMinimalLength, reservedOpcode, rsv } from './header.js';
import { mask, remask } from './mask.js';
import { corruptUtf8, retype } from './message.js';
import { reset } from './reset.js';
import { bandwidth, latency } from './timing.js';
import type { ToxicDefinition } from './toxic.js';
import { truncate } from './truncate.js';

export type { ToxicDefinition, FrameContext, StreamEffect } from './toxic.js';

const noop: ToxicDefinition<'noop'> = {
  type: 'noop',
  summary: 'changes nothing (the cost of the machinery, for benchmarks)',
  level: 'frame',
  valid: true,
  attributes: {},
};

export const TOXICS: { readonly [T in ToxicType]: ToxicDefinition<T> } = {
  noop,
  rsv,
  mask,
  remask,
  'reserved-opcode': reservedOpcode,
  'non-minimal-length': nonMinimalLength,
  retype,
  'corrupt-utf8': corruptUtf8,
  fragment,
  coalesce,
  drop,
  delay,
  duplicate,
  'inject-ping': injectPing,
  'close-code': closeCode,
  truncate,
  deflate,
  latency,
  bandwidth,
  reset,
};

export const TOXIC_TYPES = Object.keys(TOXICS) as ToxicType[];

export function isToxicType(type: string): type is ToxicType {
  return Object.hasOwn(TOXICS, type);
}

/** A definition with its attribute types erased, for code that handles any toxic. */
export function toxicDefinition(type: ToxicType): ToxicDefinition<ToxicType> {
  return TOXICS[type] as unknown as ToxicDefinition<ToxicType>;
}

export function attributeSchemas(type: ToxicType): Readonly<Record<string, AttributeSchema>> {
  return TOXICS[type].attributes;
}

/** Every type as `GET /types` lists it. */
export function describeToxicTypes(): ToxicTypeInfo[] {
  return TOXIC_TYPES.map((type) => {
    const def = TOXICS[type];
    const attributes: ToxicTypeInfo['attributes'] = {};
    for (const [name, schema] of Object.entries(attributeSchemas(type))) attributes[name] = describeAttribute(schema);
    return { type, summary: def.summary, level: def.level, valid: def.valid, attributes };
  });
}
