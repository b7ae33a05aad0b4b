import { QuantError } from '@quant/errors';
import { TradingCalendar } from '@quant/market';
import type { FeatureDefinition } from '../feature.port';
import type { CodedFeatureCalculator } from './step-calculator';
import { StepState, stepCalculator } from './step-calculator';
import type { Ring } from './window.util';

/**
 * Calendar features and momentum at several horizons.
 *
 * What is known when: the exchanges publish the next year's holidays in advance (the State Council
 * announced each year's holidays between late October and early December of the year before, 2017-2023),
 * so on day T the calendar is known through Dec 31 of T's year, and from Dec 15 through Dec 31 of the
 * next year (`defaultPublishedThrough`). Forward-looking columns (sessions to month/quarter/year end,
 * sessions to the next holiday gap) use only the sessions of that published horizon, and are NaN when
 * the horizon (or the calendar given, `calendarThrough`) does not reach far enough. They need the
 * calendar: without one (`createTemporalCalculator()` with no options) they are NaN, and the past
 * columns come from the sessions seen so far (NaN until a month start or a gap has been seen).
 * Known exception: the 2020 Spring Festival closure was extended at short notice (announced
 * 2020-01-27, reopening 2020-02-03 instead of 2020-01-31); no column here depends on the gap's length
 * ahead, and the last session before it (2020-01-23) was as planned, so the realised calendar leaks
 * nothing. A holiday gap is two consecutive sessions more than 3 calendar days apart (a plain weekend
 * is 3 days).
 */

const DAY_MS = 86_400_000;
export const HOLIDAY_GAP_DAYS = 3;

export interface TemporalOptions {
  /** The exchange calendar (sessions), including the published sessions ahead of the data. */
  calendar?: TradingCalendar | readonly string[];
  /** Last calendar day the calendar is complete through (default: its last session). */
  calendarThrough?: string;
  /** Last calendar day whose sessions are published on `date` (default: defaultPublishedThrough). */
  publishedThrough?: (date: string) => string;
}

export function defaultPublishedThrough(date: string): string {
  const y = Number(date.slice(0, 4));
  return date.slice(5) >= '12-15' ? `${y + 1}-12-31` : `${y}-12-31`;
}

const T = (name: string, formula: string, inputs: readonly string[], warmup: number): FeatureDefinition => ({
  name,
  family: 'temporal',
  formula,
  inputs,
  warmup,
});

const epochDay = (d: string): number => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / DAY_MS;
const isoOf = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const monthEnd = (d: string): string => {
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7));
  return isoOf(Date.UTC(y, m, 0) / DAY_MS);
};
const quarterEnd = (d: string): string => {
  const m = Number(d.slice(5, 7));
  const qm = Math.ceil(m / 3) * 3;
  return monthEnd(`${d.slice(0, 4)}-${String(qm).padStart(2, '0')}-01`);
};
const yearEnd = (d: string): string => `${d.slice(0, 4)}-12-31`;
const TAU = 2 * Math.PI;
// Periodic-report deadlines of the CSRC: annual and Q1 by Apr 30, half-year by Aug 31, Q3 by Oct 31.
const DEADLINES = ['04-30', '08-31', '10-31'];
const MOMENTUM = [5, 20, 60, 120, 250];

interface Cal {
  days: readonly string[];
  epoch: Float64Array;
  index: Map<string, number>;
  through: string;
}

interface Ctx {
  date: string;
  /** Sessions before today, newest first (epoch days), from the calendar or from the stream. */
  pastDay(lag: number): number;
  /** Today's position in the calendar, or -1 without one. */
  ci: number;
  horizon: string;
}

