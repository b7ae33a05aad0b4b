import type { OutgoingMessage, TopicSpec } from './bus.port';

// Kafka's own rule for topic names; the in-process bus applies it too so a name that works in tests works on a broker.
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function assertTopicName(name: unknown, where: string): asserts name is string {
  if (typeof name !== 'string' || !TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw new TypeError(`${where}: invalid topic name ${JSON.stringify(name)} (1-249 characters of [a-zA-Z0-9._-])`);
  }
}

export function assertTopicSpecs(topics: TopicSpec[], where: string): void {
  if (!Array.isArray(topics)) throw new TypeError(`${where}: topics must be an array`);
  for (const spec of topics) {
    assertTopicName(spec?.name, where);
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
      throw new RangeError(`${where}: topic ${spec.name}: partitions must be a positive integer, got ${String(spec.partitions)}`);
    }
  }
}

export function assertOutgoing(topic: string, messages: OutgoingMessage[]): void {
  const where = `publish(${topic})`;
  if (!Array.isArray(messages)) throw new TypeError(`${where}: messages must be an array`);
  messages.forEach((m, i) => {
    if (m === null || typeof m !== 'object') throw new TypeError(`${where}: message ${i} is not an object`);
    if (m.key !== null && typeof m.key !== 'string') throw new TypeError(`${where}: message ${i}: key must be a string or null`);
    if (!Buffer.isBuffer(m.value)) throw new TypeError(`${where}: message ${i}: value must be a Buffer`);
    if (m.headers !== undefined) {
      for (const [name, value] of Object.entries(m.headers)) {
        if (typeof value !== 'string') throw new TypeError(`${where}: message ${i}: header ${name} must be a string`);
      }
    }
  });
}
