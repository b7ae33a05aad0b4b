import { describe, expect, it } from 'vitest';
// ONNX parity runs the graph in onnxruntime, the serving path (as the model contract does).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { OnnxScorer } from '@quant/ml-runtime';
import type { Dataset } from '@quant/ml';
import { DeepModel, registerGradients } from '../src';
import type { DeepKind } from '../src';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { expectOnnxClose } from '../../ml/test/model-contract';

// tfjs's gradients load at the first fit; here at import, where vitest's transform of them has no hook timeout.
await registerGradients();

// Alpha360's shape (60 steps x 6 fields, field-major): ONNX parity over a long recurrence, and a
// planted sequence signal each sequence model must pick up.
const STEPS = 60;
const FIELDS = 6;
const F = STEPS * FIELDS;

function data(rows: number, seed: number): Dataset {
  let s = seed;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
  const x = new Float32Array(rows * F);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < F; j++) x[i * F + j] = next() * 2;
    // The label: field 1 three steps before the last, minus field 4 at the last step (field-major column f*60+t).
    y[i] = (x[i * F + 1 * STEPS + STEPS - 4] as number) - (x[i * F + 4 * STEPS + STEPS - 1] as number);
    x[i * F + ((i * 7) % F)] = NaN;
  }
  return { rows, cols: F, x, y, featureNames: Array.from({ length: F }, (_, j) => `${['CLOSE', 'OPEN', 'HIGH', 'LOW', 'VWAP', 'VOLUME'][Math.floor(j / STEPS)]}${STEPS - 1 - (j % STEPS)}`) };
}

const sequence = { steps: STEPS, fields: FIELDS, layout: 'field-major' };
const cases: [DeepKind, Record<string, unknown>][] = [
  ['lstm', { hiddenSize: 8, numLayers: 1 }],
  ['gru', { hiddenSize: 8, numLayers: 1 }],
  ['tcn', { channels: [8, 8, 8], kernelSize: 3 }],
  ['transformer', { dModel: 8, heads: 2, ffnSize: 16 }],
];

describe('deep sequence models on Alpha360-shaped rows', () => {
  const train = data(512, 1);
  const valid = data(256, 2);
  for (const [kind, params] of cases) {
    it(`${kind}: learns a planted sequence signal and its ONNX graph matches predict`, async () => {
      const model = new DeepModel(kind, { sequence, epochs: 10, batchSize: 128, learningRate: 0.02, earlyStoppingRounds: 0, ...params });
      await model.fit(train, { seed: 3, valid });
      const p = model.predict(valid.x, valid.rows);
      let sxy = 0;
      let sxx = 0;
      let syy = 0;
      const my = valid.y.reduce((a, b) => a + b, 0) / valid.rows;
      const mp = p.reduce((a, b) => a + b, 0) / valid.rows;
      for (let i = 0; i < valid.rows; i++) {
        sxy += ((p[i] as number) - mp) * ((valid.y[i] as number) - my);
        sxx += ((p[i] as number) - mp) ** 2;
        syy += ((valid.y[i] as number) - my) ** 2;
      }
      const corr = sxy / Math.sqrt(sxx * syy);
      expect(corr, `${kind} valid correlation`).toBeGreaterThan(0.5);
      const scorer = await OnnxScorer.load(model.toOnnx());
      try {
        expectOnnxClose(await scorer.score(valid.x, valid.rows), p);
      } finally {
        await scorer.close();
      }
    });
  }
});
