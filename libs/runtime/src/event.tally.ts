export interface TopicTally {
  /** Every delivery, redeliveries included. */
  received: number;
  /** Deliveries whose eventId had not been seen (within the memory window). */
  distinct: number;
  duplicates: number;
}

/**
 * Counts events per topic and recognises redeliveries by eventId, remembering the most recent
 * `capacity` ids (insertion-ordered Map as a bounded FIFO) so memory stays flat on a long-running
 * consumer. Placeholder handlers use it until their domain logic lands; durable dedup belongs to
 * the store.
 */
export class EventTally {
  private readonly recent = new Map<string, true>();
  private readonly perTopic = new Map<string, TopicTally>();

  constructor(private readonly capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`EventTally capacity must be a positive integer, got ${capacity}`);
  }

  /** Records one delivery; returns true when the eventId is new. */
  record(topic: string, eventId: string): boolean {
    const tally = this.perTopic.get(topic) ?? { received: 0, distinct: 0, duplicates: 0 };
    this.perTopic.set(topic, tally);
    tally.received += 1;
    const key = `${topic}\u0000${eventId}`;
    if (this.recent.has(key)) {
      tally.duplicates += 1;
      return false;
    }
    tally.distinct += 1;
    this.recent.set(key, true);
    if (this.recent.size > this.capacity) {
      const oldest = this.recent.keys().next();
      if (oldest.done !== true) this.recent.delete(oldest.value);
    }
    return true;
  }

  seen(topic: string, eventId: string): boolean {
    return this.recent.has(`${topic}\u0000${eventId}`);
  }

  of(topic: string): TopicTally {
    return { ...(this.perTopic.get(topic) ?? { received: 0, distinct: 0, duplicates: 0 }) };
  }

  snapshot(): Record<string, TopicTally> {
    return Object.fromEntries([...this.perTopic].map(([topic, t]) => [topic, { ...t }]));
  }
}
