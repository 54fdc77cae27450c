import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchNorm1d, BatchNorm2d, LazyBatchNorm1d, LazyBatchNorm2d } from '../../src/nn/batchnorm.js';
import { batchNorm } from '../../src/tensor/ops/nn-batchnorm.js';
import { Sequential } from '../../src/nn/container.js';
import { randn, tensor } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertClose } from '../helpers/fixtures.js';

test('BatchNorm2d training: per-channel zero mean, unit biased variance; running stats use unbiased var', () => {
  manualSeed(10);
  const bn = new BatchNorm2d(3);
  const x = randn(4, 3, 2, 2).mul(3).add(1);
  const y = bn.call(x);
  const m = y.mean([0, 2, 3]);
  const v = y.var([0, 2, 3], { unbiased: false });
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(m.data[c]!) < 1e-5);
    assert.ok(Math.abs(v.data[c]! - 1) < 1e-3);
  }
  const bm = x.mean([0, 2, 3]), bv = x.var([0, 2, 3]); // unbiased
  assertClose(bn.runningMean!, bm.mul(0.1));
  assertClose(bn.runningVar!, bv.mul(0.1).add(0.9));
  assert.equal(bn.numBatchesTracked!.item(), 1);
  assert.equal(bn.numBatchesTracked!.dtype, 'int32');
});

test('BatchNorm eval uses running stats; momentum null is a cumulative average', () => {
  manualSeed(11);
  const bn = new BatchNorm1d(2, { momentum: null });
  const x1 = randn(5, 2), x2 = randn(5, 2).add(2);
  bn.call(x1); bn.call(x2);
  assertClose(bn.runningMean!, x1.mean(0).add(x2.mean(0)).div(2));
  assertClose(bn.runningVar!, x1.var(0).add(x2.var(0)).div(2));
  bn.eval();
  const x = randn(3, 2);
  const y = bn.call(x);
  assertClose(y, x.sub(bn.runningMean!).div(bn.runningVar!.add(1e-5).sqrt()));
  assert.equal(bn.numBatchesTracked!.item(), 2, 'eval does not count batches');
  // Batch of 1 is fine in eval, an error in training.
  assert.deepEqual(bn.call(randn(1, 2)).shape, [1, 2]);
  bn.train();
  assert.throws(() => bn.call(randn(1, 2)), /expected more than 1 value per channel when training, got input size \[1, 2\]/);
  assert.equal(bn.numBatchesTracked!.item(), 2, 'a rejected batch is not counted');
});

test('BatchNorm1d accepts [N, C, L]; trackRunningStats false always uses batch stats', () => {
  const bn = new BatchNorm1d(3, { trackRunningStats: false, affine: false });
  assert.deepEqual(bn.namedParameters(), []);
  assert.deepEqual([...bn.stateDict().keys()], []);
  bn.eval();
  const x = randn(2, 3, 4);
  const y = bn.call(x);
  assert.ok(Math.abs(y.mean([0, 2]).data[1]!) < 1e-5);
  assert.throws(() => new BatchNorm1d(3).call(randn(2, 3, 4, 5)), /BatchNorm1d: expected 2D or 3D input \(got 4D input/);
  assert.throws(() => new BatchNorm2d(3).call(randn(2, 3)), /BatchNorm2d: expected 4D input \(got 2D input/);
  assert.throws(() => new BatchNorm2d(6).call(randn(2, 3, 4, 4)), /input has 3 channels .* num_features=6/);
});

test('BatchNorm names, state dict and repr follow PyTorch', () => {
  const bn = new BatchNorm2d(6);
  assert.deepEqual([...bn.stateDict().keys()], ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
  assert.equal(bn.toString(), 'BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
  assert.equal(new BatchNorm1d(4, { momentum: null, eps: 0.001 }).toString(), 'BatchNorm1d(4, eps=0.001, momentum=None, affine=True, track_running_stats=True)');
  assert.deepEqual([...bn.weight!.data], [1, 1, 1, 1, 1, 1]);
  assert.deepEqual([...bn.bias!.data], [0, 0, 0, 0, 0, 0]);
});

test('BatchNorm gradients (train and eval) pass gradcheck', () => {
  manualSeed(12);
  const x = randn(3, 2, 2, 2).requiresGrad_();
  const bn = new BatchNorm2d(2);
  bn.weight!.data.set([1.5, -0.5]);
  bn.bias!.data.set([0.2, 0.1]);
  gradcheck((a, w, b) => batchNorm(a, null, null, w, b, true, 0.1, 1e-5), [x, bn.weight!, bn.bias!], { atol: 5e-3 });
  gradcheck((a) => bn.call(a), [x], { atol: 5e-3 });
  const x1 = randn(4, 3).requiresGrad_();
  gradcheck((a) => new BatchNorm1d(3).call(a), [x1], { atol: 5e-3 });
  bn.eval();
  gradcheck((a, w, b) => bn.call(a), [x, bn.weight!, bn.bias!]);
});

test('LazyBatchNorm2d infers channels and becomes BatchNorm2d', () => {
  const net = new Sequential(new LazyBatchNorm2d(), new LazyBatchNorm1d({ affine: false }));
  assert.ok(net.toString().includes('LazyBatchNorm2d(0, eps=1e-05'));
  const bn = net.at(0) as BatchNorm2d;
  bn.call(randn(2, 5, 3, 3));
  assert.ok(bn instanceof BatchNorm2d);
  assert.equal(bn.constructor.name, 'BatchNorm2d');
  assert.equal(bn.numFeatures, 5);
  assert.deepEqual([...bn.stateDict().entries()].map(([k, v]) => `${k}:${v.shape.join('x')}`),
    ['weight:5', 'bias:5', 'running_mean:5', 'running_var:5', 'num_batches_tracked:']);
  assert.equal(bn.numBatchesTracked!.item(), 1);
  const bn1 = net.at(1) as BatchNorm1d;
  bn1.call(randn(4, 7));
  assert.equal(bn1.numFeatures, 7);
  assert.deepEqual(bn1.namedParameters(), []);
  assert.throws(() => bn.call(randn(2, 4, 3, 3)), /input has 4 channels/);
});

test('functional batchNorm validates its arguments', () => {
  assert.throws(() => batchNorm(randn(2, 3), null, null), /required when not training/);
  assert.throws(() => batchNorm(randn(2, 3), tensor([0, 0]), tensor([1, 1])), /running_mean should be a float32 vector of 3 elements/);
  assert.throws(() => batchNorm(randn(3), null, null, null, null, true), /expected input of shape \[N, C, \*\]/);
});

test('BatchNorm under noGrad (inference fast path) equals the recorded path, train and eval', () => {
  manualSeed(16);
  const a = new BatchNorm2d(3), b = new BatchNorm2d(3);
  for (const m of [a, b]) { m.weight!.data.set([0.5, 2, -1]); m.bias!.data.set([1, 0, -2]); }
  const x = randn(2, 3, 4, 4).mul(2).add(1);
  const recorded = a.call(x);
  assert.ok(recorded.requiresGrad);
  const fast = noGrad(() => b.call(x));
  assert.equal(fast.requiresGrad, false);
  assertClose(fast, recorded);
  assertClose(b.runningVar!, a.runningVar!);
  a.eval(); b.eval();
  assertClose(noGrad(() => b.call(x)), a.call(x));
});
