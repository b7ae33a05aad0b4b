/**
 * Differentiable building blocks with hand-written gradients. tfjs's default gradients of matMul use
 * transposed matMuls, which the wasm backend runs several times slower than a plain 2-D product; here
 * every product, forward and backward, is a plain matMul on explicitly transposed operands. The
 * recurrent layers (recurrent-layer.ts) build on these helpers.
 */
import { tf } from './backend';
import { take, tensorOf } from './scratch';

type T2 = tf.Tensor2D;
type Saved = tf.Tensor[];

type GradFn = (dy: never, saved: Saved) => tf.Tensor | tf.Tensor[];
export const custom = (f: (...args: never[]) => { value: tf.Tensor; gradFunc: GradFn }): ((...inputs: tf.Tensor[]) => tf.Tensor) =>
  tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...inputs: tf.Tensor[]) => tf.Tensor;

/**
 * 2-D transpose: in JS over the heap view on wasm (its generic Transpose kernel is ~10x slower). With
 * `onesRow`, a row of ones is added under the result ([m + 1, n]).
 */
export function transpose2d(t: T2, onesRow = false): T2 {
  const view = heapView(t);
  const [n, m] = t.shape;
  if (!view) return onesRow ? tf.concat([tf.transpose(t), tf.ones([1, n])], 0) : tf.transpose(t);
  // Column by column: sequential writes, constant-stride reads (measured 2-4x faster here than 32 x 32
  // tiles for the tall [N, m] operands of the weight gradients).
  const rowsOut = onesRow ? m + 1 : m;
  const out = take(rowsOut * n);
  for (let j = 0; j < m; j++) {
    const o = j * n;
    for (let i = 0; i < n; i++) out[o + i] = view[i * m + j] as number;
  }
  if (onesRow) out.fill(1, m * n);
  return tensorOf(out, (v) => tf.tensor2d(v, [rowsOut, n]));
}

/**
 * x' dy for x [N, k], dy [N, m], as a plain product: the narrower of the two tall operands is
 * transposed (in JS), since the transposeA flag takes wasm's slow path.
 */
export function weightGrad(x: T2, dy: T2): T2 {
  return x.shape[1] <= dy.shape[1] ? tf.matMul(transpose2d(x), dy) : transpose2d(tf.matMul(transpose2d(dy), x));
}

/**
 * The gradients of W and b in x W + b: x' dy and the column sums of dy. When x is the narrower
 * operand, both come from one product, [x'; 1'] dy, instead of a product and a pass over dy.
 */
function weightAndBiasGrad(x: T2, dy: T2): [T2, tf.Tensor] {
  const [k, m] = [x.shape[1], dy.shape[1]];
  if (k > m) return [weightGrad(x, dy), biasGrad(dy)];
  const both = tf.matMul(transpose2d(x, true), dy) as T2;
  return [tf.slice(both, [0, 0], [k, m]), tf.reshape(tf.slice(both, [k, 0], [1, m]), [m])];
}

/** Column sums of dy [N, m] (a bias gradient), accumulated in float64 over the heap view on wasm. */
function biasGrad(dy: T2): tf.Tensor {
  const view = heapView(dy);
  const [n, m] = dy.shape;
  if (!view) return tf.sum(dy, 0);
  const acc = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let j = 0; j < m; j++) acc[j] = (acc[j] as number) + (view[row + j] as number);
  }
  return tf.tensor1d(Float32Array.from(acc));
}

/**
 * x W + b with hand-written gradients (plain 2-D products, JS transposes and column sums). With
 * `inputGrad` false, x is a constant (the input batch) and gets no gradient.
 */
export function dense(x: T2, w: T2, b: tf.Tensor, inputGrad: boolean): T2 {
  if (inputGrad) {
    const f = custom((xv: T2, wv: T2, bv: tf.Tensor, save: tf.GradSaveFunc) => {
      save([xv, wv]);
      return {
        value: tf.add(tf.matMul(xv, wv), bv),
        gradFunc: (dy: T2, [sx, sw]: Saved) => [tf.matMul(dy, transpose2d(sw as T2)), ...weightAndBiasGrad(sx as T2, dy)],
      };
    });
    return f(x, w, b) as T2;
  }
  const f = custom((wv: T2, bv: tf.Tensor, save: tf.GradSaveFunc) => {
    // Saved, not closed over: x may be an intermediate (im2col) that the forward scope disposes.
    save([x]);
    return { value: tf.add(tf.matMul(x, wv), bv), gradFunc: (dy: T2, [sx]: Saved) => weightAndBiasGrad(sx as T2, dy) };
  });
  return f(w, b) as T2;
}

/** a [n, k] x b [k, m], both differentiable. */
export const matMul: (a: T2, b: T2) => T2 = custom((a: T2, b: T2, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: T2, [sa, sb]: Saved) => [tf.matMul(dy, transpose2d(sb as T2)), weightGrad(sa as T2, dy)],
  };
}) as (a: T2, b: T2) => T2;

