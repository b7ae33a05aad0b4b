/**
 * One training step of the recurrent layer alone (LSTM or GRU, hidden 32, on [256, 60, 20] as the speed
 * bench): milliseconds for the forward pass and for forward + gradient, median of --reps after warm-up.
 *
 *   npx tsx bench/deep-lstm-profile.ts [--reps 20]
 */
import { parseArgs } from 'node:util';
import { deepBackend, registerGradients } from '../libs/ml-deep/src';
import { tf } from '../libs/ml-deep/src/backend';
import { gruLayer, lstmLayer } from '../libs/ml-deep/src/recurrent-layer';

const { values: args } = parseArgs({ options: { reps: { type: 'string', default: '20' } } });
await registerGradients();
await deepBackend();
const [T, B, C, H] = [60, 256, 20, 32];
const x = tf.randomUniform([T * B, C], -1, 1) as tf.Tensor2D;
const w = (shape: number[]): tf.Variable => tf.variable(tf.randomUniform(shape, -0.2, 0.2));

function median(f: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < Number(args.reps) + 2; r++) {
    const t0 = performance.now();
    tf.tidy(f);
    times.push(performance.now() - t0);
  }
  return times.slice(2).sort((a, b) => a - b)[Math.floor((times.length - 2) / 2)] as number;
}

for (const cell of ['lstm', 'gru'] as const) {
  const G = cell === 'lstm' ? 4 * H : 3 * H;
  const vars = [w([C, G]), w([H, G]), w([G]), w([1, G])];
  const [wx, wh, b, bh] = vars as [tf.Variable<tf.Rank.R2>, tf.Variable<tf.Rank.R2>, tf.Variable, tf.Variable<tf.Rank.R2>];
  const layer = (): tf.Tensor2D => (cell === 'lstm' ? lstmLayer(x, wx, wh, b, T, B, false) : gruLayer(x, wx, wh, b, bh, T, B, false));
  const forward = median(() => void layer().dataSync());
  const both = median(() => {
    const { grads } = tf.variableGrads(() => tf.sum(tf.slice(layer(), [(T - 1) * B, 0], [B, H])), cell === 'lstm' ? vars.slice(0, 3) : vars);
    for (const g of Object.values(grads)) g.dataSync();
  });
  console.log(JSON.stringify({ cell, shape: [B, T, C], hidden: H, forwardMs: Number(forward.toFixed(2)), forwardBackwardMs: Number(both.toFixed(2)) }));
}
