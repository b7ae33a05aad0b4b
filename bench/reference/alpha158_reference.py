#!/usr/bin/env python3
"""Independent reference for Alpha158 (golden files for libs/features).

Implements the 158 expressions of Qlib's Alpha158 loader (qlib/contrib/data/loader.py, default config:
kbar + price windows [0] on OPEN/HIGH/LOW/VWAP + 29 rolling operators x 5,10,20,30,60) directly with
pandas, following the operator semantics of qlib/data/ops.py:
  - rolling operators are pandas rolling(N, min_periods=1): NaN skipped, windows count calendar rows;
  - Std is ddof=1; Quantile is pandas' linear interpolation; Rank is rolling rank(pct=True);
  - IdxMax/IdxMin apply numpy argmax/argmin + 1 to the raw window (NaN included, as Qlib does);
  - Slope/Rsquare/Resi are least squares on the row position (here written with pandas rolling cov/corr
    against a time index, not Qlib's Cython); Rsquare and Corr are NaN where the rolling std of an input
    is within 2e-5 of 0 (Qlib's np.isclose rule);
  - comparisons ($close>Ref($close,1)) give False on NaN, Greater/Less propagate NaN.
It reads the Qlib .bin files itself (float32, element 0 = calendar index of the first row) and applies
the project's missing-row rule: a row whose prices/factor are unusable or whose volume is 0 or NaN is a
NaN row in every field, kept on the calendar from the instrument's first to last bar.
Everything is computed in float64 on the full history; only the requested date range is written.
"""
import argparse
import gzip
import os
import sys

import numpy as np
import pandas as pd

DEFAULT_CODES = [
    'SH600000', 'SH600036', 'SH600519', 'SH601318', 'SH601398', 'SH600030', 'SZ000001', 'SZ000002',
    'SZ000651', 'SZ000858', 'SH600276', 'SH600887', 'SZ002415', 'SH600104',
    # many suspended days in 2016-2018: exercise the missing-row rule
    'SH600733', 'SZ000629', 'SZ002129', 'SZ002168', 'SH601005', 'SZ000415',
]
WINDOWS = [5, 10, 20, 30, 60]
EPS = 1e-12


def read_bin(path):
    a = np.fromfile(path, dtype='<f4')
    if a.size < 1:
        raise SystemExit(f'{path}: empty file')
    return int(a[0]), a[1:].astype(np.float64)


def load_instrument(root, code, n_cal):
    base = os.path.join(root, 'features', code.lower())
    if not os.path.isdir(base):
        base = os.path.join(root, 'features', code)
    full = {}
    for f in ('open', 'high', 'low', 'close', 'volume', 'factor'):
        start, vals = read_bin(os.path.join(base, f'{f}.day.bin'))
        arr = np.full(n_cal, np.nan)
        end = min(n_cal, start + vals.size)
        arr[start:end] = vals[: end - start]
        full[f] = arr
    factor = full['factor']
    bar = ~np.isnan(full['close']) & ~np.isnan(full['open']) & ~np.isnan(full['high']) & ~np.isnan(full['low'])
    bar &= np.isfinite(factor) & (factor > 0)
    rows = np.flatnonzero(bar)
    if rows.size == 0:
        raise SystemExit(f'{code}: no bars')
    lo, hi = rows[0], rows[-1] + 1
    df = pd.DataFrame({f: full[f][lo:hi] for f in ('open', 'high', 'low', 'close', 'volume')})
    vol = df['volume'].to_numpy()
    missing = ~bar[lo:hi] | ~(vol > 0)
    df.loc[missing, :] = np.nan
    df['vwap'] = np.nan  # no amount in this dataset
    return lo, df


def rolling(s, n):
    return s.rolling(n, min_periods=1)


def std(s, n):
    return rolling(s, n).std()


def near_zero_std(s, n):
    return np.isclose(std(s, n), 0, atol=2e-05)


def corr(a, b, n):
    res = rolling(a, n).corr(b)
    res[near_zero_std(a, n) | near_zero_std(b, n)] = np.nan
    return res


def regression(y, n):
    """Slope, R^2 and last residual of y on its row position over the window (NaN rows skipped)."""
    t = pd.Series(np.arange(len(y), dtype=np.float64), index=y.index)
    t_obs = t.where(y.notna())
    slope = rolling(y, n).cov(t) / rolling(t_obs, n).var()
    rsq = rolling(y, n).corr(t) ** 2
    rsq[near_zero_std(y, n)] = np.nan
    resi = y - (rolling(y, n).mean() + slope * (t - rolling(t_obs, n).mean()))
    return slope, rsq, resi