type T3 = tf.Tensor3D;
const swap = (t: T3): T3 => tf.transpose(t, [0, 2, 1]);

/** Batched a [b, n, k] x b [b, k, m] with explicitly transposed operands in the gradient. */
export const batchMatMul: (a: T3, b: T3) => T3 = custom((a: T3, b: T3, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: T3, [sa, sb]: Saved) => [tf.matMul(dy, swap(sb as T3)), tf.matMul(swap(sa as T3), dy)],
  };
}) as (a: T3, b: T3) => T3;

/**
 * The wasm backend's Slice kernel copies its whole input out of the wasm heap before taking the slice,
 * so slicing step t out of a [T*B, n] sequence costs T*B*n per step. Inside the custom ops (no tape)
 * slices read a view of the heap instead and copy only what they take. Other backends slice natively.
 */
function heapView(t: tf.Tensor): Float32Array | null {
  const backend = tf.backend() as unknown as { typedArrayFromHeap?: (t: tf.Tensor) => Float32Array };
  return t.dtype === 'float32' && typeof backend.typedArrayFromHeap === 'function' ? backend.typedArrayFromHeap(t) : null;
}

/** The values of t: a heap view on wasm (valid until the next allocation), a copy elsewhere. */
export function readFloats(t: tf.Tensor): Float32Array {
  return heapView(t) ?? (t.dataSync() as Float32Array);
}

/** The last time step of a time-major [T*B, H] sequence: [B, H]. */
export function lastStep(seq: T2, steps: number, batch: number): T2 {
  // On the tape: tf.slice (differentiable), not the heap view.
  return tf.slice(seq, [(steps - 1) * batch, 0], [batch, seq.shape[1]]);
}

/**
 * im2col for a causal dilated 1-D convolution on a time-major [T*B, C] sequence: [T*B, k*C], column
 * block j holding x[t - (k-1-j) * dilation] (zero before the start). One custom op copying rows in JS
 * (forward) and adding them back (gradient), instead of k slices, pads and a concat.
 */
export function causalIm2col(x: T2, steps: number, batch: number, kernel: number, dilation: number): T2 {
  const all = Array.from({ length: steps }, (_, t) => t);
  return causalIm2colAt(x, all, all, batch, kernel, dilation);
}

/**
 * The time steps a stack of causal dilated convolutions must compute for its top layer's `outputs`:
 * per layer (bottom first) the sorted steps of its output that some later step reads.
 */
export function convolutionSteps(outputs: number[], kernel: number, dilations: number[]): number[][] {
  const plan: number[][] = [];
  let need = [...outputs].sort((a, b) => a - b);
  for (let l = dilations.length - 1; l >= 0; l--) {
    plan[l] = need;
    const below = new Set<number>();
    for (const t of need) for (let j = 0; j < kernel; j++) if (t - j * (dilations[l] as number) >= 0) below.add(t - j * (dilations[l] as number));
    need = [...below].sort((a, b) => a - b);
  }
  return plan;
}

/**
 * causalIm2col for the output steps `outSteps` only, reading x [inSteps.length * B, C] that holds the
 * (sorted) steps `inSteps` time-major (row i*B + b is step inSteps[i]): [outSteps.length * B, k*C].
 * Every step an output reads must be in inSteps (or before the start, read as zero).
 */
export function causalIm2colAt(x: T2, inSteps: number[], outSteps: number[], batch: number, kernel: number, dilation: number): T2 {
  const C = x.shape[1];
  const width = kernel * C;
  const last = inSteps.length ? (inSteps[inSteps.length - 1] as number) : -1;
  const rowOf = new Int32Array(Math.max(last, ...outSteps) + 1).fill(-1);
  inSteps.forEach((t, i) => (rowOf[t] = i));
  // source[o * kernel + j]: the input row block of output o's tap j, -1 for zeros.
  const source = new Int32Array(outSteps.length * kernel);
  outSteps.forEach((t, o) => {
    for (let j = 0; j < kernel; j++) {
      const s = t - (kernel - 1 - j) * dilation;
      const row = s < 0 ? -1 : (rowOf[s] as number);
      if (s >= 0 && row < 0) throw new Error(`causal im2col: step ${s} is read but not among the input steps`);
      source[o * kernel + j] = row;
    }
  });
  const f = custom((xv: T2) => {
    const src = readFloats(xv);
    const out = new Float32Array(outSteps.length * batch * width);
    for (let o = 0; o < outSteps.length; o++) {
      for (let j = 0; j < kernel; j++) {
        const i = source[o * kernel + j] as number;
        if (i < 0) continue;
        for (let b = 0; b < batch; b++) out.set(src.subarray((i * batch + b) * C, (i * batch + b + 1) * C), (o * batch + b) * width + j * C);
      }
    }
    return {
      value: tf.tensor2d(out, [outSteps.length * batch, width]),
      gradFunc: (dy: T2) => {
        const d = readFloats(dy);
        const dx = new Float32Array(inSteps.length * batch * C);
        for (let o = 0; o < outSteps.length; o++) {
          for (let j = 0; j < kernel; j++) {
            const i = source[o * kernel + j] as number;
            if (i < 0) continue;
            for (let b = 0; b < batch; b++) {
              const to = (i * batch + b) * C;
              const from = (o * batch + b) * width + j * C;
              for (let c = 0; c < C; c++) dx[to + c] = (dx[to + c] as number) + (d[from + c] as number);
            }
          }
        }
        return tf.tensor2d(dx, [inSteps.length * batch, C]);
      },
    };
  });
  return f(x) as T2;
}

