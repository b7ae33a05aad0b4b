/**
 * Training speed of @quant/ml-deep beside PyTorch CPU on the same shapes, in the same run: seconds per
 * epoch on x [rows, steps, fields] (default 4096 x 60 x 20), batch 256, Adam, MSE, no dropout, for
 * LSTM(32), the temporal CNN (3 layers x 32 channels, kernel 3, dilations 1/2/4) and one Transformer
 * block (d 32, 2 heads, feed-forward 64). The first epoch warms up; the median of the rest is reported.
 *
 * Threads: our wasm backend runs one thread; PyTorch gets --threads (default 1). With --parallel 2 we
 * train two copies of each model at once in two processes (both cores) and report wall seconds per
 * epoch divided by 2 (throughput), beside PyTorch with 2 threads.
 *
 * Two PyTorch columns for the CNN and the Transformer: `torch` computes every time step (as Qlib's
 * models do), `torchPruned` only what reaches the scored last step, the same work as ours
 * (bench/reference/torch_speed.py checks that its output and gradients equal the full model's).
 * The load average before and after each model is printed: the machine may be shared.
 *
 *   python3 -m venv .cache/torch-venv && .cache/torch-venv/bin/pip install torch numpy
 *   npx tsx bench/deep-speed.bench.ts [--epochs 3] [--parallel 2] [--python .cache/torch-venv/bin/python]
 */
import { execFileSync, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { DeepModel } from '../libs/ml-deep/src';
import type { DeepKind } from '../libs/ml-deep/src';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '4096' },
    steps: { type: 'string', default: '60' },
    fields: { type: 'string', default: '20' },
    batch: { type: 'string', default: '256' },
    epochs: { type: 'string', default: '3' },
    parallel: { type: 'string', default: '1' },
    models: { type: 'string', default: 'lstm,cnn,transformer' },
    python: { type: 'string', default: '.cache/torch-venv/bin/python' },
    child: { type: 'string' },
  },
});
const rows = Number(args.rows);
const steps = Number(args.steps);
const fields = Number(args.fields);
const batch = Number(args.batch);
const epochs = Number(args.epochs);
const parallel = Number(args.parallel);

const MODELS: Record<string, [DeepKind, Record<string, unknown>]> = {
  lstm: ['lstm', { hiddenSize: 32, numLayers: 1 }],
  cnn: ['tcn', { channels: [32, 32, 32], kernelSize: 3 }],
  transformer: ['transformer', { dModel: 32, heads: 2, numLayers: 1, ffnSize: 64 }],
};

interface EpochSeconds {
  wall: number;
  cpu: number;
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] as number;

/** Median seconds per epoch (wall and process CPU) after one warm-up epoch. */
async function ours(name: string): Promise<EpochSeconds> {
  const [kind, params] = MODELS[name] as [DeepKind, Record<string, unknown>];
  const F = steps * fields;
  let s = 12345;
  const normal = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 4294967296 - 0.5) * 3.4;
  };
  const x = Float32Array.from({ length: rows * F }, normal);
  const y = Float32Array.from({ length: rows }, normal);
  const model = new DeepModel(kind, {
    ...params,
    sequence: { steps, fields, layout: 'time-major' },
    epochs: epochs + 1,
    batchSize: batch,
    learningRate: 1e-3,
    clipValue: 0,
    standardize: false,
  });
  const cpuNow = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const stamps: [number, number][] = [[performance.now() / 1000, cpuNow()]];
  await model.fit({ rows, cols: F, x, y, featureNames: Array.from({ length: F }, (_, j) => `f${j}`) }, { seed: 1, onProgress: () => stamps.push([performance.now() / 1000, cpuNow()]) });
  const per = (k: 0 | 1): number[] => stamps.slice(2).map((s, i) => s[k] - (stamps[i + 1] as [number, number])[k]);
  return { wall: median(per(0)), cpu: median(per(1)) };
}

function child(name: string): Promise<EpochSeconds> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', name, '--rows', String(rows), '--steps', String(steps), '--fields', String(fields), '--batch', String(batch), '--epochs', String(epochs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? done(JSON.parse(out.trim().split('\n').pop() as string) as EpochSeconds) : fail(new Error(`child ${name} exited ${code}`))));
  });
}

if (args.child) {
  process.stdout.write(`${JSON.stringify(await ours(args.child))}\n`);
} else {
  const names = args.models.split(',');
  const torch = JSON.parse(
    execFileSync(resolve(args.python), [resolve('bench/reference/torch_speed.py'), '--threads', String(parallel), '--epochs', String(epochs), '--rows', String(rows), '--steps', String(steps), '--fields', String(fields), '--batch', String(batch), '--models', names.join(','), '--pruned'], {
      encoding: 'utf8',
    }),
  ) as { torch: string; secondsPerEpoch: Record<string, EpochSeconds>; secondsPerEpochPruned?: Record<string, EpochSeconds>; pruneCheck?: Record<string, unknown> };
  const load = (): number[] => loadavg().map((v) => Number(v.toFixed(2)));
  for (const name of names) {
    const loadBefore = load();
    let seconds: EpochSeconds;
    if (parallel > 1) {
      // Throughput: `parallel` models trained at once, one per process; wall per model epoch / parallel.
      // CPU: per model epoch (each process's own CPU time), comparable to one torch thread's.
      const each = await Promise.all(Array.from({ length: parallel }, () => child(name)));
      seconds = { wall: Math.max(...each.map((e) => e.wall)) / parallel, cpu: median(each.map((e) => e.cpu)) };
    } else {
      seconds = await ours(name);
    }
    const reference = torch.secondsPerEpoch[name] as EpochSeconds;
    const pruned = torch.secondsPerEpochPruned?.[name];
    const r3 = (v: number): number => Number(v.toFixed(3));
    const ratios = (r: EpochSeconds): { ratioWall: number; ratioCpu: number } => ({ ratioWall: Number((seconds.wall / r.wall).toFixed(2)), ratioCpu: Number((seconds.cpu / r.cpu).toFixed(2)) });
    console.log(
      JSON.stringify({
        model: name,
        shape: [rows, steps, fields],
        batch,
        tfjs: { wall: r3(seconds.wall), cpu: r3(seconds.cpu), processes: parallel, threadsEach: 1 },
        torch: { wall: r3(reference.wall), cpu: r3(reference.cpu), threads: parallel, version: torch.torch },
        ...ratios(reference),
        ...(pruned ? { torchPruned: { wall: r3(pruned.wall), cpu: r3(pruned.cpu), threads: parallel, check: torch.pruneCheck?.[name] }, vsPruned: ratios(pruned) } : {}),
        load: { before: loadBefore, after: load() },
      }),
    );
  }
}
