/**
 * In-process bus: the unit-test double and the embedded default of the one-process `quant` command.
 * It keeps Kafka's semantics where they matter to handlers: partitions chosen by the same key hash,
 * one owner per partition within a consumer group, committed offsets per group and partition,
 * at-least-once redelivery of what was not committed, and the same retry / dead-letter rules (shared
 * code in batch-processor.ts). Messages live in memory only.
 */
import { QuantError, describeError } from '@quant/errors';
import { DEFAULT_DEAD_LETTER_TOPIC } from './bus.port';
import type {
  BusMessage,
  DeadLetterCodec,
  DeadLetterRecord,
  Headers,
  MessageBus,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
  TopicSpec,
} from './bus.port';
import { processPartitionMessages, resolveSubscribeOptions, sleep } from './batch-processor';
import type { PartitionDriver, ResolvedSubscribeOptions } from './batch-processor';
import { jsonDeadLetterCodec } from './json-dead-letter.codec';
import { assertOutgoing, assertTopicName, assertTopicSpecs } from './message-validation';
import { partitionForKey } from './partitioner';
import { traceHeaders, withTraceHeaders } from './trace-context';

export interface InProcessBusOptions {
  deadLetterCodec?: DeadLetterCodec;
  /**
   * Retention: the oldest messages of a partition are dropped beyond this count (a group behind them
   * resumes at the oldest retained one, as with Kafka retention). Default: keep everything.
   */
  maxMessagesPerPartition?: number;
  /**
   * Drop messages once every consumer group subscribed to their topic has committed past them.
   * For one-process pipelines (the `quant` command) whose consumers all exist before the data flows:
   * memory then follows the consumer lag, not the volume. A group that subscribes later starts at the
   * oldest message still held. Default false (keep, as Kafka's time retention would).
   */
  trimConsumed?: boolean;
  /** Errors the bus cannot hand to a caller (a dead letter that could not be encoded). Default: console.error. */
  onError?: (error: unknown, where: string) => void;
}

/**
 * Stored once, frozen, and handed to every delivery as is: a handler cannot alter what a redelivery or
 * another group sees, and delivering costs no copy.
 */
type StoredMessage = Readonly<BusMessage>;

class PartitionLog {
  private messages: StoredMessage[] = [];
  private base = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly maxMessages: number) {}

  get startOffset(): number {
    return this.base;
  }

  get endOffset(): number {
    return this.base + this.messages.length;
  }

  append(topic: string, partition: number, key: string | null, value: Buffer, headers: Headers, timestamp: number): void {
    const offset = String(this.endOffset);
    this.messages.push(Object.freeze({ topic, partition, offset, key, value, headers: Object.freeze(headers), timestamp }));
    // Trim in steps so retention costs O(1) amortised per message.
    if (this.messages.length > this.maxMessages + Math.max(1, this.maxMessages >> 2)) {
      const drop = this.messages.length - this.maxMessages;
      this.messages = this.messages.slice(drop);
      this.base += drop;
    }
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }

  /** Forgets messages before `offset`, in steps so trimming costs O(1) amortised per message. */
  trimTo(offset: number): void {
    const drop = Math.min(offset, this.endOffset) - this.base;
    if (drop < Math.max(1024, this.messages.length >> 2)) return;
    this.messages = this.messages.slice(drop);
    this.base += drop;
  }

  read(from: number, max: number): StoredMessage[] {
    const index = Math.max(0, from - this.base);
    return this.messages.slice(index, index + max);
  }

  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

interface Topic {
  name: string;
  partitions: PartitionLog[];
  roundRobin: number;
}

interface Member {
  id: number;
  topics: Set<string>;
  options: ResolvedSubscribeOptions;
  fromBeginning: boolean;
  controller: AbortController;
  abandon: () => void;
  abandoned: Promise<void>;
  stopping: boolean;
  inFlight: Set<Promise<unknown>>;
}

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

class Group {
  readonly members: Member[] = [];
  readonly committed = new Map<string, number>();
  readonly assignment = new Map<string, Member>();
  readonly workers = new Map<string, PartitionWorker>();

  constructor(
    readonly id: string,
    private readonly bus: InProcessBus,
  ) {}

