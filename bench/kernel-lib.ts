// Shared pieces of the kernel benchmarks (bench/kernels.ts and the kernel table of `npm run bench`):
// the shape list (bench/kernel-shapes.json, also read by scripts/bench/torch_kernels.py), the
// best-of-repeats timer, GFLOP/s of one GEMM / conv2d call on a backend, and PyTorch's figures.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend, Conv2dGeometry } from '../src/backend/backend.js';

/** C[m,n] = A[m,k] B[k,n]; transB: B is stored [n,k]. */
export interface GemmShape { name: string; m: number; n: number; k: number; transB?: boolean }
/** Square input h x h, square kernel k x k, groups 1, dilation 1. */
export interface ConvShape { name: string; n: number; c: number; h: number; o: number; k: number; stride: number; pad: number }
export type KernelKind = 'gemm' | 'fwd' | 'bwdI' | 'bwdW';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHAPES_FILE = path.join(repoRoot, 'bench/kernel-shapes.json');
export const TORCH_KERNELS_SCRIPT = path.join(repoRoot, 'scripts/bench/torch_kernels.py');
const shapes = JSON.parse(readFileSync(SHAPES_FILE, 'utf8')) as { gemm: GemmShape[]; conv: ConvShape[] };
export const GEMM_SHAPES: readonly GemmShape[] = shapes.gemm;
export const CONV_SHAPES: readonly ConvShape[] = shapes.conv;

export const KIND_TITLES: Record<KernelKind, string> = {
  gemm: 'GEMM  C[m,n] = A[m,k] B[k,n]', fwd: 'conv2d forward, batch 128',
  bwdI: 'conv2d backward-input', bwdW: 'conv2d backward-weight',
};

export function geom(s: ConvShape): Conv2dGeometry {
  const oh = Math.floor((s.h + 2 * s.pad - s.k) / s.stride) + 1;
  return { n: s.n, c: s.c, h: s.h, w: s.h, o: s.o, kh: s.k, kw: s.k, oh, ow: oh, strideH: s.stride, strideW: s.stride,
           padH: s.pad, padW: s.pad, dilationH: 1, dilationW: 1, groups: 1 };
}

/** FLOPs of one conv2d forward (or either gradient): 2*n*o*oh*ow*(c/groups)*kh*kw. */
export const convFlops = (g: Conv2dGeometry): number => 2 * g.n * g.o * g.oh * g.ow * (g.c / g.groups) * g.kh * g.kw;

export interface TimeOptions {
  /** Seconds of repeats per measurement (at least 3 repeats). */
  minTime: number;
  /** Time by process CPU time instead of wall time (single-threaded variants only). */
  cpu?: boolean;
}

function now(cpu: boolean | undefined): number {
  if (!cpu) return Number(process.hrtime.bigint()) / 1e9;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Fastest seconds per call of f over repeats filling minTime (after a warm-up): the minimum filters out preemption on a shared machine. */
export function timeIt(f: () => void, t: TimeOptions): number {
  f();
  let reps = 0, best = Infinity, el = 0;
  while (el < t.minTime || reps < 3) {
    const t0 = now(t.cpu);
    f();
    const dt = now(t.cpu) - t0;
    best = Math.min(best, dt); el += dt; reps++;
  }
  return best;
}

export function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

/**
 * GFLOP/s of one kernel call on `be`. `scaled`: the backend is the O(mnk) scalar JS reference, so
 * time it on a column slice (GEMM) or a smaller batch (conv) and report its rate.
 */
export function kernelGflops(be: Backend, kind: KernelKind, shape: GemmShape | ConvShape, t: TimeOptions, scaled = false): number {
  if (kind === 'gemm') {
    const { m, n, k, transB } = shape as GemmShape;
    const a = rand(m * k), b = rand(k * n), c = new Float32Array(m * n);
    const nn = scaled ? Math.min(n, Math.max(8, Math.floor(2e7 / (m * k)))) : n;
    const s = timeIt(() => be.gemm(false, !!transB, m, nn, k, 1, a, 0, b, 0, 0, c, 0), t);
    return (2 * m * nn * k) / s / 1e9;
  }
  const g0 = geom(shape as ConvShape);
  const per = convFlops({ ...g0, n: 1 });
  const n = scaled ? Math.max(1, Math.min(g0.n, Math.floor(4e8 / per))) : g0.n;
  const g = { ...g0, n };
  const x = rand(n * g.c * g.h * g.w), w = rand(g.o * g.c * g.kh * g.kw), bias = rand(g.o);
  const y = new Float32Array(n * g.o * g.oh * g.ow);
  const f = kind === 'fwd' ? () => be.conv2d(g, x, w, bias, y)
    : kind === 'bwdI' ? () => be.conv2dBackwardInput(g, y, w, x)
    : () => be.conv2dBackwardWeight(g, x, y, w);
  return (per * n) / timeIt(f, t) / 1e9;
}

export interface KernelCase { kind: KernelKind; shape: GemmShape | ConvShape }

/** The benchmark's cases in table order: GEMM shapes, then the conv layers for each of `kinds`. */
export function kernelCases(kinds: readonly KernelKind[] = ['gemm', 'fwd', 'bwdI', 'bwdW']): KernelCase[] {
  const out: KernelCase[] = [];
  for (const kind of kinds) for (const shape of kind === 'gemm' ? GEMM_SHAPES : CONV_SHAPES) out.push({ kind, shape });
  return out;
}

export const caseKey = (kind: KernelKind, name: string): string => `${kind}|${name}`;

export interface TorchKernels {
  torch: string;
  threads: number;
  /** BLAS torch.mm runs on (BLAS_INFO of torch's build), or null. */
  blas: string | null;
  /** GFLOP/s by caseKey(kind, name). */
  gflops: Map<string, number>;
}

/**
 * PyTorch's GFLOP/s for the same cases (scripts/bench/torch_kernels.py on /usr/bin/python3, one
 * subprocess); null when it fails (no torch). `threads` undefined: PyTorch's default.
 */
export function torchKernels(kinds: readonly KernelKind[], minTime: number, threads?: number, best = false): TorchKernels | null {
  const args = [TORCH_KERNELS_SCRIPT, '--min-time', String(minTime), '--kinds', kinds.join(',')];
  if (threads) args.push('--threads', String(threads));
  if (best) args.push('--best');
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    if (r.stderr) process.stderr.write(`torch_kernels.py failed: ${r.stderr.trim().split('\n').pop()}\n`);
    return null;
  }
  const res: TorchKernels = { torch: '?', threads: 0, blas: null, gflops: new Map() };
  for (const line of r.stdout.trim().split('\n')) {
    if (!line) continue;
    const o = JSON.parse(line) as { meta?: { torch: string; threads: number; blas?: string | null }; kind?: KernelKind; name?: string; gflops?: number };
    if (o.meta) { res.torch = o.meta.torch; res.threads = o.meta.threads; res.blas = o.meta.blas ?? null; }
    else if (o.kind && o.name !== undefined && o.gflops !== undefined) res.gflops.set(caseKey(o.kind, o.name), o.gflops);
  }
  return res;
}
