import { describe, expect, it } from 'vitest';
// ONNX parity needs the onnxruntime adapter; a domain lib's test using it is the documented exception.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { OnnxScorer } from '@quant/ml-runtime';
import { QuantError } from '@quant/errors';
import { treeEnsembleToOnnx } from '../../src/onnx';
import type { TreeEnsembleSpec, TreeNode } from '../../src';

/** Reference walk of the spec: BRANCH_LEQ in double, missing by missingGoesLeft. */
function walk(spec: TreeEnsembleSpec, row: ArrayLike<number>): number {
  let sum = spec.baseScore;
  for (const tree of spec.trees) {
    let node = tree[0] as TreeNode;
    while (node.leaf === undefined) {
      const v = row[node.feature] as number;
      const left = Number.isNaN(v) ? node.missingGoesLeft : v <= node.threshold;
      node = tree[left ? node.left : node.right] as TreeNode;
    }
    sum += node.leaf;
  }
  return spec.postTransform === 'logistic' ? 1 / (1 + Math.exp(-sum)) : sum;
}

const leaf = (v: number): TreeNode => ({ feature: 0, threshold: 0, left: 0, right: 0, missingGoesLeft: false, leaf: v });

function twoTrees(postTransform: 'none' | 'logistic'): TreeEnsembleSpec {
  return {
    featureCount: 3,
    baseScore: 0.1,
    postTransform,
    trees: [
      [
        { feature: 0, threshold: 0.5, left: 1, right: 2, missingGoesLeft: true },
        leaf(1),
        { feature: 1, threshold: -1, left: 3, right: 4, missingGoesLeft: false },
        leaf(2),
        leaf(-3),
      ],
      // 0.1 is not a float32: fround(0.1) > 0.1, so a float32 input of 0.1 must go right, as a double compare says.
      [{ feature: 2, threshold: 0.1, left: 1, right: 2, missingGoesLeft: false }, leaf(0.25), leaf(-0.5)],
    ],
  };
}

const ROWS = [
  [0, 0, 0],
  [0.5, 0, 0.1], // on the thresholds
  [0.6, -1, 0.2],
  [0.6, -0.5, -1],
  [NaN, NaN, NaN], // missing everywhere: tree 0 left, tree 1 right
  [0.7, NaN, 0.05], // tree 0 right then missing -> right
  [1e6, -1e6, 1e-30],
];

describe('treeEnsembleToOnnx', () => {
  for (const post of ['none', 'logistic'] as const) {
    it(`scores like the tree walk with post_transform ${post}`, async () => {
      const spec = twoTrees(post);
      const x = new Float32Array(ROWS.flat());
      const scorer = await OnnxScorer.load(treeEnsembleToOnnx(spec));
      expect(scorer.featureCount).toBe(3);
      const got = await scorer.score(x, ROWS.length);
      const want = ROWS.map((_, r) => walk(spec, x.subarray(r * 3, r * 3 + 3)));
      for (let r = 0; r < ROWS.length; r++) expect(got[r]).toBeCloseTo(want[r] as number, 6);
      // Spot-check the hand-computed routes, independent of the reference walk.
      if (post === 'none') {
        expect(Array.from(got.slice(0, 6))).toEqual([1 + 0.25 + 0.1, 1 - 0.5 + 0.1, 2 - 0.5 + 0.1, -3 + 0.25 + 0.1, 1 - 0.5 + 0.1, -3 + 0.25 + 0.1].map(Math.fround));
      }
      await scorer.close();
    });
  }

  it('is byte-deterministic', () => {
    expect(Buffer.from(treeEnsembleToOnnx(twoTrees('none'))).equals(Buffer.from(treeEnsembleToOnnx(twoTrees('none'))))).toBe(true);
  });

  it('exports an empty ensemble as the base score', async () => {
    const scorer = await OnnxScorer.load(treeEnsembleToOnnx({ featureCount: 2, baseScore: 0.75, postTransform: 'none', trees: [] }));
    expect(Array.from(await scorer.score(new Float32Array([1, 2, NaN, 3]), 2))).toEqual([0.75, 0.75]);
  });

  it('refuses a split on a feature outside the input', () => {
    const spec = twoTrees('none');
    (spec.trees[1] as TreeNode[])[0] = { feature: 3, threshold: 0, left: 1, right: 2, missingGoesLeft: false };
    expect(() => treeEnsembleToOnnx(spec)).toThrow(QuantError);
    expect(() => treeEnsembleToOnnx(spec)).toThrow(/feature 3, outside 0..2/);
  });

  it('refuses a child outside the tree', () => {
    const spec = twoTrees('none');
    (spec.trees[1] as TreeNode[])[0] = { feature: 0, threshold: 0, left: 1, right: 7, missingGoesLeft: false };
    expect(() => treeEnsembleToOnnx(spec)).toThrow(/child 7/);
  });

  it('the scorer names the expected width on a wrong feature count', async () => {
    const scorer = await OnnxScorer.load(treeEnsembleToOnnx(twoTrees('none')));
    await expect(scorer.score(new Float32Array(8), 2)).rejects.toThrow(/takes 3 features per row; got 8 values for 2 rows/);
  });
});
