import { describe, expect, it } from 'vitest';
import type { SeriesInput } from '../../src/feature.port';
import {
  createFundamentalCalculator,
  createMarketCalculator,
  createTechnicalCalculator,
  createTemporalCalculator,
  marketBreadth,
  recursiveWarmup,
} from '../../src/families';
import { dayAt, weekdayCalendar } from './synthetic-series';

function series(code: string, dates: string[], fields: Record<string, number[]>): SeriesInput {
  return { code, dates, fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Float64Array.from(v)])) };
}
const col = (calc: { definitions: readonly { name: string }[]; batch(i: SeriesInput): Float64Array[] }, input: SeriesInput, name: string): Float64Array => {
  const j = calc.definitions.findIndex((d) => d.name === name);
  if (j < 0) throw new Error(`no column ${name}`);
  return calc.batch(input)[j]!;
};

describe('technical known values', () => {
  const dates = ['2021-01-04', '2021-01-05', '2021-01-06'];
  const input = series('SH600000', dates, {
    open: [10, 10.5, 11],
    high: [10.5, 11.2, 11.1],
    low: [9.5, 10.1, 10.4],
    close: [10, 11, 10.5],
    volume: [100, 200, 150],
  });
  const tech = createTechnicalCalculator();

  it('RSI6 uses Wilder smoothing seeded with the first change', () => {
    // Changes: +1, -0.5. Day 2: up=1, down=0 -> 100. Day 3: up=1+(0-1)/6=5/6, down=0+(0.5-0)/6=1/12.
    const rsi = col(tech, input, 'RSI6');
    expect(rsi[0]).toBeNaN();
    expect(rsi[1]).toBe(100);
    expect(rsi[2]).toBeCloseTo((100 * (5 / 6)) / (5 / 6 + 1 / 12), 10);
  });

  it('KDJ starts at 50 and follows K=2/3K+1/3RSV, D=2/3D+1/3K, J=3K-2D', () => {
    const rsv1 = (100 * (11 - 9.5)) / (11.2 - 9.5);
    const k1 = (2 / 3) * 50 + rsv1 / 3;
    const d1 = (2 / 3) * 50 + k1 / 3;
    const rsv2 = (100 * (10.5 - 9.5)) / (11.2 - 9.5);
    const k2 = (2 / 3) * k1 + rsv2 / 3;
    const d2 = (2 / 3) * d1 + k2 / 3;
    expect(col(tech, input, 'KDJ_K')[0]).toBeCloseTo(50, 12);
    expect(col(tech, input, 'KDJ_K')[1]).toBeCloseTo(k1, 12);
    expect(col(tech, input, 'KDJ_D')[2]).toBeCloseTo(d2, 12);
    expect(col(tech, input, 'KDJ_J')[2]).toBeCloseTo(3 * k2 - 2 * d2, 12);
    expect(k1).toBeCloseTo(62.745098, 5);
  });

  it('MACD (12, 26, 9) against hand-computed EMAs, in units of the close', () => {
    const a12 = 2 / 13;
    const a26 = 2 / 27;
    const e12 = [10, 10 + a12 * (11 - 10)];
    e12.push(e12[1]! + a12 * (10.5 - e12[1]!));
    const e26 = [10, 10 + a26 * (11 - 10)];
    e26.push(e26[1]! + a26 * (10.5 - e26[1]!));
    const dif = e12.map((v, i) => v - e26[i]!);
    const dea = [dif[0]!];
    dea.push(dea[0]! + 0.2 * (dif[1]! - dea[0]!));
    dea.push(dea[1]! + 0.2 * (dif[2]! - dea[1]!));
    expect(col(tech, input, 'MACD_DIF')[2]).toBeCloseTo(dif[2]! / 10.5, 12);
    expect(col(tech, input, 'MACD_DEA')[2]).toBeCloseTo(dea[2]! / 10.5, 12);
    expect(col(tech, input, 'MACD_HIST')[2]).toBeCloseTo((2 * (dif[2]! - dea[2]!)) / 10.5, 12);
    expect(dif[1]).toBeCloseTo(0.0797721, 6);
  });

  it('states recursive warm-ups by the 1e-6 weight rule', () => {
    expect(recursiveWarmup(1 / 14)).toBe(187);
    const def = tech.definitions.find((d) => d.name === 'RSI14')!;
    expect(def.warmup).toBe(188);
  });

  it('gives NaN on a session where the stock did not trade', () => {
    const sus = series('SH600000', dates, { ...{ open: [10, NaN, 11], high: [10.5, NaN, 11.1], low: [9.5, NaN, 10.4], close: [10, NaN, 10.5], volume: [100, NaN, 150] } });
    const cols = tech.batch(sus);
    for (const c of cols) expect(c[1]).toBeNaN();
    expect(col(tech, sus, 'ROCP1')[2]).toBeNaN(); // a return across a suspension is unknown (Ref semantics)
  });

  it('refuses an input without a required series, naming it', () => {
    const bad = series('SH600000', dates, { open: [1, 1, 1], high: [1, 1, 1], low: [1, 1, 1], close: [1, 1, 1] });
    expect(() => tech.batch(bad)).toThrow(/volume/);
  });
});

