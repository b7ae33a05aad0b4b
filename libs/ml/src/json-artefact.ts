import { QuantError } from '@quant/errors';

/** What every JSON model artefact states about itself before its kind-specific fields. */
export interface JsonArtefactHeader<K extends string> {
  /** The parsed artefact, for the caller's own fields. */
  fields: Record<string, unknown>;
  kind: K;
  featureNames: string[];
  /** An ML_BAD_ARTEFACT error naming the artefact and what is wrong with it. */
  bad: (why: string) => QuantError;
}

export interface JsonArtefactSpec<K extends string> {
  /** Words naming the artefact in errors, e.g. "linear model". */
  label: string;
  format: string;
  version: number;
  kinds: readonly K[];
  expectedKind?: K | undefined;
}

/**
 * Parses and checks the shared header of a JSON model artefact (format, version, kind, feature
 * names), so every loader refuses a foreign or damaged file with the same clear error.
 */
export function readJsonArtefact<K extends string>(bytes: Uint8Array, spec: JsonArtefactSpec<K>): JsonArtefactHeader<K> {
  const bad = (why: string): QuantError => new QuantError('ML_BAD_ARTEFACT', `${spec.label} artefact (${bytes.length} bytes): ${why}`, { details: { bytes: bytes.length } });
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (cause) {
    throw new QuantError('ML_BAD_ARTEFACT', `${spec.label} artefact (${bytes.length} bytes) is not JSON: ${(cause as Error).message}`, { cause });
  }
  if (fields['format'] !== spec.format) throw bad(`format is ${String(fields['format'])}, expected ${spec.format}`);
  if (fields['version'] !== spec.version) throw bad(`version ${String(fields['version'])} is not supported (${spec.version})`);
  const kind = fields['kind'] as K;
  if (!spec.kinds.includes(kind)) throw bad(`unknown kind ${String(kind)}`);
  if (spec.expectedKind && kind !== spec.expectedKind) throw bad(`holds a ${kind}, expected ${spec.expectedKind}`);
  const names = fields['featureNames'];
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw bad('featureNames must be a list of strings');
  return { fields, kind, featureNames: names as string[], bad };
}
