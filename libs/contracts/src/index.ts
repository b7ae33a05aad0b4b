export type { DailyBar, Quote, TradingPhase, FundamentalSnapshot } from './events/market.events';
export type { NewsItem } from './events/news.events';
export type { FeaturesReady, FeatureVector } from './events/features.events';
export type { Prediction, RecommendationList, RecommendationItem, RecommendationAction, ExcludedCandidate } from './events/inference.events';
export type { Feedback, FeedbackSubject, FeedbackRole, Outcome } from './events/feedback.events';
export type { ModelLifecycle, ModelStage, RetrainTrigger, RetrainReason } from './events/models.events';
export type { Alert, AlertSeverity, AlertStatus } from './events/monitoring.events';
export type { DeadLetter, DeadLetterEvent } from './events/platform.events';

export { Topics, allTopics, topicByName } from './topics';
export type { TopicDefinition, TopicKey, EventOf } from './topics';

export { createSerde, serdeFor, readFingerprint, SINGLE_OBJECT_MAGIC, SINGLE_OBJECT_HEADER_LENGTH } from './avro.serde';
export type { EventSerde } from './avro.serde';

export { deadLetterCodec, deadLetterEventId } from './dead-letter.codec';

export { SchemaCatalog, compileSchema, parseSchema, canonicalForm, defaultCatalog, DEFAULT_AVRO_DIR, HISTORY_DIR } from './schema-catalog';
export type { SchemaVersion } from './schema-catalog';
export { readProblem, evolutionProblems, historyProblems } from './schema-compatibility';
export { rabinFingerprint64, rabinFingerprintAsLong } from './rabin-fingerprint';
export { ContractErrorCode } from './contract-errors';

export { eventExamples } from './event-examples';
export type { EventExamples } from './event-examples';
