#!/usr/bin/env python3
"""d2l's LeNet recipe in PyTorch 1.13, for comparison with `convnet train lenet` on the same machine.

Usage: /usr/bin/python3 scripts/bench/torch_lenet.py [--variant classic|modern] [--epochs 10] [--threads N]
Same recipe as d2l 7.6.2: Fashion-MNIST 28x28 in [0, 1], batch 128 (train shuffled), LazyConv/
LazyLinear LeNet, xavier-uniform init (init_cnn) after a dummy forward, SGD lr 0.1, mean
cross-entropy; prints one JSON record per epoch (train loss, val loss, val acc, seconds, images/s).
Reads the bundled IDX files itself (no torchvision).
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'fixtures'))
from gen_lenet import LeNet, init_cnn  # noqa: E402

DATA = os.path.join(os.path.dirname(__file__), '..', '..', 'data', 'fashion-mnist')


def load(split):
    p = 'train' if split == 'train' else 't10k'
    with gzip.open(os.path.join(DATA, f'{p}-images-idx3-ubyte.gz')) as f:
        im = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    with gzip.open(os.path.join(DATA, f'{p}-labels-idx1-ubyte.gz')) as f:
        lb = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    X = torch.from_numpy(im.astype(np.float32) / 255).reshape(-1, 1, 28, 28)
    return X, torch.from_numpy(lb.astype(np.int64))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--variant', default='classic', choices=['classic', 'modern'])
    ap.add_argument('--epochs', type=int, default=10)
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    Xtr, ytr = load('train')
    Xte, yte = load('test')
    model = LeNet(a.variant)
    model(Xtr[:128])
    model.net.apply(init_cnn)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for epoch in range(a.epochs):
        t0 = time.time()
        model.train()
        perm = torch.randperm(len(ytr))
        tot, n = 0.0, 0
        for i in range(0, len(ytr), 128):
            idx = perm[i:i + 128]
            loss = F.cross_entropy(model(Xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item() * len(idx)
            n += len(idx)
        t1 = time.time()
        model.eval()
        vl, va = 0.0, 0.0
        with torch.no_grad():
            for i in range(0, len(yte), 128):
                out = model(Xte[i:i + 128])
                vl += F.cross_entropy(out, yte[i:i + 128], reduction='sum').item()
                va += (out.argmax(1) == yte[i:i + 128]).sum().item()
        t2 = time.time()
        print(json.dumps({'variant': a.variant, 'epoch': epoch + 1, 'train_loss': tot / n, 'val_loss': vl / len(yte),
                          'val_acc': va / len(yte), 'seconds': t2 - t0, 'images_per_sec': n / (t1 - t0),
                          'threads': torch.get_num_threads(), 'torch': torch.__version__}), flush=True)


if __name__ == '__main__':
    main()
