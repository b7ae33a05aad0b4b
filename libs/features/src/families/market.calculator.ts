import { QuantError } from '@quant/errors';
import type { Board } from '@quant/market';
import { boardOf, priceLimitRule } from '@quant/market';
import type { FeatureDefinition, SeriesInput } from '../feature.port';
import type { CodedFeatureCalculator } from './step-calculator';
import { StepState, stepCalculator } from './step-calculator';
import { ratio, wmax, wmean, wpair, wstd, wsum } from './window.util';

/**
 * Market context of one stock: the index (input `index.close`, e.g. CSI300 SH000300 on the same
 * calendar), price limits of the stock's board, and optional market-breadth series given by the caller.
 *
 * Optional inputs (absent: their columns are NaN):
 * - `valuation.turnover`: daily turnover (any unit: only ratios of it are used);
 * - `isst`: 1 on days the stock is under risk warning (ST limits), else 0;
 * - `limit.up`, `limit.down`: the day's limit fractions (0.1 ...), overriding the board rule (for
 *   callers that know listing age or special regimes);
 * - `market.advancers_ratio`: share of traded stocks of the universe that closed up that day;
 * - `market.limit_up_count`, `market.limit_down_count`: stocks closing at the up/down limit that day.
 *   `marketBreadth(universe)` builds these three from a universe's series.
 *
 * Limits: a close is "at the limit" when its move is within LIMIT_TOLERANCE of the limit fraction,
 * because limit prices are rounded to the fen (0.005 CNY on a 2 CNY stock is 0.0025). Moves use
 * adjusted prices, whose ratio equals the raw move against the ex-rights previous close, the price the
 * exchange sets limits from. Listing-age regimes are not known here: stocks are treated as seasoned.
 * On a session where the stock did not trade every column is NaN.
 */
export const LIMIT_TOLERANCE = 0.0025;

const M = (name: string, formula: string, inputs: readonly string[], warmup: number): FeatureDefinition => ({
  name,
  family: 'market',
  formula,
  inputs,
  warmup,
});

const IDX = 'index.close';
const CI = ['close', IDX];
const OPTIONAL = [
  'valuation.turnover',
  'isst',
  'limit.up',
  'limit.down',
  'market.advancers_ratio',
  'market.limit_up_count',
  'market.limit_down_count',
] as const;

interface Col {
  def: FeatureDefinition;
  fn: () => number;
}

interface Limits {
  up: number;
  down: number;
}

