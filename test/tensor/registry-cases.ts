// One or more small cases per registry primitive, for the loops in registry.test.ts. The table is
// typed by the registry's Primitive, so adding a primitive without a case does not compile (and a
// case list left empty fails the test). Each case's inputs come from the seeded generator.
import { Tensor } from '../../src/tensor/tensor.js';
import { manualSeed, randperm } from '../../src/tensor/rng.js';
import { rand, randint, randn, tensor } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import type { Primitive } from '../../src/tensor/ops/registry.js';
import * as F from '../../src/nn/functional.js';
import { cat } from '../../src/tensor/ops/shape.js';
import { conv2dActivation } from '../../src/tensor/ops/conv.js';
import { poolSpec } from '../../src/tensor/ops/pool.js';
import { batchNorm } from '../../src/tensor/ops/nn-batchnorm.js';
import { dropout } from '../../src/tensor/ops/nn-dropout.js';
import { kinkFree } from '../helpers/gradcheck.js';

/** A case: inputs (requiring grad where differentiated) and the function under test. */
export interface RegistryCase {
  name: string;
  inputs: () => Tensor[];
  fn: (...xs: Tensor[]) => Tensor;
  /** Finite-difference step and tolerances, when the defaults do not suit (see helpers/gradcheck). */
  gradcheck?: { eps?: number; atol?: number; rtol?: number };
}

const g = (t: Tensor): Tensor => t.requiresGrad_();
/** Distinct values (pairwise ≥ 0.1 apart), so a finite-difference step never changes which one wins a max. */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const p = randperm(n);
  return g(noGrad(() => new Tensor(Float32Array.from(p, (v) => (v - n / 2) * 0.1), shape, 'float32')));
}
const pos = (shape: number[]): Tensor => g(noGrad(() => rand(shape).add(0.5)));
const labels = (n: number, c: number): Tensor => randint(0, c, [n]);

/** A fused-pooling spec of a conv output, as Sequential builds it. */
const pooled = (kind: 'max' | 'avg', k: number) => (shape: readonly number[]) => poolSpec(kind, shape, k, {});

