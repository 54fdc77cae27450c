import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Linear, LazyLinear } from '../../src/nn/linear.js';
import { Sequential } from '../../src/nn/container.js';
import { linear } from '../../src/tensor/ops/nn-linear.js';
import { randn, tensor } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertClose } from '../helpers/fixtures.js';

test('linear matches x @ W.T + b and broadcasts over leading dims', () => {
  manualSeed(0);
  const x = randn(2, 3, 4), w = randn(5, 4), b = randn(5);
  const y = linear(x, w, b);
  assert.deepEqual(y.shape, [2, 3, 5]);
  assertClose(y, x.matmul(w.t()).add(b));
  assertClose(linear(x, w, null), x.matmul(w.t()));
  const v = randn(4);
  assert.deepEqual(linear(v, w, b).shape, [5]);
});

test('linear gradients (input, weight, bias) pass gradcheck', () => {
  manualSeed(1);
  const x = randn(3, 4).requiresGrad_(), w = randn(2, 4).requiresGrad_(), b = randn(2).requiresGrad_();
  gradcheck((a, ww, bb) => linear(a, ww, bb), [x, w, b]);
  const x3 = randn(2, 2, 3).requiresGrad_(), w3 = randn(4, 3).requiresGrad_();
  gradcheck((a, ww) => linear(a, ww), [x3, w3]);
  // grad_fn names as PyTorch prints them.
  assert.equal(linear(x, w, b).gradFn!.name, 'AddmmBackward0');
  assert.equal(linear(x, w).gradFn!.name, 'MmBackward0');
  assert.equal(linear(x3, w3).gradFn!.name, 'UnsafeViewBackward0');
});

test('linear errors name the shapes', () => {
  assert.throws(() => linear(randn(2, 400), randn(120, 256)),
    /linear: mat1 and mat2 shapes cannot be multiplied \(2x400 and 256x120\): input has 400 features \(shape \[2, 400\]\) but weight expects 256 \(weight \[120, 256\]\)/);
  assert.throws(() => linear(tensor([[1, 2]], { dtype: 'int32' }), randn(3, 2)), /float32/);
  assert.throws(() => linear(randn(2, 1, 4, 4), randn(3, 16)), /\(8x4 and 16x3\): input has 4 features .*; flatten the input first/);
  assert.throws(() => linear(randn(3), randn(2, 4)), /linear: mat1 and mat2 shapes cannot be multiplied \(1x3 and 4x2\)/);
  assert.throws(() => linear(randn(1, 2), randn(3, 2), randn(4)), /bias must be .* 3 elements/);
});

test('Linear: shapes, PyTorch default init bound, repr, no-bias', () => {
  manualSeed(2);
  const l = new Linear(400, 120);
  assert.deepEqual(l.weight.shape, [120, 400]);
  assert.deepEqual(l.bias!.shape, [120]);
  const bound = 1 / Math.sqrt(400);
  let maxAbs = 0;
  for (const v of l.weight.data) maxAbs = Math.max(maxAbs, Math.abs(v));
  assert.ok(maxAbs <= bound && maxAbs > 0.9 * bound, `weight max |w| ${maxAbs} vs bound ${bound}`);
  for (const v of l.bias!.data) assert.ok(Math.abs(v) <= bound);
  assert.equal(l.toString(), 'Linear(in_features=400, out_features=120, bias=True)');
  assert.deepEqual(l.namedParameters().map(([n]) => n), ['weight', 'bias']);
  const nb = new Linear(3, 2, { bias: false });
  assert.equal(nb.bias, null);
  assert.deepEqual(nb.namedParameters().map(([n]) => n), ['weight']);
  assert.equal(nb.toString(), 'Linear(in_features=3, out_features=2, bias=False)');
  assert.deepEqual(nb.call(randn(4, 3)).shape, [4, 2]);
});

test('LazyLinear infers in_features, becomes Linear, and registers parameters in order', () => {
  manualSeed(3);
  const net = new Sequential(new LazyLinear(7), new LazyLinear(2, { bias: false }));
  assert.equal(net.toString().includes('LazyLinear(in_features=0, out_features=7, bias=True)'), true);
  const y = net.call(randn(5, 11));
  assert.deepEqual(y.shape, [5, 2]);
  const first = net.at(0) as Linear;
  assert.ok(first instanceof Linear);
  assert.equal(first.constructor.name, 'Linear');
  assert.equal(first.inFeatures, 11);
  assert.deepEqual(net.namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`), ['0.weight:7x11', '0.bias:7', '1.weight:2x7']);
  const bound = 1 / Math.sqrt(11);
  for (const v of first.weight.data) assert.ok(Math.abs(v) <= bound);
  // Gradients reach the materialised parameters.
  net.call(randn(5, 11)).sum().backward();
  assert.ok(first.weight.grad !== null && first.bias!.grad !== null);
  // A second call with another width is an error naming the shapes, not a re-init.
  assert.throws(() => net.call(randn(5, 12)), /12 features .* expects 11/);
});

test('LazyLinear loads a state dict before any forward', () => {
  manualSeed(4);
  const src = new Linear(3, 2);
  const lazy = new LazyLinear(2);
  lazy.loadStateDict(src.stateDict());
  const x = randn(4, 3);
  assertClose(lazy.call(x), src.call(x));
  assert.ok(lazy instanceof Linear);
});

test('Linear module gradcheck over input and both parameters', () => {
  manualSeed(5);
  const m = new Linear(3, 2);
  const x = randn(4, 3).requiresGrad_();
  gradcheck((a, w, b) => linear(a, w, b), [x, m.weight, m.bias!]);
  gradcheck((a) => m.call(a), [x]);
});
