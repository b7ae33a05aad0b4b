import { QuantError } from '@quant/errors';
import type { ModelDescriptor, ModelSource } from './inference.ports';
import type { Scorer } from './scoring/scorer.port';
import type { ServedModelSpec } from './served-model';
import { servedModelSpec } from './served-model';

export interface LoadedModel {
  spec: ServedModelSpec;
  /** Session key in the scorer (unique per set generation, so an old and a new set never share one). */
  key: string;
}

/** The name a set answers under when it averages several models. */
export const ENSEMBLE_NAME = 'ensemble';

/**
 * Models loaded together and served as one unit: the production set (the ensemble) or a version
 * asked for by name. Requests hold it (acquire/release) while they score; a swap installs a new set
 * and retires the old one, whose sessions are released only once its last request has finished.
 */
export class ModelSet {
  private inflight = 0;
  private idle: (() => void) | undefined;
  private retired = false;
  /** Per-day state of this set (features processed, day scores), filled on first use. */
  readonly days = new Map<string, Promise<unknown>>();

  private constructor(
    readonly generation: number,
    readonly models: readonly LoadedModel[],
    private readonly scorer: Scorer,
  ) {}

  /** Loads every model's artefacts and ONNX session; on failure, what was loaded is released. */
  static async load(generation: number, descriptors: readonly ModelDescriptor[], source: ModelSource, scorer: Scorer): Promise<ModelSet> {
    if (descriptors.length === 0) throw new QuantError('INFERENCE_NO_MODEL', 'no model to serve: promote a model to production (or name one in the request)');
    const loaded: LoadedModel[] = [];
    try {
      for (const d of [...descriptors].sort((a, b) => a.name.localeCompare(b.name))) {
        const artefacts = await source.artefacts(d);
        const spec = servedModelSpec(d, artefacts.metadata);
        const key = `g${generation}:${d.name}@${d.version}`;
        await scorer.load(key, artefacts.onnx);
        loaded.push({ spec, key });
      }
    } catch (error) {
      await Promise.allSettled(loaded.map((m) => scorer.unload(m.key)));
      throw error;
    }
    return new ModelSet(generation, loaded, scorer);
  }

  /** `name@version` of each model, sorted: equal signatures mean the same production set. */
  get signature(): string {
    return this.models.map((m) => `${m.spec.name}@${m.spec.version}`).join('+');
  }

  acquire(): void {
    if (this.retired) throw new QuantError('INFERENCE_SET_RETIRED', `model set ${this.signature} was retired`, { retriable: true });
    this.inflight++;
  }

  release(): void {
    this.inflight--;
    if (this.inflight === 0) this.idle?.();
  }

  /** Waits for the requests holding the set, then releases its sessions. */
  async retire(): Promise<void> {
    this.retired = true;
    if (this.inflight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    this.days.clear();
    await Promise.allSettled(this.models.map((m) => this.scorer.unload(m.key)));
  }

  get busy(): number {
    return this.inflight;
  }
}
