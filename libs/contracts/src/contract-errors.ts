/**
 * Error codes raised by @quant/contracts. None is retriable: retrying the same bytes or the same
 * event gives the same answer, so the bus dead-letters such messages at once.
 */
export const ContractErrorCode = {
  /** The message does not start with the Avro single-object marker 0xC3 0x01. */
  badMagic: 'CONTRACT_BAD_MAGIC',
  /** The message ends before its header or body does. */
  truncated: 'CONTRACT_TRUNCATED',
  /** The writer schema fingerprint is not in the catalog (a newer producer, or foreign data). */
  unknownSchema: 'CONTRACT_UNKNOWN_SCHEMA',
  /** The writer schema is known but is another record (e.g. a news item on the bar topic). */
  schemaMismatch: 'CONTRACT_SCHEMA_MISMATCH',
  /** The writer schema cannot be resolved to the reader schema (an incompatible change). */
  incompatibleSchema: 'CONTRACT_INCOMPATIBLE_SCHEMA',
  /** The body does not decode under the writer schema (corrupt bytes or trailing data). */
  corruptPayload: 'CONTRACT_CORRUPT_PAYLOAD',
  /** An event given to encode does not conform to its schema. */
  invalidEvent: 'CONTRACT_INVALID_EVENT',
  /** A schema file is unreadable, malformed, misplaced or inconsistent with its history. */
  badSchema: 'CONTRACT_BAD_SCHEMA',
} as const;

export type ContractErrorCode = (typeof ContractErrorCode)[keyof typeof ContractErrorCode];
