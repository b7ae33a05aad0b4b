import { QuantError } from '@quant/errors';
import { createPanel, featureIndexOf } from './panel';
import type { Panel } from './panel';

/**
 * Labels look ahead by definition; features never do. Every label declares its `lookahead`: the
 * furthest session after T it reads, which is what purgedSplit must embargo between segments. A label
 * is missing (NaN) whenever a price it needs is missing (suspension, end of data): never filled, since a
 * filled label would teach the model returns nobody could have earned.
 */
export type LabelSpec =
  | {
      kind: 'forward-return';
      /** Holding sessions (default 1). */
      horizon?: number;
      /** Sessions between the signal (close of T) and the entry close (default 1: buy at the close of T+1). */
      entryLag?: number;
      name?: string;
    }
  | {
      /** Three classes by the forward return r: 1 when r >= threshold, -1 when r <= -threshold, else 0. */
      kind: 'return-class';
      threshold: number;
      /** Default 5. */
      horizon?: number;
      entryLag?: number;
      name?: string;
    }
  | {
      /** 1 when the forward return r >= threshold, else 0 (up vs not up). */
      kind: 'return-up';
      threshold: number;
      horizon?: number;
      entryLag?: number;
      name?: string;
    }
  | {
      /** Sample std (ddof 1) of the daily returns close[t]/close[t-1]-1 for t = T+entryLag+1 .. T+entryLag+horizon. */
      kind: 'future-volatility';
      /** Default 5. */
      horizon?: number;
      /** Default 0: the next `horizon` daily returns. */
      entryLag?: number;
      name?: string;
    };

export interface LabelDefinition {
  name: string;
  /** Qlib-style expression. */
  formula: string;
  /** Furthest session after T the label reads: embargo this many sessions between segments. */
  lookahead: number;
  spec: LabelSpec;
}

function positiveInt(value: number, what: string, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new QuantError('LABEL_SPEC_INVALID', `${what} must be an integer >= ${min}, got ${value}`);
  return value;
}

function pct(threshold: number): string {
  return String(Math.round(threshold * 1000) / 10).replace('.', 'p');
}

/** Name, formula and lookahead of a label; validates the spec. */
export function labelDefinition(spec: LabelSpec): LabelDefinition {
  const isVol = spec.kind === 'future-volatility';
  const horizon = positiveInt(spec.horizon ?? (spec.kind === 'forward-return' ? 1 : 5), 'label horizon', isVol ? 2 : 1);
  const lag = positiveInt(spec.entryLag ?? (isVol ? 0 : 1), 'label entryLag', 0);
  if (spec.kind === 'return-class' || spec.kind === 'return-up') {
    if (!(spec.threshold > 0 && Number.isFinite(spec.threshold))) throw new QuantError('LABEL_SPEC_INVALID', `label threshold must be a positive number, got ${spec.threshold}`);
  }
  const ref = (k: number): string => (k === 0 ? '$close' : `Ref($close,-${k})`);
  const ret = `${ref(lag + horizon)}/${ref(lag)}-1`;
  let name: string;
  let formula: string;
  switch (spec.kind) {
    case 'forward-return':
      // Qlib's default label keeps Qlib's column name, so results compare.
      name = horizon === 1 && lag === 1 ? 'LABEL0' : `RET${horizon}_LAG${lag}`;
      formula = ret;
      break;
    case 'return-class':
      name = `CLS${horizon}_${pct(spec.threshold)}_LAG${lag}`;
      formula = `Sign(If(Abs(${ret})>=${spec.threshold}, ${ret}, 0))`;
      break;
    case 'return-up':
      name = `UP${horizon}_${pct(spec.threshold)}_LAG${lag}`;
      formula = `(${ret})>=${spec.threshold}`;
      break;
    case 'future-volatility':
      name = `VOL${horizon}_LAG${lag}`;
      formula = `Std over t=T+${lag + 1}..T+${lag + horizon} of ($close_t/$close_{t-1}-1)`;
      break;
  }
  return { name: spec.name ?? name, formula, lookahead: lag + horizon, spec: { ...spec, horizon, entryLag: lag } as LabelSpec };
}

