import { describe, expect, it } from 'vitest';
import type { Type, types } from 'avsc';
import { Topics, defaultCatalog, eventExamples, serdeFor } from '../src';
import type { EventExamples, RecommendationItem, TopicDefinition, TopicKey } from '../src';

// How the TS types are kept in step with the .avsc files:
// 1. Type level (tsc, part of the test command): `eventExamples()` is typed per topic, so an example
//    has exactly the fields its interface declares (required fields must be present, excess property
//    checks reject extra ones) and, checked below, no interface has optional fields it could omit.
// 2. Run time (here): each example's keys, at every nesting level, equal the schema's field names,
//    and the example survives an encode/decode round trip unchanged.
// A field added to only the interface fails (1) or the key comparison; added to only the schema,
// it fails the key comparison.

type OptionalKeys<T> = T extends unknown ? { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T] : never;
type AssertNever<T extends never> = T;
export type NoOptionalEventFields = AssertNever<OptionalKeys<EventExamples[TopicKey] | RecommendationItem>>;

const topicKeys = Object.keys(Topics) as TopicKey[];

/** Walks a value along its Avro type, collecting every record whose keys differ from its fields. */
function keyMismatches(type: Type, value: unknown, path: string, out: string[]): void {
  switch (type.typeName) {
    case 'record': {
      const record = type as types.RecordType;
      const fields = record.fields.map((f) => f.name).sort();
      const keys = Object.keys(value as object).sort();
      const onlyInSchema = fields.filter((f) => !keys.includes(f));
      const onlyInTs = keys.filter((k) => !fields.includes(k));
      if (onlyInSchema.length || onlyInTs.length) {
        out.push(`${path || type.name}: only in schema [${onlyInSchema.join(', ')}], only in TS [${onlyInTs.join(', ')}]`);
      }
      for (const field of record.fields) keyMismatches(field.type, (value as Record<string, unknown>)[field.name], `${path}.${field.name}`, out);
      return;
    }
    case 'array':
      (value as unknown[]).forEach((item, i) => keyMismatches((type as types.ArrayType).itemsType, item, `${path}[${i}]`, out));
      return;
    case 'union:unwrapped':
      if (value !== null) keyMismatches((type as types.UnwrappedUnionType).types[1] as Type, value, path, out);
      return;
    default:
      return;
  }
}

/** Every path to a nullable field, so the examples' nulls and non-nulls both get round-tripped. */
function nullableFields(type: Type): string[] {
  return (type as types.RecordType).fields.filter((f) => f.type.typeName === 'union:unwrapped').map((f) => f.name);
}

describe('TS event types stay in step with the Avro schemas', () => {
  it('there is an example for every topic', () => {
    expect(Object.keys(eventExamples()).sort()).toEqual([...topicKeys].sort());
  });

  it.each(topicKeys)('%s: the example has exactly the schema fields, at every level', (key) => {
    const example = eventExamples()[key];
    const { type } = defaultCatalog().current(Topics[key].schemaName);
    const mismatches: string[] = [];
    keyMismatches(type, example, '', mismatches);
    expect(mismatches).toEqual([]);
    // Arrays of records must be exercised, or their item fields go unchecked.
    if (key === 'recommendation') expect(eventExamples().recommendation.items.length).toBeGreaterThan(0);
  });

  it.each(topicKeys)('%s: the example round-trips unchanged, with every nullable field set and unset', (key) => {
    const serde = serdeFor(Topics[key] as unknown as TopicDefinition<unknown>);
    const example = eventExamples()[key];
    expect(serde.decode(serde.encode(example))).toEqual(example);

    const nulled: Record<string, unknown> = { ...example };
    const nullable = nullableFields(defaultCatalog().current(Topics[key].schemaName).type);
    for (const field of nullable) nulled[field] = null;
    expect(serde.decode(serde.encode(nulled))).toEqual(nulled);
  });

  it('the check fails when a field exists on one side only', () => {
    const { type } = defaultCatalog().current(Topics.dailyBar.schemaName);
    const out: string[] = [];
    const { amount: _dropped, ...withoutAmount } = eventExamples().dailyBar;
    keyMismatches(type, { ...withoutAmount, turnover: 1 }, '', out);
    expect(out).toEqual(['quant.market.v1.DailyBar: only in schema [amount], only in TS [turnover]']);

    const nested: string[] = [];
    const list = eventExamples().recommendation;
    keyMismatches(defaultCatalog().current(Topics.recommendation.schemaName).type, { ...list, items: [{ ...list.items[0], extra: 1 }] }, '', nested);
    expect(nested).toEqual(['.items[0]: only in schema [], only in TS [extra]']);
  });
});
