// Hand-written mirror of proto/avro/quant/platform/v1/DeadLetter.avsc.

/**
 * A message a consumer could not handle. Structurally identical to `DeadLetterRecord` of @quant/bus,
 * so `deadLetterCodec` plugs into the bus without either lib importing the other.
 */
export interface DeadLetter {
  sourceTopic: string;
  partition: number | null;
  /** Decimal string: Kafka offsets exceed 2^53. */
  offset: string | null;
  key: string | null;
  payload: Buffer;
  headers: Record<string, string>;
  errorCode: string;
  reason: string;
  attempts: number;
  consumerGroup: string;
  /** Epoch ms. */
  failedAt: number;
}

/** quant.platform.v1.DeadLetter as it travels: the record plus its derived idempotency key. */
export interface DeadLetterEvent extends DeadLetter {
  eventId: string;
}
