/**
 * Histogram construction, the hot loop of tree growth.
 *
 * A histogram holds, per feature and bin, the sum of gradients, the sum of hessians and the row
 * count, at `(offsets[f] + bin) * stride`. With a constant hessian (unweighted L2) the stride is 2
 * (gradient, count) and the hessian sum is count x hessian; otherwise 3 (gradient, hessian, count).
 * The count is always the last slot.
 *
 * Every slot is summed in leaf row order whatever the feature range or the layout read, so any split
 * of the features across threads, and either kernel, gives the same bits.
 */

/** What the kernels read: bin codes in both layouts and the per-feature histogram geometry. */
export interface HistData {
  rows: number;
  cols: number;
  /** Row-major codes: bins[r * cols + f]. */
  bins: Uint8Array;
  /** Column-major codes: columns[f * rows + r]. */
  columns: Uint8Array;
  offsets: Int32Array;
  valueBins: Int32Array;
  /**
   * Rows per bin over all rows (at offsets[f] + bin), when known: a leaf holding every row in order
   * (a root without bagging) then copies its counts instead of summing them.
   */
  rootCounts?: Float64Array | null;
}

/**
 * A leaf denser than this share of all rows reads column-major codes (one feature over the sorted
 * rows: sequential enough for the prefetcher); a sparser one reads each row's codes once, row-major,
 * for all its features (a scattered column read would cost a cache miss per row and feature).
 */
const DENSE_SHARE = 1 / 40;

export function histStride(constHess: number): 2 | 3 {
  return constHess > 0 ? 2 : 3;
}

export function isDenseLeaf(count: number, rows: number): boolean {
  return count >= rows * DENSE_SHARE;
}

function clear(hist: Float64Array, d: HistData, features: Int32Array, k0: number, k1: number, s: number): void {
  for (let k = k0; k < k1; k++) {
    const f = features[k]!;
    const off = d.offsets[f]! * s;
    hist.fill(0, off, off + (d.valueBins[f]! + 1) * s);
  }
}

/**
 * Fills the histogram slots of features[k0..k1) from the leaf's rows idx[begin, begin + count),
 * whose gradients (and hessians when constHess <= 0) are gathered in leaf order in gg (gh).
 */
export function histKernel(
  hist: Float64Array,
  d: HistData,
  idx: Int32Array,
  begin: number,
  count: number,
  gg: Float64Array,
  gh: Float64Array,
  features: Int32Array,
  k0: number,
  k1: number,
  constHess: number,
): void {
  const s = histStride(constHess);
  clear(hist, d, features, k0, k1, s);
  if (s === 2 && count === d.rows && d.rootCounts) {
    // Every row, so (bagging aside: count === rows) idx is the identity.
    rootConst(hist, d, d.rootCounts, gg, features, k0, k1);
    return;
  }
  if (isDenseLeaf(count, d.rows)) {
    if (s === 2) denseConst(hist, d, idx, begin, count, gg, features, k0, k1);
    else denseFull(hist, d, idx, begin, count, gg, gh, features, k0, k1);
  } else if (s === 2) sparseConst(hist, d, idx, begin, count, gg, features, k0, k1);
  else sparseFull(hist, d, idx, begin, count, gg, gh, features, k0, k1);
}

/** Counts per bin of features[k0..k1) over all rows (the table rootConst copies). */
export function countBins(d: HistData, counts: Float64Array, features: Int32Array, k0: number, k1: number): void {
  const col = d.columns;
  const rows = d.rows;
  for (let k = k0; k < k1; k++) {
    const f = features[k]!;
    const o = d.offsets[f]!;
    counts.fill(0, o, o + d.valueBins[f]! + 1);
    const c = f * rows;
    for (let r = 0; r < rows; r++) {
      const j = o + col[c + r]!;
      counts[j] = counts[j]! + 1;
    }
  }
}

