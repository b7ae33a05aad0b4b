import type { FeaturesReady } from '@quant/contracts';
import type { JsonLogger } from '@quant/runtime';

export interface ReadyTrackerOptions {
  set: string;
  version: string;
  names: readonly string[];
  /** Instruments a day must have before it is complete; null when unknown (the quiet rule alone applies). */
  expectedOn(date: string): Promise<ReadonlySet<string> | null>;
  /** Rows of the set version stored for the day (this service's and any batch build's). */
  storedCount(date: string): Promise<number>;
  publish(event: FeaturesReady): Promise<void>;
  quietMs: number;
  log: JsonLogger;
  now?: () => number;
}

interface DayState {
  codes: Set<string>;
  expected: ReadonlySet<string> | null;
  /** Expected instruments still without a row. */
  missing: number;
  /** Rows seen when the day was last published (0: never). */
  published: number;
  /** Published once complete: later rows only republish after a quiet period. */
  announcedComplete: boolean;
  firstRowAt: number;
  timer: NodeJS.Timeout | undefined;
}

/** Days kept in memory: corrections a few days back still republish, older ones are forgotten. */
const DAYS_KEPT = 10;

/**
 * When to announce a day's features. The rule:
 * - complete: as soon as every expected instrument of the day has its row stored (expected = the
 *   members of QUANT_FEATURES_UNIVERSE that day, else the instruments listed that day by the
 *   instruments table), `featuresReady` is published at once;
 * - quiet: otherwise, once `quietMs` pass without a new row for the day, it is published with the
 *   rows there are (instruments that never report, a universe that lags);
 * - rows arriving after a publication (late bars, corrections) publish again after a quiet period,
 *   with the new count: consumers take the latest event of a day.
 * The event id carries the count, so a republication is a new event and a redelivery is the same one.
 */
export class FeaturesReadyTracker {
  private readonly days = new Map<string, DayState>();
  private readonly loading = new Map<string, Promise<DayState>>();
  private closed = false;

  constructor(private readonly options: ReadyTrackerOptions) {}

  /** Records a stored row; publishes when the day became complete (awaited), else (re)arms the quiet timer. */
  async stored(code: string, date: string): Promise<void> {
    const day = await this.day(date);
    if (!day.codes.has(code)) {
      day.codes.add(code);
      if (day.expected?.has(code)) day.missing--;
    }
    if (day.expected !== null && day.missing === 0 && !day.announcedComplete) {
      clearTimeout(day.timer);
      day.timer = undefined;
      await this.publish(date, day);
      return;
    }
    this.arm(date, day);
  }

  /** Stops the timers: a day not yet announced is left to the next run (rows are stored). */
  close(): void {
    this.closed = true;
    for (const day of this.days.values()) clearTimeout(day.timer);
  }

  /** Days published so far with their last row count (tests, health). */
  publishedDays(): Map<string, number> {
    return new Map([...this.days.entries()].filter(([, d]) => d.published > 0).map(([date, d]) => [date, d.published]));
  }

  private async day(date: string): Promise<DayState> {
    const known = this.days.get(date);
    if (known) return known;
    let pending = this.loading.get(date);
    if (pending === undefined) {
      pending = this.options.expectedOn(date).then((expected) => {
        const day: DayState = { codes: new Set(), expected, missing: expected?.size ?? 0, published: 0, announcedComplete: false, firstRowAt: this.now(), timer: undefined };
        this.days.set(date, day);
        this.forgetOldDays();
        return day;
      });
      this.loading.set(date, pending);
      void pending.then(
        () => this.loading.delete(date),
        () => this.loading.delete(date),
      );
    }
    return pending;
  }

  private arm(date: string, day: DayState): void {
    if (this.closed) return;
    clearTimeout(day.timer);
    day.timer = setTimeout(() => {
      day.timer = undefined;
      if (day.codes.size === day.published) return;
      this.publish(date, day).catch((error: unknown) =>
        // A timer has no caller to hand the error to: log it; the next row of the day retries.
        this.options.log.error('features-ready publication failed', error instanceof Error ? error : { error: String(error) }),
      );
    }, this.options.quietMs);
    day.timer.unref?.();
  }

  private async publish(date: string, day: DayState): Promise<void> {
    const rows = day.codes.size;
    const count = await this.options.storedCount(date);
    const { set, version, names } = this.options;
    await this.options.publish({
      eventId: `features-ready:${set}:${version}:${date}:${count}`,
      featureSet: set,
      featureSetVersion: version,
      date,
      instrumentCount: count,
      featureNames: [...names],
      location: 'feature_values',
      dataHash: null,
      durationMs: this.now() - day.firstRowAt,
      computedAt: this.now(),
    });
    day.published = rows;
    if (day.expected !== null && day.missing === 0) day.announcedComplete = true;
    this.options.log.info('features ready', { set, version, date, instrumentCount: count, complete: day.expected !== null && day.missing === 0 });
  }

  private forgetOldDays(): void {
    if (this.days.size <= DAYS_KEPT) return;
    const dates = [...this.days.keys()].sort();
    for (const date of dates.slice(0, dates.length - DAYS_KEPT)) {
      clearTimeout(this.days.get(date)?.timer);
      this.days.delete(date);
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
