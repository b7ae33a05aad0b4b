/**
 * LSTM and GRU layers as one custom op each over a time-major sequence, with the per-step work cut to
 * what the wasm backend is fast at. Each step is one product [h_{t-1}, x_t, 1] x W, W = [Wh; Wx; b]
 * (the input projection, the recurrent product and the biases in one call: no [T*B, G] input
 * projection to slice per step), a sigmoid over it and one for the tanh; the element-wise cell
 * arithmetic runs in JS over plain arrays (each tfjs op costs a dispatch, a heap allocation and a copy,
 * more than the arithmetic on [B, H]). The gradient runs the cell backwards in JS with one
 * [B, P] x [P, H] product per step for the recurrence, then every weight gradient as one
 * [P, T*B] x [T*B, H+C+1] product (the wasm product re-packs its right operand on every call, so the
 * narrower operand goes there) and the input gradient as one [T*B, P] x [P, C] product.
 */
import { tf } from './backend';
import { custom, readFloats } from './ops';
import { giveBack, take, tensorOf } from './scratch';

type T2 = tf.Tensor2D;

/** t's values copied out of the wasm heap (a view there dies when the heap grows). */
const copyOf = (t: tf.Tensor): Float32Array => readFloats(t).slice();

/** rows x cols row-major -> cols x rows. */
function transposed(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j] as number;
  return out;
}

/** y's values into out at `at`, then y and the temporaries disposed (no tidy scope: it costs per step). */
function readInto(y: tf.Tensor, out: Float32Array, at: number, ...temporaries: tf.Tensor[]): void {
  out.set(readFloats(y), at);
  tf.dispose([y, ...temporaries]);
}

/** sigmoid(v) for v [rows, cols], in the backend (wasm's is vectorised; a JS exp per element is slower). */
function sigmoidInto(v: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const a = tf.tensor2d(v, [rows, cols]);
  readInto(tf.sigmoid(a), out, 0, a);
}

/** What differs between LSTM and GRU: the cell around the shared per-step product. */
interface Cell {
  /** Product width P: W is [H+C+1, P] (rows: h, then x, then the bias row). */
  width: number;
  weights: Float32Array;
  /** Step t from the product's output [B, P]: writes h_t into h (time-major [T*B, H]). */
  forward(t: number, product: tf.Tensor2D, h: Float32Array): void;
  /**
   * Step t backwards from dh = dL/dh_t [B, H]: writes dL/d(product) [B, P] into dProduct and leaves in
   * dh the part of dL/dh_{t-1} that does not flow through the product.
   */
  backward(t: number, dh: Float32Array, dProduct: Float32Array): void;
  /** The gradients of the op's weight inputs from dL/dW [H+C+1, P]. */
  weightGrads(dW: Float32Array): tf.Tensor[];
  /** Gives back the arrays kept for the gradient. */
  release(): void;
}

interface Dims {
  H: number;
  C: number;
  batch: number;
  steps: number;
}

/** Step t's product input rows [h_{t-1}, x_t, 1] into inputs [T*B, H+C+1]. */
function stepInputs(t: number, { H, C, batch }: Dims, h: Float32Array, xs: Float32Array, inputs: Float32Array): void {
  const K = H + C + 1;
  const prev = (t - 1) * batch * H;
  for (let q = 0; q < batch; q++) {
    const r = (t * batch + q) * K;
    for (let j = 0; j < H; j++) inputs[r + j] = t > 0 ? (h[prev + q * H + j] as number) : 0;
    const xr = (t * batch + q) * C;
    for (let j = 0; j < C; j++) inputs[r + H + j] = xs[xr + j] as number;
    inputs[r + H + C] = 1;
  }
}

/** dst[i] += src[from + i] for every i of dst. */
function addInto(dst: Float32Array, src: Float32Array, from: number): void {
  for (let i = 0; i < dst.length; i++) dst[i] = (dst[i] as number) + (src[from + i] as number);
}

/** Columns t*B .. t*B+B-1 of dT [P, T*B] from the step block d [B, P]. */
function transposeStep(t: number, batch: number, P: number, d: Float32Array, dT: Float32Array): void {
  const N = dT.length / P;
  const base = t * batch;
  for (let k = 0; k < P; k++) {
    const o = k * N + base;
    for (let q = 0; q < batch; q++) dT[o + q] = d[q * P + k] as number;
  }
}

/**
 * The op: x [T*B, C] time-major (row t*B + b is step t of sequence b), weight inputs `weights` (read
 * by makeCell); every hidden state out, time-major [T*B, H], from a zero initial state. With
 * `inputGrad` false, x is a constant (the input batch) and gets no gradient.
 */
