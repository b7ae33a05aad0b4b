import type { FeatureCalculator } from '../feature.port';
import { createRowCalculator } from '../core/row.calculator';
import { NEAR_ZERO_STD, sortedQuantile } from '../core/rolling.kernels';
import { ALPHA158_DEFINITIONS, ALPHA158_WINDOWS } from './alpha158.definitions';

/**
 * Alpha158 in one pass per row: the 29 rolling operators at the 5 nested windows share a single
 * backward scan over the last 60 rows (sums, extremes, ranks, sorted values and regression sums are
 * accumulated once and read off when the scan reaches 5, 10, 20, 30 and 60 rows). Sums are taken on
 * values shifted by the window's newest finite value, which keeps one-pass variances accurate.
 * Semantics are those of the generic kernels (rolling.kernels.ts); the golden files check them
 * against an independent pandas implementation.
 */

const [O, H, L, C, V, VW] = [0, 1, 2, 3, 4, 5];
// Derived columns: up/down flags, close and volume deltas, |return|*volume, log volume, return, log volume ratio.
const [UP, DN, CD, VD, WV, LV, RET, LVR] = [6, 7, 8, 9, 10, 11, 12, 13];
const EPS = 1e-12;
const W = ALPHA158_WINDOWS;
const MAXW = W[W.length - 1]!;
const ROLL0 = 13;
const NW = W.length;
// Operator slots in the output, in ALPHA158_ROLLING_OPERATORS order.
const ROC = ROLL0 + 0 * NW;
const MA = ROLL0 + 1 * NW;
const STD = ROLL0 + 2 * NW;
const BETA = ROLL0 + 3 * NW;
const RSQR = ROLL0 + 4 * NW;
const RESI = ROLL0 + 5 * NW;
const MAX = ROLL0 + 6 * NW;
const MIN = ROLL0 + 7 * NW;
const QTLU = ROLL0 + 8 * NW;
const QTLD = ROLL0 + 9 * NW;
const RANK = ROLL0 + 10 * NW;
const RSV = ROLL0 + 11 * NW;
const IMAX = ROLL0 + 12 * NW;
const IMIN = ROLL0 + 13 * NW;
const IMXD = ROLL0 + 14 * NW;
const CORR = ROLL0 + 15 * NW;
const CORD = ROLL0 + 16 * NW;
const CNTP = ROLL0 + 17 * NW;
const CNTN = ROLL0 + 18 * NW;
const CNTD = ROLL0 + 19 * NW;
const SUMP = ROLL0 + 20 * NW;
const SUMN = ROLL0 + 21 * NW;
const SUMD = ROLL0 + 22 * NW;
const VMA = ROLL0 + 23 * NW;
const VSTD = ROLL0 + 24 * NW;
const WVMA = ROLL0 + 25 * NW;
const VSUMP = ROLL0 + 26 * NW;
const VSUMN = ROLL0 + 27 * NW;
const VSUMD = ROLL0 + 28 * NW;

const sorted = new Float64Array(MAXW);

function derive(cols: Float64Array[], i: number, available: number): void {
  const c = cols[C]![i]!;
  const v = cols[V]![i]!;
  const c1 = available > 1 ? cols[C]![i - 1]! : NaN;
  const v1 = available > 1 ? cols[V]![i - 1]! : NaN;
  // Qlib's Gt/Lt are numpy comparisons: false (0) when either side is NaN.
  cols[UP]![i] = c > c1 ? 1 : 0;
  cols[DN]![i] = c < c1 ? 1 : 0;
  cols[CD]![i] = c - c1;
  cols[VD]![i] = v - v1;
  cols[WV]![i] = Math.abs(c / c1 - 1) * v;
  cols[LV]![i] = Math.log(v + 1);
  cols[RET]![i] = c / c1;
  cols[LVR]![i] = Math.log(v / v1 + 1);
}

function sampleStd(n: number, s: number, ss: number): number {
  return n < 2 ? NaN : Math.sqrt(Math.max(0, ss - (s * s) / n) / (n - 1));
}

function nearZero(std: number): boolean {
  return std === std && std <= NEAR_ZERO_STD;
}

