import type { Type, types } from 'avsc';
import { canonicalForm } from './schema-catalog';
import type { SchemaCatalog, SchemaVersion } from './schema-catalog';

/**
 * Why `reader` cannot read data written with `writer` (Avro schema resolution), or null when it can.
 * BACKWARD compatibility of a change is `readProblem(newer, older) === null`.
 */
export function readProblem(reader: Type, writer: Type): string | null {
  try {
    reader.createResolver(writer);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Everything wrong with evolving `older` into `newer` inside one namespace version. The project rule
 * (proto/README.md) is stricter than Avro's BACKWARD: consumers may lag behind producers and topics keep
 * old data, so a change must be readable both ways, and fields are only ever added, with a default.
 */
export function evolutionProblems(older: Type, newer: Type): string[] {
  const problems: string[] = [];
  const backward = readProblem(newer, older);
  if (backward) problems.push(`BACKWARD: the new schema cannot read data written with the old one (${backward})`);
  const forward = readProblem(older, newer);
  if (forward) problems.push(`FORWARD: the old schema cannot read data written with the new one (${forward})`);
  const olderRecords = collectRecords(older);
  for (const [name, newRecord] of collectRecords(newer)) {
    const oldRecord = olderRecords.get(name);
    if (!oldRecord) continue;
    const oldFields = new Map(oldRecord.fields.map((f) => [f.name, f]));
    const newFields = new Map(newRecord.fields.map((f) => [f.name, f]));
    for (const [fieldName, oldField] of oldFields) {
      const newField = newFields.get(fieldName);
      if (!newField) {
        problems.push(`${name}.${fieldName} was removed (fields are never removed within a version)`);
      } else if (shapeOf(oldField.type) !== shapeOf(newField.type)) {
        problems.push(
          `${name}.${fieldName} changed type from ${canonicalOf(oldField.type)} to ${canonicalOf(newField.type)} (fields are never retyped within a version)`,
        );
      }
    }
    for (const [fieldName, newField] of newFields) {
      if (!oldFields.has(fieldName) && newField.defaultValue() === undefined) {
        problems.push(`${name}.${fieldName} was added without a default`);
      }
    }
  }
  return problems;
}

/**
 * Checks a catalog's history: every record's current schema is frozen as its newest revision,
 * revisions are numbered r1..rN without gaps, and each revision evolves correctly from the one before.
 * Returns human-readable problems (empty when all is well).
 */
export function historyProblems(catalog: SchemaCatalog): string[] {
  const problems: string[] = [];
  for (const name of catalog.names()) {
    const current = catalog.current(name);
    const revisions = catalog.revisions(name);
    const newest = revisions[revisions.length - 1];
    if (!newest) {
      problems.push(`${name}: no released revision; copy the current schema to history/${shortName(name)}.r1.avsc`);
      continue;
    }
    revisions.forEach((version, index) => {
      if (version.revision !== index + 1) problems.push(`${name}: revisions must be r1..rN without gaps, found r${version.revision} at position ${index + 1}`);
    });
    if (newest.fingerprint !== current.fingerprint) {
      const next = (newest.revision ?? 0) + 1;
      problems.push(
        `${name}: the current schema differs from its newest revision r${newest.revision}; ` +
          `a changed schema must be released as history/${shortName(name)}.r${next}.avsc (keep r${newest.revision}: topics may hold data written with it)`,
      );
      for (const problem of evolutionProblems(newest.type, current.type)) problems.push(`${name} r${newest.revision} -> current: ${problem}`);
    }
    for (let i = 1; i < revisions.length; i += 1) {
      const older = revisions[i - 1] as SchemaVersion;
      const newer = revisions[i] as SchemaVersion;
      for (const problem of evolutionProblems(older.type, newer.type)) problems.push(`${name} r${older.revision} -> r${newer.revision}: ${problem}`);
    }
  }
  for (const name of catalog.namesWithHistory()) {
    if (!catalog.has(name)) problems.push(`${name}: has history but no current schema (a record is never deleted within a version)`);
  }
  return problems;
}

function canonicalOf(type: Type): string {
  return canonicalForm(type);
}

/**
 * A field's type with nested records reduced to their names: a record inside the field (an array of
 * items) is checked field by field on its own, so adding a defaulted field to it is not a retype of
 * every field that holds it. Renaming the nested record still is.
 */
function shapeOf(type: Type): string {
  const walk = (t: Type): unknown => {
    switch (t.typeName) {
      case 'record':
      case 'error':
        return { record: t.name };
      case 'array':
        return { array: walk((t as types.ArrayType).itemsType) };
      case 'map':
        return { map: walk((t as types.MapType).valuesType as Type) };
      case 'union:unwrapped':
      case 'union:wrapped':
        return (t as types.UnwrappedUnionType).types.map(walk);
      default:
        return canonicalForm(t);
    }
  };
  return JSON.stringify(walk(type));
}

function shortName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/** Every named record reachable from a type, by full name. */
function collectRecords(root: Type): Map<string, types.RecordType> {
  const found = new Map<string, types.RecordType>();
  const visit = (type: Type): void => {
    switch (type.typeName) {
      case 'record':
      case 'error': {
        const record = type as types.RecordType;
        if (!type.name || found.has(type.name)) return;
        found.set(type.name, record);
        for (const field of record.fields) visit(field.type);
        return;
      }
      case 'array':
        visit((type as types.ArrayType).itemsType);
        return;
      case 'map':
        visit((type as types.MapType).valuesType as Type);
        return;
      case 'union:unwrapped':
      case 'union:wrapped':
        for (const branch of (type as types.UnwrappedUnionType).types) visit(branch);
        return;
      default:
        return;
    }
  };
  visit(root);
  return found;
}
