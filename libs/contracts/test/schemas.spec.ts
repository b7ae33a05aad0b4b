import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { DEFAULT_AVRO_DIR, SchemaCatalog, Topics, allTopics, compileSchema, defaultCatalog, historyProblems } from '../src';

type FieldJson = { name: string; type: unknown; default?: unknown; doc?: string };
type RecordJson = { type: 'record'; name: string; namespace: string; doc?: string; fields: FieldJson[] };

function avscFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? avscFiles(path) : entry.endsWith('.avsc') ? [path] : [];
  });
}

const currentFiles = avscFiles(DEFAULT_AVRO_DIR).filter((f) => !f.includes('/history/'));
const currentSchemas = currentFiles.map((file) => ({ file, json: JSON.parse(readFileSync(file, 'utf8')) as RecordJson }));

describe('proto/avro schemas', () => {
  it('every .avsc file parses, and the catalog holds each one', () => {
    const files = avscFiles(DEFAULT_AVRO_DIR);
    expect(files.length).toBeGreaterThanOrEqual(2 * 14);
    const catalog = defaultCatalog();
    for (const file of files) {
      const version = compileSchema(JSON.parse(readFileSync(file, 'utf8')), file);
      expect(catalog.byFingerprint(version.fingerprint)?.name, file).toBe(version.name);
    }
  });

  it('every topic has a current schema, and every current schema belongs to exactly one topic', () => {
    const catalog = defaultCatalog();
    for (const topic of allTopics()) expect(catalog.has(topic.schemaName), `${topic.name} -> ${topic.schemaName}`).toBe(true);
    for (const name of catalog.names()) {
      expect(allTopics().filter((t) => t.schemaName === name).map((t) => t.name), name).toHaveLength(1);
    }
    expect(catalog.names()).toHaveLength(allTopics().length);
  });

  it.each(currentSchemas.map((s) => [s.json.name, s] as const))('%s follows the conventions', (_name, { json }) => {
    expect(json.namespace).toMatch(/^quant\.[a-z]+\.v1$/);
    expect(json.doc, 'record doc').toBeTruthy();
    // eventId first: every consumer dedups on it, so it is the first thing a reader looks for.
    expect(json.fields[0]).toMatchObject({ name: 'eventId', type: 'string' });
    for (const field of json.fields) {
      if (Array.isArray(field.type)) {
        // Nullable fields are exactly ["null", T] with default null, which avsc maps to `T | null`.
        expect(field.type, `${json.name}.${field.name}`).toHaveLength(2);
        expect(field.type[0], `${json.name}.${field.name}`).toBe('null');
        expect(field.default, `${json.name}.${field.name} default`).toBeNull();
      }
      if (/At$/.test(field.name)) {
        const type = Array.isArray(field.type) ? field.type[1] : field.type;
        expect(type, `${json.name}.${field.name} is a timestamp`).toEqual({ type: 'long', logicalType: 'timestamp-millis' });
      }
    }
  });

  it('topic names are unique and versioned like their schema namespace', () => {
    const names = allTopics().map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const topic of allTopics()) {
      const version = /\.(v\d+)\.[A-Za-z]+$/.exec(topic.schemaName)?.[1];
      expect(topic.name.endsWith(`.${version}`), topic.name).toBe(true);
      expect(Number.isInteger(topic.partitions) && topic.partitions > 0).toBe(true);
      expect(topic.description.length).toBeGreaterThan(10);
    }
    expect(Topics.dailyBar.name).toBe('quant.market.daily-bar.v1');
    expect(Topics.deadLetter.name).toBe('quant.dead-letter.v1');
  });

  it('every current schema is frozen as its newest revision, and each revision is compatible with its successor', () => {
    expect(historyProblems(defaultCatalog())).toEqual([]);
  });
});

