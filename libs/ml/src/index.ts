import { QuantError } from '@quant/errors';
import type { ModelFactory } from './model.port';
import { GBDT_FACTORIES } from './gbdt';
import { LINEAR_FACTORIES } from './linear';

export * from './model.port';
export { readJsonArtefact } from './json-artefact';
export type { JsonArtefactHeader, JsonArtefactSpec } from './json-artefact';
export * from './onnx';
export * from './linear';
export * from './gbdt';

// The tree engine (gbdt, random-forest) registers through GBDT_FACTORIES.
const TREE_FACTORIES: readonly ModelFactory[] = GBDT_FACTORIES;

const REGISTRY: ReadonlyMap<string, ModelFactory> = (() => {
  const map = new Map<string, ModelFactory>();
  for (const f of [...TREE_FACTORIES, ...LINEAR_FACTORIES]) {
    if (map.has(f.kind)) throw new QuantError('ML_DUPLICATE_MODEL_KIND', `model kind ${f.kind} is registered twice`, { details: { kind: f.kind } });
    map.set(f.kind, f);
  }
  return map;
})();

/** Every registered model kind, sorted. */
export function modelKinds(): string[] {
  return [...REGISTRY.keys()].sort();
}

/** The factory for a model kind (create with params, load an artefact). */
export function modelFactory(kind: string): ModelFactory {
  const f = REGISTRY.get(kind);
  if (!f) {
    throw new QuantError('ML_UNKNOWN_MODEL_KIND', `unknown model kind ${kind}; known kinds: ${modelKinds().join(', ')}`, { details: { kind } });
  }
  return f;
}
