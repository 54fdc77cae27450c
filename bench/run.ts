/**
 * `npm run bench`: end-to-end training/inference speed of the d2l models on each backend, measured
 * interleaved with PyTorch in one run (scripts/bench/torch_bench.py, when /usr/bin/python3 has torch),
 * median of the samples, and the ratio ours/PyTorch. Random inputs, so data loading is not timed.
 * Then a kernel table: GEMM and conv2d forward / input-gradient / weight-gradient GFLOP/s on the
 * shapes of bench/kernels.ts (bench/kernel-shapes.json), ours (default wasm backend on all threads,
 * and the 1-thread build) against PyTorch's (scripts/bench/torch_kernels.py, one subprocess).
 *
 * Two PyTorch references, each sampled in every round (ours, then PyTorch default, then PyTorch at its
 * best): "default" is Debian's torch as it runs out of the box here (1 thread; nn.Linear on the
 * build's reference BLAS at 2-4 GFLOP/s), "best" is the same models and maths on 2 threads with
 * nn.Linear routed through oneDNN (torch_bench.py --best) — what a pip/MKL build would do. Targets
 * are stated against "best".
 *
 * Usage: node dist/bench/run.js [--cases a,b] [--backends js,wasm] [--rounds 5] [--torch-threads N] [--no-torch] [--markdown]
 *                               [--torch-modes best,default]
 *                               [--no-kernels | --kernels-only] [--kernel-time S]
 *   --no-kernels: skip the kernel table; --kernels-only: only the kernel table;
 *   --kernel-time: seconds of repeats per kernel measurement (default 0.25, best of at least 3 after a warm-up).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rand, randint } from '../src/tensor/creation.js';
import { manualSeed } from '../src/tensor/rng.js';
import { noGrad } from '../src/autograd/grad-mode.js';
import { setBackend } from '../src/backend/index.js';
import { refBackend } from '../src/backend/ref/index.js';
import type { Backend } from '../src/backend/backend.js';
import { WasmBackend, relaxedSimdSupported } from '../src/backend/wasm/index.js';
import { createModel } from '../src/models/index.js';
import { initCnn } from '../src/train/init-cnn.js';
import { caseKey, kernelCases, kernelGflops, torchKernels, type KernelKind } from './kernel-lib.js';

interface Case {
  name: string;
  model: string;
  kind: 'train' | 'infer';
  batch: number;
  size: number;
  lr: number;
  /** Steps per sample, so one sample lasts long enough to time. */
  steps: number;
  unit: 'images/s' | 's/step';
  /** Too slow for the pure-TS backend to be worth timing by default. */
  heavy: boolean;
}

