import { describe, expect, it } from 'vitest';
import {
  CS_RANK_SCALE,
  createPanel,
  createRandom,
  CrossSectionalRank,
  CrossSectionalRobustZScore,
  CrossSectionalZScore,
  FillMissing,
  ProcessorPipeline,
  RobustZScore,
  selectDates,
  sliceDates,
  Winsorize,
  ZScore,
} from '../../src/processing';
import type { Panel } from '../../src/processing';

const DATES = ['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07'];

/** One feature `a`, one date per row of `rows`, one code per column. */
function panelOf(rows: number[][], segment?: Panel['segment']): Panel {
  const codes = (rows[0] ?? []).map((_, i) => `C${i}`);
  return createPanel({ dates: DATES.slice(0, rows.length), codes, features: ['a'], values: Float64Array.from(rows.flat()), ...(segment ? { segment } : {}) });
}

const values = (p: Panel): number[] => Array.from(p.values);

function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    if (Number.isNaN(e)) expect(a, `index ${i}`).toBeNaN();
    else expect(a, `index ${i}`).toBeCloseTo(e, 10);
  });
}

describe('cross-sectional processors (per date, no fitted state)', () => {
  it('z-scores each date with its own mean and sample std', () => {
    // mean 4, deviations -3 -2 -1 6, sum of squares 50, std = sqrt(50/3)
    const s = Math.sqrt(50 / 3);
    const out = new CrossSectionalZScore().apply(panelOf([[1, 2, 3, 10], [5, 5, 5, NaN]]));
    expectClose(values(out), [-3 / s, -2 / s, -1 / s, 6 / s, NaN, NaN, NaN, NaN]);
  });

  it('ranks with average ties as (pct - 0.5) * 3.46, leaving missing values missing', () => {
    const out = new CrossSectionalRank().apply(panelOf([[5, 1, 5, NaN, 3]]));
    // finite: 1 -> rank 1, 3 -> 2, 5 and 5 -> 3.5; n = 4
    expectClose(values(out), [(3.5 / 4 - 0.5) * CS_RANK_SCALE, (1 / 4 - 0.5) * CS_RANK_SCALE, (3.5 / 4 - 0.5) * CS_RANK_SCALE, NaN, 0]);
  });

  it('robust z-scores each date with its median and MAD, clipped at 3', () => {
    // median 3; |x - 3| = 2 1 0 1 97 -> MAD 1
    const out = new CrossSectionalRobustZScore().apply(panelOf([[1, 2, 3, 4, 100]]));
    expectClose(values(out), [-2 / 1.4826, -1 / 1.4826, 0, 1 / 1.4826, 3]);
    const unclipped = new CrossSectionalRobustZScore({ clip: null }).apply(panelOf([[1, 2, 3, 4, 100]]));
    expect(unclipped.values[4]).toBeCloseTo(97 / 1.4826, 10);
  });

  it("a date's output depends on that date only", () => {
    const a = new CrossSectionalZScore().apply(panelOf([[1, 2, 3], [4, 5, 9]]));
    const b = new CrossSectionalZScore().apply(panelOf([[1, 2, 3], [400, -5, 1e6]]));
    expect(values(a).slice(0, 3)).toEqual(values(b).slice(0, 3));
  });
});

describe('processors fitted on the training segment', () => {
  it('robust z-score uses the training median and MAD per feature', () => {
    // training values 1 2 3 100 (NaN skipped): median 2.5; |x - 2.5| = 1.5 .5 .5 97.5 -> MAD 1
    const p = new RobustZScore().fit(panelOf([[1, 2], [3, 100], [NaN, NaN]], 'train'));
    const out = p.apply(panelOf([[4, 1000, -1000, NaN]]));
    expectClose(values(out), [1.5 / (1.4826 + 1e-12), 3, -3, NaN]);
  });

  it('z-score uses the training mean and population std', () => {
    const p = new ZScore().fit(panelOf([[1, 2, 3]]));
    expectClose(values(p.apply(panelOf([[4, 2, NaN]]))), [2 / (Math.sqrt(2 / 3) + 1e-12), 0, NaN]);
  });

  it('winsorises to training quantiles (linear interpolation)', () => {
    const p = new Winsorize({ lower: 0.25, upper: 0.75 }).fit(panelOf([[1, 2, 3, 4, 5]]));
    // q25 at position 1 -> 2, q75 at position 3 -> 4
    expect(values(p.apply(panelOf([[0, 2.5, 10, NaN, 3]])))).toEqual([2, 2.5, 4, NaN, 3]);
    const q = new Winsorize({ lower: 0.1, upper: 0.9 }).fit(panelOf([[10, 20, 30, 40]]));
    // position 0.3 -> 13, position 2.7 -> 37
    expectClose(values(q.apply(panelOf([[0, 50, 25, 20]]))), [13, 37, 25, 20]);
  });

  it('fills missing values by constant, training mean/median, or the cross-sectional median', () => {
    const train = panelOf([[1, 2, 10, NaN]]);
    const test = panelOf([[NaN, 7, 3, NaN], [1, NaN, 3, 10]]);
    expect(values(new FillMissing().apply(test))).toEqual([0, 7, 3, 0, 1, 0, 3, 10]);
    expect(values(new FillMissing({ strategy: 'constant', value: -1 }).apply(test))).toEqual([-1, 7, 3, -1, 1, -1, 3, 10]);
    expect(values(new FillMissing({ strategy: 'train-mean' }).fit(train).apply(test))).toEqual([13 / 3, 7, 3, 13 / 3, 1, 13 / 3, 3, 10]);
    expect(values(new FillMissing({ strategy: 'train-median' }).fit(train).apply(test))).toEqual([2, 7, 3, 2, 1, 2, 3, 10]);
    // date 1: median of 7 and 3 = 5; date 2: median of 1 3 10 = 3
    expect(values(new FillMissing({ strategy: 'cross-sectional-median' }).apply(test))).toEqual([5, 7, 3, 5, 1, 3, 3, 10]);
  });

  it('only touches the selected features', () => {
    const panel = createPanel({ dates: ['2020-01-02'], codes: ['A', 'B'], features: ['a', 'b'], values: Float64Array.from([NaN, NaN, 1, NaN]) });
    expect(values(new FillMissing({ features: ['b'] }).apply(panel))).toEqual([NaN, 0, 1, 0]);
  });

  it('refuses to fit on a non-training segment and to apply before fitting', () => {
    expect(() => new RobustZScore().fit(panelOf([[1, 2]], 'test'))).toThrow(/training segment only, got a panel marked "test"/);
    expect(() => new ProcessorPipeline([new Winsorize()]).fit(panelOf([[1, 2]], 'valid'))).toThrow(/FIT_ON|training segment/);
    expect(() => new Winsorize().apply(panelOf([[1, 2]]))).toThrow(/must be fitted/);
    expect(() => new Winsorize({ lower: 0.9, upper: 0.1 })).toThrow(/lower < upper/);
    expect(() => new RobustZScore({ features: ['nope'] }).fit(panelOf([[1]]))).toThrow(/no feature "nope"/);
  });
});

