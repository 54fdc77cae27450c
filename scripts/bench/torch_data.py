#!/usr/bin/env python3
"""torchvision's data pipeline on a PNG folder, for comparison with bench/data.ts on the same machine.

Usage: /usr/bin/python3 scripts/bench/torch_data.py DIR --workers N [--epochs 2] [--batch 128] [--size 64]
ImageFolder(DIR) with PIL decoding to grayscale ('L', like convnet's channels: 1), then
Resize(size) + RandomCrop(size, padding=size/8) + RandomHorizontalFlip + ToTensor + Normalize,
DataLoader(batch, shuffle, num_workers=N, persistent_workers); one torch thread per process.
Prints one JSON record per epoch: {"workers", "epoch", "images", "seconds", "images_per_sec"}.
"""
import argparse
import json
import time

import torch
from PIL import Image
from torchvision import datasets, transforms as T


def gray_loader(path):
    with open(path, 'rb') as f:
        return Image.open(f).convert('L')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('--workers', type=int, default=1)
    ap.add_argument('--epochs', type=int, default=2)
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--size', type=int, default=64)
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    tf = T.Compose([T.Resize(a.size), T.RandomCrop(a.size, padding=round(a.size / 8)), T.RandomHorizontalFlip(),
                    T.ToTensor(), T.Normalize([0.2860], [0.3530])])
    ds = datasets.ImageFolder(a.dir, transform=tf, loader=gray_loader)
    dl = torch.utils.data.DataLoader(ds, batch_size=a.batch, shuffle=True, num_workers=a.workers,
                                     persistent_workers=a.workers > 0)
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        n = 0
        for X, y in dl:
            n += X.shape[0]
        dt = time.perf_counter() - t0
        print(json.dumps({'workers': a.workers, 'epoch': epoch, 'images': n, 'seconds': dt, 'images_per_sec': n / dt}), flush=True)


if __name__ == '__main__':
    main()
