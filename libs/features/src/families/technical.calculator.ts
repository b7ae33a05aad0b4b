import type { FeatureDefinition } from '../feature.port';
import type { CodedFeatureCalculator } from './step-calculator';
import { StepState, stepCalculator } from './step-calculator';
import {
  ratio,
  recursiveWarmup,
  truncatedEma,
  spanAlpha,
  wargmaxAge,
  wargminAge,
  wcount,
  wilderAlpha,
  wkurt,
  wmad,
  wmax,
  wmean,
  wmin,
  wskew,
  wstd,
  wsum,
} from './window.util';
import type { Ring } from './window.util';

/**
 * Classic technical indicators beyond Alpha158, every one scale-free (ratios to the close, bounded
 * oscillators, returns) so values compare across stocks. Inputs are adjusted OHLCV.
 *
 * Missing rows: every column is NaN on a session where the close is NaN (the stock did not trade);
 * window statistics skip such sessions; recursive averages (EMA, Wilder) carry their state over them.
 * A return across a suspension is NaN (Qlib's Ref semantics), so it is left out of every window.
 *
 * Warm-up: windowed columns are exact after their window (+1 when they use the previous close).
 * Recursive averages (EMA, Wilder smoothing, KDJ) are truncated: each session re-runs the recursion
 * over the last k inputs, k being where the start keeps less than 1e-6 of the weight
 * (RECURSIVE_TOLERANCE; `truncatedEma`). Each value is then an exact function of a finite window, so a
 * stream started anywhere gives bit-identical values after the warm-up, and the values differ from the
 * untruncated textbook recursion by at most that 1e-6 weight. Seeds are deterministic (first finite
 * value of the window; KDJ's K and D start at 50).
 */

const rwS = (span: number): number => recursiveWarmup(spanAlpha(span));
const rwW = (n: number): number => recursiveWarmup(wilderAlpha(n));
const KDJ_W = recursiveWarmup(1 / 3);

interface Col {
  def: FeatureDefinition;
  fn: () => number;
}

function def(name: string, formula: string, inputs: readonly string[], warmup: number): FeatureDefinition {
  return { name, family: 'technical', formula, inputs, warmup };
}

const C = ['close'];
const HLC = ['high', 'low', 'close'];
const OHLC = ['open', 'high', 'low', 'close'];
const CV = ['close', 'volume'];
const HLCV = ['high', 'low', 'close', 'volume'];