function recurrentOp(x: T2, weights: tf.Tensor[], dims: Dims, inputGrad: boolean, makeCell: (w: Float32Array[]) => Cell): T2 {
  const { H, C, batch, steps } = dims;
  const K = H + C + 1;
  const N = steps * batch;
  const run = (xv: T2, wv: tf.Tensor[]): { value: tf.Tensor; gradFunc: (dy: T2) => tf.Tensor[] } => {
    const xs = take(N * C);
    xs.set(readFloats(xv));
    const cell = makeCell(wv.map(copyOf));
    const P = cell.width;
    const w = tf.tensor2d(cell.weights, [K, P]);
    // Kept for the gradient (with the cell's own): the product inputs [T*B, K].
    const inputs = take(N * K);
    const h = take(N * H);
    for (let t = 0; t < steps; t++) {
      stepInputs(t, dims, h, xs, inputs);
      const a = tf.tensor2d(inputs.subarray(t * batch * K, (t + 1) * batch * K), [batch, K]);
      const product = tf.matMul(a, w) as T2;
      cell.forward(t, product, h);
      tf.dispose([a, product]);
    }
    w.dispose();
    giveBack(xs);
    let done = false;
    return {
      value: tensorOf(h, (v) => tf.tensor2d(v, [N, H])),
      gradFunc: (dy: T2) => {
        if (done) throw new Error('recurrent layer: the gradient of one forward pass was asked for twice');
        done = true;
        const dys = take(N * H);
        dys.set(readFloats(dy));
        const recurrentT = tf.tensor2d(transposed(cell.weights.subarray(0, H * P), H, P), [P, H]);
        // dL/d(product) by step [B, P], for all steps transposed [P, T*B], and row-major for all steps
        // only for the input gradient.
        const dStep = new Float32Array(batch * P);
        const dT = take(P * N);
        const dAll = inputGrad ? take(N * P) : null;
        const dh = new Float32Array(batch * H);
        const viaProduct = new Float32Array(batch * H);
        for (let t = steps - 1; t >= 0; t--) {
          addInto(dh, dys, t * batch * H);
          cell.backward(t, dh, dStep);
          transposeStep(t, batch, P, dStep, dT);
          dAll?.set(dStep, t * batch * P);
          if (t > 0) {
            const d = tf.tensor2d(dStep, [batch, P]);
            readInto(tf.matMul(d, recurrentT), viaProduct, 0, d);
            addInto(dh, viaProduct, 0);
          }
        }
        recurrentT.dispose();
        const dWT = new Float32Array(P * K);
        const [lhs, rhs] = [tf.tensor2d(dT, [P, N]), tf.tensor2d(inputs, [N, K])];
        readInto(tf.matMul(lhs, rhs), dWT, 0, lhs, rhs);
        const grads = cell.weightGrads(transposed(dWT, P, K));
        cell.release();
        giveBack(inputs, dT, dys);
        if (!dAll) return grads;
        const dx = tf.tidy(() => tf.matMul(tf.tensor2d(dAll, [N, P]), tf.tensor2d(transposed(cell.weights.subarray(H * P, (H + C) * P), C, P), [P, C])));
        giveBack(dAll);
        return [dx, ...grads];
      },
    };
  };
  // customGrad passes its save function after the inputs.
  const k = weights.length;
  if (inputGrad) return custom((xv: T2, ...wv: tf.Tensor[]) => run(xv, wv.slice(0, k)))(x, ...weights) as T2;
  return custom((...wv: tf.Tensor[]) => run(x, wv.slice(0, k)))(...weights) as T2;
}

/**
 * LSTM cell, gate blocks i, f, o, g. W's g columns are doubled, so one sigmoid over the product gives
 * i, f, o and sigmoid(2 pre_g), and g = tanh(pre_g) = 2 sigmoid(2 pre_g) - 1; the product's gradient
 * is taken with respect to the doubled columns, and so is the recurrence through them.
 */
