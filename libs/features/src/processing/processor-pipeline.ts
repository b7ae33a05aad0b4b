import { QuantError } from '@quant/errors';
import { CrossSectionalRank, CrossSectionalRobustZScore, CrossSectionalZScore } from './cross-sectional.processor';
import { FillMissing } from './fill-missing.processor';
import { RobustZScore, Winsorize, ZScore } from './fitted.processor';
import type { Panel } from './panel';
import { assertTrainingPanel, copyPanel } from './processor.port';
import type { Processor, ProcessorState } from './processor.port';

export const PIPELINE_FORMAT = 'quant.processor-pipeline.v1';

export interface ProcessorPipelineState {
  format: typeof PIPELINE_FORMAT;
  steps: ProcessorState[];
}

/** Rebuilds one processor, fitted state included, from its JSON. */
export function processorFromJSON(state: ProcessorState): Processor {
  const features = state.features ? { features: state.features } : {};
  switch (state.kind) {
    case 'cs-zscore':
      return new CrossSectionalZScore(features);
    case 'cs-rank':
      return new CrossSectionalRank(features);
    case 'cs-robust-zscore':
      return new CrossSectionalRobustZScore({ ...features, clip: state.clip });
    case 'robust-zscore':
      return RobustZScore.fromState(state);
    case 'zscore':
      return ZScore.fromState(state);
    case 'winsorize':
      return Winsorize.fromState(state);
    case 'fill-missing':
      return FillMissing.fromState(state);
    default:
      throw new QuantError('PROCESSOR_STATE_INVALID', `unknown processor kind "${String((state as { kind?: unknown }).kind)}"`);
  }
}

/**
 * Steps applied in order. fit() fits each step on the training panel as transformed by the steps before
 * it (so a winsorise-then-z-score pipeline learns its z-score on winsorised data), exactly as apply()
 * will later feed it. apply() never refits.
 */
export class ProcessorPipeline {
  readonly steps: readonly Processor[];

  constructor(steps: readonly Processor[]) {
    this.steps = [...steps];
  }

  get isFitted(): boolean {
    return this.steps.every((s) => s.isFitted);
  }

  fit(train: Panel): this {
    assertTrainingPanel(train, 'ProcessorPipeline');
    const work = copyPanel(train);
    for (const step of this.steps) {
      step.fit(work);
      step.transformInPlace(work);
    }
    return this;
  }

  apply(panel: Panel): Panel {
    const notFitted = this.steps.find((s) => !s.isFitted);
    if (notFitted) throw new QuantError('PROCESSOR_NOT_FITTED', `pipeline step ${notFitted.kind} is not fitted: call fit(trainingPanel) first`);
    const out = copyPanel(panel);
    for (const step of this.steps) step.transformInPlace(out);
    return out;
  }

  toJSON(): ProcessorPipelineState {
    return { format: PIPELINE_FORMAT, steps: this.steps.map((s) => s.toJSON()) };
  }

  static fromJSON(json: unknown): ProcessorPipeline {
    const state = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
    if (!state || typeof state !== 'object' || (state as { format?: unknown }).format !== PIPELINE_FORMAT || !Array.isArray((state as { steps?: unknown }).steps)) {
      throw new QuantError('PROCESSOR_STATE_INVALID', `not a processor pipeline state (expected {"format":"${PIPELINE_FORMAT}","steps":[...]})`);
    }
    return new ProcessorPipeline((state as ProcessorPipelineState).steps.map(processorFromJSON));
  }
}
