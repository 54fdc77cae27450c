#!/usr/bin/env python3
"""PyTorch reference timings for `npm run bench` (run with /usr/bin/python3 and Debian's python3-torch).

Prints one JSON object per line: {"name", "unit", "value", "samples"}. The TypeScript bench runner
calls this once per round so both sides are measured interleaved on the same machine, in one run.

Usage: torch_bench.py CASE [--reps N] [--threads T] [--best]
  CASE: lenet-train | lenet-modern-train | lenet-infer | resnet18-step | googlenet-step | densenet-step | all
  --best: PyTorch at its best on this machine (see use_best below): 2 threads (unless --threads) and
          nn.Linear computed by oneDNN instead of this build's reference BLAS.
"""
import argparse
import json
import time

import torch
from torch import nn


def lenet(modern=False):
    act = nn.ReLU if modern else nn.Sigmoid
    pool = (lambda: nn.MaxPool2d(2, 2)) if modern else (lambda: nn.AvgPool2d(2, 2))
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), act(), pool(),
        nn.Conv2d(6, 16, 5), act(), pool(), nn.Flatten(),
        nn.Linear(400, 120), act(), nn.Linear(120, 84), act(), nn.Linear(84, 10))


class Residual(nn.Module):
    def __init__(self, c_in, c, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c, 3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        self.conv3 = nn.Conv2d(c_in, c, 1, stride=strides) if use_1x1conv else None
        self.bn1 = nn.BatchNorm2d(c)
        self.bn2 = nn.BatchNorm2d(c)

    def forward(self, X):
        Y = torch.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        return torch.relu(Y + X)


def resnet18():
    layers = [nn.Sequential(nn.Conv2d(1, 64, 7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
                            nn.MaxPool2d(3, stride=2, padding=1))]
    c_in = 64
    for i, (num, c) in enumerate([(2, 64), (2, 128), (2, 256), (2, 512)]):
        blk = []
        for j in range(num):
            if j == 0 and i != 0:
                blk.append(Residual(c_in, c, use_1x1conv=True, strides=2))
            else:
                blk.append(Residual(c_in, c))
            c_in = c
        layers.append(nn.Sequential(*blk))
    layers.append(nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(512, 10)))
    return nn.Sequential(*layers)


class Inception(nn.Module):
    def __init__(self, c_in, c1, c2, c3, c4):
        super().__init__()
        self.b1_1 = nn.Conv2d(c_in, c1, 1)
        self.b2_1 = nn.Conv2d(c_in, c2[0], 1)
        self.b2_2 = nn.Conv2d(c2[0], c2[1], 3, padding=1)
        self.b3_1 = nn.Conv2d(c_in, c3[0], 1)
        self.b3_2 = nn.Conv2d(c3[0], c3[1], 5, padding=2)
        self.b4_1 = nn.MaxPool2d(3, stride=1, padding=1)
        self.b4_2 = nn.Conv2d(c_in, c4, 1)

    def forward(self, x):
        r = torch.relu
        b1 = r(self.b1_1(x))
        b2 = r(self.b2_2(r(self.b2_1(x))))
        b3 = r(self.b3_2(r(self.b3_1(x))))
        b4 = r(self.b4_2(self.b4_1(x)))
        return torch.cat((b1, b2, b3, b4), dim=1)


def googlenet():
    b1 = nn.Sequential(nn.Conv2d(1, 64, 7, stride=2, padding=3), nn.ReLU(), nn.MaxPool2d(3, stride=2, padding=1))
    b2 = nn.Sequential(nn.Conv2d(64, 64, 1), nn.ReLU(), nn.Conv2d(64, 192, 3, padding=1), nn.ReLU(),
                       nn.MaxPool2d(3, stride=2, padding=1))
    b3 = nn.Sequential(Inception(192, 64, (96, 128), (16, 32), 32), Inception(256, 128, (128, 192), (32, 96), 64),
                       nn.MaxPool2d(3, stride=2, padding=1))
    b4 = nn.Sequential(Inception(480, 192, (96, 208), (16, 48), 64), Inception(512, 160, (112, 224), (24, 64), 64),
                       Inception(512, 128, (128, 256), (24, 64), 64), Inception(512, 112, (144, 288), (32, 64), 64),
                       Inception(528, 256, (160, 320), (32, 128), 128), nn.MaxPool2d(3, stride=2, padding=1))
    b5 = nn.Sequential(Inception(832, 256, (160, 320), (32, 128), 128), Inception(832, 384, (192, 384), (48, 128), 128),
                       nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, 10))