function lstmCell({ H, C, batch, steps }: Dims, [wx, wh, b]: Float32Array[]): Cell {
  const G = 4 * H;
  const N = steps * batch;
  const weights = new Float32Array((H + C + 1) * G);
  weights.set(wh as Float32Array, 0);
  weights.set(wx as Float32Array, H * G);
  weights.set(b as Float32Array, (H + C) * G);
  for (let r = 0; r < H + C + 1; r++) for (let j = 3 * H; j < G; j++) weights[r * G + j] = 2 * (weights[r * G + j] as number);
  // Kept for the gradient: gate sigmoids [T*B, 4H], cell states and tanh(c) [T*B, H].
  const s = take(N * G);
  const c = take(N * H);
  const tc = take(N * H);
  const twoC = new Float32Array(batch * H);
  const sig = new Float32Array(batch * H);
  const dcNext = new Float32Array(batch * H);
  return {
    width: G,
    weights,
    forward(t, product, h) {
      readInto(tf.sigmoid(product), s, t * batch * G);
      for (let q = 0; q < batch; q++) {
        const g0 = (t * batch + q) * G;
        const c0 = (t * batch + q) * H;
        for (let j = 0; j < H; j++) {
          const cPrev = t > 0 ? (c[c0 - batch * H + j] as number) : 0;
          const cell = (s[g0 + H + j] as number) * cPrev + (s[g0 + j] as number) * (2 * (s[g0 + 3 * H + j] as number) - 1);
          c[c0 + j] = cell;
          twoC[q * H + j] = 2 * cell;
        }
      }
      sigmoidInto(twoC, batch, H, sig);
      for (let q = 0; q < batch; q++) {
        const g0 = (t * batch + q) * G;
        const c0 = (t * batch + q) * H;
        for (let j = 0; j < H; j++) {
          const th = 2 * (sig[q * H + j] as number) - 1;
          tc[c0 + j] = th;
          h[c0 + j] = (s[g0 + 2 * H + j] as number) * th;
        }
      }
    },
    backward(t, dh, d) {
      for (let q = 0; q < batch; q++) {
        const g0 = (t * batch + q) * G;
        const d0 = q * G;
        const c0 = (t * batch + q) * H;
        for (let j = 0; j < H; j++) {
          const si = s[g0 + j] as number;
          const sf = s[g0 + H + j] as number;
          const so = s[g0 + 2 * H + j] as number;
          const sg = s[g0 + 3 * H + j] as number;
          const th = tc[c0 + j] as number;
          const dhv = dh[q * H + j] as number;
          const dc = dhv * so * (1 - th * th) + (dcNext[q * H + j] as number);
          const cPrev = t > 0 ? (c[c0 - batch * H + j] as number) : 0;
          // d(gate)/d(product column): s (1 - s) for i, f, o; 2 s (1 - s) for g (doubled column).
          d[d0 + j] = dc * (2 * sg - 1) * si * (1 - si);
          d[d0 + H + j] = dc * cPrev * sf * (1 - sf);
          d[d0 + 2 * H + j] = dhv * th * so * (1 - so);
          d[d0 + 3 * H + j] = dc * si * 2 * sg * (1 - sg);
          dcNext[q * H + j] = dc * sf;
          dh[q * H + j] = 0;
        }
      }
    },
    weightGrads(dW) {
      // Back from the doubled g columns to the parameters.
      for (let r = 0; r < H + C + 1; r++) for (let j = 3 * H; j < G; j++) dW[r * G + j] = 2 * (dW[r * G + j] as number);
      return [tf.tensor2d(dW.subarray(H * G, (H + C) * G), [C, G]), tf.tensor2d(dW.subarray(0, H * G), [H, G]), tf.tensor1d(dW.subarray((H + C) * G))];
    },
    release: () => giveBack(s, c, tc),
  };
}

/**
 * LSTM over x [T*B, C] (time-major), gate blocks i, f, o, g in wx [C, 4H], wh [H, 4H] and b [4H].
 * Returns every hidden state, time-major [T*B, H]; the initial state is zero.
 */
export function lstmLayer(x: T2, wx: T2, wh: T2, b: tf.Tensor, steps: number, batch: number, inputGrad: boolean): T2 {
  const dims = { H: wh.shape[0], C: x.shape[1], batch, steps };
  return recurrentOp(x, [wx, wh, b], dims, inputGrad, (w) => lstmCell(dims, w));
}

/**
 * GRU cell (ONNX linear_before_reset = 1, as PyTorch), gate blocks z, r, n. The product has 4H
 * columns: [pre_z, pre_r] (x and h parts and both biases), h Wh_n + bh_n and x Wx_n + b_n apart,
 * since r multiplies only the first. n = tanh(x Wx_n + b_n + r (h Wh_n + bh_n)); h' = n + z (h - n).
 */
