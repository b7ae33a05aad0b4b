/**
 * Transformer pieces as single custom ops computed in JS over the wasm heap: multi-head attention for
 * the last query only (the top encoder layer when only the last step is scored) and layer
 * normalisation. Both are small per row (60 keys of 16 values per head; 32 features), where the
 * wasm backend's batched matMul of [B*heads, 1, 16] x [B*heads, 16, 60], its outer-product gradients
 * and a dozen element-wise kernels cost far more in dispatch and generic paths than the arithmetic.
 */
import { tf } from './backend';
import { custom, readFloats } from './ops';
import { take, tensorOf } from './scratch';

type T2 = tf.Tensor2D;

/**
 * Attention of each sequence's last query over all its steps: q [B, d] (the last steps' queries), kv
 * [B*T, 2d] (batch-major rows b*T + t; column blocks k, v), each split into `heads` of d/heads; scores
 * q k' * scale, softmax over the steps, context = attention v. Returns the contexts [B, d] (heads side
 * by side).
 */
export function lastQueryAttention(q: T2, kv: T2, batch: number, steps: number, heads: number, scale: number): T2 {
  const d = q.shape[1];
  const d2 = 2 * d;
  const dh = d / heads;
  const f = custom((qv: T2, kvv: T2, save: tf.GradSaveFunc) => {
    save([qv, kvv]);
    const qs = readFloats(qv).slice();
    const src = readFloats(kvv);
    // attention weights [B*heads, T], kept for the gradient.
    const a = new Float32Array(batch * heads * steps);
    const out = new Float32Array(batch * d);
    const score = new Float64Array(steps);
    const ctx = new Float64Array(dh);
    for (let b = 0; b < batch; b++) {
      for (let hd = 0; hd < heads; hd++) {
        const q0 = b * d + hd * dh;
        let max = -Infinity;
        for (let t = 0; t < steps; t++) {
          const k0 = (b * steps + t) * d2 + hd * dh;
          let s = 0;
          for (let e = 0; e < dh; e++) s += (qs[q0 + e] as number) * (src[k0 + e] as number);
          s *= scale;
          score[t] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let t = 0; t < steps; t++) {
          const e = Math.exp((score[t] as number) - max);
          score[t] = e;
          sum += e;
        }
        ctx.fill(0);
        const a0 = (b * heads + hd) * steps;
        for (let t = 0; t < steps; t++) {
          const w = (score[t] as number) / sum;
          a[a0 + t] = w;
          const v0 = (b * steps + t) * d2 + d + hd * dh;
          for (let e = 0; e < dh; e++) ctx[e] = (ctx[e] as number) + w * (src[v0 + e] as number);
        }
        for (let e = 0; e < dh; e++) out[q0 + e] = ctx[e] as number;
      }
    }
    return {
      value: tf.tensor2d(out, [batch, d]),
      gradFunc: (dy: T2, [, skv]: tf.Tensor[]) => {
        const g = readFloats(dy).slice();
        const src2 = readFloats(skv as T2);
        const dq = new Float32Array(batch * d);
        // Every element is written below (k and v blocks of every row).
        const dkv = take(batch * steps * d2);
        const da = new Float64Array(steps);
        const acc = new Float64Array(dh);
        for (let b = 0; b < batch; b++) {
          for (let hd = 0; hd < heads; hd++) {
            const q0 = b * d + hd * dh;
            const a0 = (b * heads + hd) * steps;
            // d(context)/d(v_t) = a_t; d(context)/d(a_t) = v_t; softmax: ds_t = a_t (da_t - sum_u a_u da_u).
            let dot = 0;
            for (let t = 0; t < steps; t++) {
              const v0 = (b * steps + t) * d2 + d + hd * dh;
              const w = a[a0 + t] as number;
              let s = 0;
              for (let e = 0; e < dh; e++) {
                const ge = g[q0 + e] as number;
                s += ge * (src2[v0 + e] as number);
                dkv[v0 + e] = w * ge;
              }
              da[t] = s;
              dot += w * s;
            }
            // scores = scale q k': dk_t = scale ds_t q, dq = scale sum_t ds_t k_t.
            acc.fill(0);
            for (let t = 0; t < steps; t++) {
              const ds = (a[a0 + t] as number) * ((da[t] as number) - dot) * scale;
              const k0 = (b * steps + t) * d2 + hd * dh;
              for (let e = 0; e < dh; e++) {
                acc[e] = (acc[e] as number) + ds * (src2[k0 + e] as number);
                dkv[k0 + e] = ds * (qs[q0 + e] as number);
              }
            }
            for (let e = 0; e < dh; e++) dq[q0 + e] = acc[e] as number;
          }
        }
        return [tf.tensor2d(dq, [batch, d]), tensorOf(dkv, (v) => tf.tensor2d(v, [batch * steps, d2]))];
      },
    };
  });
  return f(q, kv) as T2;
}

/** Layer normalisation over the last axis (as ONNX LayerNormalization), in float64 per row. */
export function layerNorm(x: T2, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon: number): T2 {
  const [n, m] = x.shape;
  const f = custom((xv: T2, gv: tf.Tensor1D, bv: tf.Tensor1D, save: tf.GradSaveFunc) => {
    save([gv]);
    const src = readFloats(xv).slice();
    const gam = readFloats(gv).slice();
    const bet = readFloats(bv).slice();
    // Kept for the gradient: the normalised values and each row's 1 / deviation.
    const xhat = new Float32Array(n * m);
    const inv = new Float64Array(n);
    const out = new Float32Array(n * m);
    for (let i = 0; i < n; i++) {
      const r = i * m;
      let mean = 0;
      for (let j = 0; j < m; j++) mean += src[r + j] as number;
      mean /= m;
      let v = 0;
      for (let j = 0; j < m; j++) v += ((src[r + j] as number) - mean) ** 2;
      const s = 1 / Math.sqrt(v / m + epsilon);
      inv[i] = s;
      for (let j = 0; j < m; j++) {
        const z = ((src[r + j] as number) - mean) * s;
        xhat[r + j] = z;
        out[r + j] = z * (gam[j] as number) + (bet[j] as number);
      }
    }
    return {
      value: tf.tensor2d(out, [n, m]),
      gradFunc: (dy: T2, [sg]: tf.Tensor[]) => {
        const g = readFloats(dy).slice();
        const gam2 = readFloats(sg as tf.Tensor1D).slice();
        const dx = new Float32Array(n * m);
        const dGamma = new Float64Array(m);
        const dBeta = new Float64Array(m);
        for (let i = 0; i < n; i++) {
          const r = i * m;
          // dx = s (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dy gamma.
          let m1 = 0;
          let m2 = 0;
          for (let j = 0; j < m; j++) {
            const gy = g[r + j] as number;
            const z = xhat[r + j] as number;
            const dz = gy * (gam2[j] as number);
            m1 += dz;
            m2 += dz * z;
            dGamma[j] = (dGamma[j] as number) + gy * z;
            dBeta[j] = (dBeta[j] as number) + gy;
          }
          m1 /= m;
          m2 /= m;
          const s = inv[i] as number;
          for (let j = 0; j < m; j++) dx[r + j] = s * ((g[r + j] as number) * (gam2[j] as number) - m1 - (xhat[r + j] as number) * m2);
        }
        return [tf.tensor2d(dx, [n, m]), tf.tensor1d(Float32Array.from(dGamma)), tf.tensor1d(Float32Array.from(dBeta))];
      },
    };
  });
  return f(x, gamma, beta) as T2;
}
