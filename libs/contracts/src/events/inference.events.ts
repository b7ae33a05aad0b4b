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
  note: string | null;
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
}