export const CASES: { readonly [P in Primitive]: readonly RegistryCase[] } = {
  add: [{ name: 'broadcast, alpha', inputs: () => [g(randn(2, 3)), g(randn(3))], fn: (a, b) => a!.add(b!, 0.5) }],
  sub: [{ name: 'broadcast, alpha', inputs: () => [g(randn(2, 1)), g(randn(2, 3))], fn: (a, b) => a!.sub(b!, 2) }],
  mul: [{ name: 'broadcast', inputs: () => [g(randn(2, 3)), g(randn(1, 3))], fn: (a, b) => a!.mul(b!) }],
  div: [{ name: 'broadcast', inputs: () => [g(randn(2, 3)), pos([3])], fn: (a, b) => a!.div(b!) }],
  pow: [{ name: 'tensor exponent', inputs: () => [pos([2, 3]), g(randn(2, 3))], fn: (a, b) => a!.pow(b!) }],
  maximum: [{ name: 'no ties', inputs: () => [kinkFree([2, 3]), kinkFree([2, 3], 0.35)], fn: (a, b) => a!.maximum(b!) }],
  minimum: [{ name: 'no ties', inputs: () => [kinkFree([2, 3]), kinkFree([3], 0.35)], fn: (a, b) => a!.minimum(b!) }],
  neg: [{ name: 'matrix', inputs: () => [g(randn(2, 3))], fn: (a) => a!.neg() }],
  exp: [{ name: 'matrix', inputs: () => [g(randn(2, 3))], fn: (a) => a!.exp() }],
  log: [{ name: 'positive', inputs: () => [pos([2, 3])], fn: (a) => a!.log() }],
  abs: [{ name: 'away from 0', inputs: () => [kinkFree([2, 3])], fn: (a) => a!.abs() }],
  sqrt: [{ name: 'positive', inputs: () => [pos([2, 3])], fn: (a) => a!.sqrt() }],
  square: [{ name: 'matrix', inputs: () => [g(randn(2, 3))], fn: (a) => a!.square() }],
  relu: [
    { name: 'F.relu', inputs: () => [kinkFree([2, 3])], fn: (a) => F.relu(a!) },
    { name: 'big (the wasm kernel path)', inputs: () => [kinkFree([2, 2100])], fn: (a) => a!.relu() },
  ],
  sigmoid: [{ name: 'big (the wasm kernel path)', inputs: () => [g(randn(2, 1100))], fn: (a) => a!.sigmoid() }],
  tanh: [{ name: 'matrix', inputs: () => [g(randn(3, 4))], fn: (a) => a!.tanh() }],
  clamp: [{ name: 'both bounds', inputs: () => [kinkFree([3, 4])], fn: (a) => a!.clamp(-0.5, 1) }],
  clone: [{ name: 'matrix', inputs: () => [g(randn(2, 3))], fn: (a) => a!.clone() }],
  add_: [{ name: 'Y += X (broadcast)', inputs: () => [g(randn(2, 3)), g(randn(3))], fn: (a, b) => { const y = a!.mul(1); y.add_(b!); return y; } }],
  mul_: [{ name: 'Y *= X', inputs: () => [g(randn(2, 3)), g(randn(2, 3))], fn: (a, b) => { const y = a!.mul(1); y.mul_(b!); return y; } }],
  div_: [{ name: 'Y /= X', inputs: () => [g(randn(2, 3)), pos([2, 3])], fn: (a, b) => { const y = a!.mul(1); y.div_(b!); return y; } }],
  copySlices: [{
    name: 'Y[:, 1:3] = v (broadcast)', inputs: () => [g(randn(3, 4)), g(randn(2))],
    fn: (a, v) => { const y = a!.mul(2); y.set([':', '1:3'], v!); return y.mul(a!); },
  }],
  reshape: [{ name: '[2, 3] → [3, 2]', inputs: () => [g(randn(2, 3))], fn: (a) => a!.reshape(3, 2).mul(tensor([1, 2])) }],
  permute: [{ name: '3-D', inputs: () => [g(randn(2, 3, 4))], fn: (a) => a!.permute(2, 0, 1) }],
  expand: [{ name: 'rows', inputs: () => [g(randn(1, 3))], fn: (a) => a!.expand(4, 3) }],
  cat: [{ name: 'dim 1', inputs: () => [g(randn(2, 3)), g(randn(2, 2))], fn: (a, b) => cat([a!, b!], 1) }],
  index: [
    { name: 'strided slice', inputs: () => [g(randn(4, 5))], fn: (a) => a!.get('1:4', [0, 5, 2]) },
    { name: 'select', inputs: () => [g(randn(3, 4))], fn: (a) => a!.get(1) },
  ],
  sum: [{ name: 'dims 0, 2 keepdim', inputs: () => [g(randn(2, 3, 4))], fn: (a) => a!.sum([0, 2], true) }],
  amax: [{ name: 'dim 1', inputs: () => [distinct([3, 4])], fn: (a) => a!.max(1) }],
  amin: [{ name: 'all', inputs: () => [distinct([3, 4])], fn: (a) => a!.min() }],
  logSoftmax: [{ name: 'dim 1', inputs: () => [g(randn(3, 5))], fn: (a) => a!.logSoftmax(1) }],
  matmul: [
    { name: 'mm', inputs: () => [g(randn(3, 4)), g(randn(4, 2))], fn: (a, b) => a!.matmul(b!) },
    { name: 'batched broadcast', inputs: () => [g(randn(2, 3, 4)), g(randn(4, 2))], fn: (a, b) => a!.matmul(b!) },
  ],
  linear: [{ name: 'with bias, 3-D input', inputs: () => [g(randn(2, 3, 4)), g(randn(5, 4)), g(randn(5))], fn: (x, w, b) => F.linear(x!, w!, b!) }],
  conv2d: [
    { name: 'bias, stride 2, padding', inputs: () => [g(randn(2, 2, 6, 6)), g(randn(3, 2, 3, 3)), g(randn(3))],
      fn: (x, w, b) => F.conv2d(x!, w!, b!, { stride: 2, padding: 1 }) },
    { name: 'groups, dilation, no bias', inputs: () => [g(randn(1, 4, 7, 7)), g(randn(4, 2, 3, 3))],
      fn: (x, w) => F.conv2d(x!, w!, null, { groups: 2, dilation: 2 }) },
    { name: 'fused tanh', inputs: () => [g(randn(2, 1, 5, 5)), g(randn(2, 1, 3, 3)), g(randn(2))],
      fn: (x, w, b) => F.conv2d(x!, w!, b!, { padding: 1, activation: 'tanh' }) },
    { name: 'fused sigmoid + avg pool', inputs: () => [g(randn(2, 1, 6, 6)), g(randn(2, 1, 3, 3)), g(randn(2))],
      fn: (x, w, b) => conv2dActivation(x!, w!, b!, { padding: 1 }, 'sigmoid', pooled('avg', 2)) },
    { name: 'fused relu + max pool', inputs: () => [g(randn(1, 1, 6, 6)), g(randn(2, 1, 3, 3)), g(randn(2))],
      fn: (x, w, b) => conv2dActivation(x!, w!, b!, { padding: 1 }, 'relu', pooled('max', 2)),
      gradcheck: { eps: 1e-3, atol: 5e-3, rtol: 3e-2 } },
  ],
  convTranspose2d: [
    { name: 'bias, stride 2, padding, output padding', inputs: () => [g(randn(2, 2, 3, 3)), g(randn(2, 3, 3, 3)), g(randn(3))],
      fn: (x, w, b) => F.convTranspose2d(x!, w!, b!, { stride: 2, padding: 1, outputPadding: 1 }) },
    { name: 'groups, dilation, no bias', inputs: () => [g(randn(1, 4, 4, 4)), g(randn(4, 1, 2, 2))],
      fn: (x, w) => F.convTranspose2d(x!, w!, null, { groups: 2, dilation: 2 }) },
  ],
  maxPool2d: [{ name: '3x3 stride 2 padding 1', inputs: () => [distinct([1, 2, 5, 5])], fn: (x) => F.maxPool2d(x!, 3, { stride: 2, padding: 1 }) }],
  avgPool2d: [{ name: 'padding, ceil mode', inputs: () => [g(randn(1, 2, 5, 5))], fn: (x) => F.avgPool2d(x!, 2, { padding: 1, ceilMode: true }) }],
  adaptiveAvgPool2d: [{ name: '5x5 → 2x3', inputs: () => [g(randn(1, 2, 5, 5))], fn: (x) => F.adaptiveAvgPool2d(x!, [2, 3]) }],
  batchNorm: [
    { name: 'training, affine', inputs: () => [g(randn(4, 3, 2, 2)), g(randn(3)), g(randn(3))],
      fn: (x, w, b) => batchNorm(x!, null, null, w!, b!, true) },
    { name: 'eval, running stats', inputs: () => [g(randn(2, 3, 2)), g(randn(3))],
      fn: (x, w) => batchNorm(x!, tensor([0.1, -0.2, 0.3]), tensor([1.5, 0.5, 2]), w!, null, false) },
    { name: 'training, fused relu', inputs: () => [kinkFree([4, 2, 3]), g(randn(2)), g(randn(2))],
      fn: (x, w, b) => batchNorm(x!, null, null, w!, b!, true, 0.1, 1e-5, 'relu'),
      gradcheck: { eps: 1e-3, atol: 5e-3, rtol: 3e-2 } },
  ],
  dropout: [{ name: 'p 0.3 (seeded mask)', inputs: () => [g(randn(4, 5))], fn: (x) => { manualSeed(11); return dropout(x!, 0.3); } }],
  crossEntropy: [
    { name: 'labels, mean', inputs: () => [g(randn(4, 5)), labels(4, 5)], fn: (x, y) => F.crossEntropy(x!, y!) },
    { name: 'labels, smoothing, ignore, none', inputs: () => [g(randn(4, 3)), tensor([0, 2, -100, 1], { dtype: 'int32' })],
      fn: (x, y) => F.crossEntropy(x!, y!, { labelSmoothing: 0.2, reduction: 'none' }) },
    { name: 'probabilities, sum', inputs: () => [g(randn(3, 4)), noGrad(() => randn(3, 4).softmax(1))],
      fn: (x, t) => F.crossEntropy(x!, t!, { reduction: 'sum' }) },
  ],
  nllLoss: [{ name: 'mean', inputs: () => [g(randn(4, 3)), labels(4, 3)], fn: (x, y) => F.nllLoss(x!, y!) }],
  mseLoss: [{ name: 'both sides', inputs: () => [g(randn(3, 2)), g(randn(3, 2))], fn: (a, b) => F.mseLoss(a!, b!) }],
};
