// Kernel throughput table: GEMM and conv2d forward/backward in GFLOP/s for the JS reference,
// the wasm plain-SIMD and relaxed-SIMD builds on 1 thread, and the best build on all threads.
// Shapes: bench/kernel-shapes.json (PyTorch's figures for them: scripts/bench/torch_kernels.py,
// and side by side with ours in `npm run bench`).
// Usage: node dist/bench/kernels.js [--quick] [--only gemm|conv] [--cpu]
// --cpu times single-threaded variants by process CPU time (robust on a loaded shared machine)
// and drops the multi-threaded column, whose speed only wall time can show.
import os from 'node:os';
import type { Backend } from '../src/backend/backend.js';
import { refBackend } from '../src/backend/ref/index.js';
import { WasmBackend, relaxedSimdSupported } from '../src/backend/wasm/index.js';
import { KIND_TITLES, kernelCases, kernelGflops, type KernelKind, type TimeOptions } from './kernel-lib.js';

const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
const cpu = process.argv.includes('--cpu');
const timing: TimeOptions = { minTime: quick ? 0.15 : 0.5, cpu };

interface Variant { label: string; be: Backend; js: boolean }
const variants: Variant[] = [{ label: 'js ref', be: refBackend, js: true },
  { label: 'simd 1t', be: new WasmBackend({ flavor: 'simd', threads: 1 }), js: false }];
if (relaxedSimdSupported()) variants.push({ label: 'relaxed 1t', be: new WasmBackend({ flavor: 'relaxed', threads: 1 }), js: false });
const nt = os.availableParallelism();
if (!cpu) variants.push({ label: `best ${nt}t`, be: new WasmBackend({ threads: nt }), js: false });

const pad = (s: string, n: number): string => s.padStart(n);
function header(first: string): void {
  console.log(`\n${first.padEnd(44)}${variants.map((v) => pad(v.label, 12)).join('')}`);
}
const row = (name: string, vals: number[]): void =>
  console.log(`${name.padEnd(44)}${vals.map((v) => pad(v.toFixed(2), 12)).join('')}`);

console.log(`convnet-ts kernel bench — ${new Date().toISOString()} — ${os.cpus()[0]?.model ?? '?'} — ${os.availableParallelism()} threads — load ${os.loadavg()[0]!.toFixed(1)} — GFLOP/s (2*MNK per GEMM), best of repeats, ${cpu ? 'CPU' : 'wall'} time`);

const kinds: KernelKind[] = [];
if (!only || only === 'gemm') kinds.push('gemm');
if (!only || only === 'conv') kinds.push(...(quick ? ['fwd'] as const : ['fwd', 'bwdI', 'bwdW'] as const));
let last: KernelKind | undefined;
for (const { kind, shape } of kernelCases(kinds)) {
  if (kind !== last) { header(KIND_TITLES[kind]); last = kind; }
  row(shape.name, variants.map((v) => kernelGflops(v.be, kind, shape, timing, v.js)));
}
for (const v of variants) if (v.be instanceof WasmBackend) v.be.dispose();
