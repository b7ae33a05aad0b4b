/**
 * Differentiable building blocks with hand-written gradients. tfjs's default gradients of matMul use
 * transposed matMuls, which the wasm backend runs several times slower than a plain 2-D product; here
 * every product, forward and backward, is a plain matMul on explicitly transposed operands. The
 * recurrent layers are one custom op each over the whole (time-major) sequence, so the tape holds one
 * node per layer instead of thousands of small ones, and the weight gradient is one large product.
 */
import { tf } from './backend';

type T2 = tf.Tensor2D;
type Saved = tf.Tensor[];

type GradFn = (dy: never, saved: Saved) => tf.Tensor | tf.Tensor[];
const custom = (f: (...args: never[]) => { value: tf.Tensor; gradFunc: GradFn }): ((...inputs: tf.Tensor[]) => tf.Tensor) =>
  tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...inputs: tf.Tensor[]) => tf.Tensor;

/** a [n, k] x b [k, m], both differentiable. */
export const matMul: (a: T2, b: T2) => T2 = custom((a: T2, b: T2, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: T2, [sa, sb]: Saved) => [tf.matMul(dy, tf.transpose(sb as T2)), tf.matMul(tf.transpose(sa as T2), dy)],
  };
}) as (a: T2, b: T2) => T2;

/** x [n, k] (a constant: the input batch) x w [k, m]: only w gets a gradient. */
export function inputMatMul(x: T2, w: T2): T2 {
  const f = custom((wv: T2, save: tf.GradSaveFunc) => {
    // Saved, not closed over: x may be an intermediate (im2col) that the forward scope disposes.
    save([x]);
    return { value: tf.matMul(x, wv), gradFunc: (dy: T2, [sx]: Saved) => tf.matMul(tf.transpose(sx as T2), dy) };
  });
  return f(w) as T2;
}

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

/** Layer normalisation over the last axis (as ONNX LayerNormalization). */
export function layerNorm(x: T2, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): T2 {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, epsilon))), gamma), beta) as T2;
}

const rows = (t: T2, step: number, batch: number): T2 => tf.slice(t, [step * batch, 0], [batch, t.shape[1]]);
const cols = (t: T2, from: number, width: number): T2 => tf.slice(t, [0, from], [t.shape[0], width]);
const oneMinus = (t: tf.Tensor): tf.Tensor => tf.sub(1, t);

/**
 * LSTM over a time-major sequence. xp [T*B, 4H] = x W + b (gate blocks i, f, o, g); wh [H, 4H].
 * Returns every hidden state, time-major [T*B, H]. Initial state zero.
 */
export function lstmSequence(xp: T2, wh: T2, steps: number, batch: number): T2 {
  const H = wh.shape[0];
  const f = custom((xpv: T2, whv: T2, save: tf.GradSaveFunc) => {
    let h: T2 = tf.zeros([batch, H]);
    let c: T2 = tf.zeros([batch, H]);
    const hs: T2[] = [];
    const keep: T2[] = [];
    for (let t = 0; t < steps; t++) {
      const pre = tf.add(rows(xpv, t, batch), tf.matMul(h, whv)) as T2;
      const s = tf.sigmoid(cols(pre, 0, 3 * H)) as T2;
      const g = tf.tanh(cols(pre, 3 * H, H)) as T2;
      const i = cols(s, 0, H);
      const fg = cols(s, H, H);
      const o = cols(s, 2 * H, H);
      const cPrev = c;
      c = tf.add(tf.mul(fg, cPrev), tf.mul(i, g)) as T2;
      const tc = tf.tanh(c) as T2;
      h = tf.mul(o, tc) as T2;
      hs.push(h);
      keep.push(s, g, i, fg, o, cPrev, tc);
    }
    const all = tf.concat(hs, 0) as T2;
    save([whv, all, ...keep]);
    return {
      value: all,
      gradFunc: (dy: T2, saved: Saved) => {
        const [whs, hAll] = saved as [T2, T2];
        const whT = tf.transpose(whs);
        let dhNext: T2 = tf.zeros([batch, H]);
        let dcNext: T2 = tf.zeros([batch, H]);
        const dpre: T2[] = new Array<T2>(steps);
        for (let t = steps - 1; t >= 0; t--) {
          const [s, g, i, fg, o, cPrev, tc] = saved.slice(2 + 7 * t, 9 + 7 * t) as T2[];
          const dh = tf.add(rows(dy, t, batch), dhNext);
          const dO = tf.mul(dh, tc as T2);
          const dc = tf.add(tf.mul(tf.mul(dh, o as T2), oneMinus(tf.square(tc as T2))), dcNext);
          const dS = tf.mul(tf.concat([tf.mul(dc, g as T2), tf.mul(dc, cPrev as T2), dO], 1), tf.mul(s as T2, oneMinus(s as T2)));
          const dG = tf.mul(tf.mul(dc, i as T2), oneMinus(tf.square(g as T2)));
          const d = tf.concat([dS, dG], 1) as T2;
          dpre[t] = d;
          dcNext = tf.mul(dc, fg as T2) as T2;
          dhNext = tf.matMul(d, whT);
        }
        const dPre = tf.concat(dpre, 0) as T2;
        const hPrev = tf.concat([tf.zeros([batch, H]), tf.slice(hAll, [0, 0], [(steps - 1) * batch, H])], 0) as T2;
        return [dPre, tf.matMul(tf.transpose(hPrev), dPre)];
      },
    };
  });
  return f(xp, wh) as T2;
}

