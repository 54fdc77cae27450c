// Kernel throughput table: GEMM and conv2d forward/backward in GFLOP/s for the JS reference,
// the wasm plain-SIMD and relaxed-SIMD builds on 1 thread, and the best build on all threads.
// Usage: node dist/bench/kernels.js [--quick] [--only gemm|conv] [--cpu]
// --cpu times single-threaded variants by process CPU time (robust on a loaded shared machine)
// and drops the multi-threaded column, whose speed only wall time can show.
import os from 'node:os';
import type { Backend, Conv2dGeometry } from '../src/backend/backend.js';
import { refBackend } from '../src/backend/ref/index.js';
import { WasmBackend, relaxedSimdSupported } from '../src/backend/wasm/index.js';

const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
const minTime = quick ? 0.15 : 0.5;
const cpu = process.argv.includes('--cpu');

function now(): number {
  if (!cpu) return Number(process.hrtime.bigint()) / 1e9;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Fastest seconds per call of f over repeats filling minTime (after a warm-up): the minimum filters out preemption on a shared machine. */
function timeIt(f: () => void): number {
  f();
  let reps = 0, best = Infinity, el = 0;
  while (el < minTime || reps < 3) {
    const t0 = now();
    f();
    const dt = now() - t0;
    best = Math.min(best, dt); el += dt; reps++;
  }
  return best;
}

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

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

if (!only || only === 'gemm') {
  header('GEMM  C[m,n] = A[m,k] B[k,n]');
  const shapes: [string, number, number, number][] = [
    ['256^3', 256, 256, 256], ['512^3', 512, 512, 512],
    ['LeNet c1 fwd m6 n784*128 k25', 6, 784 * 128, 25], ['LeNet c2 fwd m16 n100*128 k150', 16, 100 * 128, 150],
    ['ResNet l1 fwd m64 n576*32 k576', 64, 576 * 32, 576], ['ResNet l4 fwd m512 n9*128 k4608', 512, 9 * 128, 4608],
    ['Linear fwd NT m128 n120 k400', 128, 120, 400],
  ];
  for (const [name, m, n, k] of shapes) {
    const a = rand(m * k), b = rand(k * n), c = new Float32Array(m * n);
    const tb = name.includes('NT');
    row(name, variants.map((v) => {
      // The JS reference is O(mnk) scalar code; time it on a column slice and report its rate.
      const nn = v.js ? Math.min(n, Math.max(8, Math.floor(2e7 / (m * k)))) : n;
      const s = timeIt(() => v.be.gemm(false, tb, m, nn, k, 1, a, 0, b, 0, 0, c, 0));
      return (2 * m * nn * k) / s / 1e9;
    }));
  }
}

function geom(n: number, c: number, h: number, o: number, k: number, s: number, p: number): Conv2dGeometry {
  const oh = Math.floor((h + 2 * p - k) / s) + 1;
  return { n, c, h, w: h, o, kh: k, kw: k, oh, ow: oh, strideH: s, strideW: s, padH: p, padW: p,
           dilationH: 1, dilationW: 1, groups: 1 };
}

if (!only || only === 'conv') {
  const layers: [string, Conv2dGeometry][] = [
    ['LeNet conv1 1->6 28x28 k5 p2', geom(128, 1, 28, 6, 5, 1, 2)],
    ['LeNet conv2 6->16 14x14 k5', geom(128, 6, 14, 16, 5, 1, 0)],
    ['ResNet conv1 3->64 96x96 k7 s2', geom(128, 3, 96, 64, 7, 2, 3)],
    ['ResNet l1 64->64 24x24 k3', geom(128, 64, 24, 64, 3, 1, 1)],
    ['ResNet l2 64->128 24x24 k3 s2', geom(128, 64, 24, 128, 3, 2, 1)],
    ['ResNet l2 128->128 12x12 k3', geom(128, 128, 12, 128, 3, 1, 1)],
    ['ResNet l3 256->256 6x6 k3', geom(128, 256, 6, 256, 3, 1, 1)],
    ['ResNet l4 512->512 3x3 k3', geom(128, 512, 3, 512, 3, 1, 1)],
    ['ResNet l3 down 128->256 12x12 k1 s2', geom(128, 128, 12, 256, 1, 2, 0)],
  ];
  for (const [kind, label] of [['fwd', 'conv2d forward, batch 128'], ['bwdI', 'conv2d backward-input'],
    ['bwdW', 'conv2d backward-weight']] as const) {
    if (quick && kind !== 'fwd') continue;
    header(label);
    for (const [name, g0] of layers) {
      row(name, variants.map((v) => {
        // Scale the batch down for the JS reference so one call stays under a second.
        const per = 2 * g0.o * g0.oh * g0.ow * g0.c * g0.kh * g0.kw;
        const n = v.js ? Math.max(1, Math.min(g0.n, Math.floor(4e8 / per))) : g0.n;
        const g = { ...g0, n };
        const x = rand(n * g.c * g.h * g.w), w = rand(g.o * g.c * g.kh * g.kw), bias = rand(g.o);
        const y = new Float32Array(n * g.o * g.oh * g.ow);
        const f = kind === 'fwd' ? () => v.be.conv2d(g, x, w, bias, y)
          : kind === 'bwdI' ? () => v.be.conv2dBackwardInput(g, y, w, x)
          : () => v.be.conv2dBackwardWeight(g, x, y, w);
        return (per * n) / timeIt(f) / 1e9;
      }));
    }
  }
}
for (const v of variants) if (v.be instanceof WasmBackend) v.be.dispose();