describe('schema history checks', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const r1: RecordJson = {
    type: 'record',
    name: 'Tick',
    namespace: 'quant.test.v1',
    doc: 'test',
    fields: [
      { name: 'eventId', type: 'string' },
      { name: 'code', type: 'string' },
      { name: 'price', type: 'double' },
      { name: 'size', type: 'int' },
    ],
  };
  const withField = (field: FieldJson): RecordJson => ({ ...r1, fields: [...r1.fields, field] });

  /** Writes a proto/avro-like tree: the current schema and its history revisions. */
  function tree(current: RecordJson | null, revisions: Array<[number, RecordJson]>): string {
    const root = mkdtempSync(join(tmpdir(), 'quant-avro-'));
    dirs.push(root);
    const dir = join(root, 'quant', 'test', 'v1');
    mkdirSync(join(dir, 'history'), { recursive: true });
    if (current) writeFileSync(join(dir, 'Tick.avsc'), JSON.stringify(current));
    for (const [n, schema] of revisions) writeFileSync(join(dir, 'history', `Tick.r${n}.avsc`), JSON.stringify(schema));
    return root;
  }

  const problemsOf = (current: RecordJson | null, revisions: Array<[number, RecordJson]>) =>
    historyProblems(SchemaCatalog.load(tree(current, revisions))).join('\n');

  it('accepts an added field with a default, released as r2', () => {
    const r2 = withField({ name: 'venue', type: ['null', 'string'], default: null });
    expect(problemsOf(r2, [[1, r1], [2, r2]])).toBe('');
  });

  it('flags a changed current schema that was not released into history', () => {
    const r2 = withField({ name: 'venue', type: ['null', 'string'], default: null });
    expect(problemsOf(r2, [[1, r1]])).toMatch(/current schema differs from its newest revision r1; .*history\/Tick\.r2\.avsc/);
  });

  it('flags a schema without history, and history without a current schema', () => {
    expect(problemsOf(r1, [])).toMatch(/no released revision; copy the current schema to history\/Tick\.r1\.avsc/);
    expect(problemsOf(null, [[1, r1]])).toMatch(/has history but no current schema/);
  });

  it('flags a field added without a default (not BACKWARD compatible)', () => {
    const r2 = withField({ name: 'venue', type: 'string' });
    const problems = problemsOf(r2, [[1, r1], [2, r2]]);
    expect(problems).toMatch(/r1 -> r2: BACKWARD: the new schema cannot read data written with the old one/);
    expect(problems).toMatch(/quant\.test\.v1\.Tick\.venue was added without a default/);
  });

  it('flags a retyped field, even a promotion Avro would resolve', () => {
    const r2: RecordJson = { ...r1, fields: r1.fields.map((f) => (f.name === 'size' ? { ...f, type: 'long' } : f)) };
    const problems = problemsOf(r2, [[1, r1], [2, r2]]);
    expect(problems).toMatch(/Tick\.size changed type from "int" to "long"/);
    expect(problems).toMatch(/FORWARD/);
    expect(problems).not.toMatch(/BACKWARD/);
  });

  it('checks a record nested in an array field by its own fields: an added default is fine, a retype is not', () => {
    const legs = (fields: FieldJson[]): FieldJson => ({ name: 'legs', type: { type: 'array', items: { type: 'record', name: 'Leg', fields } }, default: [] });
    const v1 = withField(legs([{ name: 'qty', type: 'int' }]));
    const added = withField(legs([{ name: 'qty', type: 'int' }, { name: 'venue', type: ['null', 'string'], default: null }]));
    expect(problemsOf(added, [[1, v1], [2, added]])).toBe('');
    const retyped = withField(legs([{ name: 'qty', type: 'long' }]));
    expect(problemsOf(retyped, [[1, v1], [2, retyped]])).toMatch(/Leg\.qty changed type from "int" to "long"/);
    const renamed = withField({ name: 'legs', type: { type: 'array', items: { type: 'record', name: 'Fill', fields: [{ name: 'qty', type: 'int' }] } }, default: [] });
    expect(problemsOf(renamed, [[1, v1], [2, renamed]])).toMatch(/Tick\.legs changed type/);
  });

  it('flags a removed field', () => {
    const r2: RecordJson = { ...r1, fields: r1.fields.filter((f) => f.name !== 'size') };
    expect(problemsOf(r2, [[1, r1], [2, r2]])).toMatch(/Tick\.size was removed/);
  });

  it('flags gaps in revision numbers', () => {
    expect(problemsOf(r1, [[1, r1], [3, r1]])).toMatch(/revisions must be r1\.\.rN without gaps, found r3 at position 2/);
  });

  it('refuses misplaced, misnamed or malformed files, naming the file', () => {
    const root = tree(null, []);
    writeFileSync(join(root, 'quant', 'test', 'v1', 'Wrong.avsc'), JSON.stringify(r1));
    expect(() => SchemaCatalog.load(root)).toThrow(/quant\/test\/v1\/Wrong\.avsc holds quant\.test\.v1\.Tick, which belongs in quant\/test\/v1\/Tick\.avsc/);

    const root2 = tree(null, []);
    writeFileSync(join(root2, 'quant', 'test', 'v1', 'history', 'Tick.v2.avsc'), JSON.stringify(r1));
    expect(() => SchemaCatalog.load(root2)).toThrow(/history\/Tick\.v2\.avsc: history files are named <Name>\.r<N>\.avsc/);

    const root3 = tree(null, []);
    const bad = join(root3, 'quant', 'test', 'v1', 'Tick.avsc');
    mkdirSync(dirname(bad), { recursive: true });
    writeFileSync(bad, '{"type": "record", ');
    expect(() => SchemaCatalog.load(root3)).toThrow(/quant\/test\/v1\/Tick\.avsc: not valid JSON/);

    const root4 = tree({ ...r1, fields: [{ name: 'eventId', type: 'strng' }] }, []);
    try {
      SchemaCatalog.load(root4);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(QuantError);
      expect((error as QuantError).code).toBe('CONTRACT_BAD_SCHEMA');
      expect((error as QuantError).message).toMatch(/invalid Avro schema in .*Tick\.avsc: .*strng/);
    }
  });
});
