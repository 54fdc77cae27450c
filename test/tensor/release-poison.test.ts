// Use-after-release detector: a backend whose freeFloat32 fills the array with NaN and hands it out
// again on the next allocation of that size (what a real allocator does with freed memory). If the
// library released storage that something still reads, values or gradients differ from the plain
// reference backend's. Runs every registry case and a few LeNet training steps both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { refBackend } from '../../src/backend/ref/index.js';
import { setBackend } from '../../src/backend/index.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { rand, randint, randn } from '../../src/tensor/creation.js';
import { PRIMITIVES } from '../../src/tensor/ops/registry.js';
import { LeNet } from '../../src/models/lenet.js';
import { ResNet } from '../../src/models/resnet.js';
import { CASES, type RegistryCase } from './registry-cases.js';

/** The reference kernels over storage that is poisoned with NaN when freed and reused by later allocations. */
function poisoningBackend(): Backend & { reused: number } {
  const pool = new Map<number, Float32Array[]>();
  const be = {
    ...refBackend,
    name: 'js-poisoning',
    reused: 0,
    allocFloat32(n: number): Float32Array {
      const a = pool.get(n)?.pop();
      if (a === undefined) return new Float32Array(n);
      be.reused++;
      a.fill(0);
      return a;
    },
    freeFloat32(a: Float32Array): void {
      a.fill(Number.NaN);
      const list = pool.get(a.length) ?? [];
      list.push(a);
      pool.set(a.length, list);
    },
  };
  return be;
}

/** Run `f` with `backend` active. */
function on<T>(backend: Backend, f: () => T): T {
  const prev = setBackend(backend);
  try { return f(); } finally { setBackend(prev); }
}

/** Values and input gradients of a registry case. */
function caseRun(c: RegistryCase, seed: number): number[][] {
  manualSeed(seed);
  const xs = c.inputs();
  const out = c.fn(...xs);
  const R = noGrad(() => randn(out.shape.slice()));
  out.mul(R).sum().backward();
  return [Array.from(out.data), ...xs.filter((x) => x.requiresGrad).map((x) => Array.from(x.grad!.data))];
}

test('no registry op reads storage after releasing it (freed memory poisoned with NaN and reused)', () => {
  const poison = poisoningBackend();
  PRIMITIVES.forEach((op, i) => CASES[op].forEach((c, j) => {
    const want = on(refBackend, () => caseRun(c, 500 + 10 * i + j));
    // Twice, so the second run allocates from storage the first released.
    for (let k = 0; k < 2; k++) {
      const got = on(poison, () => caseRun(c, 500 + 10 * i + j));
      assert.deepEqual(got, want, `${op} / ${c.name} (run ${k + 1})`);
    }
  }));
  assert.ok(poison.reused > 100, `the poisoning allocator reused only ${poison.reused} arrays`);
});

test('LeNet and a small ResNet train identically on reused, poisoned storage', () => {
  const steps = (make: () => LeNet | ResNet, size: number): number[] => {
    manualSeed(9);
    const model = make();
    const X = rand(8, 1, size, size), y = randint(0, 10, [8]);
    model.applyInit([X]);
    const opt = model.configureOptimizers();
    const losses: number[] = [];
    for (let s = 0; s < 4; s++) {
      const l = model.trainingStep([X, y]);
      losses.push(l.item());
      opt.zeroGrad();
      l.backward();
      l.dispose();
      opt.step();
    }
    losses.push(...model.parameters().map((p) => p.data[0]!));
    return losses;
  };
  const small = (): ResNet => new ResNet({ arch: [[1, 64], [1, 8]], numClasses: 10 });
  for (const [make, size] of [[() => new LeNet(), 28], [small, 16]] as const) {
    const want = on(refBackend, () => steps(make, size));
    const poison = poisoningBackend();
    assert.deepEqual(on(poison, () => steps(make, size)), want);
    assert.ok(poison.reused > 0);
  }
});