/** The forward return close[T+lag+h]/close[T+lag]-1 for every T; NaN where either price is missing. */
export function forwardReturn(close: ArrayLike<number>, options: { horizon?: number; entryLag?: number } = {}): Float64Array {
  const def = labelDefinition({ kind: 'forward-return', ...options });
  const lag = def.spec.entryLag as number;
  const h = def.spec.horizon as number;
  const out = new Float64Array(close.length).fill(NaN);
  for (let t = 0; t + lag + h < close.length; t++) {
    const entry = close[t + lag] as number;
    const exit = close[t + lag + h] as number;
    // Prices must be positive: a zero or negative close is bad data, and its "return" is meaningless.
    if (entry > 0 && exit > 0 && Number.isFinite(entry) && Number.isFinite(exit)) out[t] = exit / entry - 1;
  }
  return out;
}

/** One label series for one instrument's close prices (calendar-aligned, NaN where not traded). */
export function computeLabel(close: ArrayLike<number>, spec: LabelSpec): Float64Array {
  const def = labelDefinition(spec);
  const s = def.spec;
  const lag = s.entryLag as number;
  const h = s.horizon as number;
  switch (s.kind) {
    case 'forward-return':
      return forwardReturn(close, { horizon: h, entryLag: lag });
    case 'return-class':
    case 'return-up': {
      const r = forwardReturn(close, { horizon: h, entryLag: lag });
      const th = s.threshold;
      const up = s.kind === 'return-up';
      return r.map((x) => (Number.isNaN(x) ? NaN : x >= th ? 1 : up ? 0 : x <= -th ? -1 : 0));
    }
    case 'future-volatility': {
      const out = new Float64Array(close.length).fill(NaN);
      for (let t = 0; t + lag + h < close.length; t++) {
        let sum = 0;
        let ok = true;
        const rets: number[] = [];
        for (let k = t + lag + 1; k <= t + lag + h; k++) {
          const a = close[k - 1] as number;
          const b = close[k] as number;
          if (!(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b))) {
            ok = false;
            break;
          }
          rets.push(b / a - 1);
          sum += b / a - 1;
        }
        if (!ok) continue;
        const mean = sum / h;
        let ss = 0;
        for (const r of rets) ss += (r - mean) * (r - mean);
        out[t] = Math.sqrt(ss / (h - 1));
      }
      return out;
    }
  }
}

/** The 5-day classification labels of the design: three classes and up-vs-not at +-3%, +-5% and +-10%. */
export function defaultClassificationSpecs(horizon = 5): LabelSpec[] {
  return [0.03, 0.05, 0.1].flatMap((threshold): LabelSpec[] => [
    { kind: 'return-class', threshold, horizon },
    { kind: 'return-up', threshold, horizon },
  ]);
}

/**
 * A label panel (same dates and codes, one column per spec) from the price feature of a panel (default
 * `close`, adjusted). Its `lookahead` is the largest of the labels'.
 */
export function labelPanel(panel: Panel, specs: readonly LabelSpec[], options: { priceFeature?: string } = {}): Panel & { lookahead: number; definitions: LabelDefinition[] } {
  const defs = specs.map(labelDefinition);
  const f = featureIndexOf(panel, options.priceFeature ?? 'close');
  const nD = panel.dates.length;
  const nC = panel.codes.length;
  const nF = panel.features.length;
  const out = createPanel({ dates: panel.dates, codes: panel.codes, features: defs.map((d) => d.name), ...(panel.segment ? { segment: panel.segment } : {}) });
  const close = new Float64Array(nD);
  for (let c = 0; c < nC; c++) {
    for (let d = 0; d < nD; d++) close[d] = panel.values[(d * nC + c) * nF + f] as number;
    defs.forEach((def, j) => {
      const series = computeLabel(close, def.spec);
      for (let d = 0; d < nD; d++) out.values[(d * nC + c) * defs.length + j] = series[d] as number;
    });
  }
  return { ...out, lookahead: Math.max(0, ...defs.map((d) => d.lookahead)), definitions: defs };
}