function build(state: StepState, cal: Cal | undefined, published: (d: string) => string) {
  const seen: Ring = state.ring(262);
  const close = state.ring(251);
  let ctx: Ctx = { date: '', pastDay: () => NaN, ci: -1, horizon: '' };
  let traded = false;

  const push = (date: string, v: Readonly<Record<string, number>>): void => {
    const c = v['close']!;
    close.push(c);
    traded = !Number.isNaN(c);
    seen.push(epochDay(date));
    if (cal) {
      const ci = cal.index.get(date);
      if (ci === undefined) {
        throw new QuantError('FEATURE_CALENDAR', `temporal: session ${date} is not in the calendar given`, { details: { date } });
      }
      const p = published(date);
      ctx = { date, ci, horizon: p < cal.through ? p : cal.through, pastDay: (lag) => (ci - lag >= 0 ? cal.epoch[ci - lag]! : NaN) };
    } else {
      ctx = { date, ci: -1, horizon: '', pastDay: (lag) => seen.at(lag) };
    }
  };

  /** Sessions after today up to `end` (a calendar day), NaN unless the horizon reaches `end`. */
  const sessionsUntil = (end: string): number => {
    if (!cal || ctx.horizon < end) return NaN;
    let k = 0;
    for (let j = ctx.ci + 1; j < cal.days.length && cal.days[j]! <= end; j++) k++;
    return k;
  };
  const prevGap = (): { sess: number; days: number } => {
    for (let lag = 0; lag < 261; lag++) {
      const a = ctx.pastDay(lag);
      const b = ctx.pastDay(lag + 1);
      if (Number.isNaN(a) || Number.isNaN(b)) break;
      if (a - b > HOLIDAY_GAP_DAYS) return { sess: lag, days: a - b };
    }
    return { sess: NaN, days: NaN };
  };
  const nextGap = (): number => {
    if (!cal) return NaN;
    const h = epochDay(ctx.horizon);
    for (let j = ctx.ci; j < cal.days.length; j++) {
      const nxt = j + 1 < cal.days.length ? cal.days[j + 1]! : undefined;
      if (nxt !== undefined && nxt <= ctx.horizon) {
        if (cal.epoch[j + 1]! - cal.epoch[j]! > HOLIDAY_GAP_DAYS) return j - ctx.ci;
      } else {
        // No session known after this one: a gap only if the horizon covers the next 3 days.
        return h - cal.epoch[j]! >= HOLIDAY_GAP_DAYS ? j - ctx.ci : NaN;
      }
    }
    return NaN;
  };
  const sessionsFromMonthStart = (): number => {
    const m = ctx.date.slice(0, 7);
    for (let lag = 1; lag < 30; lag++) {
      const d = ctx.pastDay(lag);
      if (Number.isNaN(d)) return NaN;
      if (isoOf(d).slice(0, 7) !== m) return lag - 1;
    }
    return NaN;
  };

  const cols: { def: FeatureDefinition; fn: () => number }[] = [];
  const add = (d: FeatureDefinition, fn: () => number): void => {
    cols.push({ def: d, fn });
  };
  const D: string[] = ['date'];
  const month = (): number => Number(ctx.date.slice(5, 7));
  const dom = (): number => Number(ctx.date.slice(8, 10));
  const weekday = (): number => new Date(`${ctx.date}T00:00:00Z`).getUTCDay();
  const doy = (): number => epochDay(ctx.date) - epochDay(`${ctx.date.slice(0, 4)}-01-01`) + 1;
  const daysInMonth = (): number => Number(monthEnd(ctx.date).slice(8, 10));
  const daysInYear = (): number => epochDay(`${ctx.date.slice(0, 4)}-12-31`) - epochDay(`${ctx.date.slice(0, 4)}-01-01`) + 1;

  add(T('MONTH', 'month of the date, 1..12', D, 1), month);
  add(T('QUARTER', 'quarter, 1..4', D, 1), () => Math.ceil(month() / 3));
  add(T('WEEKDAY', 'weekday, Monday=1 .. Friday=5', D, 1), weekday);
  add(T('DAY_OF_MONTH', 'calendar day of the month, 1..31', D, 1), dom);
  add(T('MONTH_SIN', 'Sin(2*pi*(MONTH-1)/12)', D, 1), () => Math.sin((TAU * (month() - 1)) / 12));
  add(T('MONTH_COS', 'Cos(2*pi*(MONTH-1)/12)', D, 1), () => Math.cos((TAU * (month() - 1)) / 12));
  add(T('WEEKDAY_SIN', 'Sin(2*pi*(WEEKDAY-1)/5)', D, 1), () => Math.sin((TAU * (weekday() - 1)) / 5));
  add(T('WEEKDAY_COS', 'Cos(2*pi*(WEEKDAY-1)/5)', D, 1), () => Math.cos((TAU * (weekday() - 1)) / 5));
  add(T('DOM_SIN', 'Sin(2*pi*(DAY_OF_MONTH-1)/days in month)', D, 1), () => Math.sin((TAU * (dom() - 1)) / daysInMonth()));
  add(T('DOM_COS', 'Cos(2*pi*(DAY_OF_MONTH-1)/days in month)', D, 1), () => Math.cos((TAU * (dom() - 1)) / daysInMonth()));
  add(T('DOY_SIN', 'Sin(2*pi*(day of year-1)/days in year)', D, 1), () => Math.sin((TAU * (doy() - 1)) / daysInYear()));
  add(T('DOY_COS', 'Cos(2*pi*(day of year-1)/days in year)', D, 1), () => Math.cos((TAU * (doy() - 1)) / daysInYear()));
  add(T('SESS_FROM_MONTH_START', 'sessions of the month before this one (0 on the first session)', D, 24), sessionsFromMonthStart);
  add(T('SESS_TO_MONTH_END', 'sessions of the month after this one (0 on the last); published calendar', D, 1), () => sessionsUntil(monthEnd(ctx.date)));
  add(T('SESS_TO_QUARTER_END', 'sessions of the quarter after this one; published calendar', D, 1), () => sessionsUntil(quarterEnd(ctx.date)));
  add(T('SESS_TO_YEAR_END', 'sessions of the year after this one; published calendar', D, 1), () => sessionsUntil(yearEnd(ctx.date)));
  add(T('PREV_GAP_SESS', `sessions since the first session after the last gap of >${HOLIDAY_GAP_DAYS} calendar days (0 on it)`, D, 250), () => prevGap().sess);
  add(T('PREV_GAP_DAYS', 'calendar days of that last gap', D, 250), () => prevGap().days);
  add(T('POST_HOLIDAY', `1 on the first session after a gap of >${HOLIDAY_GAP_DAYS} days, else 0`, D, 2), () => {
    const a = ctx.pastDay(0);
    const b = ctx.pastDay(1);
    return Number.isNaN(b) ? NaN : a - b > HOLIDAY_GAP_DAYS ? 1 : 0;
  });
  add(T('NEXT_GAP_SESS', 'sessions until the last session before the next gap (0 on it); published calendar', D, 1), nextGap);
  add(T('PRE_HOLIDAY', 'NEXT_GAP_SESS==0', D, 1), () => {
    const n = nextGap();
    return Number.isNaN(n) ? NaN : n === 0 ? 1 : 0;
  });
  add(T('REPORT_MONTH', 'month in {4, 8, 10}: periodic-report deadline months', D, 1), () => ([4, 8, 10].includes(month()) ? 1 : 0));
  add(T('DAYS_TO_REPORT_DEADLINE', 'calendar days to the next of Apr 30, Aug 31, Oct 31 (0 on it)', D, 1), () => {
    const y = Number(ctx.date.slice(0, 4));
    const today = epochDay(ctx.date);
    for (const yy of [y, y + 1]) {
      for (const md of DEADLINES) {
        const d = epochDay(`${yy}-${md}`);
        if (d >= today) return d - today;
      }
    }
    return NaN;
  });
  for (const n of MOMENTUM) {
    add(T(`MOM${n}`, `Log($close/Ref($close,${n}))`, ['close'], n + 1), () => (traded ? Math.log(close.at(0) / close.at(n)) : NaN));
  }
  return { cols, push };
}

