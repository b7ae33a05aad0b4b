"""PyTorch CPU reference for bench/deep-speed.bench.ts: seconds per training epoch on the same shapes.

x [N, T, C] float32 (default 4096 x 60 x 20), y [N], batch 256, Adam(1e-3), MSE, no dropout, shuffled
batches; models as ml-deep builds them: LSTM(32) 1 layer + Linear; a causal dilated CNN (3 x Conv1d
32 channels, kernel 3, dilations 1, 2, 4, ReLU) + Linear on the last step; one post-norm Transformer
encoder block (d 32, 2 heads, feed-forward 64, ReLU) on a Linear input projection + sinusoidal
positions, Linear on the last step. Prints one JSON line.

Pruned variants (`secondsPerEpochPruned`): the same functions and parameters computing only what reaches
the scored last step, as @quant/ml-deep does: the CNN's layers compute just the steps a later layer
reads (kernel 3, dilations 1/2/4: 7, 3 and 1 of 60), the Transformer's last encoder layer the
attention, residuals, norms and feed-forward for the last query only (keys and values over all steps).
Before timing, each pruned model's output and gradients are checked against the full model with the
same weights (`pruneCheck`: largest absolute output difference, largest gradient difference relative to
that gradient's largest magnitude).

usage: python torch_speed.py --threads 1 [--epochs 3] [--rows 4096] [--steps 60] [--fields 20] [--pruned]
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


def convolution_steps(outputs, kernel, dilations):
    """Per layer (bottom first) the sorted output steps some later step reads (ml-deep's convolutionSteps)."""
    plan = [None] * len(dilations)
    need = sorted(outputs)
    for l in range(len(dilations) - 1, -1, -1):
        plan[l] = need
        need = sorted({t - j * dilations[l] for t in need for j in range(kernel) if t - j * dilations[l] >= 0})
    return plan


class CnnPruned(Cnn):
    """Cnn computing, per layer, only the steps that reach the last one (same parameters, same output)."""

    def __init__(self, fields, steps, **kw):
        super().__init__(fields, **kw)
        dilations = [2**l for l in range(len(self.convs))]
        plan = convolution_steps([steps - 1], self.kernel, dilations)
        have = list(range(steps))
        self.taps = []
        for l, want in enumerate(plan):
            # Input position of each (output step, tap); -1 (zero padding) before the start.
            at = {t: i for i, t in enumerate(have)}
            idx = [[at.get(t - (self.kernel - 1 - j) * dilations[l], -1) for j in range(self.kernel)] for t in want]
            self.register_buffer(f'taps{l}', torch.tensor(idx, dtype=torch.long), persistent=False)
            have = want

    def forward(self, x):
        h = x.transpose(1, 2)  # [N, C, T]
        for l, conv in enumerate(self.convs):
            idx = getattr(self, f'taps{l}')
            padded = nn.functional.pad(h, (1, 0))  # position 0 is the zero tap
            cols = padded[:, :, idx + 1]  # [N, C, steps, k]
            h = torch.relu(torch.einsum('ncsk,ock->nos', cols, conv.weight) + conv.bias[None, :, None])
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


class TransformerPruned(Transformer):
    """Transformer whose (last and only) encoder layer computes the last query's row only."""

    def forward(self, x):
        h = self.inp(x) + self.pe
        b = self.block
        last = h[:, -1:, :]
        a = b.self_attn(last, h, h, need_weights=False)[0]
        y = b.norm1(last + b.dropout1(a))
        y = b.norm2(y + b.dropout2(b.linear2(b.dropout(b.activation(b.linear1(y))))))
        return self.out(y[:, -1, :])


def prune_check(full, pruned, x):
    """Largest differences between the two models with the same weights: absolute on the outputs, and on
    the parameter gradients relative to each gradient's largest magnitude."""
    pruned.load_state_dict(full.state_dict())
    outs, grads = [], []
    for m in (full, pruned):
        m.zero_grad()
        y = m(x)
        (y * torch.linspace(0.5, 1.5, y.shape[0])[:, None]).sum().backward()
        outs.append(y.detach())
        grads.append([p.grad.clone() for p in m.parameters()])
    grad = max(((g0 - g1).abs().max() / g0.abs().max().clamp_min(1e-12)).item() for g0, g1 in zip(*grads))
    return {'output': (outs[0] - outs[1]).abs().max().item(), 'gradient': grad}


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
    p.add_argument('--pruned', action='store_true', help='also time the pruned CNN and Transformer')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.randn(a.rows, a.steps, a.fields)
    y = torch.randn(a.rows)
    build = {'lstm': lambda: Lstm(a.fields), 'cnn': lambda: Cnn(a.fields), 'transformer': lambda: Transformer(a.fields, a.steps)}
    out = {'torch': torch.__version__, 'threads': a.threads, 'rows': a.rows, 'steps': a.steps, 'fields': a.fields, 'batch': a.batch, 'secondsPerEpoch': {}}
    # secondsPerEpoch[model] = {'wall': s, 'cpu': s}: median over epochs after a warm-up epoch; cpu is
    # process CPU time (robust when other jobs share the cores; with 2 threads it sums both).
    pruned = {'cnn': lambda: CnnPruned(a.fields, a.steps), 'transformer': lambda: TransformerPruned(a.fields, a.steps)}
    for name in a.models.split(','):
        out['secondsPerEpoch'][name] = epoch_seconds(build[name](), x, y, a.batch, a.epochs, 0)
        if a.pruned and name in pruned:
            torch.manual_seed(1)
            out.setdefault('pruneCheck', {})[name] = prune_check(build[name](), pruned[name](), x[:64])
            out.setdefault('secondsPerEpochPruned', {})[name] = epoch_seconds(pruned[name](), x, y, a.batch, a.epochs, 0)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