const CASES: Case[] = [
  { name: 'lenet-train', model: 'lenet', kind: 'train', batch: 128, size: 28, lr: 0.1, steps: 10, unit: 'images/s', heavy: false },
  { name: 'lenet-modern-train', model: 'lenet-modern', kind: 'train', batch: 128, size: 28, lr: 0.1, steps: 10, unit: 'images/s', heavy: false },
  { name: 'lenet-infer', model: 'lenet', kind: 'infer', batch: 256, size: 28, lr: 0.1, steps: 10, unit: 'images/s', heavy: false },
  { name: 'resnet18-step', model: 'resnet18', kind: 'train', batch: 128, size: 96, lr: 0.05, steps: 1, unit: 's/step', heavy: true },
  { name: 'googlenet-step', model: 'googlenet', kind: 'train', batch: 128, size: 96, lr: 0.05, steps: 1, unit: 's/step', heavy: true },
  { name: 'densenet-step', model: 'densenet', kind: 'train', batch: 128, size: 96, lr: 0.05, steps: 1, unit: 's/step', heavy: true },
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A closure running `c.steps` steps of case `c` on the current backend; returns nothing, is timed outside. */
function makeRunner(c: Case): () => void {
  manualSeed(0);
  const model = createModel(c.model, { lr: c.lr });
  const X = rand(c.batch, 1, c.size, c.size);
  const y = randint(0, 10, [c.batch]);
  model.applyInit([X.get([0, 2])], initCnn);
  if (c.kind === 'infer') {
    model.eval();
    return () => { noGrad(() => { for (let s = 0; s < c.steps; s++) model.forward(X); }); };
  }
  const opt = model.configureOptimizers();
  return () => {
    for (let s = 0; s < c.steps; s++) {
      opt.zeroGrad();
      const loss = model.loss(model.forward(X), y);
      loss.backward();
      opt.step();
    }
  };
}

function toUnit(c: Case, seconds: number): number {
  return c.unit === 'images/s' ? (c.batch * c.steps) / seconds : seconds / c.steps;
}

/** PyTorch as it runs out of the box here, or at its best (see the header comment). */
type TorchMode = 'default' | 'best';

function torchSample(c: Case, threads: number | undefined, mode: TorchMode): number | null {
  const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/bench/torch_bench.py');
  const args = [script, c.name, '--reps', '1'];
  if (threads) args.push('--threads', String(threads));
  if (mode === 'best') args.push('--best');
  const r = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const line = r.stdout.trim().split('\n').pop();
  return line ? (JSON.parse(line) as { value: number }).value : null;
}

function hasTorch(): boolean {
  if (!existsSync('/usr/bin/python3')) return false;
  return spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
}

const markdown = (rows: string[][]): string =>
  rows.map((r) => `| ${r.join(' | ')} |`).join('\n').replace(/\n/, '\n|' + rows[0]!.map(() => '---').join('|') + '|\n');

/** GEMM / conv GFLOP/s, ours (default wasm backend, and 1 thread) against PyTorch's, same shapes. */
function kernelTable(useTorch: boolean, torchThreads: number | undefined, minTime: number, best: boolean): void {
  const kinds: KernelKind[] = ['gemm', 'fwd', 'bwdI', 'bwdW'];
  const cases = kernelCases(kinds);
  const all = new WasmBackend();
  const one = new WasmBackend({ flavor: relaxedSimdSupported() ? 'relaxed' : 'simd', threads: 1 });
  console.log(`\n# kernels: GFLOP/s (2*m*n*k per GEMM, 2*n*o*oh*ow*c*kh*kw per conv), best of repeats (${minTime} s each, wall time), batch 128 convs`);
  const ours: [number, number][] = [];
  for (const { kind, shape } of cases) {
    const t = { minTime };
    const v: [number, number] = [kernelGflops(all, kind, shape, t), kernelGflops(one, kind, shape, t)];
    ours.push(v);
    console.log(`${kind} ${shape.name}: ours ${v[0].toFixed(1)} [${all.name}], ${v[1].toFixed(1)} [${one.name}] GFLOP/s`);
  }
  all.dispose(); one.dispose();
  const torch = useTorch ? torchKernels(kinds, minTime, torchThreads, best) : null;
  const tl = torch ? `PyTorch ${torch.torch} (${torch.threads}t${best ? ', at its best' : ''})` : 'PyTorch';
  const rows: string[][] = [['kernel', 'shape', `ours ${all.name}`, `ours ${one.name}`, tl, 'ours / PyTorch', '1t / PyTorch']];
  const ratio = (a: number, b: number | undefined): string => (b ? `${(a / b).toFixed(2)}×` : '');
  cases.forEach(({ kind, shape }, i) => {
    const [a, b] = ours[i]!;
    const t = torch?.gflops.get(caseKey(kind, shape.name));
    rows.push([kind, shape.name, a.toFixed(1), b.toFixed(1), t === undefined ? '—' : t.toFixed(1), ratio(a, t), ratio(b, t)]);
  });
  console.log('\n' + markdown(rows));
  if (torch?.blas === 'onednn') console.log('\nPyTorch GEMM is oneDNN\'s linear (mkldnn_linear), as nn.Linear in the "at its best" mode; its convolutions run in oneDNN.');
  else if (torch?.blas === 'generic') console.log('\nPyTorch GEMM is torch.mm on its generic (reference) BLAS in this build; its convolutions run in oneDNN.');
  else if (!torch) console.log(`\n(PyTorch ${useTorch ? 'kernel script failed' : 'not available or --no-torch'}: ratios omitted)`);
}

function main(): void {
  const caseNames = arg('cases')?.split(',');
  const backendNames = (arg('backends') ?? 'js,wasm').split(',');
  const rounds = Number(arg('rounds') ?? 5);
  const torchThreads = arg('torch-threads') ? Number(arg('torch-threads')) : undefined;
  const useTorch = !process.argv.includes('--no-torch') && hasTorch();
  const modes = (arg('torch-modes') ?? 'best,default').split(',') as TorchMode[];
  for (const m of modes) if (m !== 'best' && m !== 'default') throw new Error(`--torch-modes: unknown mode '${m}' (expected best, default)`);
  const kernels = !process.argv.includes('--no-kernels');
  const kernelsOnly = process.argv.includes('--kernels-only');
  const kernelTime = Number(arg('kernel-time') ?? 0.25);
  const cases = kernelsOnly ? [] : CASES.filter((c) => (caseNames ? caseNames.includes(c.name) : true));
  const backends: Backend[] = backendNames.map((n) => (n === 'js' ? refBackend : new WasmBackend()));
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  console.log(`# convnet-ts bench — ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, ${cpu}, node ${process.version}`);
  if (cases.length) {
    console.log(`# ${rounds} rounds, interleaved ours/PyTorch${useTorch ? ` (${modes.join(', ')})` : ' (PyTorch not available: ratios omitted)'}`);
    if (useTorch && modes.includes('best')) {
      console.log('# PyTorch best = 2 threads + nn.Linear on oneDNN (Debian\'s build runs nn.Linear on its reference BLAS); default = as installed (1 thread here)');
    }
  }
  const modeLabel = (m: TorchMode): string => (m === 'best' ? 'PyTorch at its best' : 'PyTorch default');
  const header = ['case', 'backend', 'unit', 'ours (median)'];
  if (useTorch) for (const m of modes) header.push(`${modeLabel(m)} (median)`, `ours / ${modeLabel(m)}`);
  const rows: string[][] = [header];
  for (const c of cases) {
    for (const b of backends) {
      if (c.heavy && b === refBackend && !caseNames) continue;
      setBackend(b);
      const run = makeRunner(c);
      run(); // warm-up: JIT, lazy init, wasm memory growth
      const ours: number[] = [];
      const theirs = new Map<TorchMode, number[]>(modes.map((m) => [m, []]));
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        run();
        ours.push(toUnit(c, (performance.now() - t0) / 1000));
        if (useTorch) {
          for (const m of modes) { const v = torchSample(c, torchThreads, m); if (v !== null) theirs.get(m)!.push(v); }
        }
      }
      const o = median(ours);
      const fmt = (v: number) => (Number.isNaN(v) ? '—' : c.unit === 'images/s' ? v.toFixed(0) : v.toFixed(3));
      // For throughput higher is better; for step time lower is better: report ours relative to PyTorch either way.
      const ratio = (t: number): string => (Number.isNaN(t) ? '' : c.unit === 'images/s' ? `${(o / t).toFixed(2)}× throughput` : `${(o / t).toFixed(2)}× time`);
      const row = [c.name, b.name, c.unit, fmt(o)];
      let line = `${c.name} [${b.name}]: ours ${fmt(o)} ${c.unit}`;
      if (useTorch) {
        for (const m of modes) {
          const ts = theirs.get(m)!;
          const t = ts.length ? median(ts) : NaN;
          row.push(fmt(t), ratio(t));
          line += `; ${modeLabel(m)} ${fmt(t)} ${c.unit} ${ratio(t)}`;
        }
      }
      rows.push(row);
      console.log(line);
    }
  }
  setBackend(refBackend);
  for (const b of backends) if (b instanceof WasmBackend) b.dispose();
  if (cases.length) console.log('\n' + markdown(rows));
  if (kernels || kernelsOnly) kernelTable(useTorch, torchThreads, kernelTime, modes.includes('best'));
}

main();
