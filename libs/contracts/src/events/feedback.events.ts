// Hand-written mirrors of proto/avro/quant/feedback/v1/*.avsc.

/** quant.feedback.v1.FeedbackSubject. A subject added later reads as OTHER. */
export type FeedbackSubject = 'PREDICTION' | 'RECOMMENDATION' | 'MODEL' | 'INSTRUMENT' | 'OTHER';

/** quant.feedback.v1.FeedbackRole */
export type FeedbackRole = 'USER' | 'EXPERT';

/** quant.feedback.v1.Feedback: a user's or expert's judgement. */
export interface Feedback {
  eventId: string;
  subjectType: FeedbackSubject;
  /** Prediction eventId, recommendation listId, 'model@version' or instrument code. */
  subjectId: string;
  code: string | null;
  userId: string;
  role: FeedbackRole;
  /** 1..5 */
  rating: number | null;
  /** -1 down, 0 flat, 1 up. */
  expectedDirection: number | null;
  /** In [0, 1]. */
  confidence: number | null;
  comment: string | null;
  /** Epoch ms. */
  createdAt: number;
}

/** quant.feedback.v1.Outcome: the realised result of a signal, with A-share tradability. */
export interface Outcome {
  eventId: string;
  code: string;
  /** Signal day T, YYYY-MM-DD. */
  date: string;
  horizonDays: number;
  entryDate: string | null;
  exitDate: string | null;
  entryPrice: number | null;
  exitPrice: number | null;
  /** Null when entry was impossible. */
  realisedReturn: number | null;
  benchmark: string | null;
  benchmarkReturn: number | null;
  excessReturn: number | null;
  tradable: boolean;
  /** 'suspended', 'limit-up' or 'limit-down'. */
  untradableReason: string | null;
  predictionEventId: string | null;
  recommendationListId: string | null;
  modelName: string | null;
  modelVersion: string | null;
  /** Epoch ms. */
  computedAt: number;
}
