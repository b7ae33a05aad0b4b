/**
 * The last rows of one or more series for a streaming state: a contiguous Float64Array per column, so
 * the window kernels read it exactly as they read a batch series (same values, same order, same
 * numbers). When full, the newest `keep` rows move to the front (amortised O(1) per row).
 */
export class HistoryBuffer {
  readonly columns: Float64Array[];
  /** Index of the newest row in the columns; -1 when empty. */
  last = -1;
  /** Rows added since the start (not only those still held). */
  total = 0;
  private readonly capacity: number;

  constructor(
    columnCount: number,
    readonly keep: number,
  ) {
    if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`HistoryBuffer keep must be a positive integer, got ${keep}`);
    this.capacity = Math.max(2 * keep, 64);
    this.columns = Array.from({ length: columnCount }, () => new Float64Array(this.capacity));
  }

  /** Opens a new row (values NaN until set) and returns its index. */
  append(): number {
    if (this.last + 1 === this.capacity) {
      const from = this.capacity - this.keep;
      for (const c of this.columns) c.copyWithin(0, from, this.capacity);
      this.last = this.keep - 1;
    }
    this.last++;
    this.total++;
    for (const c of this.columns) c[this.last] = NaN;
    return this.last;
  }

  /** Rows available for a window ending at the newest row, capped at `n`. */
  available(n: number): number {
    return Math.min(n, this.total);
  }
}