export const TEMPORAL_DEFINITIONS: readonly FeatureDefinition[] = build(new StepState(), undefined, defaultPublishedThrough).cols.map((c) => c.def);

export function createTemporalCalculator(options: TemporalOptions = {}): CodedFeatureCalculator {
  let cal: Cal | undefined;
  if (options.calendar) {
    const days = options.calendar instanceof TradingCalendar ? options.calendar.all() : new TradingCalendar(options.calendar).all();
    if (days.length === 0) throw new QuantError('FEATURE_CALENDAR', 'temporal: the calendar given is empty');
    cal = {
      days,
      epoch: Float64Array.from(days, epochDay),
      index: new Map(days.map((d, i) => [d, i])),
      through: options.calendarThrough ?? days[days.length - 1]!,
    };
  }
  const published = options.publishedThrough ?? defaultPublishedThrough;
  return stepCalculator({
    name: 'temporal',
    definitions: TEMPORAL_DEFINITIONS,
    required: ['close'],
    model: () => {
      const state = new StepState();
      const { cols, push } = build(state, cal, published);
      return {
        step(day, out) {
          push(day.date, day.values);
          for (let j = 0; j < cols.length; j++) {
            const v = cols[j]!.fn();
            out[j] = Number.isFinite(v) ? v : NaN;
          }
        },
        undo: () => state.undo(),
      };
    },
  });
}