def alpha158(df):
    o, h, l, c, v, vwap = (df[k] for k in ('open', 'high', 'low', 'close', 'volume', 'vwap'))
    cols = {}
    cols['KMID'] = (c - o) / o
    cols['KLEN'] = (h - l) / o
    cols['KMID2'] = (c - o) / (h - l + EPS)
    cols['KUP'] = (h - np.maximum(o, c)) / o
    cols['KUP2'] = (h - np.maximum(o, c)) / (h - l + EPS)
    cols['KLOW'] = (np.minimum(o, c) - l) / o
    cols['KLOW2'] = (np.minimum(o, c) - l) / (h - l + EPS)
    cols['KSFT'] = (2 * c - h - l) / o
    cols['KSFT2'] = (2 * c - h - l) / (h - l + EPS)
    cols['OPEN0'] = o / c
    cols['HIGH0'] = h / c
    cols['LOW0'] = l / c
    cols['VWAP0'] = vwap / c

    c1 = c.shift(1)
    v1 = v.shift(1)
    up = (c > c1).astype(np.float64)
    down = (c < c1).astype(np.float64)
    dpos = np.maximum(c - c1, 0)
    dneg = np.maximum(c1 - c, 0)
    dabs = (c - c1).abs()
    vpos = np.maximum(v - v1, 0)
    vneg = np.maximum(v1 - v, 0)
    vabs = (v - v1).abs()
    wv = (c / c1 - 1).abs() * v
    lv = np.log(v + 1)
    ret = c / c1
    lvr = np.log(v / v1 + 1)

    ops = {name: {} for name in (
        'ROC', 'MA', 'STD', 'BETA', 'RSQR', 'RESI', 'MAX', 'MIN', 'QTLU', 'QTLD', 'RANK', 'RSV', 'IMAX',
        'IMIN', 'IMXD', 'CORR', 'CORD', 'CNTP', 'CNTN', 'CNTD', 'SUMP', 'SUMN', 'SUMD', 'VMA', 'VSTD',
        'WVMA', 'VSUMP', 'VSUMN', 'VSUMD')}
    for d in WINDOWS:
        slope, rsq, resi = regression(c, d)
        hmax = rolling(h, d).max()
        lmin = rolling(l, d).min()
        imax = rolling(h, d).apply(lambda x: x.argmax() + 1, raw=True)
        imin = rolling(l, d).apply(lambda x: x.argmin() + 1, raw=True)
        ops['ROC'][d] = c.shift(d) / c
        ops['MA'][d] = rolling(c, d).mean() / c
        ops['STD'][d] = std(c, d) / c
        ops['BETA'][d] = slope / c
        ops['RSQR'][d] = rsq
        ops['RESI'][d] = resi / c
        ops['MAX'][d] = hmax / c
        ops['MIN'][d] = lmin / c
        ops['QTLU'][d] = rolling(c, d).quantile(0.8) / c
        ops['QTLD'][d] = rolling(c, d).quantile(0.2) / c
        ops['RANK'][d] = rolling(c, d).rank(pct=True)
        ops['RSV'][d] = (c - lmin) / (hmax - lmin + EPS)
        ops['IMAX'][d] = imax / d
        ops['IMIN'][d] = imin / d
        ops['IMXD'][d] = (imax - imin) / d
        ops['CORR'][d] = corr(c, lv, d)
        ops['CORD'][d] = corr(ret, lvr, d)
        ops['CNTP'][d] = rolling(up, d).mean()
        ops['CNTN'][d] = rolling(down, d).mean()
        ops['CNTD'][d] = rolling(up, d).mean() - rolling(down, d).mean()
        sabs = rolling(dabs, d).sum() + EPS
        ops['SUMP'][d] = rolling(dpos, d).sum() / sabs
        ops['SUMN'][d] = rolling(dneg, d).sum() / sabs
        ops['SUMD'][d] = (rolling(dpos, d).sum() - rolling(dneg, d).sum()) / sabs
        ops['VMA'][d] = rolling(v, d).mean() / (v + EPS)
        ops['VSTD'][d] = std(v, d) / (v + EPS)
        ops['WVMA'][d] = std(wv, d) / (rolling(wv, d).mean() + EPS)
        vsabs = rolling(vabs, d).sum() + EPS
        ops['VSUMP'][d] = rolling(vpos, d).sum() / vsabs
        ops['VSUMN'][d] = rolling(vneg, d).sum() / vsabs
        ops['VSUMD'][d] = (rolling(vpos, d).sum() - rolling(vneg, d).sum()) / vsabs
    for name, by_window in ops.items():
        for d in WINDOWS:
            cols[f'{name}{d}'] = by_window[d]
    out = pd.DataFrame(cols)
    assert out.shape[1] == 158, out.shape
    return out


def fmt(x):
    if np.isnan(x):
        return ''
    if np.isinf(x):
        return 'inf' if x > 0 else '-inf'
    return '%.10g' % x


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--qlib-dir', default=os.path.join(os.path.dirname(__file__), '../../../shared/data/cn/qlib'))
    p.add_argument('--out', default=os.path.join(os.path.dirname(__file__), '../../libs/features/test/fixtures/alpha158'))
    p.add_argument('--from', dest='date_from', default='2016-01-01')
    p.add_argument('--to', dest='date_to', default='2018-12-31')
    p.add_argument('--codes', default=','.join(DEFAULT_CODES))
    args = p.parse_args()
    with open(os.path.join(args.qlib_dir, 'calendars', 'day.txt')) as fh:
        cal = [line.strip()[:10] for line in fh if line.strip()]
    os.makedirs(args.out, exist_ok=True)
    total = 0
    for code in args.codes.split(','):
        lo, df = load_instrument(args.qlib_dir, code, len(cal))
        feats = alpha158(df)
        dates = cal[lo: lo + len(df)]
        keep = [i for i, d in enumerate(dates) if args.date_from <= d <= args.date_to]
        path = os.path.join(args.out, f'{code}.csv.gz')
        with gzip.open(path, 'wt', compresslevel=9, newline='') as fh:
            fh.write('date,' + ','.join(feats.columns) + '\n')
            values = feats.to_numpy()
            for i in keep:
                fh.write(dates[i] + ',' + ','.join(fmt(x) for x in values[i]) + '\n')
        total += os.path.getsize(path)
        print(f'{code}: {len(keep)} rows ({dates[keep[0]]}..{dates[keep[-1]]}), history from {dates[0]}', file=sys.stderr)
    print(f'total {total} bytes', file=sys.stderr)


if __name__ == '__main__':
    main()