function gruCell({ H, C, batch, steps }: Dims, [wx, wh, b, bh]: Float32Array[]): Cell {
  const G = 3 * H;
  const P = 4 * H;
  const N = steps * batch;
  const [wxs, whs, bs, bhs] = [wx, wh, b, bh] as [Float32Array, Float32Array, Float32Array, Float32Array];
  const weights = new Float32Array((H + C + 1) * P);
  const bias = (H + C) * P;
  for (let j = 0; j < 2 * H; j++) weights[bias + j] = (bs[j] as number) + (bhs[j] as number);
  for (let j = 0; j < H; j++) {
    weights[bias + 2 * H + j] = bhs[2 * H + j] as number;
    weights[bias + 3 * H + j] = bs[2 * H + j] as number;
  }
  for (let r = 0; r < H; r++) weights.set(whs.subarray(r * G, (r + 1) * G), r * P);
  for (let r = 0; r < C; r++) {
    weights.set(wxs.subarray(r * G, r * G + 2 * H), (H + r) * P);
    weights.set(wxs.subarray(r * G + 2 * H, (r + 1) * G), (H + r) * P + 3 * H);
  }
  // Kept for the gradient: z and r [T*B, 2H], n and h Wh_n + bh_n [T*B, H], the state before each step.
  const zr = take(N * 2 * H);
  const n = take(N * H);
  const hn = take(N * H);
  const hPrev = take(N * H);
  const raw = new Float32Array(batch * P);
  const sg = new Float32Array(batch * P);
  const twoPre = new Float32Array(batch * H);
  const sig = new Float32Array(batch * H);
  return {
    width: P,
    weights,
    forward(t, product, h) {
      readInto(tf.sigmoid(product), sg, 0);
      raw.set(readFloats(product));
      for (let q = 0; q < batch; q++) {
        const r0 = q * P;
        const z0 = (t * batch + q) * 2 * H;
        const c0 = (t * batch + q) * H;
        for (let j = 0; j < 2 * H; j++) zr[z0 + j] = sg[r0 + j] as number;
        for (let j = 0; j < H; j++) {
          const hnv = raw[r0 + 2 * H + j] as number;
          hn[c0 + j] = hnv;
          twoPre[q * H + j] = 2 * ((raw[r0 + 3 * H + j] as number) + (sg[r0 + H + j] as number) * hnv);
        }
      }
      sigmoidInto(twoPre, batch, H, sig);
      for (let q = 0; q < batch; q++) {
        const z0 = (t * batch + q) * 2 * H;
        const c0 = (t * batch + q) * H;
        for (let j = 0; j < H; j++) {
          const nv = 2 * (sig[q * H + j] as number) - 1;
          const prev = t > 0 ? (h[c0 - batch * H + j] as number) : 0;
          n[c0 + j] = nv;
          hPrev[c0 + j] = prev;
          h[c0 + j] = nv + (zr[z0 + j] as number) * (prev - nv);
        }
      }
    },
    backward(t, dh, d) {
      for (let q = 0; q < batch; q++) {
        const z0 = (t * batch + q) * 2 * H;
        const c0 = (t * batch + q) * H;
        const d0 = q * P;
        for (let j = 0; j < H; j++) {
          const z = zr[z0 + j] as number;
          const r = zr[z0 + H + j] as number;
          const nv = n[c0 + j] as number;
          const dhv = dh[q * H + j] as number;
          const dhz = dhv * z;
          const dn = (dhv - dhz) * (1 - nv * nv);
          d[d0 + j] = dhv * ((hPrev[c0 + j] as number) - nv) * z * (1 - z);
          d[d0 + H + j] = dn * (hn[c0 + j] as number) * r * (1 - r);
          d[d0 + 2 * H + j] = dn * r;
          d[d0 + 3 * H + j] = dn;
          dh[q * H + j] = dhz;
        }
      }
    },
    weightGrads(dW) {
      const dwx = new Float32Array(C * G);
      const dwh = new Float32Array(H * G);
      for (let r = 0; r < H; r++) dwh.set(dW.subarray(r * P, r * P + G), r * G);
      for (let r = 0; r < C; r++) {
        dwx.set(dW.subarray((H + r) * P, (H + r) * P + 2 * H), r * G);
        dwx.set(dW.subarray((H + r) * P + 3 * H, (H + r + 1) * P), r * G + 2 * H);
      }
      const db = new Float32Array(G);
      db.set(dW.subarray(bias, bias + 2 * H), 0);
      db.set(dW.subarray(bias + 3 * H, bias + P), 2 * H);
      return [tf.tensor2d(dwx, [C, G]), tf.tensor2d(dwh, [H, G]), tf.tensor1d(db), tf.tensor2d(dW.slice(bias, bias + G), [1, G])];
    },
    release: () => giveBack(zr, n, hn, hPrev),
  };
}

/**
 * GRU over x [T*B, C] (time-major), gate blocks z, r, n in wx [C, 3H], wh [H, 3H], input bias b [3H]
 * and recurrent bias bh [1, 3H]. Returns every hidden state, time-major [T*B, H]; initial state zero.
 */
export function gruLayer(x: T2, wx: T2, wh: T2, b: tf.Tensor, bh: T2, steps: number, batch: number, inputGrad: boolean): T2 {
  const dims = { H: wh.shape[0], C: x.shape[1], batch, steps };
  return recurrentOp(x, [wx, wh, b, bh], dims, inputGrad, (w) => gruCell(dims, w));
}
