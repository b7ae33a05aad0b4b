import { describe, expect, it } from 'vitest';
import { ALPHA158, ALPHA360, batchFeatureSet, featureSet, featureSetNames, streamFeatureSet } from '../../src';
import { dayAt, sameValue } from '../feature-contract';
import { syntheticSeries } from '../fixtures/synthetic-series';

describe('feature sets', () => {
  it('alpha158 has Qlib names in Qlib order', () => {
    const names = ALPHA158.definitions().map((d) => d.name);
    expect(names).toHaveLength(158);
    expect(names.slice(0, 14)).toEqual(['KMID', 'KLEN', 'KMID2', 'KUP', 'KUP2', 'KLOW', 'KLOW2', 'KSFT', 'KSFT2', 'OPEN0', 'HIGH0', 'LOW0', 'VWAP0', 'ROC5']);
    expect(names.slice(14, 18)).toEqual(['ROC10', 'ROC20', 'ROC30', 'ROC60']);
    expect(names[names.length - 1]).toBe('VSUMD60');
    expect(ALPHA158.definitions().find((d) => d.name === 'CORD10')).toMatchObject({
      formula: 'Corr($close/Ref($close,1), Log($volume/Ref($volume, 1)+1), 10)',
      warmup: 11,
    });
  });

  it('alpha360 is CLOSE59..CLOSE0, OPEN.., HIGH.., LOW.., VWAP.., VOLUME59..VOLUME0', () => {
    const names = ALPHA360.definitions().map((d) => d.name);
    expect(names).toHaveLength(360);
    expect(names.slice(0, 2)).toEqual(['CLOSE59', 'CLOSE58']);
    expect(names[59]).toBe('CLOSE0');
    expect(names[60]).toBe('OPEN59');
    expect(names.slice(-2)).toEqual(['VOLUME1', 'VOLUME0']);
  });

  it('the registry serves the alpha sets and refuses unknown names', () => {
    expect(featureSetNames()).toEqual(expect.arrayContaining(['alpha158', 'alpha360']));
    expect(featureSet('alpha158')).toBe(ALPHA158);
    expect(() => featureSet('alpha999')).toThrow(/no feature set "alpha999"/);
    expect(ALPHA158.version).toMatch(/^1-[0-9a-f]{8}$/);
    expect(ALPHA158.version).not.toBe(ALPHA360.version);
  });

  it('VWAP columns are missing values when the input has no vwap', () => {
    const input = syntheticSeries({ days: 80, vwap: false });
    const cols = batchFeatureSet(ALPHA158, input);
    expect(cols[12]!.every(Number.isNaN)).toBe(true);
    const a360 = batchFeatureSet(ALPHA360, input);
    expect(a360.slice(240, 300).every((c) => c.every(Number.isNaN))).toBe(true);
  });

  it('a set stream gives its batch values', () => {
    const input = syntheticSeries({ days: 90 });
    const cols = batchFeatureSet(ALPHA158, input);
    const stream = streamFeatureSet(ALPHA158);
    for (let i = 0; i < 90; i++) {
      const row = stream.add(dayAt(input, i));
      expect(Array.from(row).every((x, f) => sameValue(x, cols[f]![i]!))).toBe(true);
    }
    expect(stream.isStable).toBe(true);
  });
});
