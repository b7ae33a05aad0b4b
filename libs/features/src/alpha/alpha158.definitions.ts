import type { FeatureDefinition } from '../feature.port';

/**
 * Alpha158 exactly as Qlib's loader builds it by default (qlib/contrib/data/loader.py, Alpha158DL with
 * kbar, price windows [0] on OPEN/HIGH/LOW/VWAP and the 29 rolling operators at 5, 10, 20, 30, 60 days):
 * same names, same order, same expressions.
 */
export const ALPHA158_WINDOWS = [5, 10, 20, 30, 60] as const;

const OHLC = ['open', 'high', 'low', 'close'] as const;

const KBAR: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['KMID', '($close-$open)/$open', ['open', 'close']],
  ['KLEN', '($high-$low)/$open', ['open', 'high', 'low']],
  ['KMID2', '($close-$open)/($high-$low+1e-12)', OHLC],
  ['KUP', '($high-Greater($open, $close))/$open', OHLC],
  ['KUP2', '($high-Greater($open, $close))/($high-$low+1e-12)', OHLC],
  ['KLOW', '(Less($open, $close)-$low)/$open', OHLC],
  ['KLOW2', '(Less($open, $close)-$low)/($high-$low+1e-12)', OHLC],
  ['KSFT', '(2*$close-$high-$low)/$open', OHLC],
  ['KSFT2', '(2*$close-$high-$low)/($high-$low+1e-12)', OHLC],
];

/** The 29 rolling operators: name, expression with `d` for the window, inputs, extra warm-up rows (Ref 1). */
const ROLLING: ReadonlyArray<readonly [string, string, readonly string[], number]> = [
  ['ROC', 'Ref($close, d)/$close', ['close'], 1],
  ['MA', 'Mean($close, d)/$close', ['close'], 0],
  ['STD', 'Std($close, d)/$close', ['close'], 0],
  ['BETA', 'Slope($close, d)/$close', ['close'], 0],
  ['RSQR', 'Rsquare($close, d)', ['close'], 0],
  ['RESI', 'Resi($close, d)/$close', ['close'], 0],
  ['MAX', 'Max($high, d)/$close', ['high', 'close'], 0],
  ['MIN', 'Min($low, d)/$close', ['low', 'close'], 0],
  ['QTLU', 'Quantile($close, d, 0.8)/$close', ['close'], 0],
  ['QTLD', 'Quantile($close, d, 0.2)/$close', ['close'], 0],
  ['RANK', 'Rank($close, d)', ['close'], 0],
  ['RSV', '($close-Min($low, d))/(Max($high, d)-Min($low, d)+1e-12)', ['high', 'low', 'close'], 0],
  ['IMAX', 'IdxMax($high, d)/d', ['high'], 0],
  ['IMIN', 'IdxMin($low, d)/d', ['low'], 0],
  ['IMXD', '(IdxMax($high, d)-IdxMin($low, d))/d', ['high', 'low'], 0],
  ['CORR', 'Corr($close, Log($volume+1), d)', ['close', 'volume'], 0],
  ['CORD', 'Corr($close/Ref($close,1), Log($volume/Ref($volume, 1)+1), d)', ['close', 'volume'], 1],
  ['CNTP', 'Mean($close>Ref($close, 1), d)', ['close'], 1],
  ['CNTN', 'Mean($close<Ref($close, 1), d)', ['close'], 1],
  ['CNTD', 'Mean($close>Ref($close, 1), d)-Mean($close<Ref($close, 1), d)', ['close'], 1],
  ['SUMP', 'Sum(Greater($close-Ref($close, 1), 0), d)/(Sum(Abs($close-Ref($close, 1)), d)+1e-12)', ['close'], 1],
  ['SUMN', 'Sum(Greater(Ref($close, 1)-$close, 0), d)/(Sum(Abs($close-Ref($close, 1)), d)+1e-12)', ['close'], 1],
  [
    'SUMD',
    '(Sum(Greater($close-Ref($close, 1), 0), d)-Sum(Greater(Ref($close, 1)-$close, 0), d))/(Sum(Abs($close-Ref($close, 1)), d)+1e-12)',
    ['close'],
    1,
  ],
  ['VMA', 'Mean($volume, d)/($volume+1e-12)', ['volume'], 0],
  ['VSTD', 'Std($volume, d)/($volume+1e-12)', ['volume'], 0],
  ['WVMA', 'Std(Abs($close/Ref($close, 1)-1)*$volume, d)/(Mean(Abs($close/Ref($close, 1)-1)*$volume, d)+1e-12)', ['close', 'volume'], 1],
  ['VSUMP', 'Sum(Greater($volume-Ref($volume, 1), 0), d)/(Sum(Abs($volume-Ref($volume, 1)), d)+1e-12)', ['volume'], 1],
  ['VSUMN', 'Sum(Greater(Ref($volume, 1)-$volume, 0), d)/(Sum(Abs($volume-Ref($volume, 1)), d)+1e-12)', ['volume'], 1],
  [
    'VSUMD',
    '(Sum(Greater($volume-Ref($volume, 1), 0), d)-Sum(Greater(Ref($volume, 1)-$volume, 0), d))/(Sum(Abs($volume-Ref($volume, 1)), d)+1e-12)',
    ['volume'],
    1,
  ],
];

export const ALPHA158_ROLLING_OPERATORS: readonly string[] = ROLLING.map((r) => r[0]);

export const ALPHA158_DEFINITIONS: readonly FeatureDefinition[] = [
  ...KBAR.map(([name, formula, inputs]) => ({ name, family: 'technical' as const, formula, inputs, warmup: 1 })),
  ...(['OPEN', 'HIGH', 'LOW', 'VWAP'] as const).map((f) => ({
    name: `${f}0`,
    family: 'technical' as const,
    formula: `$${f.toLowerCase()}/$close`,
    inputs: [f.toLowerCase(), 'close'],
    warmup: 1,
  })),
  ...ROLLING.flatMap(([op, formula, inputs, extra]) =>
    ALPHA158_WINDOWS.map((d) => ({
      name: `${op}${d}`,
      family: 'technical' as const,
      formula: formula.replace(/\bd\b/g, String(d)),
      inputs,
      warmup: d + extra,
    })),
  ),
];
