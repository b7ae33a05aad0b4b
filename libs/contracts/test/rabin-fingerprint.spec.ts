import { describe, expect, it } from 'vitest';
import { canonicalForm, parseSchema, rabinFingerprint64, rabinFingerprintAsLong, serdeFor, Topics, defaultCatalog } from '../src';

// Vectors from the Avro project's shared test data (share/test/data/schema-tests.txt): schema as
// written, its Parsing Canonical Form, and the CRC-64-AVRO fingerprint as a signed 64-bit integer.
const SPEC_VECTORS: Array<[input: string, canonical: string, fingerprint: bigint]> = [
  ['"null"', '"null"', 7195948357588979594n],
  ['{"type":"boolean"}', '"boolean"', -6970731678124411036n],
  ['"int"', '"int"', 8247732601305521295n],
  ['{"type":"long"}', '"long"', -3434872931120570953n],
  ['"float"', '"float"', 5583340709985441680n],
  ['"double"', '"double"', -8181574048448539266n],
  ['"bytes"', '"bytes"', 5746618253357095269n],
  ['"string"', '"string"', -8142146995180207161n],
  ['[ "int" , {"type":"boolean"} ]', '["int","boolean"]', 5392556393470105090n],
  ['{"fields":[], "type":"record", "name":"foo", "namespace":"x.y"}', '{"name":"x.y.foo","type":"record","fields":[]}', 5916914534497305771n],
  ['{"fields":[], "type":"record", "name":"a.b.foo", "namespace":"x.y"}', '{"name":"a.b.foo","type":"record","fields":[]}', -4616218487480524110n],
  [
    '{"fields":[{"type":"boolean","aliases":[],"name":"f1","default":true},{"order":"descending","name":"f2","doc":"Hello","type":"int"}],"type":"record","name":"foo"}',
    '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"},{"name":"f2","type":"int"}]}',
    -4860222112080293046n,
  ],
  ['{"namespace":"x.y.z", "type":"enum", "name":"foo", "doc":"foo bar", "symbols":["A1", "A2"]}', '{"name":"x.y.z.foo","type":"enum","symbols":["A1","A2"]}', -4448647247586288245n],
  ['{"namespace":"x.y.z", "type":"fixed", "name":"foo", "doc":"foo bar", "size":32}', '{"name":"x.y.z.foo","type":"fixed","size":32}', -3064184465700546786n],
  ['{ "items":{"type":"null"}, "type":"array"}', '{"type":"array","items":"null"}', -589620603366471059n],
  ['{ "values":"string", "type":"map"}', '{"type":"map","values":"string"}', -8732877298790414990n],
  [
    '{"name":"PigValue","type":"record","fields":[{"name":"value", "type":["null", "int", "long", "PigValue"]}]}',
    '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    -1759257747318642341n,
  ],
];

describe('CRC-64-AVRO fingerprint', () => {
  it.each(SPEC_VECTORS)('matches the Avro test vector for %s', (input, canonical, fingerprint) => {
    expect(canonicalForm(parseSchema(JSON.parse(input)))).toBe(canonical);
    expect(rabinFingerprintAsLong(canonical)).toBe(fingerprint);
  });

  it('writes the 8 bytes little-endian, as in the single-object header of "int" from the spec', () => {
    // Avro's own test of the single-object header: c3 01 8f 5c 39 3f 1a d5 75 72.
    expect(rabinFingerprint64('"int"').toString('hex')).toBe('8f5c393f1ad57572');
  });

  it('ignores docs, defaults and logical types, which do not change the binary format', () => {
    const bare = { type: 'record', name: 'X', namespace: 'quant.t.v1', fields: [{ name: 'at', type: 'long' }] };
    const annotated = {
      ...bare,
      doc: 'documented',
      fields: [{ name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'epoch ms' }],
    };
    expect(canonicalForm(parseSchema(annotated))).toBe(canonicalForm(parseSchema(bare)));
  });

  it('is what every serde writes in its header', () => {
    const serde = serdeFor(Topics.dailyBar);
    const version = defaultCatalog().current(Topics.dailyBar.schemaName);
    expect(serde.fingerprint).toBe(rabinFingerprint64(version.canonical).toString('hex'));
    expect(version.canonical.startsWith('{"name":"quant.market.v1.DailyBar","type":"record","fields":[{"name":"eventId","type":"string"}')).toBe(true);
  });
});
