/**
 * Same seed, same bits: training on the wasm backend gives bit-identical weights on every run and
 * on every thread count (1, 2, 3), because every cut of the work is fixed by shape (partition.ts)
 * and partial sums are reduced in a fixed order — not by timing, as the old adaptive split did.
 * Real model code, default backend options (the cuts a user gets), synthetic data.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { setBackend } from '../../src/backend/index.js';
import { WasmBackend } from '../../src/backend/wasm/index.js';
import { manualSeed, randn, randint } from '../../src/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { createModel } from '../../src/models/registry.js';
import { ResNet } from '../../src/models/resnet.js';
import type { Classifier } from '../../src/train/classifier.js';
import { initCnn } from '../../src/train/init-cnn.js';

const backends = new Map<number, WasmBackend>();
function backend(threads: number): WasmBackend {
  let b = backends.get(threads);
  if (!b) backends.set(threads, (b = new WasmBackend({ threads })));
  return b;
}
after(() => { for (const b of backends.values()) b.dispose(); setBackend(null); });

/** Trains `make()` for `steps` SGD steps on seeded random batches; returns every parameter's bytes. */
function train(threads: number, make: () => Classifier, shape: [number, number, number, number], steps: number): Float32Array[] {
  const prev = setBackend(backend(threads));
  try {
    manualSeed(7);
    const model = make();
    const batches: [Tensor, Tensor][] = [];
    for (let i = 0; i < 4; i++) batches.push([randn(...shape), randint(0, 10, [shape[0]])]);
    model.applyInit([batches[0]![0]], initCnn);
    const opt = model.configureOptimizers();
    for (let s = 0; s < steps; s++) {
      model.train();
      const l = model.trainingStep(batches[s % batches.length]!);
      opt.zeroGrad();
      l.backward();
      opt.step();
    }
    return model.parameters().map((p) => p.toFloat32Array());
  } finally {
    setBackend(prev);
  }
}

function assertSameBits(a: Float32Array[], b: Float32Array[], what: string): void {
  assert.equal(a.length, b.length, `${what}: parameter count`);
  a.forEach((p, i) => {
    const q = b[i]!;
    const ua = new Uint32Array(p.buffer, p.byteOffset, p.length), ub = new Uint32Array(q.buffer, q.byteOffset, q.length);
    const j = ua.findIndex((v, k) => v !== ub[k]);
    assert.equal(j, -1, `${what}: parameter ${i} [${p.length}] differs first at ${j}: ${p[j]} vs ${q[j]}`);
  });
}

const cases: { name: string; make: () => Classifier; shape: [number, number, number, number]; steps: number }[] = [
  { name: 'LeNet (sigmoid, avg pool)', make: () => createModel('lenet', { lr: 0.9 }), shape: [128, 1, 28, 28], steps: 24 },
  { name: 'LeNet modern (ReLU, max pool)', make: () => createModel('lenet-modern', { lr: 0.1 }), shape: [128, 1, 28, 28], steps: 24 },
  { name: 'ResNet block with BatchNorm (Winograd 3x3 layers)', make: () => new ResNet({ arch: [[1, 64], [1, 32]], lr: 0.05 }), shape: [32, 1, 16, 16], steps: 6 },
];

describe('wasm training is bit-identical across runs and thread counts', () => {
  for (const c of cases) {
    it(`${c.name}: two 2-thread runs, 1 thread and 3 threads give the same weights`, () => {
      const two = train(2, c.make, c.shape, c.steps);
      assert.ok(two.every((p) => p.every(Number.isFinite)), 'weights stay finite');
      assertSameBits(two, train(2, c.make, c.shape, c.steps), '2 threads, second run');
      assertSameBits(two, train(1, c.make, c.shape, c.steps), '1 thread vs 2');
      assertSameBits(two, train(3, c.make, c.shape, c.steps), '3 threads vs 2');
    });
  }
});
