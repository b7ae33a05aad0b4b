// Hand-written mirrors of proto/avro/quant/models/v1/*.avsc.

/** quant.models.v1.ModelStage. A stage added later reads as CANDIDATE (never served). */
export type ModelStage = 'CANDIDATE' | 'PRODUCTION' | 'ARCHIVED';

/** quant.models.v1.ModelLifecycle: a model version entered a stage, with its lineage. */
export interface ModelLifecycle {
  eventId: string;
  modelName: string;
  modelVersion: string;
  stage: ModelStage;
  previousStage: ModelStage | null;
  parentVersion: string | null;
  trainingRunId: string;
  algorithm: string;
  featureSet: string;
  featureSetVersion: string;
  /** Target definition. */
  label: string;
  /** YYYY-MM-DD */
  trainStart: string;
  /** YYYY-MM-DD */
  trainEnd: string;
  validStart: string | null;
  validEnd: string | null;
  datasetHash: string;
  artifactUri: string;
  artifactSha256: string;
  /** Validation metrics by name (ic, rankIc, icir...). */
  metrics: Record<string, number>;
  reason: string | null;
  actor: string;
  /** Epoch ms. */
  occurredAt: number;
}

/** quant.models.v1.RetrainReason. A reason added later reads as OTHER. */
export type RetrainReason = 'ACCURACY_DROP' | 'NEW_SAMPLES' | 'REGIME_CHANGE' | 'SCHEDULE' | 'MANUAL' | 'OTHER';

/** quant.models.v1.RetrainTrigger: a request to retrain a model, with the evidence. */
export interface RetrainTrigger {
  eventId: string;
  modelName: string;
  currentVersion: string | null;
  reason: RetrainReason;
  detail: string | null;
  metric: string | null;
  observedValue: number | null;
  threshold: number | null;
  newSampleCount: number | null;
  /** YYYY-MM-DD */
  dataUntil: string | null;
  requestedBy: string;
  /** Epoch ms. */
  triggeredAt: number;
}