/** 40 dates x 6 codes x 3 features of seeded noise with a few gaps. */
function randomPanel(seed: number): Panel {
  const rng = createRandom(seed);
  const dates: string[] = [];
  for (let i = 0; i < 40; i++) dates.push(new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10));
  const v = new Float64Array(40 * 6 * 3).map((_, i) => (i % 17 === 5 ? NaN : rng.normal() * (1 + (i % 3)) + (i % 3) * 10));
  return createPanel({ dates, codes: ['A', 'B', 'C', 'D', 'E', 'F'], features: ['f0', 'f1', 'f2'], values: v });
}

const pipeline = (): ProcessorPipeline =>
  new ProcessorPipeline([
    new Winsorize({ lower: 0.05, upper: 0.95 }),
    new RobustZScore({ features: ['f0', 'f1'] }),
    new CrossSectionalRank({ features: ['f2'] }),
    new FillMissing({ strategy: 'train-median' }),
  ]);

describe('no leakage: fit on train, apply unchanged to later data', () => {
  it('changing test-period values never changes the fitted state nor the processed training values', () => {
    const full = randomPanel(7);
    const tampered = randomPanel(7);
    // the test period (dates 30..39) gets extreme values and gaps
    const block = 6 * 3;
    for (let i = 30 * block; i < tampered.values.length; i++) tampered.values[i] = i % 2 ? 1e9 : NaN;
    const a = pipeline().fit(sliceDates(full, 0, 30, 'train'));
    const b = pipeline().fit(sliceDates(tampered, 0, 30, 'train'));
    expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
    expect(values(b.apply(sliceDates(tampered, 0, 30)))).toEqual(values(a.apply(sliceDates(full, 0, 30))));
  });

  it('a test value depends only on the fitted state and its own date, whatever else the test data holds', () => {
    const full = randomPanel(11);
    const p = pipeline().fit(selectDates(full, full.dates[0] as string, full.dates[29] as string, 'train'));
    const onFull = p.apply(full);
    const onTest = p.apply(sliceDates(full, 30, 40, 'test'));
    const block = 6 * 3;
    expect(values(onTest)).toEqual(values(onFull).slice(30 * block));
    // rewrite every test date but the last: the last date's processed values do not move
    const changed = sliceDates(full, 30, 40, 'test');
    for (let i = 0; i < 9 * block; i++) changed.values[i] = -1e6;
    expect(values(p.apply(changed)).slice(9 * block)).toEqual(values(onTest).slice(9 * block));
  });

  it('round-trips through JSON: a model artefact carries its normalisation', () => {
    const full = randomPanel(3);
    const p = pipeline().fit(sliceDates(full, 0, 30, 'train'));
    const restored = ProcessorPipeline.fromJSON(JSON.parse(JSON.stringify(p)));
    const test = sliceDates(full, 30, 40, 'test');
    expect(values(restored.apply(test))).toEqual(values(p.apply(test)));
    expect(ProcessorPipeline.fromJSON(JSON.stringify(p.toJSON())).isFitted).toBe(true);
    expect(() => ProcessorPipeline.fromJSON({ steps: [] })).toThrow(/not a processor pipeline state/);
    expect(() => ProcessorPipeline.fromJSON({ format: 'quant.processor-pipeline.v1', steps: [{ kind: 'magic' }] })).toThrow(/unknown processor kind "magic"/);
  });

  it('stores statistics that could not be computed as null and reads them back as missing', () => {
    const train = createPanel({ dates: ['2020-01-02'], codes: ['A'], features: ['a', 'b'], values: Float64Array.from([1, NaN]), segment: 'train' });
    const p = new ProcessorPipeline([new RobustZScore()]).fit(train);
    const json = JSON.parse(JSON.stringify(p)) as { steps: { fitted: { median: (number | null)[] } }[] };
    expect(json.steps[0]?.fitted.median).toEqual([1, null]);
    const out = ProcessorPipeline.fromJSON(json).apply(createPanel({ dates: ['2020-01-03'], codes: ['A'], features: ['a', 'b'], values: Float64Array.from([1, 5]) }));
    expect(values(out)).toEqual([0, NaN]);
  });
});