function compute(cols: Float64Array[], i: number, available: number, out: Float64Array, stride: number, row: number): void {
  const o = cols[O]!;
  const h = cols[H]!;
  const l = cols[L]!;
  const c = cols[C]!;
  const v = cols[V]!;
  const up = cols[UP]!;
  const dn = cols[DN]!;
  const cd = cols[CD]!;
  const vd = cols[VD]!;
  const wv = cols[WV]!;
  const lv = cols[LV]!;
  const ret = cols[RET]!;
  const lvr = cols[LVR]!;
  const oi = o[i]!;
  const hi = h[i]!;
  const li = l[i]!;
  const ci = c[i]!;
  const vi = v[i]!;
  const range = hi - li + EPS;
  const top = Math.max(oi, ci);
  const bottom = Math.min(oi, ci);
  out[row] = (ci - oi) / oi;
  out[stride + row] = (hi - li) / oi;
  out[2 * stride + row] = (ci - oi) / range;
  out[3 * stride + row] = (hi - top) / oi;
  out[4 * stride + row] = (hi - top) / range;
  out[5 * stride + row] = (bottom - li) / oi;
  out[6 * stride + row] = (bottom - li) / range;
  out[7 * stride + row] = (2 * ci - hi - li) / oi;
  out[8 * stride + row] = (2 * ci - hi - li) / range;
  out[9 * stride + row] = oi / ci;
  out[10 * stride + row] = hi / ci;
  out[11 * stride + row] = li / ci;
  out[12 * stride + row] = cols[VW]![i]! / ci;

  const maxN = Math.min(MAXW, available);
  // close: shifted sums and regression on x = -k (k rows back)
  let cRef = NaN;
  let cN = 0;
  let cS = 0;
  let cSS = 0;
  let sx = 0;
  let sxx = 0;
  let sxy = 0;
  let less = 0;
  let equal = 0;
  let m = 0;
  // high/low extremes, their oldest position and the oldest NaN (numpy argmax/argmin semantics)
  let hMax = NaN;
  let hArg = -1;
  let hNaN = -1;
  let lMin = NaN;
  let lArg = -1;
  let lNaN = -1;
  let vRef = NaN;
  let vN = 0;
  let vS = 0;
  let vSS = 0;
  // Corr(close, log(volume+1)): pairwise sums and the own sums of log volume
  let p1x = NaN;
  let p1y = NaN;
  let p1N = 0;
  let p1Sx = 0;
  let p1Sy = 0;
  let p1Sxx = 0;
  let p1Syy = 0;
  let p1Sxy = 0;
  let lvRef = NaN;
  let lvN = 0;
  let lvS = 0;
  let lvSS = 0;
  // Corr(return, log volume ratio): pairwise sums and own sums of each
  let p2x = NaN;
  let p2y = NaN;
  let p2N = 0;
  let p2Sx = 0;
  let p2Sy = 0;
  let p2Sxx = 0;
  let p2Syy = 0;
  let p2Sxy = 0;
  let rRef = NaN;
  let rN = 0;
  let rS = 0;
  let rSS = 0;
  let qRef = NaN;
  let qN = 0;
  let qS = 0;
  let qSS = 0;
  let upS = 0;
  let dnS = 0;
  let gN = 0;
  let gP = 0;
  let gM = 0;
  let gA = 0;
  let hN = 0;
  let hP = 0;
  let hM = 0;
  let hA = 0;
  let wRef = NaN;
  let wN = 0;
  let wS = 0;
  let wSS = 0;
  let wi = 0;

  for (let k = 0; k < maxN; k++) {
    const j = i - k;
    const x = c[j]!;
    if (x === x) {
      if (cRef !== cRef) cRef = x;
      const y = x - cRef;
      cN++;
      cS += y;
      cSS += y * y;
      sx -= k;
      sxx += k * k;
      sxy -= k * y;
      if (x < ci) less++;
      else if (x === ci) equal++;
      let p = m++;
      while (p > 0 && sorted[p - 1]! > x) {
        sorted[p] = sorted[p - 1]!;
        p--;
      }
      sorted[p] = x;
    }
    const hv = h[j]!;
    if (hv !== hv) hNaN = k;
    else if (hArg < 0 || hv >= hMax) {
      hMax = hv;
      hArg = k;
    }
    const lw = l[j]!;
    if (lw !== lw) lNaN = k;
    else if (lArg < 0 || lw <= lMin) {
      lMin = lw;
      lArg = k;
    }
    const vv = v[j]!;
    if (vv === vv) {
      if (vRef !== vRef) vRef = vv;
      const y = vv - vRef;
      vN++;
      vS += y;
      vSS += y * y;
    }
    const lvv = lv[j]!;
    if (lvv === lvv) {
      if (lvRef !== lvRef) lvRef = lvv;
      const y = lvv - lvRef;
      lvN++;
      lvS += y;
      lvSS += y * y;
      if (x === x) {
        if (p1x !== p1x) {
          p1x = x;
          p1y = lvv;
        }
        const a = x - p1x;
        const b = lvv - p1y;
        p1N++;
        p1Sx += a;
        p1Sy += b;
        p1Sxx += a * a;
        p1Syy += b * b;
        p1Sxy += a * b;
      }
    }
    const rv = ret[j]!;
    if (rv === rv) {
      if (rRef !== rRef) rRef = rv;
      const y = rv - rRef;
      rN++;
      rS += y;
      rSS += y * y;
    }
    const qv = lvr[j]!;
    if (qv === qv) {
      if (qRef !== qRef) qRef = qv;
      const y = qv - qRef;
      qN++;
      qS += y;
      qSS += y * y;
      if (rv === rv) {
        if (p2x !== p2x) {
          p2x = rv;
          p2y = qv;
        }
        const a = rv - p2x;
        const b = qv - p2y;
        p2N++;
        p2Sx += a;
        p2Sy += b;
        p2Sxx += a * a;
        p2Syy += b * b;
        p2Sxy += a * b;
      }
    }
    upS += up[j]!;
    dnS += dn[j]!;
    const dc = cd[j]!;
    if (dc === dc) {
      gN++;
      if (dc > 0) gP += dc;
      else gM -= dc;
      gA += Math.abs(dc);
    }
    const dv = vd[j]!;
    if (dv === dv) {
      hN++;
      if (dv > 0) hP += dv;
      else hM -= dv;
      hA += Math.abs(dv);
    }
    const wvv = wv[j]!;
    if (wvv === wvv) {
      if (wRef !== wRef) wRef = wvv;
      const y = wvv - wRef;
      wN++;
      wS += y;
      wSS += y * y;
    }

    const n = k + 1;
    while (wi < NW && Math.min(W[wi]!, available) === n) {
      const d = W[wi]!;
      const b = wi * stride + row;
      out[ROC * stride + b] = d < available ? c[i - d]! / ci : NaN;
      out[MA * stride + b] = cN === 0 ? NaN : (cRef + cS / cN) / ci;
      const cStd = sampleStd(cN, cS, cSS);
      out[STD * stride + b] = cStd / ci;
      const num = cN * sxy - sx * cS;
      const den = cN * sxx - sx * sx;
      const slope = cN < 2 ? NaN : num / den;
      out[BETA * stride + b] = slope / ci;
      out[RSQR * stride + b] = cN < 2 || nearZero(cStd) ? NaN : (num * num) / (den * (cN * cSS - cS * cS));
      out[RESI * stride + b] = cN < 2 ? NaN : (ci - cRef - (cS / cN - (slope * sx) / cN)) / ci;
      out[MAX * stride + b] = hMax / ci;
      out[MIN * stride + b] = lMin / ci;
      out[QTLU * stride + b] = sortedQuantile(sorted, m, 0.8) / ci;
      out[QTLD * stride + b] = sortedQuantile(sorted, m, 0.2) / ci;
      out[RANK * stride + b] = ci !== ci ? NaN : (less + (equal + 1) / 2) / cN;
      out[RSV * stride + b] = (ci - lMin) / (hMax - lMin + EPS);
      const idxMax = hArg < 0 ? NaN : n - (hNaN >= 0 ? hNaN : hArg);
      const idxMin = lArg < 0 ? NaN : n - (lNaN >= 0 ? lNaN : lArg);
      out[IMAX * stride + b] = idxMax / d;
      out[IMIN * stride + b] = idxMin / d;
      out[IMXD * stride + b] = (idxMax - idxMin) / d;
      out[CORR * stride + b] = pairCorr(p1N, p1Sx, p1Sy, p1Sxx, p1Syy, p1Sxy, cStd, sampleStd(lvN, lvS, lvSS));
      out[CORD * stride + b] = pairCorr(p2N, p2Sx, p2Sy, p2Sxx, p2Syy, p2Sxy, sampleStd(rN, rS, rSS), sampleStd(qN, qS, qSS));
      out[CNTP * stride + b] = upS / n;
      out[CNTN * stride + b] = dnS / n;
      out[CNTD * stride + b] = upS / n - dnS / n;
      out[SUMP * stride + b] = gN === 0 ? NaN : gP / (gA + EPS);
      out[SUMN * stride + b] = gN === 0 ? NaN : gM / (gA + EPS);
      out[SUMD * stride + b] = gN === 0 ? NaN : (gP - gM) / (gA + EPS);
      out[VMA * stride + b] = vN === 0 ? NaN : (vRef + vS / vN) / (vi + EPS);
      out[VSTD * stride + b] = sampleStd(vN, vS, vSS) / (vi + EPS);
      out[WVMA * stride + b] = sampleStd(wN, wS, wSS) / (wN === 0 ? NaN : wRef + wS / wN + EPS);
      out[VSUMP * stride + b] = hN === 0 ? NaN : hP / (hA + EPS);
      out[VSUMN * stride + b] = hN === 0 ? NaN : hM / (hA + EPS);
      out[VSUMD * stride + b] = hN === 0 ? NaN : (hP - hM) / (hA + EPS);
      wi++;
    }
  }
  // A row with no history at all (available 0) cannot happen: the row itself is always there.
}

/** pandas rolling corr on pairwise-complete rows, NaN where an input's own std is near 0 (Qlib). */
function pairCorr(n: number, sx: number, sy: number, sxx: number, syy: number, sxy: number, stdX: number, stdY: number): number {
  if (n < 2 || nearZero(stdX) || nearZero(stdY)) return NaN;
  const vx = Math.max(0, sxx - (sx * sx) / n);
  const vy = Math.max(0, syy - (sy * sy) / n);
  return (sxy - (sx * sy) / n) / Math.sqrt(vx * vy);
}

export const alpha158Calculator: FeatureCalculator = createRowCalculator({
  name: 'alpha158',
  definitions: ALPHA158_DEFINITIONS,
  inputs: ['open', 'high', 'low', 'close', 'volume', 'vwap'],
  optional: ['vwap'],
  derivedCount: 8,
  derive,
  lookback: MAXW + 1,
  compute,
});