describe('fundamental known values', () => {
  it('turns multiples into yields, zero into NaN, flags losses', () => {
    const dates = ['2021-01-04', '2021-01-05', '2021-01-06'];
    const input = series('SH600000', dates, {
      'valuation.peTTM': [20, 0, -8],
      'valuation.pbMRQ': [2, 2, 4],
      'valuation.psTTM': [1, 1, 1],
      'valuation.pcfNcfTTM': [10, 10, 10],
      'valuation.turnover': [1, 2, 3],
    });
    const f = createFundamentalCalculator();
    expect([...col(f, input, 'EP')]).toEqual([0.05, NaN, -0.125]);
    expect([...col(f, input, 'NEG_EARN')]).toEqual([0, NaN, 1]);
    expect(col(f, input, 'TURN_R1_20')[2]).toBeCloseTo(3 / 2, 12);
  });
});

describe('market price limits and breadth', () => {
  const dates = ['2021-01-04', '2021-01-05', '2021-01-06'];
  const base = { high: [10, 11, 11], volume: [1, 1, 1], 'index.close': [100, 101, 102] };

  it('marks a main-board close at +10% as at the up limit, not a ChiNext one (20% since 2020-08-24)', () => {
    const m = createMarketCalculator();
    const main = series('SH600000', dates, { ...base, close: [10, 11, 11] });
    expect([...col(m, main, 'AT_LIMIT_UP')]).toEqual([NaN, 1, 0]);
    expect(col(m, main, 'LIMIT_UP_DIST')[1]).toBeCloseTo(0, 12);
    const gem = series('SZ300750', dates, { ...base, close: [10, 11, 11] });
    expect(col(m, gem, 'AT_LIMIT_UP')[1]).toBe(0);
    expect(col(m, gem, 'LIMIT_UP_DIST')[1]).toBeCloseTo(0.1, 12);
  });

  it('uses the 5% ST limit when isst is 1', () => {
    const m = createMarketCalculator();
    const st = series('SZ000001', dates, { ...base, close: [10, 10.5, 10.5], isst: [1, 1, 1] });
    expect(col(m, st, 'AT_LIMIT_UP')[1]).toBe(1);
  });

  it('asks for the code when a stream has neither the code nor the limits', () => {
    const m = createMarketCalculator();
    const s = m.stream();
    const input = series('SH600000', dates, { ...base, close: [10, 11, 11] });
    expect(() => s.add(dayAt(input, 0))).toThrow(/instrument code/);
  });

  it('builds breadth from a universe', () => {
    const a = series('SH600000', dates, { close: [10, 11, 10.5] });
    const b = series('SH600001', dates, { close: [10, 9, 9.5] });
    const br = marketBreadth([a, b]);
    expect(br.dates).toEqual(dates);
    expect([...br.fields['market.advancers_ratio']!]).toEqual([NaN, 0.5, 0.5]);
    expect([...br.fields['market.limit_up_count']!]).toEqual([NaN, 1, 0]);
    expect([...br.fields['market.limit_down_count']!]).toEqual([NaN, 1, 0]);
  });
});

