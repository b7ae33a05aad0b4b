/**
 * Transformer encoder on a sequence (Qlib's Transformer model, post-norm like PyTorch's default):
 * input projection + sinusoidal positional encoding, then per layer multi-head self-attention and a
 * ReLU feed-forward block, each residual and layer-normalised; the last time step into Dense(1).
 */
import { tf } from '../backend';
import { attentionHeads, batchMatMul, dense, lastRowsBatchMajor, mergeHeads } from '../ops';
import { lastQueryAttention, layerNorm } from '../attention';
import { sequenceInput } from '../onnx-builder';
import type { Network, NetworkDims, WeightInit } from './network.port';
import { denseInit, onnxWeight, weight } from './network.port';

const EPSILON = 1e-5;

/** pe[t, 2i] = sin(t / 10000^(2i/d)), pe[t, 2i+1] = cos(t / 10000^(2i/d)). */
export function positionalEncoding(steps: number, d: number): Float32Array {
  const pe = new Float32Array(steps * d);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < d; i++) {
      const angle = t / 10000 ** ((2 * Math.floor(i / 2)) / d);
      pe[t * d + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return pe;
}

export function transformerNetwork(dims: NetworkDims): Network {
  const seq = dims.sequence;
  if (!seq) throw new Error('transformer network without a sequence spec');
  const { dModel: d, heads, numLayers: L, ffnSize } = dims.params;
  const T = seq.steps;
  const dh = d / heads;
  const scale = Math.fround(1 / Math.sqrt(dh));
  const pe = positionalEncoding(T, d);
  return {
    layout: 'batch-major',
    init(rng) {
      const out: WeightInit[] = [...denseInit(rng, 'in', seq.fields, d)];
      for (let l = 0; l < L; l++) {
        out.push(...denseInit(rng, `qkv${l}`, d, 3 * d), ...denseInit(rng, `o${l}`, d, d));
        out.push({ name: `ln1g${l}`, shape: [d], data: new Float32Array(d).fill(1), decay: false }, { name: `ln1b${l}`, shape: [d], data: new Float32Array(d), decay: false });
        out.push(...denseInit(rng, `f1${l}`, d, ffnSize), ...denseInit(rng, `f2${l}`, ffnSize, d));
        out.push({ name: `ln2g${l}`, shape: [d], data: new Float32Array(d).fill(1), decay: false }, { name: `ln2b${l}`, shape: [d], data: new Float32Array(d), decay: false });
      }
      out.push(...denseInit(rng, 'out', d, 1));
      return out;
    },
    forward(w, x, batch, ctx) {
      const B = batch;
      const layer = (v: tf.Tensor2D, name: string, inputGrad = true): tf.Tensor2D => dense(v, w[`W${name}`] as tf.Tensor2D, w[`b${name}`] as tf.Tensor, inputGrad);
      const proj = layer(x, 'in', ctx.inputGrad);
      let h = tf.reshape(tf.add(tf.reshape(proj, [B, T, d]), tf.tensor2d(pe, [T, d])), [B * T, d]) as tf.Tensor2D;
      for (let l = 0; l < L; l++) {
        // The score reads only the last step, and in the last layer no later layer reads the other
        // steps, so there only the last step's query (and its residual, norms and feed-forward) is
        // computed: the same values and gradients, with 1/T of the attention products.
        const top = l === L - 1;
        let context: tf.Tensor2D;
        let residual = h;
        if (top) {
          // Q from the last rows only, K and V from all: column blocks of the fused projection.
          const [wqkv, bqkv] = [w[`Wqkv${l}`] as tf.Tensor2D, w[`bqkv${l}`] as tf.Tensor1D];
          residual = lastRowsBatchMajor(h, B, T);
          const q = dense(residual, tf.slice(wqkv, [0, 0], [d, d]), tf.slice(bqkv, [0], [d]), true);
          const kv = dense(h, tf.slice(wqkv, [0, d], [d, 2 * d]), tf.slice(bqkv, [d], [2 * d]), true);
          context = lastQueryAttention(q, kv, B, T, heads, scale);
        } else {
          const qkv = layer(h, `qkv${l}`);
          const q = attentionHeads(qkv, B, T, heads, 0, scale, false);
          const kT = attentionHeads(qkv, B, T, heads, 1, 1, true);
          const v = attentionHeads(qkv, B, T, heads, 2, 1, false);
          context = mergeHeads(batchMatMul(tf.softmax(batchMatMul(q, kT)), v), B, heads);
        }
        h = layerNorm(tf.add(residual, ctx.dropout(layer(context, `o${l}`))) as tf.Tensor2D, w[`ln1g${l}`] as tf.Tensor1D, w[`ln1b${l}`] as tf.Tensor1D, EPSILON);
        const ffn = layer(ctx.dropout(tf.relu(layer(h, `f1${l}`)) as tf.Tensor2D), `f2${l}`);
        h = layerNorm(tf.add(h, ctx.dropout(ffn)) as tf.Tensor2D, w[`ln2g${l}`] as tf.Tensor1D, w[`ln2b${l}`] as tf.Tensor1D, EPSILON);
      }
      // After the last layer h is [B, d]: the last step of each sequence.
      const last = h;
      return layer(last, 'out');
    },
    onnx(w, g, input) {
      const dense = (v: string, name: string): string => g.dense(v, onnxWeight(g, w, `W${name}`), onnxWeight(g, w, `b${name}`));
      const x = sequenceInput(g, input, seq, 'NTC');
      let h = g.op('Add', [dense(x, 'in'), g.constant('positional_encoding', [T, d], pe)]);
      const headShape = g.ints('head_shape', [-1, T, heads, dh]);
      const modelShape = g.ints('model_shape', [-1, T, d]);
      const scaleName = g.constant('attention_scale', [1], [scale]);
      for (let l = 0; l < L; l++) {
        // Q, K, V from column blocks of the fused [d, 3d] projection.
        const Wqkv = weight(w, `Wqkv${l}`).data;
        const bqkv = weight(w, `bqkv${l}`).data;
        const v0 = h;
        const part = (p: number, name: string): string => {
          const m = new Float32Array(d * d);
          for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) m[r * d + c] = Wqkv[r * 3 * d + p * d + c] as number;
          return g.dense(v0, g.constant(`W${name}${l}`, [d, d], m), g.constant(`b${name}${l}`, [d], bqkv.subarray(p * d, (p + 1) * d)));
        };
        const heads4 = (v: string, perm: number[]): string => g.op('Transpose', [g.op('Reshape', [v, headShape])], [{ name: 'perm', type: 'ints', value: perm }]);
        const q = heads4(g.op('Mul', [part(0, 'q'), scaleName]), [0, 2, 1, 3]);
        const k = heads4(part(1, 'k'), [0, 2, 3, 1]);
        const v = heads4(part(2, 'v'), [0, 2, 1, 3]);
        const attention = g.op('Softmax', [g.op('MatMul', [q, k])], [{ name: 'axis', type: 'int', value: -1 }]);
        const context = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [attention, v])], [{ name: 'perm', type: 'ints', value: [0, 2, 1, 3] }]), modelShape]);
        const norm = (v: string, gamma: string, beta: string): string =>
          g.op('LayerNormalization', [v, onnxWeight(g, w, gamma), onnxWeight(g, w, beta)], [
            { name: 'axis', type: 'int', value: -1 },
            { name: 'epsilon', type: 'float', value: EPSILON },
          ]);
        h = norm(g.op('Add', [h, dense(context, `o${l}`)]), `ln1g${l}`, `ln1b${l}`);
        h = norm(g.op('Add', [h, dense(g.op('Relu', [dense(h, `f1${l}`)]), `f2${l}`)]), `ln2g${l}`, `ln2b${l}`);
      }
      const last = g.op('Gather', [h, g.constant('last_step', [], [T - 1], 'int64')], [{ name: 'axis', type: 'int', value: 1 }]);
      return dense(last, 'out');
    },
  };
}
