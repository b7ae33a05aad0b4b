import type { CalibratedScore, ScoreCalibration } from '@quant/evaluation';

/**
 * What the inference engine reads from the rest of the platform. A runtime lib may not import another
 * one, so the service and the CLI wire the model registry, the feature store and the market data
 * repository behind these ports (see services/inference), and tests pass in-memory doubles.
 */

/** A registered model version the engine may serve. */
export interface ModelDescriptor {
  name: string;
  version: number;
  kind: string;
  featureSet: string;
  featureSetVersion: string;
}

/** A model's serving files: the ONNX graph and the metadata.json written at registration. */
export interface ModelArtefacts {
  onnx: Uint8Array;
  metadata: Record<string, unknown>;
}

export interface ModelSource {
  /** Every version currently in the production stage (one per name). */
  production(): Promise<ModelDescriptor[]>;
  /** One version in any stage, or null. */
  get(name: string, version: number): Promise<ModelDescriptor | null>;
  artefacts(model: ModelDescriptor): Promise<ModelArtefacts>;
}

export interface StoredFeatures {
  code: string;
  /** The set's columns in storage order; NaN marks a missing value. */
  values: ArrayLike<number>;
}

export interface FeatureReader {
  /** Stored rows of a feature set version on one day for these codes (codes without a row are left out). */
  read(set: string, version: string, codes: readonly string[], date: string): Promise<StoredFeatures[]>;
  /** Last day with stored rows of the set version, or null when there is none. */
  latestDate(set: string, version: string): Promise<string | null>;
}

/** A stored daily bar as the recommendations need it (raw prices, adjustment factor, flags). */
export interface MarketBar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  factor: number | null;
  traded: boolean;
  isST: boolean | null;
}

export interface Listing {
  code: string;
  firstDate: string;
  /** Last day with a bar: a stock suspended today has an earlier one too, so it does not mean delisted. */
  lastDate: string;
  /** First day the instrument no longer trades, where the source says so. */
  delistedOn?: string;
}

export interface MarketReader {
  /** Trading days of the market, ascending. */
  calendar(): Promise<readonly string[]>;
  instruments(): Promise<Listing[]>;
  /** Members of a universe on a day (point in time); empty when the universe is unknown. */
  universeOn(universe: string, date: string): Promise<string[]>;
  /** Bars of one instrument over [from, to], ascending. */
  bars(code: string, from: string, to: string): Promise<MarketBar[]>;
  /** Bars of many instruments over [from, to] in one read, ascending per code; without it, `bars` per code. */
  barsMany?(codes: readonly string[], from: string, to: string): Promise<Map<string, MarketBar[]>>;
}

/** `applyCalibration(cal, percentile)` of @quant/evaluation, percentile the daily cross-sectional rank percentile in (0, 1]. */
export type ApplyCalibration = (calibration: ScoreCalibration, percentile: number) => CalibratedScore;
