import {
  windowCorr,
  windowCount,
  windowCov,
  windowIdxMax,
  windowIdxMin,
  windowMax,
  windowMean,
  windowMin,
  windowQuantile,
  windowRank,
  windowResi,
  windowRsquare,
  windowSlope,
  windowStd,
  windowSum,
  windowVar,
} from './rolling.kernels';
import { HistoryBuffer } from './history.buffer';

/**
 * Streaming counterpart of the series operators: the last `maxWindow + 1` values of one or two series,
 * and each operator evaluated at the newest row with the same kernel as the batch operator, so the
 * numbers are identical once the stream holds the window.
 */
export class SeriesWindow {
  private readonly buf: HistoryBuffer;
  private readonly scratch: Float64Array;

  constructor(
    readonly maxWindow: number,
    readonly pairs = false,
  ) {
    this.buf = new HistoryBuffer(pairs ? 2 : 1, maxWindow + 1);
    this.scratch = new Float64Array(maxWindow);
  }

  get length(): number {
    return this.buf.total;
  }

  push(value: number, other = NaN): void {
    const i = this.buf.append();
    this.buf.columns[0]![i] = value;
    if (this.pairs) this.buf.columns[1]![i] = other;
  }

  /** Replaces the newest value (a corrected day). */
  replaceLast(value: number, other = NaN): void {
    if (this.buf.last < 0) throw new RangeError('SeriesWindow.replaceLast: nothing to replace');
    this.buf.columns[0]![this.buf.last] = value;
    if (this.pairs) this.buf.columns[1]![this.buf.last] = other;
  }

  private at(n: number, f: (a: Float64Array, i: number, m: number) => number): number {
    if (n > this.maxWindow) throw new RangeError(`window ${n} exceeds this SeriesWindow's ${this.maxWindow}`);
    if (this.buf.total === 0) return NaN;
    return f(this.buf.columns[0]!, this.buf.last, this.buf.available(n));
  }

  ref(n: number): number {
    if (n > this.maxWindow) throw new RangeError(`lag ${n} exceeds this SeriesWindow's ${this.maxWindow}`);
    return n < this.buf.total ? this.buf.columns[0]![this.buf.last - n]! : NaN;
  }
  mean(n: number): number {
    return this.at(n, windowMean);
  }
  sum(n: number): number {
    return this.at(n, windowSum);
  }
  std(n: number): number {
    return this.at(n, windowStd);
  }
  variance(n: number): number {
    return this.at(n, windowVar);
  }
  max(n: number): number {
    return this.at(n, windowMax);
  }
  min(n: number): number {
    return this.at(n, windowMin);
  }
  idxMax(n: number): number {
    return this.at(n, windowIdxMax);
  }
  idxMin(n: number): number {
    return this.at(n, windowIdxMin);
  }
  rank(n: number): number {
    return this.at(n, windowRank);
  }
  slope(n: number): number {
    return this.at(n, windowSlope);
  }
  rsquare(n: number): number {
    return this.at(n, windowRsquare);
  }
  resi(n: number): number {
    return this.at(n, windowResi);
  }
  count(n: number): number {
    return this.at(n, windowCount);
  }
  quantile(n: number, q: number): number {
    return this.at(n, (a, i, m) => windowQuantile(a, i, m, q, this.scratch));
  }
  corr(n: number): number {
    return this.pair(n, windowCorr);
  }
  cov(n: number): number {
    return this.pair(n, windowCov);
  }

  private pair(n: number, f: (a: Float64Array, b: Float64Array, i: number, m: number) => number): number {
    if (!this.pairs) throw new RangeError('this SeriesWindow holds one series; construct it with pairs = true');
    if (n > this.maxWindow) throw new RangeError(`window ${n} exceeds this SeriesWindow's ${this.maxWindow}`);
    if (this.buf.total === 0) return NaN;
    return f(this.buf.columns[0]!, this.buf.columns[1]!, this.buf.last, this.buf.available(n));
  }
}