/** Builds the columns over one instrument's state; used both for the definitions and for computing. */
function build(state: StepState): { cols: Col[]; push: (v: Record<string, number>) => boolean } {
  const close = state.ring(251);
  const high = state.ring(251);
  const low = state.ring(251);
  const vol = state.ring(121);
  const ret = state.ring(61);
  const lret = state.ring(121);
  const tr = state.ring(20);
  const tp = state.ring(20);
  const mfPos = state.ring(14);
  const mfNeg = state.ring(14);
  const obv = state.ring(60);
  const hl2 = state.ring(60);
  const gk = state.ring(60);
  const rsv = state.ring(60);
  const gap = state.ring(20);
  const intra = state.ring(20);
  const clvv = state.ring(60);
  const absChg = state.ring(60);
  const upVol = state.ring(26);
  const dnVol = state.ring(26);
  const flatVol = state.ring(26);
  const bp = state.ring(28);
  const ma20 = state.ring(12);
  const trix3 = state.ring(2);
  const pvt = state.ring(60);
  const retVol = state.ring(60);

  // Recursive averages are truncated at their 1e-6 horizon (truncatedEma): exact after their warm-up.
  const KS = (span: number): number => rwS(span);
  const KW = (n: number): number => rwW(n);
  const closeK = state.ring(KS(60));
  const emaOf = (s: number): number => truncatedEma(closeK, spanAlpha(s), KS(s));
  const emas = new Map<number, number>();
  const e = (s: number): number => emas.get(s)!;
  const difR = state.ring(KS(9));
  const upR = state.ring(KW(24));
  const dnR = state.ring(KW(24));
  const trK = state.ring(KW(20));
  const rsvR = state.ring(KDJ_W);
  const kR = state.ring(KDJ_W);
  const pdmR = state.ring(KW(14));
  const mdmR = state.ring(KW(14));
  const dxR = state.ring(KW(14));
  const t1R = state.ring(KS(12));
  const t2R = state.ring(KS(12));
  const atrV = new Map<number, number>();
  let deaV = NaN;
  let kV = NaN;
  let dV = NaN;

  let c = NaN;
  let difRaw = NaN;
  let pdi = NaN;
  let mdi = NaN;

  const push = (v: Record<string, number>): boolean => {
    const o = v['open']!;
    const h = v['high']!;
    const l = v['low']!;
    const vv = v['volume']!;
    c = v['close']!;
    const pc = close.at(0);
    const ph = high.at(0);
    const pl = low.at(0);
    const ptp = tp.at(0);
    close.push(c);
    high.push(h);
    low.push(l);
    vol.push(vv);
    const r = c / pc - 1;
    ret.push(r);
    lret.push(Math.log(c / pc));
    const trv = Number.isNaN(pc) ? h - l : Math.max(h - l, Math.abs(h - pc), Math.abs(l - pc));
    tr.push(trv);
    const tpv = (h + l + c) / 3;
    tp.push(tpv);
    const mf = tpv * vv;
    mfPos.push(Number.isNaN(ptp) || Number.isNaN(mf) ? NaN : tpv > ptp ? mf : 0);
    mfNeg.push(Number.isNaN(ptp) || Number.isNaN(mf) ? NaN : tpv < ptp ? mf : 0);
    obv.push(Number.isNaN(r) ? NaN : Math.sign(r) * vv);
    const lhl = Math.log(h / l);
    hl2.push(lhl * lhl);
    const lco = Math.log(c / o);
    gk.push(0.5 * lhl * lhl - (2 * Math.LN2 - 1) * lco * lco);
    rsv.push(Math.log(h / c) * Math.log(h / o) + Math.log(l / c) * Math.log(l / o));
    gap.push(o / pc - 1);
    intra.push(c / o - 1);
    clvv.push(h > l ? (((c - l) - (h - c)) / (h - l)) * vv : Number.isNaN(h - l) ? NaN : 0);
    absChg.push(Math.abs(c - pc));
    upVol.push(Number.isNaN(r) ? NaN : r > 0 ? vv : 0);
    dnVol.push(Number.isNaN(r) ? NaN : r < 0 ? vv : 0);
    flatVol.push(Number.isNaN(r) ? NaN : r === 0 ? vv : 0);
    bp.push(c - Math.min(l, pc));
    pvt.push(r * vv);
    retVol.push(vv);
    closeK.push(c);
    for (const sp of [5, 10, 12, 20, 26, 30, 60]) emas.set(sp, emaOf(sp));
    difRaw = e(12) - e(26);
    difR.push(difRaw);
    deaV = truncatedEma(difR, spanAlpha(9), KS(9));
    upR.push(Number.isNaN(r) ? NaN : Math.max(c - pc, 0));
    dnR.push(Number.isNaN(r) ? NaN : Math.max(pc - c, 0));
    trK.push(Number.isNaN(c) ? NaN : trv);
    for (const n of [6, 10, 14, 20]) atrV.set(n, truncatedEma(trK, wilderAlpha(n), KW(n)));
    const hh9 = wmax(high, 9);
    const ll9 = wmin(low, 9);
    rsvR.push(Number.isNaN(c) ? NaN : hh9 > ll9 ? ((c - ll9) / (hh9 - ll9)) * 100 : 50);
    kV = truncatedEma(rsvR, 1 / 3, KDJ_W, 50);
    kR.push(Number.isNaN(c) ? NaN : kV);
    dV = truncatedEma(kR, 1 / 3, KDJ_W, 50);
    const um = h - ph;
    const dm = pl - l;
    const okDm = !Number.isNaN(um) && !Number.isNaN(dm) && !Number.isNaN(c);
    pdmR.push(okDm ? (um > dm && um > 0 ? um : 0) : NaN);
    mdmR.push(okDm ? (dm > um && dm > 0 ? dm : 0) : NaN);
    const atr14 = atrV.get(14)!;
    pdi = okDm ? (100 * truncatedEma(pdmR, wilderAlpha(14), KW(14))) / atr14 : NaN;
    mdi = okDm ? (100 * truncatedEma(mdmR, wilderAlpha(14), KW(14))) / atr14 : NaN;
    dxR.push(pdi + mdi > 0 ? (100 * Math.abs(pdi - mdi)) / (pdi + mdi) : NaN);
    t1R.push(Number.isNaN(c) ? NaN : truncatedEma(closeK, spanAlpha(12), KS(12)));
    t2R.push(Number.isNaN(c) ? NaN : truncatedEma(t1R, spanAlpha(12), KS(12)));
    trix3.push(Number.isNaN(c) ? NaN : truncatedEma(t2R, spanAlpha(12), KS(12)));
    ma20.push(wmean(close, 20));
    return !Number.isNaN(c);
  };

  const cols: Col[] = [];
  const add = (d: FeatureDefinition, fn: () => number): void => {
    cols.push({ def: d, fn });
  };

  // RSI (Wilder), 0..100.
  for (const n of [6, 14, 24]) {
    add(def(`RSI${n}`, `100*Wilder(Max(d$close,0),${n})/(Wilder(Max(d$close,0),${n})+Wilder(Max(-d$close,0),${n}))`, C, rwW(n) + 1), () => {
      const u = truncatedEma(upR, wilderAlpha(n), KW(n));
      const d = truncatedEma(dnR, wilderAlpha(n), KW(n));
      return u + d > 0 ? (100 * u) / (u + d) : u + d === 0 ? 50 : NaN;
    });
  }
  // MACD (12, 26, 9), in units of the close; HIST uses the Chinese convention 2*(DIF-DEA).
  add(def('MACD_DIF', '(EMA($close,12)-EMA($close,26))/$close', C, rwS(26)), () => ratio(difRaw, c));
  add(def('MACD_DEA', 'EMA(EMA($close,12)-EMA($close,26),9)/$close', C, rwS(26) + rwS(9)), () => ratio(deaV, c));
  add(def('MACD_HIST', '2*(DIF-DEA)/$close', C, rwS(26) + rwS(9)), () => ratio(2 * (difRaw - deaV), c));
  // KDJ (9, 3, 3): K and D start at 50.
  add(def('KDJ_K', 'K=2/3*Ref(K,1)+1/3*RSV9, RSV9=100*($close-Min($low,9))/(Max($high,9)-Min($low,9)), K0=50', HLC, 9 + KDJ_W), () => kV);
  add(def('KDJ_D', 'D=2/3*Ref(D,1)+1/3*K, D0=50', HLC, 9 + 2 * KDJ_W), () => dV);
  add(def('KDJ_J', '3*K-2*D', HLC, 9 + 2 * KDJ_W), () => 3 * kV - 2 * dV);
  // Bollinger bands (population standard deviation, as Bollinger defines them).
  for (const n of [20, 10]) {
    const band = (k: number): number => wmean(close, n) + k * wstd(close, n, 0);
    if (n === 20) {
      add(def('BOLL_UP20', '(Mean($close,20)+2*Std0($close,20))/$close', C, 20), () => ratio(band(2), c));
      add(def('BOLL_LOW20', '(Mean($close,20)-2*Std0($close,20))/$close', C, 20), () => ratio(band(-2), c));
    }
    add(def(`BOLL_WIDTH${n}`, `4*Std0($close,${n})/Mean($close,${n})`, C, n), () => ratio(4 * wstd(close, n, 0), wmean(close, n)));
    add(def(`BOLL_PCTB${n}`, `($close-LOW${n})/(UP${n}-LOW${n})`, C, n), () => ratio(c - band(-2), band(2) - band(-2)));
  }
  // Average true range (Wilder) over the close.
  for (const n of [6, 14, 20]) add(def(`ATR${n}`, `Wilder(TR,${n})/$close, TR=Max($high-$low,Abs($high-Ref($close,1)),Abs($low-Ref($close,1)))`, HLC, rwW(n) + 1), () => ratio(atrV.get(n)!, c));
  // On-balance volume, normalised: the signed volume of the window over its total volume, in [-1, 1].
  add(def('OBV', 'Sum(Sign(d$close)*$volume,20)/Sum($volume,20)', CV, 21), () => ratio(wsum(obv, 20), wsum(retVol, 20)));
  add(def('OBV60', 'Sum(Sign(d$close)*$volume,60)/Sum($volume,60)', CV, 61), () => ratio(wsum(obv, 60), wsum(retVol, 60)));
  for (const n of [14, 20]) add(def(`CCI${n}`, `(TP-Mean(TP,${n}))/(0.015*MAD(TP,${n})), TP=($high+$low+$close)/3`, HLC, n), () => (Number.isNaN(c) ? NaN : ratio(tp.at(0) - wmean(tp, n), 0.015 * wmad(tp, n))));
  for (const n of [6, 14]) add(def(`WILLR${n}`, `-100*(Max($high,${n})-$close)/(Max($high,${n})-Min($low,${n}))`, HLC, n), () => ratio(-100 * (wmax(high, n) - c), wmax(high, n) - wmin(low, n)));
  for (const n of [6, 14]) {
    add(def(`MFI${n}`, `100*Sum(TP*$volume if TP>Ref(TP,1),${n})/Sum(TP*$volume if TP!=Ref(TP,1),${n})`, HLCV, n + 1), () => {
      if (Number.isNaN(c)) return NaN;
      const p = wsum(mfPos, n);
      const m = wsum(mfNeg, n);
      return p + m > 0 ? (100 * p) / (p + m) : p + m === 0 ? 50 : NaN;
    });
  }
  add(def('DMI_PDI14', '100*Wilder(+DM,14)/Wilder(TR,14)', HLC, rwW(14) + 1), () => (Number.isNaN(c) ? NaN : pdi));
  add(def('DMI_MDI14', '100*Wilder(-DM,14)/Wilder(TR,14)', HLC, rwW(14) + 1), () => (Number.isNaN(c) ? NaN : mdi));
  add(def('DMI_DIFF14', '(PDI14-MDI14)/(PDI14+MDI14)', HLC, rwW(14) + 1), () => (Number.isNaN(c) ? NaN : ratio(pdi - mdi, pdi + mdi)));
  add(def('ADX14', 'Wilder(100*Abs(PDI14-MDI14)/(PDI14+MDI14),14)', HLC, 2 * rwW(14) + 1), () => (Number.isNaN(c) ? NaN : truncatedEma(dxR, wilderAlpha(14), KW(14))));
  // Rate of change (percent), horizons other than Alpha158's ROC (which is Ref($close,d)/$close).
  for (const n of [1, 2, 3, 10, 15, 40, 120]) add(def(`ROCP${n}`, `$close/Ref($close,${n})-1`, C, n + 1), () => c / close.at(n) - 1);
  // Exponential moving averages and their crosses.
  for (const s of [5, 10, 20, 30, 60]) add(def(`EMAR${s}`, `EMA($close,${s})/$close`, C, rwS(s)), () => ratio(e(s), c));
  for (const [a, b] of [[5, 20], [10, 30], [20, 60]] as const) add(def(`EMA${a}_${b}`, `EMA($close,${a})/EMA($close,${b})-1`, C, rwS(b)), () => (Number.isNaN(c) ? NaN : e(a) / e(b) - 1));
  for (const n of [120, 250]) add(def(`SMA${n}`, `Mean($close,${n})/$close`, C, n), () => ratio(wmean(close, n), c));
  // Trend strength: Kaufman's efficiency ratio and Aroon.
  for (const n of [10, 20, 60]) add(def(`ER${n}`, `Abs($close-Ref($close,${n}))/Sum(Abs(d$close),${n})`, C, n + 1), () => ratio(Math.abs(c - close.at(n)), wsum(absChg, n)));
  add(def('AROONUP25', '100*(25-IdxMaxAge($high,26))/25', ['high', 'close'], 26), () => (Number.isNaN(c) ? NaN : (100 * (25 - wargmaxAge(high, 26))) / 25));
  add(def('AROONDN25', '100*(25-IdxMinAge($low,26))/25', ['low', 'close'], 26), () => (Number.isNaN(c) ? NaN : (100 * (25 - wargminAge(low, 26))) / 25));
  add(def('AROONOSC25', 'AROONUP25-AROONDN25', ['high', 'low', 'close'], 26), () => (Number.isNaN(c) ? NaN : (100 * (wargminAge(low, 26) - wargmaxAge(high, 26))) / 25));
  // Breakouts: today's close beyond the previous N sessions' extreme (1/0), distances and ages.
  const prevMax = (r: Ring, n: number): number => {
    let m = -Infinity;
    for (let i = 1; i <= n; i++) if (r.at(i) > m) m = r.at(i);
    return m === -Infinity ? NaN : m;
  };
  const prevMin = (r: Ring, n: number): number => {
    let m = Infinity;
    for (let i = 1; i <= n; i++) if (r.at(i) < m) m = r.at(i);
    return m === Infinity ? NaN : m;
  };
  for (const n of [20, 60, 120, 250]) {
    add(def(`BRK${n}`, `$close>Max(Ref($high,1),${n})`, ['high', 'close'], n + 1), () => {
      const m = prevMax(high, n);
      return Number.isNaN(c) || Number.isNaN(m) ? NaN : c > m ? 1 : 0;
    });
  }
  for (const n of [20, 60]) {
    add(def(`BRKL${n}`, `$close<Min(Ref($low,1),${n})`, ['low', 'close'], n + 1), () => {
      const m = prevMin(low, n);
      return Number.isNaN(c) || Number.isNaN(m) ? NaN : c < m ? 1 : 0;
    });
  }
  for (const n of [120, 250]) {
    add(def(`HIGHDIST${n}`, `$close/Max($high,${n})-1`, ['high', 'close'], n), () => c / wmax(high, n) - 1);
    add(def(`LOWDIST${n}`, `$close/Min($low,${n})-1`, ['low', 'close'], n), () => c / wmin(low, n) - 1);
    add(def(`HHVAGE${n}`, `IdxMaxAge($high,${n})/${n}`, ['high', 'close'], n), () => (Number.isNaN(c) ? NaN : wargmaxAge(high, n) / n));
    add(def(`LLVAGE${n}`, `IdxMinAge($low,${n})/${n}`, ['low', 'close'], n), () => (Number.isNaN(c) ? NaN : wargminAge(low, n) / n));
  }
  // Volume-price relations.
  add(def('VR26', '(Sum(UpVol,26)+Sum(FlatVol,26)/2)/(Sum(DnVol,26)+Sum(FlatVol,26)/2)', CV, 27), () => (Number.isNaN(c) ? NaN : ratio(wsum(upVol, 26) + wsum(flatVol, 26) / 2, wsum(dnVol, 26) + wsum(flatVol, 26) / 2)));
  add(def('VOLR1_5', '$volume/Mean($volume,5)', CV, 5), () => (Number.isNaN(c) ? NaN : ratio(vol.at(0), wmean(vol, 5))));
  add(def('VOLR5_20', 'Mean($volume,5)/Mean($volume,20)', CV, 20), () => (Number.isNaN(c) ? NaN : ratio(wmean(vol, 5), wmean(vol, 20))));
  add(def('VOLR20_120', 'Mean($volume,20)/Mean($volume,120)', CV, 120), () => (Number.isNaN(c) ? NaN : ratio(wmean(vol, 20), wmean(vol, 120))));
  for (const n of [20, 60]) add(def(`PVT${n}`, `Sum(($close/Ref($close,1)-1)*$volume,${n})/Sum($volume,${n})`, CV, n + 1), () => (Number.isNaN(c) ? NaN : ratio(wsum(pvt, n), wsum(retVol, n))));
  add(def('UPVOLR20', 'Sum(If(d$close>0,$volume,0),20)/Sum($volume,20)', CV, 21), () => (Number.isNaN(c) ? NaN : ratio(wsum(upVol, 20), wsum(retVol, 20))));
  for (const n of [20, 60]) add(def(`CMF${n}`, `Sum((($close-$low)-($high-$close))/($high-$low)*$volume,${n})/Sum($volume,${n})`, HLCV, n), () => (Number.isNaN(c) ? NaN : ratio(wsum(clvv, n), wsum(retVol, n))));
  // Volatility: range-based estimators and return moments.
  for (const n of [5, 20, 60]) add(def(`PARK${n}`, `Sqrt(Mean(Log($high/$low)^2,${n})/(4*Log(2)))`, HLC, n), () => (Number.isNaN(c) ? NaN : Math.sqrt(wmean(hl2, n) / (4 * Math.LN2))));
  for (const n of [5, 20, 60]) add(def(`GK${n}`, `Sqrt(Max(Mean(0.5*Log($high/$low)^2-(2*Log(2)-1)*Log($close/$open)^2,${n}),0))`, OHLC, n), () => (Number.isNaN(c) ? NaN : Math.sqrt(Math.max(wmean(gk, n), 0))));
  for (const n of [20, 60]) add(def(`RSVOL${n}`, `Sqrt(Max(Mean(Log($high/$close)*Log($high/$open)+Log($low/$close)*Log($low/$open),${n}),0))`, OHLC, n), () => (Number.isNaN(c) ? NaN : Math.sqrt(Math.max(wmean(rsv, n), 0))));
  for (const n of [5, 20, 60, 120]) add(def(`RVOL${n}`, `Std(Log($close/Ref($close,1)),${n})`, C, n + 1), () => (Number.isNaN(c) ? NaN : wstd(lret, n)));
  add(def('VOLRATIO5_60', 'RVOL5/RVOL60', C, 61), () => (Number.isNaN(c) ? NaN : ratio(wstd(lret, 5), wstd(lret, 60))));
  const semi = (n: number, sign: 1 | -1): number => {
    let s = 0;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const x = lret.at(i);
      if (x === x) {
        k++;
        if (sign * x > 0) s += x * x;
      }
    }
    return k === 0 ? NaN : Math.sqrt(s / k);
  };
  add(def('DOWNVOL20', 'Sqrt(Mean(Min(Log($close/Ref($close,1)),0)^2,20))', C, 21), () => (Number.isNaN(c) ? NaN : semi(20, -1)));
  add(def('UPVOL20', 'Sqrt(Mean(Max(Log($close/Ref($close,1)),0)^2,20))', C, 21), () => (Number.isNaN(c) ? NaN : semi(20, 1)));
  for (const n of [20, 60]) add(def(`SKEW${n}`, `Skew($close/Ref($close,1)-1,${n})`, C, n + 1), () => (Number.isNaN(c) ? NaN : wskew(ret, n)));
  for (const n of [20, 60]) add(def(`KURT${n}`, `Kurt($close/Ref($close,1)-1,${n})`, C, n + 1), () => (Number.isNaN(c) ? NaN : wkurt(ret, n)));
  add(def('MAXRET20', 'Max($close/Ref($close,1)-1,20)', C, 21), () => (Number.isNaN(c) ? NaN : wmax(ret, 20)));
  add(def('MINRET20', 'Min($close/Ref($close,1)-1,20)', C, 21), () => (Number.isNaN(c) ? NaN : wmin(ret, 20)));
  // Momentum variants.
  for (const [a, b] of [[250, 20], [120, 20], [60, 5]] as const) add(def(`MOMSKIP${a}_${b}`, `Ref($close,${b})/Ref($close,${a})-1`, C, a + 1), () => (Number.isNaN(c) ? NaN : close.at(b) / close.at(a) - 1));
  for (const n of [20, 60]) add(def(`RETSHARPE${n}`, `Mean($close/Ref($close,1)-1,${n})/Std($close/Ref($close,1)-1,${n})`, C, n + 1), () => (Number.isNaN(c) ? NaN : ratio(wmean(ret, n), wstd(ret, n))));
  add(def('GAP', '$open/Ref($close,1)-1', ['open', 'close'], 2), () => (Number.isNaN(c) ? NaN : gap.at(0)));
  for (const n of [5, 20]) add(def(`GAPMEAN${n}`, `Mean($open/Ref($close,1)-1,${n})`, ['open', 'close'], n + 1), () => (Number.isNaN(c) ? NaN : wmean(gap, n)));
  add(def('INTRAMEAN20', 'Mean($close/$open-1,20)', ['open', 'close'], 20), () => (Number.isNaN(c) ? NaN : wmean(intra, 20)));
  // Other classics.
  for (const n of [6, 12, 24]) add(def(`BIAS${n}`, `$close/Mean($close,${n})-1`, C, n), () => c / wmean(close, n) - 1);
  add(def('PSY12', 'Count(d$close>0,12)/Count(finite d$close,12)', C, 13), () => {
    if (Number.isNaN(c)) return NaN;
    let up = 0;
    for (let i = 0; i < 12; i++) if (ret.at(i) > 0) up++;
    const k = wcount(ret, 12);
    return k === 0 ? NaN : up / k;
  });
  add(def('DPO20', '$close/Ref(Mean($close,20),11)-1', C, 31), () => c / ma20.at(11) - 1);
  add(def('TRIX12', 'EMA(EMA(EMA($close,12),12),12)/Ref(...,1)-1', C, 3 * rwS(12) + 1), () => (Number.isNaN(c) ? NaN : trix3.at(0) / trix3.at(1) - 1));
  add(def('UOS', '100*(4*A7+2*A14+A28)/7, An=Sum($close-Min($low,Ref($close,1)),n)/Sum(TR,n)', HLC, 29), () => {
    if (Number.isNaN(c)) return NaN;
    const a = (n: number): number => ratio(wsum(bp, n), wsumTr(n));
    return (100 * (4 * a(7) + 2 * a(14) + a(28))) / 7;
  });
  const trLong = state.ring(28);
  const wsumTr = (n: number): number => wsum(trLong, n);
  add(def('KELT_UP20', '(EMA($close,20)+2*Wilder(TR,10))/$close', HLC, Math.max(rwS(20), rwW(10) + 1)), () => ratio(e(20) + 2 * atrV.get(10)!, c));
  add(def('KELT_LOW20', '(EMA($close,20)-2*Wilder(TR,10))/$close', HLC, Math.max(rwS(20), rwW(10) + 1)), () => ratio(e(20) - 2 * atrV.get(10)!, c));
  add(def('CHOP14', 'Log10(Sum(TR,14)/(Max($high,14)-Min($low,14)))/Log10(14)', HLC, 15), () => (Number.isNaN(c) ? NaN : Math.log10(ratio(wsum(tr, 14), wmax(high, 14) - wmin(low, 14))) / Math.log10(14)));
  add(def('DMA10_50', '(Mean($close,10)-Mean($close,50))/$close', C, 50), () => ratio(wmean(close, 10) - wmean(close, 50), c));

  const basePush = push;
  return {
    cols,
    push: (v) => {
      const ok = basePush(v);
      trLong.push(tr.at(0));
      return ok;
    },
  };
}

const INPUTS = ['open', 'high', 'low', 'close', 'volume'] as const;

export const TECHNICAL_DEFINITIONS: readonly FeatureDefinition[] = build(new StepState()).cols.map((c) => c.def);

export function createTechnicalCalculator(): CodedFeatureCalculator {
  return stepCalculator({
    name: 'technical',
    definitions: TECHNICAL_DEFINITIONS,
    required: INPUTS,
    model: () => {
      const state = new StepState();
      const { cols, push } = build(state);
      return {
        step(day, out) {
          const traded = push(day.values);
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
