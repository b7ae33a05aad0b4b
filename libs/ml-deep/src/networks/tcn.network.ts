/**
 * Temporal CNN: causal dilated 1-D convolutions (dilation 2^layer) with ReLU, the last time step into
 * Dense(1). tfjs: im2col + one plain matMul per layer (the wasm backend has no Conv2DBackpropFilter).
 * ONNX: Conv on [N, C, T] with left padding (k-1)*dilation, then the last step.
 */
import { tf } from '../backend';
import { causalIm2colAt, convolutionSteps, dense } from '../ops';
import { sequenceInput } from '../onnx-builder';
import type { Network, NetworkDims, WeightInit } from './network.port';
import { denseInit, onnxWeight, uniform, weight } from './network.port';

export function tcnNetwork(dims: NetworkDims): Network {
  const seq = dims.sequence;
  if (!seq) throw new Error('tcn network without a sequence spec');
  const channels = [seq.fields, ...dims.params.channels];
  const L = dims.params.channels.length;
  const k = dims.params.kernelSize;
  return {
    layout: 'time-major',
    init(rng) {
      const out: WeightInit[] = [];
      for (let l = 0; l < L; l++) {
        const fanIn = k * (channels[l] as number);
        const outC = channels[l + 1] as number;
        // He-uniform for ReLU layers; rows are (tap, channel) blocks as im2col lays them out.
        out.push({ name: `W${l}`, shape: [fanIn, outC], data: uniform(rng, [fanIn, outC], Math.sqrt(6 / fanIn)), decay: true });
        out.push({ name: `b${l}`, shape: [outC], data: new Float32Array(outC), decay: false });
      }
      out.push(...denseInit(rng, 'out', channels[L] as number, 1));
      return out;
    },
    forward(w, x, batch, ctx) {
      // Only the last step reaches the score: each layer computes just the steps that later ones read
      // (for kernel 3, dilations 1/2/4: 7, 3 and 1 of 60), the same values and gradients.
      const dilations = Array.from({ length: L }, (_, l) => 2 ** l);
      const plan = convolutionSteps([seq.steps - 1], k, dilations);
      let h = x;
      let have = Array.from({ length: seq.steps }, (_, t) => t);
      for (let l = 0; l < L; l++) {
        const want = plan[l] as number[];
        const cols = causalIm2colAt(h, have, want, batch, k, dilations[l] as number);
        h = ctx.dropout(tf.relu(dense(cols, w[`W${l}`] as tf.Tensor2D, w[`b${l}`] as tf.Tensor, l > 0 || ctx.inputGrad)) as tf.Tensor2D);
        have = want;
      }
      // h is [B, C]: the last step.
      return dense(h, w['Wout'] as tf.Tensor2D, w['bout'] as tf.Tensor, true);
    },
    onnx(w, g, input) {
      let cur = sequenceInput(g, input, seq, 'NCT');
      for (let l = 0; l < L; l++) {
        const C = channels[l] as number;
        const O = channels[l + 1] as number;
        const src = weight(w, `W${l}`).data;
        // Ours: row j*C + c (tap j, channel c), column o. ONNX Conv: [O, C, k].
        const kernel = new Float32Array(O * C * k);
        for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let j = 0; j < k; j++) kernel[(o * C + c) * k + j] = src[(j * C + c) * O + o] as number;
        const d = 2 ** l;
        const conv = g.op(
          'Conv',
          [cur, g.constant(`conv${l}`, [O, C, k], kernel), onnxWeight(g, w, `b${l}`)],
          [
            { name: 'kernel_shape', type: 'ints', value: [k] },
            { name: 'dilations', type: 'ints', value: [d] },
            { name: 'pads', type: 'ints', value: [(k - 1) * d, 0] },
            { name: 'strides', type: 'ints', value: [1] },
          ],
        );
        cur = g.op('Relu', [conv]);
      }
      const last = g.op('Gather', [cur, g.constant('last_step', [], [seq.steps - 1], 'int64')], [{ name: 'axis', type: 'int', value: 2 }]);
      return g.dense(last, onnxWeight(g, w, 'Wout'), onnxWeight(g, w, 'bout'));
    },
  };
}