  /** Round-robin of every subscribed partition over the live members, in join order. */
  rebalance(): void {
    const live = this.members.filter((m) => !m.stopping);
    const wanted = new Set<string>();
    this.assignment.clear();
    const topics = [...new Set(this.members.flatMap((m) => [...m.topics]))].sort();
    let turn = 0;
    for (const name of topics) {
      const topic = this.bus.topic(name);
      if (!topic) continue;
      const eligible = live.filter((m) => m.topics.has(name));
      for (let p = 0; p < topic.partitions.length; p++) {
        const key = tpKey(name, p);
        wanted.add(key);
        if (eligible.length > 0) this.assignment.set(key, eligible[turn++ % eligible.length]!);
        if (!this.workers.has(key)) {
          const worker = new PartitionWorker(this.bus, this, name, p, topic.partitions[p]!);
          this.workers.set(key, worker);
          void worker.run();
        }
      }
    }
    for (const [key, worker] of this.workers) {
      if (!wanted.has(key)) {
        this.workers.delete(key);
        worker.retire();
      }
    }
    for (const worker of this.workers.values()) worker.notify();
  }
}

/** The single loop that feeds one partition to its current owner in the group: no two batches of a partition ever overlap. */
class PartitionWorker {
  private wake: (() => void) | undefined;
  private retired = false;
  private readonly unlisten: () => void;

  constructor(
    private readonly bus: InProcessBus,
    private readonly group: Group,
    private readonly topic: string,
    private readonly partition: number,
    private readonly log: PartitionLog,
  ) {
    this.unlisten = log.listen(() => this.notify());
  }

  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  retire(): void {
    this.retired = true;
    this.unlisten();
    this.notify();
  }

  private waitForChange(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  async run(): Promise<void> {
    const key = tpKey(this.topic, this.partition);
    while (!this.retired) {
      const owner = this.group.assignment.get(key);
      if (!owner || owner.stopping) {
        await this.waitForChange();
        continue;
      }
      let position = this.group.committed.get(key);
      if (position === undefined) {
        // auto.offset.reset; recorded at once so a later owner never skips what arrived in between.
        position = owner.fromBeginning ? this.log.startOffset : this.log.endOffset;
        this.group.committed.set(key, position);
      }
      if (position >= this.log.endOffset) {
        await this.waitForChange();
        continue;
      }
      const messages = this.log.read(position, owner.options.maxBatchSize) as BusMessage[];
      const work = processPartitionMessages(this.driverFor(owner, key), messages);
      owner.inFlight.add(work);
      try {
        await work;
      } catch (error) {
        // Nothing past the last commit was acknowledged: report, back off, and redeliver (Kafka's consumer restart).
        this.bus.reportError(error, `consumer group ${this.group.id} on ${this.topic}[${this.partition}]`);
        await sleep(1000, owner.controller.signal);
      } finally {
        owner.inFlight.delete(work);
      }
    }
  }

  private driverFor(owner: Member, key: string): PartitionDriver {
    return {
      options: owner.options,
      signal: owner.controller.signal,
      abandoned: owner.abandoned,
      isActive: () => !this.retired && !owner.stopping && this.group.assignment.get(key) === owner,
      commit: async (message) => {
        const next = Number(message.offset) + 1;
        if (next > (this.group.committed.get(key) ?? -1)) this.group.committed.set(key, next);
        this.bus.trimConsumed(this.topic, this.partition);
      },
      deadLetter: async (record) => this.bus.publishDeadLetter(owner.options.deadLetterTopic, record),
    };
  }
}

class InProcessBus implements MessageBus {
  readonly kind = 'in-process' as const;
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new Map<string, Group>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly codec: DeadLetterCodec;
  private readonly maxMessagesPerPartition: number;
  private readonly trimConsumedMessages: boolean;
  private readonly onError: (error: unknown, where: string) => void;
  private nextMemberId = 1;
  private closed = false;

  constructor(options: InProcessBusOptions) {
    this.codec = options.deadLetterCodec ?? jsonDeadLetterCodec;
    const max = options.maxMessagesPerPartition ?? Number.POSITIVE_INFINITY;
    if (!(max >= 1)) throw new RangeError(`createInProcessBus: maxMessagesPerPartition must be >= 1, got ${String(max)}`);
    this.maxMessagesPerPartition = max;
    this.trimConsumedMessages = options.trimConsumed ?? false;
    this.onError =
      options.onError ??
      ((error, where) => {
        const { code, message } = describeError(error);
        console.error(`[@quant/bus in-process] ${where}: ${code}: ${message}`);
      });
  }