/**
 * GRU (ONNX linear_before_reset = 1, as PyTorch) over a time-major sequence. xp [T*B, 3H] = x W + bx
 * (gate blocks z, r, n); wh [H, 3H]; bh [1, 3H]. Returns every hidden state, time-major [T*B, H].
 *   z, r = sigmoid(xp_zr + h Wh_zr + bh_zr);  n = tanh(xp_n + r * (h Wh_n + bh_n));  h' = n + z (h - n)
 */
export function gruSequence(xp: T2, wh: T2, bh: T2, steps: number, batch: number): T2 {
  const H = wh.shape[0];
  const f = custom((xpv: T2, whv: T2, bhv: T2, save: tf.GradSaveFunc) => {
    let h: T2 = tf.zeros([batch, H]);
    const hs: T2[] = [];
    const keep: T2[] = [];
    for (let t = 0; t < steps; t++) {
      const x = rows(xpv, t, batch);
      const hp = tf.add(tf.matMul(h, whv), bhv) as T2;
      const zr = tf.sigmoid(tf.add(cols(x, 0, 2 * H), cols(hp, 0, 2 * H))) as T2;
      const z = cols(zr, 0, H);
      const r = cols(zr, H, H);
      const hpn = cols(hp, 2 * H, H);
      const n = tf.tanh(tf.add(cols(x, 2 * H, H), tf.mul(r, hpn))) as T2;
      const diff = tf.sub(h, n) as T2;
      h = tf.add(n, tf.mul(z, diff)) as T2;
      hs.push(h);
      keep.push(zr, z, r, n, hpn, diff);
    }
    const all = tf.concat(hs, 0) as T2;
    save([whv, all, ...keep]);
    return {
      value: all,
      gradFunc: (dy: T2, saved: Saved) => {
        const [whs, hAll] = saved as [T2, T2];
        const whT = tf.transpose(whs);
        let dhNext: T2 = tf.zeros([batch, H]);
        const dxs: T2[] = new Array<T2>(steps);
        const dhps: T2[] = new Array<T2>(steps);
        for (let t = steps - 1; t >= 0; t--) {
          const [zr, z, r, n, hpn, diff] = saved.slice(2 + 6 * t, 8 + 6 * t) as T2[];
          const dh = tf.add(rows(dy, t, batch), dhNext);
          const dz = tf.mul(dh, diff as T2);
          const dnRaw = tf.mul(tf.sub(dh, tf.mul(dh, z as T2)), oneMinus(tf.square(n as T2)));
          const dzr = tf.mul(tf.concat([dz, tf.mul(dnRaw, hpn as T2)], 1), tf.mul(zr as T2, oneMinus(zr as T2)));
          dxs[t] = tf.concat([dzr, dnRaw], 1) as T2;
          const dhp = tf.concat([dzr, tf.mul(dnRaw, r as T2)], 1) as T2;
          dhps[t] = dhp;
          dhNext = tf.add(tf.mul(dh, z as T2), tf.matMul(dhp, whT)) as T2;
        }
        const dHp = tf.concat(dhps, 0) as T2;
        const hPrev = tf.concat([tf.zeros([batch, H]), tf.slice(hAll, [0, 0], [(steps - 1) * batch, H])], 0) as T2;
        return [tf.concat(dxs, 0), tf.matMul(tf.transpose(hPrev), dHp), tf.sum(dHp, 0, true)];
      },
    };
  });
  return f(xp, wh, bh) as T2;
}

/** The last time step of a time-major [T*B, H] sequence: [B, H]. */
export function lastStep(seq: T2, steps: number, batch: number): T2 {
  return rows(seq, steps - 1, batch);
}

/**
 * im2col for a causal dilated 1-D convolution on a time-major [T*B, C] sequence: [T*B, k*C], column
 * block j holding x[t - (k-1-j) * dilation] (zero before the start).
 */
export function causalIm2col(x: T2, steps: number, batch: number, kernel: number, dilation: number): T2 {
  const C = x.shape[1];
  const taps: T2[] = [];
  for (let j = 0; j < kernel; j++) {
    const shift = (kernel - 1 - j) * dilation;
    if (shift === 0) taps.push(x);
    else if (shift >= steps) taps.push(tf.zeros([steps * batch, C]));
    else taps.push(tf.concat([tf.zeros([shift * batch, C]), tf.slice(x, [0, 0], [(steps - shift) * batch, C])], 0) as T2);
  }
  return taps.length === 1 ? (taps[0] as T2) : (tf.concat(taps, 1) as T2);
}
