import type { FeatureSet, LabelSpec, ProcessorPipeline } from '@quant/features';
import { sliceDates } from '@quant/features';
import type { Model } from '@quant/ml';
import { copyFeatureRow, labelArrays, loadFeaturePanel, maskCells, sessionMembers } from './feature-panel';
import type { FeatureLoader, TrainingMarket } from './feature-panel';

/**
 * Every model's scores on one segment (the test segment of `quant run`), one row per member instrument
 * and session with a feature row of every set, and the realised label of each row (NaN where the data
 * ends before the label's horizon, or the instrument did not trade): labels serve evaluation only.
 */
export interface SegmentPredictions {
  from: string;
  to: string;
  /** Distinct sessions, ascending. */
  dates: string[];
  /** Distinct instruments, sorted. */
  codes: string[];
  /** Per row: index into `dates`, rows grouped by date in ascending order. */
  date: Int32Array;
  /** Per row: index into `codes`. */
  code: Int32Array;
  /** Per row: the raw label (not its normalised training target). */
  label: Float64Array;
  /** Per model name: one score per row. */
  scores: Record<string, Float64Array>;
}

export interface PredictSegmentOptions {
  market: TrainingMarket;
  features: FeatureLoader;
  sets: readonly FeatureSet[];
  universe: string | undefined;
  listed: readonly string[] | undefined;
  /** The segment's sessions. */
  sessions: readonly string[];
  /** The sessions from the segment's first, extended by the label's lookahead where the calendar has them. */
  priceDates: readonly string[];
  /** Each model with its pipeline, fitted on train only: applied here, never refitted. */
  models: ReadonlyArray<{ name: string; model: Model; pipeline: ProcessorPipeline }>;
  label: LabelSpec;
  progress: (text: string) => void;
  /** Panel cells per chunk of sessions (memory bound: a CSI300 x Alpha158 year is ~4e7 cells). */
  chunkCells?: number;
}

/**
 * Predicts a segment chunk by chunk of sessions: features read (or built) for the point-in-time
 * members, transformed by the already fitted pipeline (every processor's apply works per date or with
 * train statistics, so chunks change nothing), scored by every model. Labels come from the adjusted
 * close after the features were scored and never feed the pipeline or the models.
 */
export async function predictSegment(options: PredictSegmentOptions): Promise<SegmentPredictions> {
  const { sessions } = options;
  const { codes, member } = await sessionMembers(options.market, options.universe, options.listed, sessions);
  const nC = codes.length;
  const width = options.sets.reduce((n, s) => n + s.definitions().length, 0);
  const chunk = Math.max(1, Math.floor((options.chunkCells ?? 4e7) / Math.max(1, nC * width)));
  const date: number[] = [];
  const code: number[] = [];
  const scores = options.models.map(() => [] as number[]);
  for (let start = 0; start < sessions.length; start += chunk) {
    const part = sessions.slice(start, start + chunk);
    const { panel, present } = await loadFeaturePanel(options.sets, options.features, codes, part, options.progress);
    const keep = (d: number, c: number): boolean => present[d * nC + c] === 1 && member(start + d, codes[c] as string);
    maskCells(panel, keep);
    let rows = 0;
    for (let d = 0; d < part.length; d++) for (let c = 0; c < nC; c++) if (keep(d, c)) rows++;
    for (let d = 0; d < part.length; d++) {
      for (let c = 0; c < nC; c++) {
        if (!keep(d, c)) continue;
        date.push(start + d);
        code.push(c);
      }
    }
    options.progress(`predicting ${rows} rows of ${part[0]}..${part.at(-1)} with ${options.models.length} model(s)`);
    // Models sharing a pipeline share its transformed matrix; rows are the same for every pipeline.
    const matrices = new Map<ProcessorPipeline, Float32Array>();
    for (const [k, m] of options.models.entries()) {
      let x = matrices.get(m.pipeline);
      if (!x) {
        const processed = m.pipeline.apply(sliceDates(panel, 0, part.length, 'test'));
        x = new Float32Array(rows * width);
        let r = 0;
        for (let d = 0; d < part.length; d++) for (let c = 0; c < nC; c++) if (keep(d, c)) copyFeatureRow(processed, d, c, x, r++);
        matrices.set(m.pipeline, x);
      }
      const out = scores[k] as number[];
      for (const v of m.model.predict(x, rows)) out.push(v);
    }
  }
  const [labels] = (await labelArrays(options.market, codes, options.priceDates, sessions.length, [options.label])) as [Float64Array];
  const label = new Float64Array(date.length);
  for (let i = 0; i < date.length; i++) label[i] = labels[(date[i] as number) * nC + (code[i] as number)] as number;
  return {
    from: sessions[0] as string,
    to: sessions[sessions.length - 1] as string,
    dates: [...sessions],
    codes,
    date: Int32Array.from(date),
    code: Int32Array.from(code),
    label,
    scores: Object.fromEntries(options.models.map((m, k) => [m.name, Float64Array.from(scores[k] as number[])])),
  };
}
