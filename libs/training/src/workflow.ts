import { readFile } from 'node:fs/promises';
import { QuantError } from '@quant/errors';
import type { LabelSpec } from '@quant/features';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * The workflow file shared by `quant train` and `quant run`: which data, universe, features, label,
 * segments, processors and models. YAML parsed with `yaml` and validated with zod; every error names
 * its path (`models[1].params.numLeaves`). Documented in examples/workflows/README.md.
 */

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a YYYY-MM-DD date');
const segment = z
  .object({ from: date, to: date })
  .strict()
  .refine((s) => s.from <= s.to, { message: 'from must not be after to' });

const features = z.array(z.string()).optional();
const processor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cs-zscore'), features }).strict(),
  z.object({ kind: z.literal('cs-rank'), features }).strict(),
  z.object({ kind: z.literal('cs-robust-zscore'), features, clip: z.number().positive().nullable().optional() }).strict(),
  z.object({ kind: z.literal('robust-zscore'), features, clip: z.number().positive().nullable().optional() }).strict(),
  z.object({ kind: z.literal('zscore'), features }).strict(),
  z.object({ kind: z.literal('winsorize'), features, lower: z.number().min(0).max(1).optional(), upper: z.number().min(0).max(1).optional() }).strict(),
  z
    .object({
      kind: z.literal('fill-missing'),
      features,
      strategy: z.enum(['constant', 'train-mean', 'train-median', 'cross-sectional-median']).optional(),
      value: z.number().optional(),
    })
    .strict(),
]);

/** Label processors work per date only: fitting on the label would need labels the live model never has. */
const labelProcessor = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cs-zscore') }).strict(),
  z.object({ kind: z.literal('cs-rank') }).strict(),
]);

const label = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('forward-return'), horizon: z.number().int().min(1).optional(), entryLag: z.number().int().min(0).optional(), name: z.string().optional() }).strict(),
  z
    .object({ kind: z.literal('return-class'), threshold: z.number().positive(), horizon: z.number().int().min(1).optional(), entryLag: z.number().int().min(0).optional(), name: z.string().optional() })
    .strict(),
  z
    .object({ kind: z.literal('return-up'), threshold: z.number().positive(), horizon: z.number().int().min(1).optional(), entryLag: z.number().int().min(0).optional(), name: z.string().optional() })
    .strict(),
  z.object({ kind: z.literal('future-volatility'), horizon: z.number().int().min(2).optional(), entryLag: z.number().int().min(0).optional(), name: z.string().optional() }).strict(),
]);

const model = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'letters, digits, "_", "." or "-", starting with a letter or digit'),
    kind: z.string().min(1),
    params: z.record(z.string(), z.unknown()).default({}),
    seed: z.number().int().min(0).max(0xffffffff).default(0),
    /** This model's own feature processors instead of the workflow's (e.g. none for a GBDT, which reads NaN). */
    processors: z.array(processor).optional(),
  })
  .strict();

/**
 * How `quant run` trades the test segment's ensemble scores: Qlib's TopkDropoutStrategy (hold `topk`,
 * replace at most `nDrop` of the worst each day) or a plain top-K rebalance, A-share rules throughout.
 * Defaults are Qlib's benchmark settings (topk 50, n_drop 5, deal at the close, 100 M of cash).
 */
const backtest = z
  .object({
    strategy: z.enum(['topk-dropout', 'topk']).default('topk-dropout'),
    topk: z.number().int().min(1).default(50),
    /** Qlib's `n_drop`. */
    nDrop: z.number().int().min(0).default(5),
    dealPrice: z.enum(['open', 'close']).default('close'),
    initialCash: z.number().positive().default(100_000_000),
    /**
     * `a-share` (default): the dated A-share costs of @quant/market (commission with its minimum,
     * transfer fee, stamp duty history), `commissionRate`/`minCommission` overriding the broker terms.
     * `qlib`: Qlib's exchange costs max(value x rate, minCost), `openCost` on buys and `closeCost` on
     * sells (defaults 0.0005, 0.0015, 5), for comparisons with Qlib's published tables.
     */
    costs: z
      .object({
        model: z.enum(['a-share', 'qlib']).default('a-share'),
        commissionRate: z.number().min(0).max(0.01).optional(),
        minCommission: z.number().min(0).optional(),
        openCost: z.number().min(0).max(0.05).optional(),
        closeCost: z.number().min(0).max(0.05).optional(),
        minCost: z.number().min(0).optional(),
      })
      .strict()
      .refine((c) => c.model === 'qlib' || (c.openCost === undefined && c.closeCost === undefined && c.minCost === undefined), { message: 'openCost, closeCost and minCost belong to model: qlib' })
      .refine((c) => c.model === 'a-share' || (c.commissionRate === undefined && c.minCommission === undefined), { message: 'commissionRate and minCommission belong to model: a-share' })
      .prefault({}),
    /**
     * Refused orders: `refill` (default, A-share practice: a refused buy passes to the next candidate, a
     * refused sell takes one buy off) or `qlib` (Qlib's accounting, for comparisons with its tables).
     */
    blockedOrders: z.enum(['refill', 'qlib']).default('refill'),
    /** The index the excess return is measured against; default the workflow's `benchmark`. */
    benchmark: z.string().min(1).optional(),
  })
  .strict()
  .refine((b) => b.strategy !== 'topk-dropout' || b.nDrop <= b.topk, { message: 'nDrop must not exceed topk', path: ['nDrop'] });

