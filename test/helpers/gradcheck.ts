/** Finite-difference gradient check shared by every op test. */
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { rand, randint, randn } from '../../src/tensor/creation.js';

export interface GradcheckOptions { eps?: number; atol?: number; rtol?: number }

/**
 * Compare autograd's gradients of sum(fn(inputs) * R) (R a fixed random projection) with central
 * differences, element by element, for every float input that requires grad.
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): void {
  const eps = opts.eps ?? 1e-2, atol = opts.atol ?? 2e-3, rtol = opts.rtol ?? 2e-2;
  for (const x of inputs) x.grad = null;
  const out0 = fn(...inputs);
  const R = noGrad(() => randn(out0.shape.slice()));
  const proj = (): number => noGrad(() => {
    const o = fn(...inputs);
    let s = 0;
    for (let i = 0; i < o.numel(); i++) s += o.data[i]! * R.data[i]!;
    return s;
  });
  out0.mul(R).sum().backward();
  inputs.forEach((x, k) => {
    if (!x.requiresGrad) return;
    assert.ok(x.grad !== null, `gradcheck: input ${k} got no gradient`);
    const g = x.grad!;
    for (let i = 0; i < x.numel(); i++) {
      const orig = x.data[i]!;
      x.data[i] = orig + eps; const fp = proj();
      x.data[i] = orig - eps; const fm = proj();
      x.data[i] = orig;
      const num = (fp - fm) / (2 * eps);
      const ana = g.data[i]!;
      const tol = atol + rtol * Math.max(Math.abs(num), Math.abs(ana));
      assert.ok(Math.abs(num - ana) <= tol,
        `gradcheck: input ${k} [${x.shape.join(', ')}] element ${i}: analytic ${ana} vs numeric ${num}`);
    }
  });
}

/**
 * Random values of `shape` kept away from kinks: every value is 0.5·k + phase + [0, 0.05) for an
 * integer k in [-4, 4], so with phase 0.1 values stay ≥ 0.1 from multiples of 0.5 (relu, abs,
 * clamp at ±0.5), and two tensors made with phases 0.1 and 0.35 never come within 0.2 of each
 * other (maximum/minimum). Central differences across a kink would be meaningless.
 */
export function kinkFree(shape: readonly number[], phase = 0.1): Tensor {
  const u = noGrad(() => rand(shape.slice()));
  const k = randint(-4, 5, shape);
  return noGrad(() => k.float().mul(0.5).add(phase).add(u.mul(0.05))).requiresGrad_();
}