/** All rows in order with a constant hessian: only the gradients are summed, eight features per pass. */
function rootConst(hist: Float64Array, d: HistData, counts: Float64Array, gg: Float64Array, features: Int32Array, k0: number, k1: number): void {
  const col = d.columns;
  const rows = d.rows;
  const off = d.offsets;
  let k = k0;
  for (; k + 8 <= k1; k += 8) {
    const o0 = off[features[k]!]! * 2;
    const o1 = off[features[k + 1]!]! * 2;
    const o2 = off[features[k + 2]!]! * 2;
    const o3 = off[features[k + 3]!]! * 2;
    const o4 = off[features[k + 4]!]! * 2;
    const o5 = off[features[k + 5]!]! * 2;
    const o6 = off[features[k + 6]!]! * 2;
    const o7 = off[features[k + 7]!]! * 2;
    const c0 = features[k]! * rows;
    const c1 = features[k + 1]! * rows;
    const c2 = features[k + 2]! * rows;
    const c3 = features[k + 3]! * rows;
    const c4 = features[k + 4]! * rows;
    const c5 = features[k + 5]! * rows;
    const c6 = features[k + 6]! * rows;
    const c7 = features[k + 7]! * rows;
    for (let r = 0; r < rows; r++) {
      const g = gg[r]!;
      let j = o0 + col[c0 + r]! * 2;
      hist[j] = hist[j]! + g;
      j = o1 + col[c1 + r]! * 2;
      hist[j] = hist[j]! + g;
      j = o2 + col[c2 + r]! * 2;
      hist[j] = hist[j]! + g;
      j = o3 + col[c3 + r]! * 2;
      hist[j] = hist[j]! + g;
      j = o4 + col[c4 + r]! * 2;
      hist[j] = hist[j]! + g;
      j = o5 + col[c5 + r]! * 2;
      hist[j] = hist[j]! + g;
      j = o6 + col[c6 + r]! * 2;
      hist[j] = hist[j]! + g;
      j = o7 + col[c7 + r]! * 2;
      hist[j] = hist[j]! + g;
    }
  }
  for (; k < k1; k++) {
    const o = off[features[k]!]! * 2;
    const c = features[k]! * rows;
    for (let r = 0; r < rows; r++) {
      const j = o + col[c + r]! * 2;
      hist[j] = hist[j]! + gg[r]!;
    }
  }
  for (k = k0; k < k1; k++) {
    const f = features[k]!;
    const o = off[f]!;
    for (let b = 0; b <= d.valueBins[f]!; b++) hist[(o + b) * 2 + 1] = counts[o + b]!;
  }
}

/** Four features per pass over the rows: four independent update chains keep the core busy. */
function denseConst(hist: Float64Array, d: HistData, idx: Int32Array, begin: number, count: number, gg: Float64Array, features: Int32Array, k0: number, k1: number): void {
  const col = d.columns;
  const rows = d.rows;
  const off = d.offsets;
  let k = k0;
  // Eight chains per pass where the leaf is large enough for the extra columns to stream well.
  if (count * 8 >= rows) for (; k + 8 <= k1; k += 8) dense8Const(hist, d, idx, begin, count, gg, features, k);
  for (; k + 4 <= k1; k += 4) {
    const f0 = features[k]!;
    const f1 = features[k + 1]!;
    const f2 = features[k + 2]!;
    const f3 = features[k + 3]!;
    const o0 = off[f0]! * 2;
    const o1 = off[f1]! * 2;
    const o2 = off[f2]! * 2;
    const o3 = off[f3]! * 2;
    const c0 = f0 * rows;
    const c1 = f1 * rows;
    const c2 = f2 * rows;
    const c3 = f3 * rows;
    for (let n = 0; n < count; n++) {
      const r = idx[begin + n]!;
      const g = gg[n]!;
      let j = o0 + col[c0 + r]! * 2;
      hist[j] = hist[j]! + g;
      hist[j + 1] = hist[j + 1]! + 1;
      j = o1 + col[c1 + r]! * 2;
      hist[j] = hist[j]! + g;
      hist[j + 1] = hist[j + 1]! + 1;
      j = o2 + col[c2 + r]! * 2;
      hist[j] = hist[j]! + g;
      hist[j + 1] = hist[j + 1]! + 1;
      j = o3 + col[c3 + r]! * 2;
      hist[j] = hist[j]! + g;
      hist[j + 1] = hist[j + 1]! + 1;
    }
  }
  for (; k < k1; k++) {
    const f = features[k]!;
    const o = off[f]! * 2;
    const c = f * rows;
    for (let n = 0; n < count; n++) {
      const j = o + col[c + idx[begin + n]!]! * 2;
      hist[j] = hist[j]! + gg[n]!;
      hist[j + 1] = hist[j + 1]! + 1;
    }
  }
}