describe('temporal encodings on known dates', () => {
  // Sep-Dec 2021 and Jan 2022 with the real closures: Mid-Autumn (Sep 20-21), National Day (Oct 1-7),
  // New Year (Jan 3 2022).
  const closed = new Set(['2021-09-20', '2021-09-21', '2021-10-01', '2021-10-04', '2021-10-05', '2021-10-06', '2021-10-07', '2022-01-03']);
  const calendar = weekdayCalendar('2021-09-01', 120).filter((d) => !closed.has(d) && d <= '2022-01-31');
  const input = series('SH600000', calendar, { close: calendar.map((_, i) => 10 + i) });
  const at = (calc: ReturnType<typeof createTemporalCalculator>, date: string, name: string): number => col(calc, input, name)[calendar.indexOf(date)]!;
  const t = createTemporalCalculator({ calendar, calendarThrough: '2022-01-31' });

  it('encodes the last session before National Day 2021', () => {
    const d = '2021-09-30';
    expect(at(t, d, 'WEEKDAY')).toBe(4);
    expect(at(t, d, 'MONTH')).toBe(9);
    expect(at(t, d, 'QUARTER')).toBe(3);
    expect(at(t, d, 'SESS_TO_MONTH_END')).toBe(0);
    expect(at(t, d, 'SESS_TO_QUARTER_END')).toBe(0);
    expect(at(t, d, 'NEXT_GAP_SESS')).toBe(0);
    expect(at(t, d, 'PRE_HOLIDAY')).toBe(1);
    expect(at(t, d, 'PREV_GAP_SESS')).toBe(6); // Sep 22 .. Sep 30, Sep 22 being 0
    expect(at(t, d, 'PREV_GAP_DAYS')).toBe(5); // Sep 17 -> Sep 22
    expect(at(t, d, 'WEEKDAY_SIN')).toBeCloseTo(Math.sin((2 * Math.PI * 3) / 5), 12);
  });

  it('encodes the first session after it', () => {
    const d = '2021-10-08';
    expect(at(t, d, 'POST_HOLIDAY')).toBe(1);
    expect(at(t, d, 'PREV_GAP_DAYS')).toBe(8);
    expect(at(t, d, 'SESS_FROM_MONTH_START')).toBe(0);
    expect(at(t, d, 'MONTH_SIN')).toBeCloseTo(-1, 12);
    expect(at(t, d, 'REPORT_MONTH')).toBe(1);
    expect(at(t, d, 'DAYS_TO_REPORT_DEADLINE')).toBe(23);
    expect(at(t, d, 'SESS_TO_MONTH_END')).toBe(15);
  });

  it('knows the New Year gap only once next year is published (Dec 15)', () => {
    expect(at(t, '2021-12-14', 'NEXT_GAP_SESS')).toBeNaN();
    expect(at(t, '2021-12-15', 'NEXT_GAP_SESS')).toBe(12);
    expect(at(t, '2021-12-14', 'SESS_TO_YEAR_END')).toBe(13);
  });

  it('leaves forward-looking columns NaN without a calendar', () => {
    const bare = createTemporalCalculator();
    expect(at(bare, '2021-09-30', 'NEXT_GAP_SESS')).toBeNaN();
    expect(at(bare, '2021-09-30', 'SESS_TO_MONTH_END')).toBeNaN();
    expect(at(bare, '2021-09-30', 'PREV_GAP_SESS')).toBe(6);
    expect(at(bare, '2021-09-01', 'SESS_FROM_MONTH_START')).toBeNaN(); // month start not seen
  });

  it('computes log momentum', () => {
    expect(col(t, input, 'MOM5')[10]).toBeCloseTo(Math.log(20 / 15), 12);
    expect(col(t, input, 'MOM5')[4]).toBeNaN();
  });
});
