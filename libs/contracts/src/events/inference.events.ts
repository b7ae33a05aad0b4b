// Hand-written mirrors of proto/avro/quant/inference/v1/*.avsc.

/** quant.inference.v1.Prediction: a score formed at the close of `date`, tradable from the next day. */
export interface Prediction {
  eventId: string;
  requestId: string | null;
  code: string;
  /** Signal day T, YYYY-MM-DD. */
  date: string;
  horizonDays: number;
  score: number;
  expectedReturn: number | null;
  probabilityUp: number | null;
  /** 1-based within the universe. */
  rank: number | null;
  universe: string | null;
  modelName: string;
  modelVersion: string;
  featureSet: string;
  featureSetVersion: string;
  /** Epoch ms. */
  predictedAt: number;
}

/** quant.inference.v1.RecommendationAction. An action added later reads as HOLD. */
export type RecommendationAction = 'BUY' | 'HOLD' | 'SELL';

/** quant.inference.v1.RecommendationItem */
export interface RecommendationItem {
  code: string;
  /** 1-based. */
  rank: number;
  score: number;
  action: RecommendationAction;
  /** Fraction of equity. */
  targetWeight: number;
  expectedReturn: number | null;
  /** False when the order is expected to be unfillable (suspended, limit-up buy, limit-down sell). */
  tradable: boolean;
  /** Human-readable; the fields below carry the same facts structured. */
  note: string | null;
  /** Rank percentile of the score on T in (0, 1], highest = 1. Since r2. */
  percentile: number | null;
  /** Calibrated P(return over the horizon beats the benchmark's). Since r2. */
  probabilityBeatBenchmark: number | null;
  /** Calibrated expected excess return over the benchmark, fraction over the horizon. Since r2. */
  expectedExcessReturn: number | null;
  /** Std of the last 20 daily returns up to T. Since r2. */
  volatility20d: number | null;
  /** Tradability flags at T+1 (not-listed, delisted, suspended, st, up-limit, down-limit). Since r2. */
  flags: string[];
  /** Why `tradable` is false; null when tradable. Since r2. */
  exclusionReason: string | null;
}

/** quant.inference.v1.ExcludedCandidate: a candidate skipped because it cannot be bought at T+1. Since r2. */
export interface ExcludedCandidate {
  code: string;
  /** 1-based rank of the score on T. */
  rank: number;
  score: number;
  flags: string[];
  reason: string;
}

/** quant.inference.v1.RecommendationList: a strategy's ranked list for the day after the signal day. */
export interface RecommendationList {
  eventId: string;
  listId: string;
  strategy: string;
  /** Signal day T, YYYY-MM-DD. */
  date: string;
  /** T+1, YYYY-MM-DD. */
  tradeDate: string;
  universe: string;
  modelName: string;
  modelVersion: string;
  items: RecommendationItem[];
  /** Epoch ms. */
  generatedAt: number;
  /** Since r2 (r1 carried them as untradable HOLD items). */
  excluded: ExcludedCandidate[];
}
