// Chapter 8 zoo throughput: one training step (forward + backward + SGD) per model at d2l's
// resize, in images/s, on the reference backend or the wasm backend.
// Usage: node dist/bench/models.js [--backend js|wasm] [--batch 8] [--only resnet18,densenet]
import { setBackend } from '../src/backend/index.js';
import { WasmBackend } from '../src/backend/wasm/index.js';
import { randn, randint } from '../src/tensor/creation.js';
import { manualSeed } from '../src/tensor/rng.js';
import { initCnn } from '../src/train/init-cnn.js';
import { createModel, getModelSpec } from '../src/models/registry.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : dflt;
};
const backendName = arg('backend', 'wasm');
const batch = Number(arg('batch', '8'));
const names = arg('only', 'alexnet,vgg,nin,googlenet,resnet18,densenet,regnetx32').split(',');

const wasm = backendName === 'wasm' ? new WasmBackend() : null;
if (wasm !== null) setBackend(wasm);
console.log(`backend ${wasm?.name ?? 'js'}, batch ${batch}`);
console.log(`${'model'.padEnd(12)}${'input'.padStart(12)}${'params'.padStart(14)}${'step s'.padStart(10)}${'img/s'.padStart(10)}`);
try {
  for (const name of names) {
    manualSeed(0);
    const spec = getModelSpec(name);
    const [h, w] = spec.defaultResize;
    const model = createModel(name, { lr: spec.defaultLr });
    const X = randn(batch, 1, h, w), y = randint(0, 10, [batch]);
    model.applyInit([X], initCnn);
    const opt = model.configureOptimizers();
    const step = (): void => {
      const l = model.trainingStep([X, y]);
      opt.zeroGrad();
      l.backward();
      opt.step();
    };
    step(); // warm-up
    const reps = 2, t0 = performance.now();
    for (let i = 0; i < reps; i++) step();
    const s = (performance.now() - t0) / 1000 / reps;
    const params = model.parameters().reduce((n, p) => n + p.numel(), 0);
    console.log(`${name.padEnd(12)}${`${h}x${w}`.padStart(12)}${params.toLocaleString('en-US').padStart(14)}${s.toFixed(2).padStart(10)}${(batch / s).toFixed(1).padStart(10)}`);
  }
} finally {
  wasm?.dispose();
}