function dense8Const(hist: Float64Array, d: HistData, idx: Int32Array, begin: number, count: number, gg: Float64Array, features: Int32Array, k: number): void {
  const col = d.columns;
  const rows = d.rows;
  const off = d.offsets;
  const o0 = off[features[k]!]! * 2;
  const o1 = off[features[k + 1]!]! * 2;
  const o2 = off[features[k + 2]!]! * 2;
  const o3 = off[features[k + 3]!]! * 2;
  const o4 = off[features[k + 4]!]! * 2;
  const o5 = off[features[k + 5]!]! * 2;
  const o6 = off[features[k + 6]!]! * 2;
  const o7 = off[features[k + 7]!]! * 2;
  const c0 = features[k]! * rows;
  const c1 = features[k + 1]! * rows;
  const c2 = features[k + 2]! * rows;
  const c3 = features[k + 3]! * rows;
  const c4 = features[k + 4]! * rows;
  const c5 = features[k + 5]! * rows;
  const c6 = features[k + 6]! * rows;
  const c7 = features[k + 7]! * rows;
  for (let n = 0; n < count; n++) {
    const r = idx[begin + n]!;
    const g = gg[n]!;
    let j = o0 + col[c0 + r]! * 2;
    hist[j] = hist[j]! + g;
    hist[j + 1] = hist[j + 1]! + 1;
    j = o1 + col[c1 + r]! * 2;
    hist[j] = hist[j]! + g;
    hist[j + 1] = hist[j + 1]! + 1;
    j = o2 + col[c2 + r]! * 2;
    hist[j] = hist[j]! + g;
    hist[j + 1] = hist[j + 1]! + 1;
    j = o3 + col[c3 + r]! * 2;
    hist[j] = hist[j]! + g;
    hist[j + 1] = hist[j + 1]! + 1;
    j = o4 + col[c4 + r]! * 2;
    hist[j] = hist[j]! + g;
    hist[j + 1] = hist[j + 1]! + 1;
    j = o5 + col[c5 + r]! * 2;
    hist[j] = hist[j]! + g;
    hist[j + 1] = hist[j + 1]! + 1;
    j = o6 + col[c6 + r]! * 2;
    hist[j] = hist[j]! + g;
    hist[j + 1] = hist[j + 1]! + 1;
    j = o7 + col[c7 + r]! * 2;
    hist[j] = hist[j]! + g;
    hist[j + 1] = hist[j + 1]! + 1;
  }
}

function denseFull(hist: Float64Array, d: HistData, idx: Int32Array, begin: number, count: number, gg: Float64Array, gh: Float64Array, features: Int32Array, k0: number, k1: number): void {
  const col = d.columns;
  const rows = d.rows;
  const off = d.offsets;
  let k = k0;
  for (; k + 2 <= k1; k += 2) {
    const f0 = features[k]!;
    const f1 = features[k + 1]!;
    const o0 = off[f0]! * 3;
    const o1 = off[f1]! * 3;
    const c0 = f0 * rows;
    const c1 = f1 * rows;
    for (let n = 0; n < count; n++) {
      const r = idx[begin + n]!;
      const g = gg[n]!;
      const h = gh[n]!;
      let j = o0 + col[c0 + r]! * 3;
      hist[j] = hist[j]! + g;
      hist[j + 1] = hist[j + 1]! + h;
      hist[j + 2] = hist[j + 2]! + 1;
      j = o1 + col[c1 + r]! * 3;
      hist[j] = hist[j]! + g;
      hist[j + 1] = hist[j + 1]! + h;
      hist[j + 2] = hist[j + 2]! + 1;
    }
  }
  for (; k < k1; k++) {
    const f = features[k]!;
    const o = off[f]! * 3;
    const c = f * rows;
    for (let n = 0; n < count; n++) {
      const j = o + col[c + idx[begin + n]!]! * 3;
      hist[j] = hist[j]! + gg[n]!;
      hist[j + 1] = hist[j + 1]! + gh[n]!;
      hist[j + 2] = hist[j + 2]! + 1;
    }
  }
}

