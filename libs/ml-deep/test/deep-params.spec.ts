import { describe, expect, it } from 'vitest';
import { QuantError } from '@quant/errors';
import { DeepModel, registerGradients, resolveDeepParams } from '../src';

// tfjs's gradients load at the first fit; here at import, where vitest's transform of them has no hook timeout.
await registerGradients();

describe('deep model parameters', () => {
  it('fills defaults and keeps only the kind own parameters', () => {
    const p = resolveDeepParams('lstm', { sequence: { steps: 60, fields: 6 } });
    expect(p).toMatchObject({ hiddenSize: 64, numLayers: 2, sequence: { steps: 60, fields: 6, layout: 'field-major' }, earlyStoppingRounds: 10 });
    expect(p).not.toHaveProperty('hiddenSizes');
  });

  it('refuses unknown parameters, bad values and a missing sequence with the name of what is wrong', () => {
    expect(() => resolveDeepParams('mlp', { hiddenSize: 3 })).toThrow(/unknown parameter hiddenSize/);
    expect(() => resolveDeepParams('gru', {})).toThrow(/sequence is required/);
    expect(() => resolveDeepParams('gru', { sequence: { steps: 0, fields: 6 } })).toThrow(/sequence.steps must be a positive integer/);
    expect(() => resolveDeepParams('tcn', { sequence: { steps: 5, fields: 2 }, channels: [] })).toThrow(/channels must be a non-empty list/);
    expect(() => resolveDeepParams('transformer', { sequence: { steps: 5, fields: 2 }, dModel: 10, heads: 3 })).toThrow(/multiple of heads/);
    expect(() => resolveDeepParams('mlp', { dropout: 1 })).toThrow(/dropout must be a number >= 0 and <= 0.95/);
    expect(() => resolveDeepParams('mlp', { lrSchedule: 'linear' })).toThrow(/lrSchedule must be one of constant, step, cosine/);
  });

  it('refuses data whose width does not match the sequence', async () => {
    const model = new DeepModel('lstm', { sequence: { steps: 4, fields: 2 }, hiddenSize: 2, epochs: 1 });
    const fit = model.fit({ rows: 2, cols: 6, x: new Float32Array(12), y: new Float32Array(2), featureNames: ['a', 'b', 'c', 'd', 'e', 'f'] });
    await expect(fit).rejects.toBeInstanceOf(QuantError);
    await expect(model.fit({ rows: 2, cols: 6, x: new Float32Array(12), y: new Float32Array(2), featureNames: ['a', 'b', 'c', 'd', 'e', 'f'] })).rejects.toThrow(/4 steps x 2 fields needs 8 features, the data has 6/);
  });

  it('refuses a binary label that is not 0 or 1', async () => {
    const model = new DeepModel('mlp', { objective: 'binary', hiddenSizes: [2], epochs: 1 });
    await expect(model.fit({ rows: 2, cols: 1, x: new Float32Array([1, 2]), y: new Float32Array([0, 0.5]), featureNames: ['a'] })).rejects.toThrow(/label of row 1 is 0.5; binary needs 0 or 1/);
  });
});
