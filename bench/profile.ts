/**
 * Where a training step's time goes: wraps the active backend so every kernel call is timed by
 * method (and unary/binary/reduce op), runs a few steps of a model, and prints the split between
 * backend kernels and everything else (autograd, allocation, optimizer).
 *
 * Usage: node dist/bench/profile.js [--model lenet] [--batch 128] [--size 28] [--steps 20] [--backend wasm|js] [--threads N]
 *        [--conv-target-n N] [--conv-weight-target-n N]   (WasmBackend tuning knobs)
 *        [--by-shape]   (split conv and pooling calls by geometry: c->o HxW kernel/stride/padding)
 */
import type { Backend } from '../src/backend/backend.js';
import { setBackend } from '../src/backend/index.js';
import { refBackend } from '../src/backend/ref/index.js';
import { WasmBackend } from '../src/backend/wasm/index.js';
import { rand, randint } from '../src/tensor/creation.js';
import { manualSeed } from '../src/tensor/rng.js';
import { createModel, getModelSpec } from '../src/models/registry.js';
import { initCnn } from '../src/train/init-cnn.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
};

const byShape = process.argv.includes('--by-shape');
interface GeometryLike { c: number; h: number; w: number; kh: number; kw: number; strideH: number; padH: number; o?: number }
const isGeometry = (g: unknown): g is GeometryLike => typeof g === 'object' && g !== null && 'kh' in g && 'strideH' in g;
const shapeLabel = (g: GeometryLike): string =>
  `${g.c}${g.o !== undefined ? `->${g.o}` : ''} ${g.h}x${g.w} k${g.kh}s${g.strideH}p${g.padH}`;

/** A backend forwarding to `inner` that adds each call's wall time to `totals[key]`. */
function timed(inner: Backend, totals: Map<string, { ms: number; calls: number }>): Backend {
  return new Proxy(inner, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const key = typeof args[0] === 'string' ? `${String(prop)}:${args[0]}` : byShape && isGeometry(args[0])
          ? `${String(prop)} ${shapeLabel(args[0])}` : String(prop);
        const t0 = performance.now();
        const r = (v as (...a: unknown[]) => unknown).apply(target, args);
        const e = totals.get(key) ?? { ms: 0, calls: 0 };
        e.ms += performance.now() - t0;
        e.calls++;
        totals.set(key, e);
        return r;
      };
    },
  });
}

const name = arg('model', 'lenet');
const batch = Number(arg('batch', '128'));
const spec = getModelSpec(name);
const size = Number(arg('size', String(spec.defaultResize[0])));
const steps = Number(arg('steps', '20'));
const knob = (name: string): number | undefined => (arg(name, '') ? Number(arg(name, '')) : undefined);
const inner = arg('backend', 'wasm') === 'js' ? refBackend
  : new WasmBackend({ threads: knob('threads'), convTargetN: knob('conv-target-n'), convWeightTargetN: knob('conv-weight-target-n') });
const totals = new Map<string, { ms: number; calls: number }>();
setBackend(timed(inner, totals));

manualSeed(0);
const model = createModel(name, { lr: spec.defaultLr });
const X = rand(batch, 1, size, size), y = randint(0, 10, [batch]);
model.applyInit([X], initCnn);
const opt = model.configureOptimizers();
const step = (): void => {
  opt.zeroGrad();
  const l = model.loss(model.forward(X), y);
  l.backward();
  opt.step();
};
for (let i = 0; i < 3; i++) step();
totals.clear();
const cpu0 = process.cpuUsage(), t0 = performance.now();
for (let i = 0; i < steps; i++) step();
const wall = (performance.now() - t0) / steps;
const cpu = process.cpuUsage(cpu0);
let kernels = 0;
for (const v of totals.values()) kernels += v.ms;
console.log(`${name} ${batch}x1x${size}x${size} on ${inner.name}: ${wall.toFixed(2)} ms/step (${(batch / wall * 1000).toFixed(0)} images/s), `
  + `process CPU ${((cpu.user + cpu.system) / 1000 / steps).toFixed(2)} ms/step`);
console.log(`${'kernel'.padEnd(50)}${'ms/step'.padStart(9)}${'calls'.padStart(7)}${'share'.padStart(7)}`);
for (const [k, v] of [...totals].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`${k.padEnd(50)}${(v.ms / steps).toFixed(2).padStart(9)}${(v.calls / steps).toFixed(0).padStart(7)}${(100 * v.ms / steps / wall).toFixed(1).padStart(6)}%`);
}
console.log(`${'(outside the backend)'.padEnd(50)}${((wall * steps - kernels) / steps).toFixed(2).padStart(9)}${''.padStart(7)}${(100 * (1 - kernels / steps / wall)).toFixed(1).padStart(6)}%`);
if (inner instanceof WasmBackend) inner.dispose();