/** The range's feature ids and histogram offsets (times the stride), packed for the row loops. */
function rangeGeometry(d: HistData, features: Int32Array, k0: number, k1: number, s: number): { fs: Int32Array; os: Int32Array } {
  const fs = features.subarray(k0, k1);
  const os = new Int32Array(k1 - k0);
  for (let k = 0; k < os.length; k++) os[k] = d.offsets[fs[k]!]! * s;
  return { fs, os };
}

/** One pass over the rows, all of the range's features per row, unrolled by four. */
function sparseConst(hist: Float64Array, d: HistData, idx: Int32Array, begin: number, count: number, gg: Float64Array, features: Int32Array, k0: number, k1: number): void {
  const bins = d.bins;
  const cols = d.cols;
  const { fs, os } = rangeGeometry(d, features, k0, k1, 2);
  const nk = fs.length;
  const n4 = nk & ~3;
  for (let n = 0; n < count; n++) {
    const at = idx[begin + n]! * cols;
    const g = gg[n]!;
    let k = 0;
    for (; k < n4; k += 4) {
      const j0 = os[k]! + bins[at + fs[k]!]! * 2;
      const j1 = os[k + 1]! + bins[at + fs[k + 1]!]! * 2;
      const j2 = os[k + 2]! + bins[at + fs[k + 2]!]! * 2;
      const j3 = os[k + 3]! + bins[at + fs[k + 3]!]! * 2;
      hist[j0] = hist[j0]! + g;
      hist[j0 + 1] = hist[j0 + 1]! + 1;
      hist[j1] = hist[j1]! + g;
      hist[j1 + 1] = hist[j1 + 1]! + 1;
      hist[j2] = hist[j2]! + g;
      hist[j2 + 1] = hist[j2 + 1]! + 1;
      hist[j3] = hist[j3]! + g;
      hist[j3 + 1] = hist[j3 + 1]! + 1;
    }
    for (; k < nk; k++) {
      const j = os[k]! + bins[at + fs[k]!]! * 2;
      hist[j] = hist[j]! + g;
      hist[j + 1] = hist[j + 1]! + 1;
    }
  }
}

function sparseFull(hist: Float64Array, d: HistData, idx: Int32Array, begin: number, count: number, gg: Float64Array, gh: Float64Array, features: Int32Array, k0: number, k1: number): void {
  const bins = d.bins;
  const cols = d.cols;
  const { fs, os } = rangeGeometry(d, features, k0, k1, 3);
  const nk = fs.length;
  const n2 = nk & ~1;
  for (let n = 0; n < count; n++) {
    const at = idx[begin + n]! * cols;
    const g = gg[n]!;
    const h = gh[n]!;
    let k = 0;
    for (; k < n2; k += 2) {
      const j0 = os[k]! + bins[at + fs[k]!]! * 3;
      const j1 = os[k + 1]! + bins[at + fs[k + 1]!]! * 3;
      hist[j0] = hist[j0]! + g;
      hist[j0 + 1] = hist[j0 + 1]! + h;
      hist[j0 + 2] = hist[j0 + 2]! + 1;
      hist[j1] = hist[j1]! + g;
      hist[j1 + 1] = hist[j1 + 1]! + h;
      hist[j1 + 2] = hist[j1 + 2]! + 1;
    }
    for (; k < nk; k++) {
      const j = os[k]! + bins[at + fs[k]!]! * 3;
      hist[j] = hist[j]! + g;
      hist[j + 1] = hist[j + 1]! + h;
      hist[j + 2] = hist[j + 2]! + 1;
    }
  }
}

/** large := large - small over features[k0..k1) (histogram subtraction: the larger sibling from its parent). */
export function subtractHist(large: Float64Array, small: Float64Array, d: HistData, features: Int32Array, k0: number, k1: number, stride: number): void {
  for (let k = k0; k < k1; k++) {
    const f = features[k]!;
    const from = d.offsets[f]! * stride;
    const to = from + (d.valueBins[f]! + 1) * stride;
    for (let j = from; j < to; j++) large[j] = large[j]! - small[j]!;
  }
}
