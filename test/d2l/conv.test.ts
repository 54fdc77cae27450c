/** d2l's from-scratch convolution and pooling: agreement with F.conv2d / pooling ops, and autograd through them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, tensor, zeros } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { conv2d } from '../../src/tensor/ops/conv.js';
import { avgPool2d, maxPool2d } from '../../src/tensor/ops/pool.js';
import { LazyConv2d } from '../../src/nn/conv.js';
import * as d2l from '../../src/d2l/index.js';
import { assertClose } from '../helpers/fixtures.js';
import { gradcheck } from '../helpers/gradcheck.js';

test('corr2d equals F.conv2d on a single channel and is differentiable in X and K', () => {
  manualSeed(21);
  const X = randn([5, 6]).requiresGrad_(), K = randn([2, 3]).requiresGrad_();
  assertClose(d2l.corr2d(X, K), conv2d(X.reshape(1, 1, 5, 6), K.reshape(1, 1, 2, 3)).reshape(4, 4));
  gradcheck((X, K) => d2l.corr2d(X, K), [X, K]);
});

test('corr2dMultiInOut equals F.conv2d, and the 1x1 form equals both (within float32 rounding)', () => {
  manualSeed(22);
  const X = randn([3, 4, 5]), K = randn([2, 3, 2, 2]);
  assertClose(d2l.corr2dMultiInOut(X, K), conv2d(X.unsqueeze(0), K).squeeze(0));
  for (let i = 0; i < 5; i++) {
    const X1 = randn([3, 3, 3]), K1 = randn([2, 3, 1, 1]);
    assertClose(d2l.corr2dMultiInOut1x1(X1, K1), d2l.corr2dMultiInOut(X1, K1), { atol: 1e-5 });
  }
});

test('d2l helpers reject mismatched shapes with the shapes in the message', () => {
  assert.throws(() => d2l.corr2d(zeros([2, 2]), zeros([3, 3])), /corr2d: kernel \[3, 3\] is larger than the input \[2, 2\]/);
  assert.throws(() => d2l.corr2dMultiIn(zeros([2, 3, 3]), zeros([3, 2, 2])), /corr2dMultiIn: .* got X \[2, 3, 3\] and K \[3, 2, 2\]/);
  assert.throws(() => d2l.pool2d(zeros([2, 2]), [3, 3]), /pool2d: .*\[2, 2\]/);
  assert.throws(() => d2l.pool2d(zeros([3, 3]), [2, 2], 'min' as 'max'), /pool2d: mode must be 'max' or 'avg', got 'min'/);
});

test('pool2d equals maxPool2d / avgPool2d with stride 1, and passes gradients', () => {
  manualSeed(23);
  const X = randn([4, 5]);
  const X4 = X.reshape(1, 1, 4, 5);
  assertClose(d2l.pool2d(X, [2, 3]), maxPool2d(X4, [2, 3], { stride: 1 }).reshape(3, 3));
  assertClose(d2l.pool2d(X, [2, 3], 'avg'), avgPool2d(X4, [2, 3], { stride: 1 }).reshape(3, 3));
  const Xg = randn([3, 4]).requiresGrad_();
  gradcheck((x) => d2l.pool2d(x, [2, 2], 'avg'), [Xg]);
  const Xm = tensor([[0.1, 0.9, 0.3], [0.5, 0.2, 0.8], [0.7, 0.4, 0.6]]).requiresGrad_();
  gradcheck((x) => d2l.pool2d(x, [2, 2]), [Xm], { eps: 1e-3 });
});

test('Conv2D (hand-written layer) has weight and bias parameters and gradients for both', () => {
  manualSeed(24);
  const layer = new d2l.Conv2D([1, 2]);
  assert.deepEqual(layer.namedParameters().map(([n, p]) => [n, [...p.shape]]), [['weight', [1, 2]], ['bias', [1]]]);
  for (const v of layer.weight.data) assert.ok(v >= 0 && v < 1, 'torch.rand init in [0, 1)');
  const X = randn([3, 4]);
  const y = layer.call(X);
  assertClose(y, d2l.corr2d(X, layer.weight).add(layer.bias));
  y.sum().backward();
  assertClose(layer.bias.grad!, tensor([9]));
  assertClose(layer.weight.grad!, tensor([[X.get(':', '0:3').sum().item(), X.get(':', '1:4').sum().item()]]));
});

test('compConv2d strips batch and channel dims (d2l 7.3)', () => {
  const X = randn([8, 8]);
  assert.deepEqual(d2l.compConv2d(new LazyConv2d(1, { kernelSize: [3, 5], padding: [0, 1], stride: [3, 4] }), X).shape, [2, 2]);
  assert.equal(d2l.torchSize([1, 6, 28, 28]), 'torch.Size([1, 6, 28, 28])');
});
