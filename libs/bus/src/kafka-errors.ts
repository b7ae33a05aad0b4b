/**
 * kafkajs errors -> QuantError. kafkajs already knows whether a retry can help (`retriable`, set from
 * the Kafka protocol's error table); we keep that flag and give a stable code for logs and dead letters.
 */
import { QuantError } from '@quant/errors';

function codeFor(error: { name?: unknown; type?: unknown }): string {
  if (typeof error.type === 'string' && error.type.length > 0) return `KAFKA_${error.type}`;
  const name = typeof error.name === 'string' ? error.name : 'Error';
  // KafkaJSConnectionError -> KAFKA_CONNECTION_ERROR
  const bare = name.replace(/^KafkaJS/, '') || 'ERROR';
  return `KAFKA_${bare.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

export function fromKafkaError(error: unknown, action: string): QuantError {
  if (error instanceof QuantError) return error;
  if (error instanceof Error) {
    const retriable = (error as { retriable?: unknown }).retriable === true;
    return new QuantError(codeFor(error as { name?: unknown; type?: unknown }), `${action}: ${error.message}`, {
      retriable,
      cause: error,
      details: { kafkaError: error.name },
    });
  }
  return new QuantError('KAFKA_UNKNOWN', `${action}: ${String(error)}`, { cause: error });
}
