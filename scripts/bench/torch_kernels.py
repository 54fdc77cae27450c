#!/usr/bin/env python3
"""PyTorch reference GFLOP/s for the kernel table of `npm run bench` and bench/kernels.ts
(run with /usr/bin/python3 and Debian's python3-torch 1.13).

Same shapes as ours (bench/kernel-shapes.json) and the same FLOP convention: 2*m*n*k per GEMM,
2*n*o*oh*ow*(c/groups)*kh*kw per conv2d forward, input gradient or weight gradient. Each figure is
the fastest of repeats filling --min-time seconds (at least 3) after one warm-up call.

The gradients call aten's convolution_backward, the op autograd runs for conv2d (and that
torch.nn.grad.conv2d_input / conv2d_weight wrap), with the real input and weight so that PyTorch
picks the same algorithm as in training; output_mask asks for one gradient only (no bias
gradient, as ours is timed without it). GEMM is torch.mm into a preallocated output, i.e. the
BLAS torch was built with (meta "blas"; Debian's build reports "generic", the reference BLAS,
while its convolutions run in oneDNN).

Prints one JSON object per line: first {"meta": {"torch", "threads", "mkldnn", "blas"}}, then per shape
{"kind": "gemm"|"fwd"|"bwdI"|"bwdW", "name", "gflops", "seconds"} (seconds per call).

With --best (PyTorch at its best here, as torch_bench.py --best): 2 threads unless --threads, and
GEMM through oneDNN's linear (mkldnn_linear: a [m, k] times a weight [n, k] transposed; the input's
conversion to oneDNN layout and a non-transB weight's transpose are done once, outside the timing),
meta "blas" then reads "onednn".

Usage: torch_kernels.py [--threads T] [--min-time S] [--only gemm|conv] [--kinds gemm,fwd,bwdI,bwdW]
                        [--shapes FILE] [--best]
"""
import argparse
import json
import os
import re
import time

import torch
import torch.nn.functional as F

DEFAULT_SHAPES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'bench', 'kernel-shapes.json')
KINDS = ('gemm', 'fwd', 'bwdI', 'bwdW')


def time_it(f, min_time):
    """Fastest seconds per call of f over repeats filling min_time (after a warm-up), like bench/kernel-lib.ts."""
    f()
    reps, best, el = 0, float('inf'), 0.0
    while el < min_time or reps < 3:
        t0 = time.perf_counter()
        f()
        dt = time.perf_counter() - t0
        best = min(best, dt)
        el += dt
        reps += 1
    return best


def rand(*shape):
    return torch.rand(*shape) - 0.5


def gemm_case(s, min_time, best=False):
    m, n, k = s['m'], s['n'], s['k']
    a = rand(m, k)
    if best:
        am = a.to_mkldnn()
        w = rand(n, k)  # [n, k]: op(B) = w^T whether or not the case is transB (a copy made untimed)
        lin = torch._C._nn.mkldnn_linear
        sec = time_it(lambda: lin(am, w, None), min_time)
        return 2.0 * m * n * k / sec / 1e9, sec
    # transB: B stored [n, k] and used transposed, as ours (a view, no copy: BLAS takes the transpose flag).
    b = rand(n, k).t() if s.get('transB') else rand(k, n)
    c = torch.empty(m, n)
    sec = time_it(lambda: torch.mm(a, b, out=c), min_time)
    return 2.0 * m * n * k / sec / 1e9, sec


def conv_case(kind, s, min_time):
    n, c, h, o, k, st, p = s['n'], s['c'], s['h'], s['o'], s['k'], s['stride'], s['pad']
    oh = (h + 2 * p - k) // st + 1
    x, w, bias = rand(n, c, h, h), rand(o, c, k, k), rand(o)
    dy = rand(n, o, oh, oh)
    stride, pad, dil = [st, st], [p, p], [1, 1]
    if kind == 'fwd':
        f = lambda: F.conv2d(x, w, bias, stride, pad)
    else:
        mask = (True, False, False) if kind == 'bwdI' else (False, True, False)
        f = lambda: torch.ops.aten.convolution_backward(dy, x, w, None, stride, pad, dil, False, [0, 0], 1, mask)
    sec = time_it(f, min_time)
    flops = 2.0 * n * o * oh * oh * c * k * k
    return flops / sec / 1e9, sec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--threads', type=int, help='torch.set_num_threads (default: PyTorch\'s own default)')
    ap.add_argument('--min-time', type=float, default=0.5, help='seconds of repeats per shape (at least 3 repeats)')
    ap.add_argument('--only', choices=['gemm', 'conv'])
    ap.add_argument('--best', action='store_true', help='2 threads and GEMM on oneDNN (PyTorch at its best here)')
    ap.add_argument('--kinds', default=','.join(KINDS), help='comma-separated subset of gemm,fwd,bwdI,bwdW')
    ap.add_argument('--shapes', default=DEFAULT_SHAPES, help='shape list (JSON: {"gemm": [...], "conv": [...]})')
    args = ap.parse_args()
    kinds = [k for k in args.kinds.split(',') if k]
    for k in kinds:
        if k not in KINDS:
            ap.error(f'unknown kind {k!r}')
    if args.only == 'gemm':
        kinds = [k for k in kinds if k == 'gemm']
    elif args.only == 'conv':
        kinds = [k for k in kinds if k != 'gemm']
    if args.best:
        torch.set_num_threads(args.threads or 2)
    elif args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    with open(args.shapes) as fh:
        shapes = json.load(fh)
    blas = re.search(r'BLAS_INFO=(\w+)', torch.__config__.show())
    print(json.dumps({'meta': {'torch': torch.__version__, 'threads': torch.get_num_threads(),
                               'mkldnn': torch.backends.mkldnn.is_available(),
                               'blas': 'onednn' if args.best else blas.group(1) if blas else None}}), flush=True)
    with torch.no_grad():
        for kind in kinds:
            for s in (shapes['gemm'] if kind == 'gemm' else shapes['conv']):
                g, sec = gemm_case(s, args.min_time, args.best) if kind == 'gemm' else conv_case(kind, s, args.min_time)
                print(json.dumps({'kind': kind, 'name': s['name'], 'gflops': round(g, 3), 'seconds': sec}), flush=True)


if __name__ == '__main__':
    main()
