// Loops over the op registry: every primitive has cases (registry-cases.ts), each case's graph
// really runs that primitive, passes a finite-difference gradcheck, and gives the same values and
// gradients on the test matrix's backend as on the reference backend. A primitive added to the
// registry without cases fails to compile (the case table is typed by Primitive) or fails here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Backend } from '../../src/backend/backend.js';
import { refBackend } from '../../src/backend/ref/index.js';
import { getBackend, setBackend } from '../../src/backend/index.js';
import type { GradNode } from '../../src/autograd/engine.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { randn } from '../../src/tensor/creation.js';
import { OPS, PRIMITIVES } from '../../src/tensor/ops/registry.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { matrixBackend } from '../helpers/matrix.js';
import { CASES, type RegistryCase } from './registry-cases.js';

/** The primitives (`node.op`) in the graph below `t`. */
function opsIn(t: Tensor): Set<string> {
  const seen = new Set<GradNode>(), ops = new Set<string>();
  const stack: GradNode[] = t.gradFn ? [t.gradFn] : [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (n.op !== undefined) ops.add(n.op);
    n.inputs.forEach((inp, k) => {
      const h = inp.historyAt(n.versions[k]!);
      if (h.gradFn) stack.push(h.gradFn);
    });
  }
  return ops;
}

/** Forward values and input gradients of a case on `backend` (inputs made there from the same seed). */
function runOn(backend: Backend, c: RegistryCase, seed: number): { out: number[]; grads: (number[] | null)[] } {
  const prev = setBackend(backend);
  try {
    manualSeed(seed);
    const xs = c.inputs();
    const out = c.fn(...xs);
    const R = noGrad(() => randn(out.shape.slice()));
    out.mul(R).sum().backward();
    return { out: Array.from(out.data), grads: xs.map((x) => (x.requiresGrad ? Array.from(x.grad!.data) : null)) };
  } finally {
    setBackend(prev);
  }
}

function assertNear(got: number[], want: number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const scale = want.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);
  for (let i = 0; i < got.length; i++) {
    const a = got[i]!, b = want[i]!;
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
    assert.ok(Math.abs(a - b) <= 2e-5 * scale + 1e-6, `${what}: element ${i}: ${a} vs reference ${b}`);
  }
}

const backendName = matrixBackend()?.entry ?? getBackend().name;

test('the registry and the case table list the same primitives', () => {
  assert.deepEqual(Object.keys(CASES).sort(), [...PRIMITIVES].sort());
  assert.equal(new Set(PRIMITIVES).size, PRIMITIVES.length);
  for (const p of PRIMITIVES) {
    assert.ok(typeof OPS[p].forward === 'function' && typeof OPS[p].backward === 'function', `${p}: forward and backward`);
  }
});

PRIMITIVES.forEach((op, i) => {
  describe(`registry primitive ${op} [${backendName}]`, () => {
    const cases = CASES[op];
    test('has at least one gradcheck case', () => assert.ok(cases.length > 0, `no case exercises ${op}`));
    cases.forEach((c, j) => {
      const seed = 1000 + 37 * i + j;
      test(`${c.name}: runs ${op} and passes a finite-difference gradcheck`, () => {
        manualSeed(seed);
        const xs = c.inputs();
        const out = c.fn(...xs);
        assert.ok(opsIn(out).has(op), `case '${c.name}' records no ${op} node (graph has ${[...opsIn(out)].join(', ')})`);
        gradcheck(c.fn, xs, c.gradcheck);
      });
      test(`${c.name}: values and gradients match the reference backend`, () => {
        const be = getBackend();
        const want = runOn(refBackend, c, seed), got = runOn(be, c, seed);
        assertNear(got.out, want.out, `${op} / ${c.name} forward on ${be.name}`);
        got.grads.forEach((gr, k) => {
          if (gr === null) return;
          assertNear(gr, want.grads[k]!, `${op} / ${c.name} gradient of input ${k} on ${be.name}`);
        });
      });
    });
  });
});
