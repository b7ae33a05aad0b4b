import { QuantError } from '@quant/errors';
import type { FeatureCalculator, FeatureDefinition, FeatureSet, FeatureStream, SeriesInput, DayInput } from '../feature.port';

/**
 * Builds a FeatureSet whose version is a hash of its definitions and of `revision` (bump it when an
 * implementation changes numbers without changing a definition), so stored features of another
 * version are never mixed with new ones.
 */
export function createFeatureSet(name: string, calculators: readonly FeatureCalculator[], revision = '1'): FeatureSet {
  const definitions = calculators.flatMap((c) => c.definitions);
  const seen = new Set<string>();
  for (const d of definitions) {
    if (seen.has(d.name)) throw new QuantError('FEATURE_SET_INVALID', `feature set ${name}: column ${d.name} defined twice`, { details: { set: name, column: d.name } });
    seen.add(d.name);
  }
  const text = JSON.stringify([revision, definitions.map((d) => [d.name, d.family, d.formula, d.inputs, d.warmup])]);
  const version = `${revision}-${fnv1a(text)}`;
  return { name, version, calculators, definitions: () => [...definitions] };
}

/** Every column of a set over one instrument's history, in the set's order. */
export function batchFeatureSet(set: FeatureSet, input: SeriesInput): Float64Array[] {
  return set.calculators.flatMap((c) => c.batch(input));
}

/** One stream over all calculators of a set: values concatenated in the set's column order. */
export function streamFeatureSet(set: FeatureSet): FeatureStream {
  const streams = set.calculators.map((c) => c.stream());
  const width = set.calculators.reduce((n, c) => n + c.definitions.length, 0);
  const join = (parts: Float64Array[]): Float64Array => {
    const out = new Float64Array(width);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  return {
    add: (day: DayInput) => join(streams.map((s) => s.add(day))),
    replace: (day: DayInput) => join(streams.map((s) => s.replace(day))),
    get length() {
      return streams[0]?.length ?? 0;
    },
    get isStable() {
      return streams.every((s) => s.isStable);
    },
  };
}

/** Largest warm-up of a set's columns: sessions of history a stream needs before its values are final. */
export function featureSetWarmup(set: FeatureSet): number {
  return set.definitions().reduce((m, d: FeatureDefinition) => Math.max(m, d.warmup), 0);
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
