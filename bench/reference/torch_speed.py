"""PyTorch CPU reference for bench/deep-speed.bench.ts: seconds per training epoch on the same shapes.

x [N, T, C] float32 (default 4096 x 60 x 20), y [N], batch 256, Adam(1e-3), MSE, no dropout, shuffled
batches; models as ml-deep builds them: LSTM(32) 1 layer + Linear; a causal dilated CNN (3 x Conv1d
32 channels, kernel 3, dilations 1, 2, 4, ReLU) + Linear on the last step; one post-norm Transformer
encoder block (d 32, 2 heads, feed-forward 64, ReLU) on a Linear input projection + sinusoidal
positions, Linear on the last step. Prints one JSON line.

usage: python torch_speed.py --threads 1 [--epochs 3] [--rows 4096] [--steps 60] [--fields 20]
"""
import argparse
import json
import math
import time

import torch
from torch import nn


class Lstm(nn.Module):
    def __init__(self, fields, hidden=32):
        super().__init__()
        self.rnn = nn.LSTM(fields, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.out(y[:, -1, :])


class Cnn(nn.Module):
    def __init__(self, fields, channels=32, kernel=3, layers=3):
        super().__init__()
        self.kernel = kernel
        self.convs = nn.ModuleList(nn.Conv1d(fields if l == 0 else channels, channels, kernel, dilation=2**l) for l in range(layers))
        self.out = nn.Linear(channels, 1)

    def forward(self, x):
        h = x.transpose(1, 2)  # [N, C, T]
        for l, conv in enumerate(self.convs):
            h = torch.relu(conv(nn.functional.pad(h, ((self.kernel - 1) * 2**l, 0))))
        return self.out(h[:, :, -1])


class Transformer(nn.Module):
    def __init__(self, fields, steps, d=32, heads=2, ffn=64):
        super().__init__()
        self.inp = nn.Linear(fields, d)
        pe = torch.zeros(steps, d)
        for t in range(steps):
            for i in range(d):
                angle = t / 10000 ** ((2 * (i // 2)) / d)
                pe[t, i] = math.sin(angle) if i % 2 == 0 else math.cos(angle)
        self.register_buffer('pe', pe)
        self.block = nn.TransformerEncoderLayer(d, heads, dim_feedforward=ffn, dropout=0.0, batch_first=True)
        self.out = nn.Linear(d, 1)

    def forward(self, x):
        h = self.block(self.inp(x) + self.pe)
        return self.out(h[:, -1, :])


def epoch_seconds(model, x, y, batch, epochs, seed):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    times = []
    cpu = []
    for _ in range(epochs + 1):  # the first epoch warms up
        started = time.perf_counter()
        cpu_started = time.process_time()
        order = torch.randperm(x.shape[0], generator=g)
        for i in range(0, x.shape[0], batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x[idx]).squeeze(1), y[idx])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    median = lambda v: sorted(v[1:])[len(v[1:]) // 2]
    return {'wall': median(times), 'cpu': median(cpu)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--rows', type=int, default=4096)
    p.add_argument('--steps', type=int, default=60)
    p.add_argument('--fields', type=int, default=20)
    p.add_argument('--batch', type=int, default=256)
    p.add_argument('--models', default='lstm,cnn,transformer')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.randn(a.rows, a.steps, a.fields)
    y = torch.randn(a.rows)
    build = {'lstm': lambda: Lstm(a.fields), 'cnn': lambda: Cnn(a.fields), 'transformer': lambda: Transformer(a.fields, a.steps)}
    out = {'torch': torch.__version__, 'threads': a.threads, 'rows': a.rows, 'steps': a.steps, 'fields': a.fields, 'batch': a.batch, 'secondsPerEpoch': {}}
    # secondsPerEpoch[model] = {'wall': s, 'cpu': s}: median over epochs after a warm-up epoch; cpu is
    # process CPU time (robust when other jobs share the cores; with 2 threads it sums both).
    for name in a.models.split(','):
        out['secondsPerEpoch'][name] = epoch_seconds(build[name](), x, y, a.batch, a.epochs, 0)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
