import type { DayInput, SeriesInput } from '../../src/feature.port';

/** Deterministic PRNG (mulberry32): the same series on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const gauss = (r: () => number): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());

/** Weekdays from `from`, less a Spring-Festival-like and a National-Day-like week each year. */
export function weekdayCalendar(from: string, n: number): string[] {
  const out: string[] = [];
  const d = new Date(`${from}T00:00:00Z`);
  while (out.length < n) {
    const wd = d.getUTCDay();
    const iso = d.toISOString().slice(0, 10);
    const md = iso.slice(5);
    const holiday = (md >= '02-01' && md <= '02-07') || (md >= '10-01' && md <= '10-07') || md === '05-01' || md === '01-01';
    if (wd !== 0 && wd !== 6 && !holiday) out.push(iso);
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

export interface SyntheticOptions {
  code?: string;
  n?: number;
  seed?: number;
  from?: string;
  /** Sessions (indices) on which the stock did not trade: NaN in every field. */
  suspended?: readonly number[];
}

/** OHLCV random walk plus index, valuation, turnover and sentiment inputs on a weekday calendar. */
export function syntheticSeries(opts: SyntheticOptions = {}): SeriesInput {
  const n = opts.n ?? 400;
  const r = rng(opts.seed ?? 7);
  const dates = weekdayCalendar(opts.from ?? '2019-01-02', n);
  const f = (): Float64Array => new Float64Array(n);
  const open = f(), high = f(), low = f(), close = f(), volume = f(), idx = f();
  const pe = f(), pb = f(), ps = f(), pcf = f(), turn = f(), sscore = f(), scount = f();
  let c = 10;
  let ic = 4000;
  let e = 0.05;
  for (let i = 0; i < n; i++) {
    const m = 0.01 * gauss(r);
    ic *= 1 + m;
    idx[i] = ic;
    const ret = Math.max(-0.099, Math.min(0.099, 1.1 * m + 0.015 * gauss(r)));
    const o = c * (1 + 0.005 * gauss(r));
    c = c * (1 + ret);
    open[i] = o;
    close[i] = c;
    high[i] = Math.max(o, c) * (1 + 0.01 * r());
    low[i] = Math.min(o, c) * (1 - 0.01 * r());
    volume[i] = 1e6 * (0.5 + r()) * (1 + 5 * Math.abs(ret));
    e += 0.001 * gauss(r);
    pe[i] = Math.abs(e) < 1e-4 ? 1e4 : 1 / e;
    pb[i] = 1.5 + 0.3 * r();
    ps[i] = 2 + r();
    pcf[i] = r() < 0.05 ? 0 : 8 + 4 * gauss(r);
    turn[i] = 1 + r();
    const k = r() < 0.3 ? 1 + Math.floor(3 * r()) : 0;
    scount[i] = k;
    sscore[i] = k > 0 ? 2 * r() - 1 : NaN;
  }
  for (const i of opts.suspended ?? []) {
    for (const a of [open, high, low, close, volume, pe, pb, ps, pcf, turn]) a[i] = NaN;
  }
  return {
    code: opts.code ?? 'SH600000',
    dates,
    fields: {
      open, high, low, close, volume,
      'index.close': idx,
      'valuation.peTTM': pe,
      'valuation.pbMRQ': pb,
      'valuation.psTTM': ps,
      'valuation.pcfNcfTTM': pcf,
      'valuation.turnover': turn,
      'sentiment.score': sscore,
      'sentiment.count': scount,
    },
  };
}

export function dayAt(input: SeriesInput, i: number): DayInput {
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(input.fields)) values[k] = v[i]!;
  return { date: input.dates[i]!, values };
}

export function slice(input: SeriesInput, from: number, to: number): SeriesInput {
  const fields: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(input.fields)) fields[k] = v.slice(from, to);
  return { code: input.code, dates: input.dates.slice(from, to), fields };
}
