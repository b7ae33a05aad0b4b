/** Multi-layer perceptron on cross-sectional rows: [Dense -> ReLU -> Dropout] x L -> Dense(1). */
import { tf } from '../backend';
import { dense } from '../ops';
import type { Network, NetworkDims } from './network.port';
import { denseInit, onnxWeight } from './network.port';

export function mlpNetwork(dims: NetworkDims): Network {
  const sizes = [dims.features, ...dims.params.hiddenSizes];
  const L = dims.params.hiddenSizes.length;
  return {
    layout: 'rows',
    init(rng) {
      const out = [];
      for (let l = 0; l < L; l++) out.push(...denseInit(rng, String(l), sizes[l] as number, sizes[l + 1] as number));
      out.push(...denseInit(rng, 'out', sizes[L] as number, 1));
      return out;
    },
    forward(w, x, _batch, ctx) {
      let h = x;
      for (let l = 0; l < L; l++) {
        h = ctx.dropout(tf.relu(dense(h, w[`W${l}`] as tf.Tensor2D, w[`b${l}`] as tf.Tensor, l > 0 || ctx.inputGrad)) as tf.Tensor2D);
      }
      return dense(h, w['Wout'] as tf.Tensor2D, w['bout'] as tf.Tensor, true);
    },
    onnx(w, g, input) {
      let cur = input;
      for (let l = 0; l < L; l++) cur = g.op('Relu', [g.dense(cur, onnxWeight(g, w, `W${l}`), onnxWeight(g, w, `b${l}`))]);
      return g.dense(cur, onnxWeight(g, w, 'Wout'), onnxWeight(g, w, 'bout'));
    },
  };
}
