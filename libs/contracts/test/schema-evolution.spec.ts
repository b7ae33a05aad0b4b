import { describe, expect, it } from 'vitest';
import type { QuantError } from '@quant/errors';
import { SchemaCatalog, Topics, createSerde, defaultCatalog, eventExamples, evolutionProblems, parseSchema, serdeFor } from '../src';
import type { DailyBar, RecommendationList, RetrainTrigger } from '../src';

// The BACKWARD rule in practice, on the daily bar: r1 is the released schema from proto/avro, r2 is
// "v1 plus one optional field", the only kind of change allowed within a namespace version.
type RecordJson = { fields: Array<{ name: string; type: unknown; default?: unknown; doc?: string }> } & Record<string, unknown>;

const BAR = Topics.dailyBar.schemaName;
const r1 = defaultCatalog().current(BAR).schema as RecordJson;
const r2: RecordJson = {
  ...r1,
  fields: [...r1.fields, { name: 'turnoverRate', type: ['null', 'double'], default: null, doc: 'Volume / float shares.' }],
};

type DailyBarR2 = DailyBar & { turnoverRate: number | null };

/** A process's view: the schema it writes and reads into, plus the revisions it knows. */
function processWith(current: RecordJson, revisions: RecordJson[]) {
  const catalog = new SchemaCatalog();
  revisions.forEach((schema, i) => catalog.addRevision(schema, i + 1));
  catalog.setCurrent(current);
  return catalog;
}

describe('schema evolution of the daily bar (BACKWARD within v1)', () => {
  const bar = eventExamples().dailyBar;

  it('r1 -> r2 (optional field added) satisfies the project rule', () => {
    expect(evolutionProblems(parseSchema(r1), parseSchema(r2))).toEqual([]);
  });

  it('new reader, old writer: the added field takes its default', () => {
    const oldWriter = createSerde<DailyBar>(BAR, processWith(r1, [r1]));
    const newReader = createSerde<DailyBarR2>(BAR, processWith(r2, [r1, r2]));
    expect(newReader.fingerprint).not.toBe(oldWriter.fingerprint);
    expect(newReader.decode(oldWriter.encode(bar))).toEqual({ ...bar, turnoverRate: null });
  });

  it('old reader, new writer: the added field is skipped once the reader knows the new revision', () => {
    const newWriter = createSerde<DailyBarR2>(BAR, processWith(r2, [r1, r2]));
    const bytes = newWriter.encode({ ...bar, turnoverRate: 0.0047 });

    const oldReader = createSerde<DailyBar>(BAR, processWith(r1, [r1, r2]));
    const decoded = oldReader.decode(bytes);
    expect(decoded).toEqual(bar);
    expect(decoded).not.toHaveProperty('turnoverRate');
  });

  it('a reader that has not been given the new revision refuses it clearly instead of guessing', () => {
    const bytes = createSerde<DailyBarR2>(BAR, processWith(r2, [r1, r2])).encode({ ...bar, turnoverRate: 0.0047 });
    const unaware = createSerde<DailyBar>(BAR, processWith(r1, [r1]));
    expect(() => unaware.decode(bytes)).toThrow(/unknown writer schema fingerprint [0-9a-f]{16} for quant\.market\.v1\.DailyBar/);
  });

  it('a field added without a default breaks old data: the decode names the incompatibility', () => {
    const breaking: RecordJson = { ...r1, fields: [...r1.fields, { name: 'exchange', type: 'string' }] };
    expect(evolutionProblems(parseSchema(r1), parseSchema(breaking)).join('\n')).toMatch(/BACKWARD.*\n.*DailyBar\.exchange was added without a default/);

    const bytes = createSerde<DailyBar>(BAR, processWith(r1, [r1])).encode(bar);
    const reader = createSerde<DailyBar>(BAR, processWith(breaking, [r1, breaking]));
    try {
      reader.decode(bytes);
      expect.unreachable();
    } catch (error) {
      expect((error as QuantError).code).toBe('CONTRACT_INCOMPATIBLE_SCHEMA');
      expect((error as QuantError).message).toMatch(/cannot read data written with quant\.market\.v1\.DailyBar r1 \([0-9a-f]{16}\)/);
    }
  });

  it('retyping a field is refused even where Avro could promote it', () => {
    const retyped: RecordJson = { ...r1, fields: r1.fields.map((f) => (f.name === 'volume' ? { ...f, type: 'string' } : f)) };
    const problems = evolutionProblems(parseSchema(r1), parseSchema(retyped));
    expect(problems.join('\n')).toMatch(/BACKWARD/);
    expect(problems.join('\n')).toMatch(/DailyBar\.volume changed type from "long" to "string"/);
  });
});

