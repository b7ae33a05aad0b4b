import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import type { SegmentPredictions } from '@quant/training';
import type { RunMetrics } from './run-evaluation';

export interface MetricsFile {
  workflow: string | null;
  test: { from: string; to: string; days: number; rows: number };
  /** Per model name, then `ensemble`. */
  models: Record<string, RunMetrics>;
  ensemble: RunMetrics;
  /** How each group of keys was computed. */
  definitions: Record<string, string>;
  [extra: string]: unknown;
}

export const METRIC_DEFINITIONS: Record<string, string> = {
  signal: 'ic/rank_ic: mean over test days of the daily Pearson/Spearman correlation of score and raw label; icir/rank_icir: mean / std (ddof 1) of that daily series (Qlib SigAnaRecord)',
  classification: 'on the sign of the label: predicted positive when the score is above the day\'s mean (scores z-scored per day); auc from the z-scored scores; accuracy_p_value: exact binomial test against 50%',
  financial: 'backtest of the test segment; returns summed, 238 days a year (Qlib risk_analysis); annualized_excess_return, information_ratio and max_drawdown of (return - benchmark - cost), the *_without_cost variants (excess return, IR) before costs; sharpe of (return - cost); turnover: mean daily value traded / portfolio value',
};

/** metrics.json: NaN and infinities become null (JSON has neither). */
export async function writeMetricsFile(path: string, metrics: MetricsFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(metrics, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
}

/**
 * predictions.csv: `date,code,model,score`, every model's rows then the ensemble's, each by date then
 * code (the segment's order). Scores keep full double precision.
 */
export async function writePredictionsCsv(path: string, predictions: SegmentPredictions, scores: ReadonlyArray<[string, Float64Array]>): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path, { encoding: 'utf8' });
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('date,code,model,score\n');
  let lines = 0;
  for (const [model, values] of scores) {
    let chunk = '';
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      chunk += `${predictions.dates[predictions.date[i] as number]},${predictions.codes[predictions.code[i] as number]},${model},${Number.isFinite(v) ? String(v) : ''}\n`;
      lines++;
      if (chunk.length > 1 << 16) {
        await write(chunk);
        chunk = '';
      }
    }
    await write(chunk);
  }
  out.end();
  await once(out, 'finish');
  return lines;
}

/** Copies each registered model's ONNX file and metadata.json to `<dir>/models/<name>/`. */
export async function copyModelFiles(dir: string, models: ReadonlyArray<{ name: string; onnxPath: string }>): Promise<string[]> {
  const written: string[] = [];
  for (const m of models) {
    const target = join(dir, 'models', m.name);
    await mkdir(target, { recursive: true });
    await copyFile(m.onnxPath, join(target, 'model.onnx'));
    await copyFile(join(dirname(m.onnxPath), 'metadata.json'), join(target, 'metadata.json'));
    written.push(join(target, 'model.onnx'));
  }
  return written;
}