def conv_block(c_in, c):
    return nn.Sequential(nn.BatchNorm2d(c_in), nn.ReLU(), nn.Conv2d(c_in, c, 3, padding=1))


class DenseBlock(nn.Module):
    def __init__(self, num_convs, c_in, growth):
        super().__init__()
        self.net = nn.Sequential(*[conv_block(c_in + i * growth, growth) for i in range(num_convs)])

    def forward(self, X):
        for blk in self.net:
            X = torch.cat((X, blk(X)), dim=1)
        return X


def densenet(growth=32, arch=(4, 4, 4, 4)):
    layers = [nn.Conv2d(1, 64, 7, stride=2, padding=3), nn.BatchNorm2d(64), nn.ReLU(),
              nn.MaxPool2d(3, stride=2, padding=1)]
    c = 64
    for i, n in enumerate(arch):
        layers.append(DenseBlock(n, c, growth))
        c += n * growth
        if i != len(arch) - 1:
            c_out = c // 2
            layers.append(nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c_out, 1), nn.AvgPool2d(2, 2)))
            c = c_out
    layers += [nn.BatchNorm2d(c), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(c, 10)]
    return nn.Sequential(*layers)


def use_best():
    """PyTorch at its best here, the same models and maths.

    Debian's torch is built with BLAS_INFO=generic: nn.Linear (addmm) runs on the reference BLAS at
    2-4 GFLOP/s on one thread, where a pip or MKL build would use an optimised GEMM; its convolutions
    already run in oneDNN. So every nn.Linear is routed through oneDNN's linear (differentiable:
    mkldnn_linear's backward is oneDNN too; outputs and gradients match addmm to float rounding),
    and the default of 1 thread (OpenMP reports 1 here) is raised to the machine's 2 cores by the caller.
    """
    mkldnn_linear = torch._C._nn.mkldnn_linear

    def forward(self, x):
        return mkldnn_linear(x.to_mkldnn(), self.weight, self.bias).to_dense()
    nn.Linear.forward = forward


def xavier(m):
    if isinstance(m, (nn.Linear, nn.Conv2d)):
        nn.init.xavier_uniform_(m.weight)


def train_step_timer(net, batch, size, lr=0.1):
    X = torch.rand(batch, 1, size, size)
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(net(X), y)
        loss.backward()
        opt.step()
    return step


def timed(fn, reps, warmup=2):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def median(xs):
    s = sorted(xs)
    return s[len(s) // 2]


def run(case, reps):
    torch.manual_seed(0)
    if case in ('lenet-train', 'lenet-modern-train'):
        net = lenet(modern=case == 'lenet-modern-train')
        net.apply(xavier)
        step = train_step_timer(net, 128, 28)
        # Time several steps per sample so one sample is ~0.1 s, like the TS side.
        samples = timed(lambda: [step() for _ in range(10)], reps)
        return {'name': case, 'unit': 'images/s', 'value': 1280 / median(samples), 'samples': [1280 / s for s in samples]}
    if case == 'lenet-infer':
        net = lenet().eval()
        X = torch.rand(256, 1, 28, 28)

        def infer():
            with torch.no_grad():
                for _ in range(10):
                    net(X)
        samples = timed(infer, reps)
        return {'name': case, 'unit': 'images/s', 'value': 2560 / median(samples), 'samples': [2560 / s for s in samples]}
    builders = {'resnet18-step': resnet18, 'googlenet-step': googlenet, 'densenet-step': densenet}
    if case in builders:
        net = builders[case]()
        step = train_step_timer(net, 128, 96, lr=0.05)
        samples = timed(step, reps, warmup=1)
        return {'name': case, 'unit': 's/step', 'value': median(samples), 'samples': samples}
    raise SystemExit(f'unknown case {case}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('case')
    ap.add_argument('--reps', type=int, default=5)
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--best', action='store_true')
    a = ap.parse_args()
    if a.best:
        use_best()
        torch.set_num_threads(a.threads or 2)
    elif a.threads:
        torch.set_num_threads(a.threads)
    cases = ['lenet-train', 'lenet-modern-train', 'lenet-infer', 'resnet18-step', 'googlenet-step', 'densenet-step'] \
        if a.case == 'all' else [a.case]
    for c in cases:
        r = run(c, a.reps)
        r['torch'] = torch.__version__
        r['threads'] = torch.get_num_threads()
        r['mode'] = 'best' if a.best else 'default'
        print(json.dumps(r), flush=True)


if __name__ == '__main__':
    main()