  topic(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  reportError(error: unknown, where: string): void {
    this.onError(error, where);
  }

  private assertOpen(where: string): void {
    if (this.closed) throw new QuantError('BUS_CLOSED', `${where}: the in-process bus is closed`);
  }

  private createTopic(name: string, partitions: number): Topic {
    const existing = this.topics.get(name);
    if (existing) return existing;
    const topic: Topic = {
      name,
      partitions: Array.from({ length: partitions }, () => new PartitionLog(this.maxMessagesPerPartition)),
      roundRobin: Math.floor(Math.random() * partitions),
    };
    this.topics.set(name, topic);
    for (const group of this.groups.values()) {
      if (group.members.some((m) => m.topics.has(name))) group.rebalance();
    }
    return topic;
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    this.assertOpen('ensureTopics');
    assertTopicSpecs(topics, 'ensureTopics');
    for (const spec of topics) this.createTopic(spec.name, spec.partitions);
  }

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    this.assertOpen(`publish(${String(topic)})`);
    assertTopicName(topic, 'publish');
    assertOutgoing(topic, messages);
    this.append(topic, messages, traceHeaders());
  }

  private append(name: string, messages: OutgoingMessage[], trace: Headers): void {
    const topic = this.createTopic(name, 1);
    const n = topic.partitions.length;
    const touched = new Set<PartitionLog>();
    const timestamp = Date.now();
    for (const m of messages) {
      const partition = m.key === null ? topic.roundRobin++ % n : partitionForKey(m.key, n);
      const log = topic.partitions[partition]!;
      // Copied: a publisher reusing its buffer or headers must not rewrite what was "sent".
      log.append(name, partition, m.key, Buffer.from(m.value), withTraceHeaders(m.headers, trace), timestamp);
      touched.add(log);
    }
    for (const log of touched) log.notify();
  }

  /** With trimConsumed: drops what every group subscribed to the topic has committed. */
  trimConsumed(topicName: string, partition: number): void {
    if (!this.trimConsumedMessages) return;
    const log = this.topics.get(topicName)?.partitions[partition];
    if (!log) return;
    const key = tpKey(topicName, partition);
    let low = Number.POSITIVE_INFINITY;
    for (const group of this.groups.values()) {
      if (!group.members.some((m) => m.topics.has(topicName))) continue;
      const committed = group.committed.get(key);
      // A subscribed group that has not started on this partition yet may still want all of it.
      if (committed === undefined) return;
      low = Math.min(low, committed);
    }
    if (Number.isFinite(low)) log.trimTo(low);
  }

  /** Dead letters bypass the closed check: they are written by stopping subscriptions. */
  async publishDeadLetter(topic: string, record: DeadLetterRecord): Promise<void> {
    const value = this.codec.encode(record);
    this.append(topic, [{ key: record.key, value, headers: record.headers }], {});
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.assertOpen(`subscribe(${String(options?.groupId)})`);
    const resolved = resolveSubscribeOptions(options, DEFAULT_DEAD_LETTER_TOPIC);
    if (!Array.isArray(options.topics) || options.topics.length === 0) {
      throw new TypeError(`subscribe(${options.groupId}): topics must be a non-empty array`);
    }
    for (const t of options.topics) assertTopicName(t, `subscribe(${options.groupId})`);
    assertTopicName(resolved.deadLetterTopic, `subscribe(${options.groupId}) deadLetterTopic`);
    for (const t of options.topics) this.createTopic(t, 1);

    let group = this.groups.get(resolved.groupId);
    if (!group) {
      group = new Group(resolved.groupId, this);
      this.groups.set(resolved.groupId, group);
    }
    let abandon!: () => void;
    const abandoned = new Promise<void>((resolve) => {
      abandon = resolve;
    });
    const member: Member = {
      id: this.nextMemberId++,
      topics: new Set(options.topics),
      options: resolved,
      fromBeginning: options.fromBeginning ?? true,
      controller: new AbortController(),
      abandon,
      abandoned,
      stopping: false,
      inFlight: new Set(),
    };
    group.members.push(member);
    group.rebalance();

    const joined = group;
    let stopped: Promise<void> | undefined;
    const subscription: Subscription = {
      stop: () => {
        stopped ??= (async () => {
          member.stopping = true;
          member.controller.abort();
          joined.rebalance();
          const timer = setTimeout(member.abandon, resolved.shutdownTimeoutMs);
          try {
            await Promise.allSettled([...member.inFlight]);
          } finally {
            clearTimeout(timer);
          }
          joined.members.splice(joined.members.indexOf(member), 1);
          joined.rebalance();
          this.subscriptions.delete(subscription);
        })();
        return stopped;
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    this.closed = true;
    for (const group of this.groups.values()) {
      for (const worker of group.workers.values()) worker.retire();
      group.workers.clear();
    }
  }
}

export function createInProcessBus(options: InProcessBusOptions = {}): MessageBus {
  return new InProcessBus(options);
}