/** The model name `quant run` gives the average of the workflow's models. */
export const ENSEMBLE_NAME = 'ensemble';

/** Qlib's default label: Ref($close, -2) / Ref($close, -1) - 1 (buy at the next close, hold one session). */
export const QLIB_LABEL: LabelSpec = { kind: 'forward-return', horizon: 1, entryLag: 1 };

export const workflowSchema = z
  .object({
    name: z.string().min(1).optional(),
    data: z
      .object({
        /** How the store was filled (`quant data import --source SOURCE --dir DIR`); training reads the store. */
        source: z.enum(['qlib', 'csv', 'baostock', 'tushare', 'store']).default('store'),
        dir: z.string().optional(),
        /** Default store of the workflow; `--store` overrides it. */
        store: z.string().optional(),
        market: z.string().default('CN'),
      })
      .strict()
      .default({ source: 'store', market: 'CN' }),
    universe: z.string().min(1).optional(),
    codes: z.array(z.string().min(1)).min(1).optional(),
    benchmark: z.string().min(1).default('SH000300'),
    features: z.union([z.string().min(1).transform((s) => [s]), z.array(z.string().min(1)).min(1)]),
    label: label.default({ kind: 'forward-return', horizon: 1, entryLag: 1 }),
    segments: z
      .object({ train: segment, valid: segment, test: segment.optional() })
      .strict()
      .refine((s) => s.train.to < s.valid.from && (s.test === undefined || s.valid.to < s.test.from), { message: 'segments must be in order train < valid < test without overlap' }),
    processors: z.array(processor).default([]),
    labelProcessors: z.array(labelProcessor).default([]),
    models: z
      .array(model)
      .min(1)
      .refine((ms) => new Set(ms.map((m) => m.name)).size === ms.length, { message: 'model names must be unique' })
      .refine((ms) => ms.every((m) => m.name !== ENSEMBLE_NAME), { message: `"${ENSEMBLE_NAME}" is reserved for quant run's average of the models` }),
    backtest: backtest.prefault({}),
  })
  .strict()
  .refine((w) => w.universe !== undefined || w.codes !== undefined, { message: 'name a universe or a list of codes', path: ['universe'] });

export type Workflow = z.output<typeof workflowSchema>;
export type WorkflowModel = Workflow['models'][number];
export type WorkflowProcessor = Workflow['processors'][number];
export type WorkflowBacktest = Workflow['backtest'];

/** `models[1].params.numLeaves` from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(root)' : out;
}

/** Validates a parsed workflow; a QuantError WORKFLOW_INVALID lists every problem with its path. */
export function validateWorkflow(value: unknown, source = 'workflow'): Workflow {
  const result = workflowSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw new QuantError('WORKFLOW_INVALID', `${source} is invalid: ${problems.join('; ')}`, { details: { source, first: problems[0] ?? '' } });
  }
  return result.data;
}

/** Parses workflow YAML text. */
export function parseWorkflow(text: string, source = 'workflow'): Workflow {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new QuantError('WORKFLOW_INVALID', `${source} is not valid YAML: ${(error as Error).message}`, { details: { source } });
  }
  return validateWorkflow(value, source);
}

export async function loadWorkflow(path: string): Promise<Workflow> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new QuantError('WORKFLOW_NOT_FOUND', `cannot read workflow ${path}: ${(error as Error).message}`, { details: { path } });
  }
  return parseWorkflow(text, path);
}

const DAY_MS = 86_400_000;
const shiftDate = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * The workflow a retrain with data up to `dataUntil` runs: train and valid windows rolled forward
 * (or back) by whole calendar days so that valid ends on `dataUntil`, their lengths and the gap
 * between them kept (Qlib's rolling retrain); the test segment is dropped, since a retrain has no
 * held-out future. The trainer still purges the train/valid boundary by the label horizon.
 */
export function rollWorkflow(workflow: Workflow, dataUntil: string): Workflow {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dataUntil) || Number.isNaN(Date.parse(`${dataUntil}T00:00:00Z`))) {
    throw new QuantError('WORKFLOW_INVALID', `dataUntil: expected a YYYY-MM-DD date, got "${dataUntil}"`, { details: { dataUntil } });
  }
  const { train, valid } = workflow.segments;
  const days = Math.round((Date.parse(`${dataUntil}T00:00:00Z`) - Date.parse(`${valid.to}T00:00:00Z`)) / DAY_MS);
  const roll = (s: { from: string; to: string }) => ({ from: shiftDate(s.from, days), to: shiftDate(s.to, days) });
  const { test: _dropped, ...kept } = workflow.segments;
  return { ...workflow, segments: { ...kept, train: roll(train), valid: roll(valid) } };
}
