export { DEFAULT_DEAD_LETTER_TOPIC, HEADER } from './bus.port';
export type {
  BatchHandler,
  BusMessage,
  DeadLetterCodec,
  DeadLetterRecord,
  HandlerContext,
  Headers,
  MessageBus,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
  TopicSpec,
} from './bus.port';
export { createInProcessBus } from './in-process-bus.adapter';
export type { InProcessBusOptions } from './in-process-bus.adapter';
export { createKafkaBus } from './kafka-bus.adapter';
export type { KafkaBusOptions, KafkaConsumerTuning } from './kafka-bus.adapter';
export { jsonDeadLetterCodec } from './json-dead-letter.codec';
export { fromKafkaError } from './kafka-errors';
export { murmur2, partitionForKey } from './partitioner';
export { traceContextOf, traceHeaders } from './trace-context';
