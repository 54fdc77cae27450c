// The computation the browser test runs in a page and in Node, to compare the numbers: a matmul,
// and conv2d forward + backward on a Winograd layer and a LeNet-like direct-kernel layer. Uses
// only universal modules (the page is bundled for the browser from them).
import { getBackend } from '../../src/backend/index.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { randn } from '../../src/tensor/creation.js';
import { conv2d } from '../../src/tensor/ops/conv.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/** Results by name (flat float arrays), plus the backend that computed them. */
export interface CheckResults { backend: string; values: Record<string, number[]> }

/** Runs the checks on the active backend. */
export function runChecks(): CheckResults {
  manualSeed(1);
  const values: Record<string, number[]> = {};
  const flat = (t: Tensor): number[] => Array.from(t.toFloat32Array());
  values['matmul'] = flat(randn(64, 96).matmul(randn(96, 80)));
  const layers: [string, number[], number[], number][] = [
    ['winograd', [16, 8, 16, 16], [16, 8, 3, 3], 1],
    ['direct', [32, 1, 28, 28], [6, 1, 5, 5], 2],
  ];
  for (const [name, xs, ws, padding] of layers) {
    const x = randn(xs); x.requiresGrad = true;
    const w = randn(ws); w.requiresGrad = true;
    const b = randn(ws[0]!); b.requiresGrad = true;
    const y = conv2d(x, w, b, { padding });
    const coef = randn(y.shape.slice());
    y.mul(coef).sum().backward();
    values[`${name}.y`] = flat(y);
    values[`${name}.dx`] = flat(x.grad!);
    values[`${name}.dw`] = flat(w.grad!);
    values[`${name}.db`] = flat(b.grad!);
  }
  return { backend: getBackend().name, values };
}
