import type { FeatureDefinition } from '../feature.port';
import type { CodedFeatureCalculator } from './step-calculator';
import { StepState, stepCalculator } from './step-calculator';
import type { Ring } from './window.util';
import { ratio, wmax, wmean, wmin, wstd } from './window.util';

/**
 * Valuation features from baostock's daily fields. Multiples are turned into yields (1/PE ...): a
 * yield is continuous through zero earnings and keeps the sign of losses, where PE blows up and flips.
 * A multiple of exactly 0 (baostock's "not available") gives NaN.
 *
 * Data honesty: baostock's peTTM/pbMRQ/psTTM/pcfNcfTTM are computed by baostock from reports already
 * published on each date, and the sample covers 300 stocks over 2020-2022 (about 730 sessions), so
 * windows stop at 250 sessions. Cross-sectional ranks are the processing step's job: see
 * FUNDAMENTAL_RANK_COLUMNS. Turnover is used as the caller gives it (baostock `turn`, in percent).
 */

const F = (name: string, formula: string, inputs: readonly string[], warmup: number): FeatureDefinition => ({
  name,
  family: 'fundamental',
  formula,
  inputs,
  warmup,
});

const YIELDS = [
  { name: 'EP', field: 'valuation.peTTM', what: 'earnings yield' },
  { name: 'BP', field: 'valuation.pbMRQ', what: 'book-to-price' },
  { name: 'SP', field: 'valuation.psTTM', what: 'sales yield' },
  { name: 'CFP', field: 'valuation.pcfNcfTTM', what: 'cash-flow yield' },
] as const;
const TURN = 'valuation.turnover';

interface Col {
  def: FeatureDefinition;
  fn: () => number;
}

function build(state: StepState): { cols: Col[]; push: (v: Record<string, number>) => void } {
  const rings = new Map<string, Ring>();
  for (const y of YIELDS) rings.set(y.name, state.ring(251));
  const turn = state.ring(251);
  const peRaw = { v: NaN };
  const cols: Col[] = [];
  const add = (d: FeatureDefinition, fn: () => number): void => {
    cols.push({ def: d, fn });
  };

  for (const y of YIELDS) {
    const r = rings.get(y.name)!;
    const f = [y.field];
    add(F(y.name, `1/$${y.field}`, f, 1), () => r.at(0));
    for (const n of [5, 20, 60]) add(F(`${y.name}_CHG${n}`, `${y.name}-Ref(${y.name},${n})`, f, n + 1), () => r.at(0) - r.at(n));
    for (const n of [60, 250]) {
      add(F(`${y.name}_Z${n}`, `(${y.name}-Mean(${y.name},${n}))/Std(${y.name},${n})`, f, n), () =>
        Number.isNaN(r.at(0)) ? NaN : ratio(r.at(0) - wmean(r, n), wstd(r, n)),
      );
    }
    add(F(`${y.name}_POS250`, `(${y.name}-Min(${y.name},250))/(Max(${y.name},250)-Min(${y.name},250))`, f, 250), () =>
      Number.isNaN(r.at(0)) ? NaN : ratio(r.at(0) - wmin(r, 250), wmax(r, 250) - wmin(r, 250)),
    );
  }
  add(F('NEG_EARN', '$valuation.peTTM<0', ['valuation.peTTM'], 1), () => (Number.isNaN(peRaw.v) || peRaw.v === 0 ? NaN : peRaw.v < 0 ? 1 : 0));
  const t = [TURN];
  add(F('TURN', `$${TURN}`, t, 1), () => turn.at(0));
  for (const n of [5, 20, 60]) add(F(`TURN_MA${n}`, `Mean($${TURN},${n})`, t, n), () => (Number.isNaN(turn.at(0)) ? NaN : wmean(turn, n)));
  add(F('TURN_R1_20', `$${TURN}/Mean($${TURN},20)`, t, 20), () => ratio(turn.at(0), wmean(turn, 20)));
  add(F('TURN_R5_60', `Mean($${TURN},5)/Mean($${TURN},60)`, t, 60), () => (Number.isNaN(turn.at(0)) ? NaN : ratio(wmean(turn, 5), wmean(turn, 60))));
  add(F('TURN_STD20', `Std($${TURN},20)/Mean($${TURN},20)`, t, 20), () => (Number.isNaN(turn.at(0)) ? NaN : ratio(wstd(turn, 20), wmean(turn, 20))));
  add(F('TURN_Z60', `($${TURN}-Mean($${TURN},60))/Std($${TURN},60)`, t, 60), () => (Number.isNaN(turn.at(0)) ? NaN : ratio(turn.at(0) - wmean(turn, 60), wstd(turn, 60))));
  add(F('TURN_CHG20', `Mean($${TURN},5)-Ref(Mean($${TURN},5),20)`, t, 25), () => {
    if (Number.isNaN(turn.at(0))) return NaN;
    let a = 0;
    let ka = 0;
    let b = 0;
    let kb = 0;
    for (let i = 0; i < 5; i++) {
      const x = turn.at(i);
      const y = turn.at(i + 20);
      if (x === x) {
        a += x;
        ka++;
      }
      if (y === y) {
        b += y;
        kb++;
      }
    }
    return ka === 0 || kb === 0 ? NaN : a / ka - b / kb;
  });

  const inv = (x: number | undefined): number => (x === undefined || !Number.isFinite(x) || x === 0 ? NaN : 1 / x);
  return {
    cols,
    push: (v) => {
      for (const y of YIELDS) rings.get(y.name)!.push(inv(v[y.field]));
      peRaw.v = v['valuation.peTTM'] ?? NaN;
      const tv = v[TURN];
      turn.push(tv === undefined || !Number.isFinite(tv) ? NaN : tv);
    },
  };
}

export const FUNDAMENTAL_DEFINITIONS: readonly FeatureDefinition[] = build(new StepState()).cols.map((c) => c.def);

/** Columns worth a cross-sectional rank (percentile within the day's universe) in processing. */
export const FUNDAMENTAL_RANK_COLUMNS: readonly string[] = [
  ...YIELDS.flatMap((y) => [y.name, `${y.name}_CHG20`, `${y.name}_CHG60`]),
  'TURN',
  'TURN_MA20',
  'TURN_R1_20',
];

export function createFundamentalCalculator(): CodedFeatureCalculator {
  return stepCalculator({
    name: 'fundamental',
    definitions: FUNDAMENTAL_DEFINITIONS,
    required: [...YIELDS.map((y) => y.field), TURN],
    model: () => {
      const state = new StepState();
      const { cols, push } = build(state);
      return {
        step(day, out) {
          push(day.values);
          for (let j = 0; j < cols.length; j++) {
            const v = cols[j]!.fn();
            out[j] = Number.isFinite(v) ? v : NaN;
          }
        },
        undo: () => {
          state.undo();
        },
      };
    },
  });
}
