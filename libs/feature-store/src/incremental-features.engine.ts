import type { FeatureSet, FeatureStream } from '@quant/features';
import { QuantError } from '@quant/errors';
import { barToDayInput, missingDay } from './bar-series.mapper';
import { sessionIndex, setWarmup } from './feature-build.job';
import type { BarRecord, MarketDataReader } from './market-data.reader';

/** How a day's values were obtained. */
export type IncrementalAction = 'added' | 'replaced' | 'warmed';

export interface IncrementalResult {
  code: string;
  date: string;
  values: Float64Array;
  action: IncrementalAction;
}

interface InstrumentState {
  streams: FeatureStream[];
  lastDate: string;
}

/**
 * Streaming feature states, one per instrument, fed one new bar at a time. The next session's bar is
 * added, a new version of the last one replaces it; anything else (first sight of an instrument, a
 * gap, a correction of an older day) rebuilds the state from the stored bars strictly before the
 * bar's day (`warmup` sessions of them, the set's largest) and then adds the bar. Bars before its day
 * come from the store, the day itself from the event: the store writer may or may not have stored it yet.
 *
 * One instrument is never processed twice at once (a per-code queue), so concurrent partitions are safe.
 */
export class IncrementalFeatureEngine {
  readonly warmup: number;
  readonly width: number;
  private readonly states = new Map<string, InstrumentState>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private calendar: string[] | null = null;

  constructor(
    readonly set: FeatureSet,
    private readonly market: MarketDataReader,
    private readonly calendarMarket = 'CN',
  ) {
    this.warmup = setWarmup(set);
    this.width = set.definitions().length;
  }

  /** Instruments with a live state. */
  get size(): number {
    return this.states.size;
  }

  /** Date of the last session fed to an instrument's state. */
  lastDate(code: string): string | undefined {
    return this.states.get(code)?.lastDate;
  }

  /** Drops every state (they are rebuilt from the store on the next bar). */
  reset(): void {
    this.states.clear();
  }

  /** Builds the state of an instrument up to the session before `date` (a warm start, e.g. at boot). */
  warm(code: string, date: string): Promise<void> {
    return this.serial(code, async () => {
      this.states.set(code, await this.rebuild(code, date));
    });
  }

  /** The features of one new bar. */
  next(bar: BarRecord): Promise<IncrementalResult> {
    return this.serial(bar.code, async () => {
      const day = barToDayInput(bar);
      let state = this.states.get(bar.code);
      if (state !== undefined && state.lastDate === bar.date) {
        return { code: bar.code, date: bar.date, values: this.collect(state.streams, (s) => s.replace(day)), action: 'replaced' as const };
      }
      let action: IncrementalAction = 'added';
      if (state === undefined || state.lastDate !== (await this.previousSession(bar.date))) {
        this.states.delete(bar.code);
        state = await this.rebuild(bar.code, bar.date);
        action = 'warmed';
      }
      const values = this.collect(state.streams, (s) => s.add(day));
      state.lastDate = bar.date;
      this.states.set(bar.code, state);
      return { code: bar.code, date: bar.date, values, action };
    });
  }

  private collect(streams: readonly FeatureStream[], step: (s: FeatureStream) => Float64Array): Float64Array {
    const out = new Float64Array(this.width);
    let offset = 0;
    for (const s of streams) {
      const part = step(s);
      out.set(part, offset);
      offset += part.length;
    }
    if (offset !== this.width) {
      throw new QuantError('FEATURE_SET_INVALID', `set ${this.set.name} streamed ${offset} values but defines ${this.width}`, { details: { set: this.set.name } });
    }
    return out;
  }

  private async sessions(date: string): Promise<string[]> {
    if (this.calendar === null || (this.calendar[this.calendar.length - 1] ?? '') < date) {
      this.calendar = await this.market.calendar(this.calendarMarket);
    }
    return this.calendar;
  }

  /** The last session before `date` (undefined before the calendar starts). */
  private async previousSession(date: string): Promise<string | undefined> {
    const calendar = await this.sessions(date);
    const i = sessionIndex(calendar, date);
    return i > 0 ? calendar[i - 1] : undefined;
  }

  /** A state fed with the stored bars of the `warmup` sessions before `date`, missing sessions as NaN rows. */
  private async rebuild(code: string, date: string): Promise<InstrumentState> {
    const calendar = await this.sessions(date);
    const end = sessionIndex(calendar, date); // sessions [start, end) lie strictly before date
    const start = Math.max(0, end - this.warmup);
    const streams = this.set.calculators.map((c) => c.stream());
    const state: InstrumentState = { streams, lastDate: '' };
    if (end === 0) return state;
    const bars = await this.market.bars(code, calendar[start] as string, calendar[end - 1] as string);
    const byDate = new Map(bars.map((b) => [b.date, b]));
    const first = bars[0];
    if (first === undefined) return state;
    // From the first stored bar: a listing inside the window starts its history there, as in batch.
    for (let i = sessionIndex(calendar, first.date); i < end; i++) {
      const session = calendar[i] as string;
      const bar = byDate.get(session);
      const day = bar === undefined ? missingDay(session) : barToDayInput(bar);
      for (const s of streams) s.add(day);
      state.lastDate = session;
    }
    return state;
  }

  private serial<T>(code: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(code) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.queues.set(code, next);
    void next.then(
      () => {
        if (this.queues.get(code) === next) this.queues.delete(code);
      },
      () => {
        if (this.queues.get(code) === next) this.queues.delete(code);
      },
    );
    return next;
  }
}