describe('enum evolution', () => {
  it('an old reader maps a reason added later to the enum default', () => {
    const name = Topics.retrainTrigger.schemaName;
    const current = defaultCatalog().current(name).schema as RecordJson;
    const withNewReason: RecordJson = {
      ...current,
      fields: current.fields.map((f) =>
        f.name === 'reason' ? { ...f, type: { ...(f.type as object), symbols: [...(f.type as { symbols: string[] }).symbols, 'DATA_FIX'] } } : f,
      ),
    };
    const writer = createSerde<Omit<RetrainTrigger, 'reason'> & { reason: string }>(name, processWith(withNewReason, [current, withNewReason]));
    const reader = createSerde<RetrainTrigger>(name, processWith(current, [current, withNewReason]));
    const decoded = reader.decode(writer.encode({ ...eventExamples().retrainTrigger, reason: 'DATA_FIX' }));
    expect(decoded.reason).toBe('OTHER');
  });
});

describe('RecommendationList r1 -> r2 (released: structured outlook, flags and excluded candidates)', () => {
  const name = Topics.recommendation.schemaName;
  const [rev1, rev2] = defaultCatalog().revisions(name);
  const list = eventExamples().recommendation;
  const r1Item = ({ code, rank, score, action, targetWeight, expectedReturn, tradable, note }: RecommendationList['items'][number]) => ({
    code,
    rank,
    score,
    action,
    targetWeight,
    expectedReturn,
    tradable,
    note,
  });
  const { excluded: _excluded, ...r1List } = { ...list, items: list.items.map(r1Item) };

  it('r2 is the current schema and evolves from r1 under the project rule, both ways', () => {
    expect(rev1?.revision).toBe(1);
    expect(rev2?.revision).toBe(2);
    expect(defaultCatalog().current(name).fingerprint).toBe(rev2?.fingerprint);
    expect(evolutionProblems(rev1!.type, rev2!.type)).toEqual([]);
  });

  it('new reader, old writer: the r2 fields take their defaults', () => {
    const oldWriter = createSerde<typeof r1List>(name, processWith(rev1!.schema as RecordJson, [rev1!.schema as RecordJson]));
    const decoded = serdeFor(Topics.recommendation).decode(oldWriter.encode(r1List));
    expect(decoded.excluded).toEqual([]);
    expect(decoded.items.map((i) => [i.percentile, i.probabilityBeatBenchmark, i.expectedExcessReturn, i.volatility20d, i.flags, i.exclusionReason])).toEqual(
      list.items.map(() => [null, null, null, null, [], null]),
    );
    expect(decoded.items.map(r1Item)).toEqual(r1List.items);
  });

  it('old reader, new writer: an r1 consumer that knows r2 reads the r1 fields and skips the rest', () => {
    const bytes = serdeFor(Topics.recommendation).encode(list);
    const oldReader = createSerde<typeof r1List>(name, processWith(rev1!.schema as RecordJson, [rev1!.schema as RecordJson, rev2!.schema as RecordJson]));
    expect(oldReader.decode(bytes)).toEqual(r1List);
  });
});