/**
 * One attention operand out of the fused projection qkv [B*T, 3d] (batch-major rows b*T + t):
 * column block `part` (0 q, 1 k, 2 v) times `scale`, split into heads as [B*heads, T, dh], or
 * [B*heads, dh, T] with `transposed` (K for Q K'). One JS pass over the heap instead of a slice (the
 * wasm Slice kernel copies all of qkv) and a 4-D transpose; the gradient scatters back the same way.
 */
export function attentionHeads(qkv: T2, batch: number, steps: number, heads: number, part: number, scale: number, transposed: boolean): T3 {
  const d3 = qkv.shape[1];
  const d = d3 / 3;
  const dh = d / heads;
  const shape: [number, number, number] = transposed ? [batch * heads, dh, steps] : [batch * heads, steps, dh];
  // Calls visit(rowOffset, headOffset, stride): element e of (b, t, head) is rows[rowOffset + e] and
  // heads[headOffset + e * stride].
  const each = (visit: (r: number, o: number, stride: number) => void): void => {
    for (let b = 0; b < batch; b++) {
      for (let hd = 0; hd < heads; hd++) {
        const block = (b * heads + hd) * steps * dh;
        for (let t = 0; t < steps; t++) visit((b * steps + t) * d3 + part * d + hd * dh, transposed ? block + t : block + t * dh, transposed ? steps : 1);
      }
    }
  };
  const f = custom((x: T2) => {
    const src = readFloats(x);
    const out = new Float32Array(batch * steps * d);
    each((r, o, stride) => {
      for (let e = 0; e < dh; e++) out[o + e * stride] = (src[r + e] as number) * scale;
    });
    return {
      value: tf.tensor3d(out, shape),
      gradFunc: (dy: T3) => {
        const g = readFloats(dy);
        const dx = new Float32Array(batch * steps * d3);
        each((r, o, stride) => {
          for (let e = 0; e < dh; e++) dx[r + e] = (g[o + e * stride] as number) * scale;
        });
        return tf.tensor2d(dx, [batch * steps, d3]);
      },
    };
  });
  return f(qkv) as T3;
}

/** Per-head contexts [B*heads, T, dh] back to rows [B*T, d] (heads side by side), in one JS pass. */
export function mergeHeads(context: T3, batch: number, heads: number): T2 {
  const [, steps, dh] = context.shape;
  const d = heads * dh;
  const move = (src: Float32Array, dst: Float32Array, toRows: boolean): void => {
    for (let b = 0; b < batch; b++) {
      for (let hd = 0; hd < heads; hd++) {
        for (let t = 0; t < steps; t++) {
          const c = ((b * heads + hd) * steps + t) * dh;
          const r = (b * steps + t) * d + hd * dh;
          if (toRows) dst.set(src.subarray(c, c + dh), r);
          else dst.set(src.subarray(r, r + dh), c);
        }
      }
    }
  };
  const f = custom((x: T3) => {
    const out = new Float32Array(batch * steps * d);
    move(readFloats(x), out, true);
    return {
      value: tf.tensor2d(out, [batch * steps, d]),
      gradFunc: (dy: T2) => {
        const dx = new Float32Array(batch * steps * d);
        move(readFloats(dy), dx, false);
        return tf.tensor3d(dx, [batch * heads, steps, dh]);
      },
    };
  });
  return f(context) as T2;
}

/** The last time step of a batch-major [B*T, w] sequence (rows b*T + T-1): [B, w], copied in JS. */
export function lastRowsBatchMajor(x: T2, batch: number, steps: number): T2 {
  const w = x.shape[1];
  const f = custom((xv: T2) => {
    const src = readFloats(xv);
    const out = new Float32Array(batch * w);
    for (let b = 0; b < batch; b++) out.set(src.subarray(((b + 1) * steps - 1) * w, (b + 1) * steps * w), b * w);
    return {
      value: tf.tensor2d(out, [batch, w]),
      gradFunc: (dy: T2) => {
        const g = readFloats(dy);
        const dx = new Float32Array(batch * steps * w);
        for (let b = 0; b < batch; b++) dx.set(g.subarray(b * w, (b + 1) * w), ((b + 1) * steps - 1) * w);
        return tf.tensor2d(dx, [batch * steps, w]);
      },
    };
  });
  return f(x) as T2;
}
