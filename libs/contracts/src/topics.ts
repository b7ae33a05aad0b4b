import type { DailyBar, FundamentalSnapshot, Quote } from './events/market.events';
import type { NewsItem } from './events/news.events';
import type { FeaturesReady, FeatureVector } from './events/features.events';
import type { Prediction, RecommendationList } from './events/inference.events';
import type { Feedback, Outcome } from './events/feedback.events';
import type { ModelLifecycle, RetrainTrigger } from './events/models.events';
import type { Alert } from './events/monitoring.events';
import type { DeadLetterEvent } from './events/platform.events';

/** A Kafka topic and the one event type it carries. */
export interface TopicDefinition<T> {
  /** quant.<area>.<event>.v<N>: the version follows the schema namespace (a breaking change is a new topic). */
  name: string;
  /** Full Avro record name, e.g. quant.market.v1.DailyBar. */
  schemaName: string;
  partitions: number;
  /** Partitioning key: events with the same key keep their order. */
  key(event: T): string;
  description: string;
}

/** The event type of a topic definition: `EventOf<typeof Topics.dailyBar>` is `DailyBar`. */
export type EventOf<D> = D extends TopicDefinition<infer T> ? T : never;

// Partition counts: per-instrument streams get enough partitions for 2-6 consumers per group
// (about 5,000 A-share instruments spread evenly); low-volume control streams keep few partitions so
// that their per-key order is cheap to reason about.
export const Topics = {
  dailyBar: {
    name: 'quant.market.daily-bar.v1',
    schemaName: 'quant.market.v1.DailyBar',
    partitions: 12,
    key: (e: DailyBar) => e.code,
    description: 'Daily OHLCV bars with raw prices and adjustment factor, one per instrument and trading day.',
  },
  quote: {
    name: 'quant.market.quote.v1',
    schemaName: 'quant.market.v1.Quote',
    partitions: 24,
    key: (e: Quote) => e.code,
    description: 'Real-time level-1 snapshots during trading hours.',
  },
  fundamental: {
    name: 'quant.market.fundamental.v1',
    schemaName: 'quant.market.v1.FundamentalSnapshot',
    partitions: 6,
    key: (e: FundamentalSnapshot) => e.code,
    description: 'Point-in-time valuation and fundamental snapshots, one per instrument and trading day.',
  },
  news: {
    name: 'quant.news.item.v1',
    schemaName: 'quant.news.v1.NewsItem',
    partitions: 6,
    key: (e: NewsItem) => e.newsId,
    description: 'News, announcements and research notes; revisions of a story share its key.',
  },
  featuresReady: {
    name: 'quant.features.ready.v1',
    schemaName: 'quant.features.v1.FeaturesReady',
    partitions: 3,
    key: (e: FeaturesReady) => e.featureSet,
    description: 'A feature set was computed and stored for a trading day; triggers batch inference.',
  },
  featureVector: {
    name: 'quant.features.vector.v1',
    schemaName: 'quant.features.v1.FeatureVector',
    partitions: 12,
    key: (e: FeatureVector) => e.code,
    description: 'Per-instrument feature vectors for streaming inference.',
  },
  prediction: {
    name: 'quant.inference.prediction.v1',
    schemaName: 'quant.inference.v1.Prediction',
    partitions: 12,
    key: (e: Prediction) => e.code,
    description: 'Model scores per instrument and signal day.',
  },
  recommendation: {
    name: 'quant.inference.recommendation.v1',
    schemaName: 'quant.inference.v1.RecommendationList',
    partitions: 3,
    key: (e: RecommendationList) => e.strategy,
    description: 'Ranked recommendation lists per strategy for the next trading day.',
  },
  feedback: {
    name: 'quant.feedback.user-feedback.v1',
    schemaName: 'quant.feedback.v1.Feedback',
    partitions: 6,
    key: (e: Feedback) => e.subjectId,
    description: 'User and expert judgements of predictions, recommendations and models.',
  },
  outcome: {
    name: 'quant.feedback.outcome.v1',
    schemaName: 'quant.feedback.v1.Outcome',
    partitions: 12,
    key: (e: Outcome) => e.code,
    description: 'Realised returns after each signal, with tradability; the labels that close the loop.',
  },
  modelLifecycle: {
    name: 'quant.models.lifecycle.v1',
    schemaName: 'quant.models.v1.ModelLifecycle',
    partitions: 3,
    key: (e: ModelLifecycle) => e.modelName,
    description: 'Model versions entering candidate, production or archived stage, with lineage.',
  },
  retrainTrigger: {
    name: 'quant.models.retrain-trigger.v1',
    schemaName: 'quant.models.v1.RetrainTrigger',
    partitions: 3,
    key: (e: RetrainTrigger) => e.modelName,
    description: 'Requests to retrain a model: accuracy drop, new samples, regime change, schedule or manual.',
  },
  alert: {
    name: 'quant.monitoring.alert.v1',
    schemaName: 'quant.monitoring.v1.Alert',
    partitions: 3,
    key: (e: Alert) => e.alertKey,
    description: 'Alerts raised and resolved by monitoring.',
  },
  deadLetter: {
    name: 'quant.dead-letter.v1',
    schemaName: 'quant.platform.v1.DeadLetter',
    partitions: 6,
    key: (e: DeadLetterEvent) => e.sourceTopic,
    description: 'Messages consumers could not handle, with the reason, for inspection and replay.',
  },
} as const satisfies Record<string, TopicDefinition<never>>;

export type TopicKey = keyof typeof Topics;

/** Every topic definition, in declaration order. */
export function allTopics(): TopicDefinition<unknown>[] {
  return Object.values(Topics) as unknown as TopicDefinition<unknown>[];
}

/** The topic definition with a given Kafka name; undefined when the platform has none. */
export function topicByName(name: string): TopicDefinition<unknown> | undefined {
  return allTopics().find((t) => t.name === name);
}
