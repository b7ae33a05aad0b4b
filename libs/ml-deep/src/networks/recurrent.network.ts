/**
 * Stacked LSTM or GRU on a sequence, the last hidden state into Dense(1) (Qlib's LSTM/GRU models).
 * tfjs: time-major custom ops (ops.ts). ONNX: the LSTM/GRU operators on [T, N, C], gate blocks
 * reordered from ours (LSTM i f o g, GRU z r n) to ONNX's (LSTM i o f c, GRU z r h), GRU with
 * linear_before_reset = 1.
 */
import type { tf } from '../backend';
import { dense, lastStep } from '../ops';
import { gruLayer, lstmLayer } from '../recurrent-layer';
import { sequenceInput } from '../onnx-builder';
import type { Network, NetworkDims, WeightInit } from './network.port';
import { denseInit, onnxWeight, uniform, weight } from './network.port';

/** [rowsIn, G*H] in our block order -> [G*H, rowsIn] in `order` (block b of the result = our block order[b]). */
function gateRows(data: Float32Array, rowsIn: number, H: number, order: readonly number[]): Float32Array {
  const G = order.length;
  const out = new Float32Array(G * H * rowsIn);
  for (let ob = 0; ob < G; ob++) {
    const mine = order[ob] as number;
    for (let k = 0; k < H; k++) for (let j = 0; j < rowsIn; j++) out[(ob * H + k) * rowsIn + j] = data[j * G * H + mine * H + k] as number;
  }
  return out;
}

const LSTM_ONNX_ORDER = [0, 2, 1, 3];
const GRU_ONNX_ORDER = [0, 1, 2];

export function recurrentNetwork(cell: 'lstm' | 'gru', dims: NetworkDims): Network {
  const seq = dims.sequence;
  if (!seq) throw new Error('recurrent network without a sequence spec');
  const H = dims.params.hiddenSize;
  const L = dims.params.numLayers;
  const G = cell === 'lstm' ? 4 : 3;
  return {
    layout: 'time-major',
    init(rng) {
      // PyTorch's default for RNN weights: U(-1/sqrt(H), 1/sqrt(H)).
      const a = 1 / Math.sqrt(H);
      const out: WeightInit[] = [];
      for (let l = 0; l < L; l++) {
        const inSize = l === 0 ? seq.fields : H;
        out.push({ name: `Wx${l}`, shape: [inSize, G * H], data: uniform(rng, [inSize, G * H], a), decay: true });
        out.push({ name: `Wh${l}`, shape: [H, G * H], data: uniform(rng, [H, G * H], a), decay: true });
        out.push({ name: `b${l}`, shape: [G * H], data: uniform(rng, [G * H], a), decay: false });
        if (cell === 'gru') out.push({ name: `bh${l}`, shape: [1, G * H], data: uniform(rng, [G * H], a), decay: false });
      }
      out.push(...denseInit(rng, 'out', H, 1));
      return out;
    },
    forward(w, x, batch, ctx) {
      let h = x;
      for (let l = 0; l < L; l++) {
        const inputGrad = l > 0 || ctx.inputGrad;
        const [wx, wh, b] = [w[`Wx${l}`] as tf.Tensor2D, w[`Wh${l}`] as tf.Tensor2D, w[`b${l}`] as tf.Tensor];
        h = cell === 'lstm' ? lstmLayer(h, wx, wh, b, seq.steps, batch, inputGrad) : gruLayer(h, wx, wh, b, w[`bh${l}`] as tf.Tensor2D, seq.steps, batch, inputGrad);
        if (l < L - 1) h = ctx.dropout(h);
      }
      const last = ctx.dropout(lastStep(h, seq.steps, batch));
      return dense(last, w['Wout'] as tf.Tensor2D, w['bout'] as tf.Tensor, true);
    },
    onnx(w, g, input) {
      let x = sequenceInput(g, input, seq, 'TNC');
      let last = '';
      for (let l = 0; l < L; l++) {
        const inSize = l === 0 ? seq.fields : H;
        const order = cell === 'lstm' ? LSTM_ONNX_ORDER : GRU_ONNX_ORDER;
        const W = g.constant(`W${l}`, [1, G * H, inSize], gateRows(weight(w, `Wx${l}`).data, inSize, H, order));
        const R = g.constant(`R${l}`, [1, G * H, H], gateRows(weight(w, `Wh${l}`).data, H, H, order));
        const bias = new Float32Array(2 * G * H);
        bias.set(gateRows(weight(w, `b${l}`).data, 1, H, order), 0);
        if (cell === 'gru') bias.set(weight(w, `bh${l}`).data, G * H);
        const B = g.constant(`B${l}`, [1, 2 * G * H], bias);
        const attrs = [{ name: 'hidden_size', type: 'int' as const, value: H }, ...(cell === 'gru' ? [{ name: 'linear_before_reset', type: 'int' as const, value: 1 }] : [])];
        const [Y, Yh] = g.opOutputs(cell === 'lstm' ? 'LSTM' : 'GRU', [x, W, R, B], 2, attrs) as [string, string];
        if (l < L - 1) x = g.op('Squeeze', [Y, g.ints(`squeeze_axes_${l}`, [1])]);
        else last = g.op('Reshape', [Yh, g.ints('last_shape', [-1, H])]);
      }
      return g.dense(last, onnxWeight(g, w, 'Wout'), onnxWeight(g, w, 'bout'));
    },
  };
}