function build(state: StepState, limitsOf: (date: string, v: Readonly<Record<string, number>>) => Limits) {
  const close = state.ring(121);
  const idx = state.ring(121);
  const sret = state.ring(120);
  const iret = state.ring(120);
  const ilret = state.ring(60);
  const sDown = state.ring(60);
  const iDown = state.ring(60);
  const vol = state.ring(60);
  const turn = state.ring(60);
  const atUp = state.ring(20);
  const atDown = state.ring(20);
  const adv = state.ring(20);
  const lu = state.ring(5);
  let c = NaN;
  let r1 = NaN;
  let touchedUp = NaN;
  let lim: Limits = { up: NaN, down: NaN };
  let luCount = NaN;
  let ldCount = NaN;

  const push = (date: string, v: Readonly<Record<string, number>>): boolean => {
    c = v['close']!;
    const ic = v[IDX]!;
    const pc = close.at(0);
    const pic = idx.at(0);
    close.push(c);
    idx.push(ic);
    r1 = c / pc - 1;
    const ir = ic / pic - 1;
    sret.push(r1);
    iret.push(ir);
    ilret.push(Math.log(ic / pic));
    sDown.push(ir < 0 ? r1 : NaN);
    iDown.push(ir < 0 ? ir : NaN);
    vol.push(v['volume']!);
    turn.push(v['valuation.turnover'] ?? NaN);
    lim = Number.isNaN(c) ? { up: NaN, down: NaN } : limitsOf(date, v);
    const up = !Number.isNaN(r1) && !Number.isNaN(lim.up) ? (r1 >= lim.up - LIMIT_TOLERANCE ? 1 : 0) : NaN;
    const dn = !Number.isNaN(r1) && !Number.isNaN(lim.down) ? (r1 <= -lim.down + LIMIT_TOLERANCE ? 1 : 0) : NaN;
    atUp.push(up);
    atDown.push(dn);
    const hr = v['high']! / pc - 1;
    touchedUp = !Number.isNaN(hr) && !Number.isNaN(lim.up) ? (hr >= lim.up - LIMIT_TOLERANCE ? 1 : 0) : NaN;
    adv.push(v['market.advancers_ratio'] ?? NaN);
    luCount = v['market.limit_up_count'] ?? NaN;
    ldCount = v['market.limit_down_count'] ?? NaN;
    lu.push(luCount);
    return !Number.isNaN(c);
  };

  const cols: Col[] = [];
  const add = (d: FeatureDefinition, fn: () => number): void => {
    cols.push({ def: d, fn });
  };
  for (const n of [1, 5, 20, 60]) add(M(`IDX_RET${n}`, `$index.close/Ref($index.close,${n})-1`, [IDX], n + 1), () => idx.at(0) / idx.at(n) - 1);
  for (const n of [5, 20, 60]) add(M(`IDX_VOL${n}`, `Std(Log($index.close/Ref($index.close,1)),${n})`, [IDX], n + 1), () => wstd(ilret, n));
  for (const n of [20, 60]) add(M(`IDX_MA${n}R`, `$index.close/Mean($index.close,${n})`, [IDX], n), () => ratio(idx.at(0), wmean(idx, n)));
  add(M('IDX_DD60', '$index.close/Max($index.close,60)-1', [IDX], 60), () => idx.at(0) / wmax(idx, 60) - 1);
  for (const n of [5, 20, 60, 120]) {
    add(M(`RS${n}`, `($close/Ref($close,${n})-1)-($index.close/Ref($index.close,${n})-1)`, CI, n + 1), () => c / close.at(n) - idx.at(0) / idx.at(n));
  }
  for (const n of [20, 60, 120]) {
    add(M(`BETA_IDX${n}`, `Cov(r,m,${n})/Var(m,${n}), r,m daily returns of $close and $index.close`, CI, n + 1), () => {
      const p = wpair(sret, iret, n);
      return ratio(p.cov, p.varB);
    });
  }
  for (const n of [20, 60, 120]) {
    add(M(`CORR_IDX${n}`, `Corr(r,m,${n})`, CI, n + 1), () => {
      const p = wpair(sret, iret, n);
      return ratio(p.cov, Math.sqrt(p.varA * p.varB));
    });
  }
  for (const n of [20, 60]) {
    add(M(`IVOL${n}`, `Sqrt(Var(r,${n})*(1-Corr(r,m,${n})^2)): residual volatility against the index`, CI, n + 1), () => {
      const p = wpair(sret, iret, n);
      if (!(p.varA > 0 && p.varB > 0)) return NaN;
      const rho2 = (p.cov * p.cov) / (p.varA * p.varB);
      return Math.sqrt(Math.max(p.varA * (1 - rho2), 0));
    });
  }
  add(M('DOWNBETA60', 'Cov(r,m|m<0,60)/Var(m|m<0,60)', CI, 61), () => {
    const p = wpair(sDown, iDown, 60);
    return ratio(p.cov, p.varB);
  });
  const cv = ['close', 'volume'];
  add(M('VSHOCK20', '$volume/Mean($volume,20)', cv, 20), () => ratio(vol.at(0), wmean(vol, 20)));
  add(M('VSHOCK60', '$volume/Mean($volume,60)', cv, 60), () => ratio(vol.at(0), wmean(vol, 60)));
  add(M('VSHOCK5_60', 'Mean($volume,5)/Mean($volume,60)', cv, 60), () => ratio(wmean(vol, 5), wmean(vol, 60)));
  const tv = ['close', 'valuation.turnover'];
  add(M('TSHOCK20', '$valuation.turnover/Mean($valuation.turnover,20)', tv, 20), () => ratio(turn.at(0), wmean(turn, 20)));
  add(M('TSHOCK60', '$valuation.turnover/Mean($valuation.turnover,60)', tv, 60), () => ratio(turn.at(0), wmean(turn, 60)));
  const lim2 = ['close', 'high', 'isst', 'limit.up', 'limit.down'];
  add(M('LIMIT_UP_DIST', 'UpLimit(board,date,isst)-($close/Ref($close,1)-1)', lim2, 2), () => lim.up - r1);
  add(M('LIMIT_DOWN_DIST', '($close/Ref($close,1)-1)+DownLimit(board,date,isst)', lim2, 2), () => r1 + lim.down);
  add(M('AT_LIMIT_UP', `$close/Ref($close,1)-1>=UpLimit-${LIMIT_TOLERANCE}`, lim2, 2), () => atUp.at(0));
  add(M('AT_LIMIT_DOWN', `$close/Ref($close,1)-1<=-DownLimit+${LIMIT_TOLERANCE}`, lim2, 2), () => atDown.at(0));
  add(M('LIMIT_UP_CNT20', 'Sum(AT_LIMIT_UP,20)', lim2, 21), () => wsum(atUp, 20));
  add(M('LIMIT_DOWN_CNT20', 'Sum(AT_LIMIT_DOWN,20)', lim2, 21), () => wsum(atDown, 20));
  add(M('LIMIT_BREAK', 'touched the up limit ($high) but closed below it', lim2, 2), () => (Number.isNaN(touchedUp) ? NaN : touchedUp === 1 && atUp.at(0) === 0 ? 1 : 0));
  const A = ['close', 'market.advancers_ratio'];
  add(M('MKT_ADV', '$market.advancers_ratio', A, 1), () => adv.at(0));
  add(M('MKT_ADV_MA5', 'Mean($market.advancers_ratio,5)', A, 5), () => (Number.isNaN(adv.at(0)) ? NaN : wmean(adv, 5)));
  add(M('MKT_ADV_MA20', 'Mean($market.advancers_ratio,20)', A, 20), () => (Number.isNaN(adv.at(0)) ? NaN : wmean(adv, 20)));
  const L = ['close', 'market.limit_up_count', 'market.limit_down_count'];
  add(M('MKT_LU', '$market.limit_up_count', L, 1), () => luCount);
  add(M('MKT_LD', '$market.limit_down_count', L, 1), () => ldCount);
  add(M('MKT_LULD_BAL', '(LU-LD)/(LU+LD+1)', L, 1), () => (luCount - ldCount) / (luCount + ldCount + 1));
  add(M('MKT_LU_MA5', 'Mean($market.limit_up_count,5)', L, 5), () => (Number.isNaN(luCount) ? NaN : wmean(lu, 5)));
  return { cols, push };
}

