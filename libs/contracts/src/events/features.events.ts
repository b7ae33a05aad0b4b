// Hand-written mirrors of proto/avro/quant/features/v1/*.avsc.

/** quant.features.v1.FeaturesReady: a feature set was computed and stored for a trading day. */
export interface FeaturesReady {
  eventId: string;
  featureSet: string;
  featureSetVersion: string;
  /** YYYY-MM-DD, features as of its close. */
  date: string;
  instrumentCount: number;
  /** In storage order. */
  featureNames: string[];
  /** e.g. a ClickHouse table name. */
  location: string;
  dataHash: string | null;
  durationMs: number | null;
  /** Epoch ms. */
  computedAt: number;
}

/** quant.features.v1.FeatureVector: one instrument's features on one day, for streaming inference. */
export interface FeatureVector {
  eventId: string;
  code: string;
  /** YYYY-MM-DD */
  date: string;
  featureSet: string;
  featureSetVersion: string;
  names: string[];
  /** Same order as names; NaN marks a missing value. */
  values: number[];
  /** Epoch ms. */
  computedAt: number;
}