export const MARKET_DEFINITIONS: readonly FeatureDefinition[] = build(new StepState(), () => ({ up: NaN, down: NaN })).cols.map((c) => c.def);

function limitsFor(code: string | undefined): (date: string, v: Readonly<Record<string, number>>) => Limits {
  let board: Board | undefined;
  return (date, v) => {
    const up = v['limit.up'];
    const down = v['limit.down'];
    if (up !== undefined && down !== undefined && Number.isFinite(up) && Number.isFinite(down)) return { up, down };
    if (code === undefined) {
      throw new QuantError(
        'FEATURE_CONTEXT_MISSING',
        `market: session ${date} needs the instrument code for its price limits: call stream(code) or give limit.up/limit.down`,
        { details: { date } },
      );
    }
    board ??= boardOf(code);
    const rule = priceLimitRule({ code, date, board, isST: v['isst'] === 1 });
    return { up: rule.up ?? NaN, down: rule.down ?? NaN };
  };
}

export function createMarketCalculator(): CodedFeatureCalculator {
  return stepCalculator({
    name: 'market',
    definitions: MARKET_DEFINITIONS,
    required: ['close', 'high', 'volume', IDX],
    optional: OPTIONAL,
    model: ({ code }) => {
      const state = new StepState();
      const { cols, push } = build(state, limitsFor(code));
      return {
        step(day, out) {
          const traded = push(day.date, day.values);
          for (let j = 0; j < cols.length; j++) {
            const v = traded ? cols[j]!.fn() : NaN;
            out[j] = Number.isFinite(v) ? v : NaN;
          }
        },
        undo: () => state.undo(),
      };
    },
  });
}

/**
 * Breadth series of a universe, for the market calculator's optional inputs: on each date of the
 * union of the series' dates, the share of traded stocks that closed up, and the counts closing at
 * their up and down limits (board rules of `@quant/market`, ST from an `isst` field when present).
 * Same-day values: they are known at that day's close, like the stock's own close.
 */
export function marketBreadth(universe: readonly SeriesInput[]): { dates: string[]; fields: Record<string, Float64Array> } {
  const acc = new Map<string, { up: number; traded: number; lu: number; ld: number }>();
  for (const s of universe) {
    const close = s.fields['close'];
    if (!close) throw new QuantError('FEATURE_INPUT_MISSING', `marketBreadth: ${s.code} has no "close" series`, { details: { code: s.code } });
    const isst = s.fields['isst'];
    const limits = limitsFor(s.code);
    for (let i = 0; i < s.dates.length; i++) {
      const d = s.dates[i]!;
      let a = acc.get(d);
      if (!a) {
        a = { up: 0, traded: 0, lu: 0, ld: 0 };
        acc.set(d, a);
      }
      const r = i > 0 ? close[i]! / close[i - 1]! - 1 : NaN;
      if (Number.isNaN(r)) continue;
      a.traded += 1;
      if (r > 0) a.up += 1;
      const lim = limits(d, { isst: isst?.[i] ?? 0 });
      if (r >= lim.up - LIMIT_TOLERANCE) a.lu += 1;
      if (r <= -lim.down + LIMIT_TOLERANCE) a.ld += 1;
    }
  }
  const dates = [...acc.keys()].sort();
  const f = (k: 'adv' | 'lu' | 'ld'): Float64Array =>
    Float64Array.from(dates, (d) => {
      const a = acc.get(d)!;
      if (k === 'adv') return a.traded === 0 ? NaN : a.up / a.traded;
      return a.traded === 0 ? NaN : k === 'lu' ? a.lu : a.ld;
    });
  return { dates, fields: { 'market.advancers_ratio': f('adv'), 'market.limit_up_count': f('lu'), 'market.limit_down_count': f('ld') } };
}
