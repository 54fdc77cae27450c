import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossEntropy, nllLoss, mseLoss } from '../../src/tensor/ops/nn-loss.js';
import { CrossEntropyLoss, MSELoss } from '../../src/nn/loss.js';
import { randn, tensor, randint } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertClose } from '../helpers/fixtures.js';

const labels = (xs: number[]) => tensor(xs, { dtype: 'int32' });

test('crossEntropy equals -mean(logSoftmax[i, y_i]) and is stable for huge logits', () => {
  manualSeed(6);
  const x = randn(4, 5), y = labels([0, 4, 2, 2]);
  const ls = x.logSoftmax(1);
  let ref = 0;
  for (let i = 0; i < 4; i++) ref -= ls.data[i * 5 + y.data[i]!]!;
  assert.ok(Math.abs(crossEntropy(x, y).item() - ref / 4) < 1e-5);
  assert.ok(Math.abs(crossEntropy(x, y, { reduction: 'sum' }).item() - ref) < 1e-4);
  assert.deepEqual(crossEntropy(x, y, { reduction: 'none' }).shape, [4]);
  const xg = x.detach().requiresGrad_();
  assert.equal(crossEntropy(xg, y).gradFn!.name, 'NllLossBackward0');
  assert.equal(crossEntropy(xg, y, { labelSmoothing: 0.1 }).gradFn!.name, 'AddBackward0');
  const big = tensor([[1000, 0, -1000], [-1e4, 1e4, 0]]);
  const l = crossEntropy(big, labels([0, 0]), { reduction: 'none' });
  assert.ok(Math.abs(l.data[0]!) < 1e-6 && Math.abs(l.data[1]! - 2e4) < 1);
});

test('crossEntropy gradient is (softmax - onehot)/N; gradcheck for every mode', () => {
  manualSeed(7);
  const x = randn(3, 4).requiresGrad_(), y = labels([1, 3, 0]);
  crossEntropy(x, y).backward();
  const sm = x.detach().softmax(1);
  for (let i = 0; i < 3; i++) sm.data[i * 4 + y.data[i]!] -= 1;
  assertClose(x.grad!, sm.div(3));
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    gradcheck((a) => crossEntropy(a, y, { reduction }), [x]);
    gradcheck((a) => crossEntropy(a, y, { reduction, labelSmoothing: 0.2 }), [x]);
  }
  const probs = randn(3, 4).softmax(1);
  gradcheck((a) => crossEntropy(a, probs), [x]);
  gradcheck((a) => crossEntropy(a, probs, { labelSmoothing: 0.1, reduction: 'none' }), [x]);
});

test('crossEntropy label smoothing and probability targets agree with their definitions', () => {
  manualSeed(8);
  const x = randn(2, 3), y = labels([2, 0]);
  const eps = 0.3;
  const onehotSmoothed = tensor([[0.1, 0.1, 0.8], [0.8, 0.1, 0.1]]);
  assert.ok(Math.abs(crossEntropy(x, y, { labelSmoothing: eps }).item() - crossEntropy(x, onehotSmoothed).item()) < 1e-5);
  const manual = x.logSoftmax(1).mul(onehotSmoothed).sum(1).neg().mean();
  assert.ok(Math.abs(crossEntropy(x, onehotSmoothed).item() - manual.item()) < 1e-5);
});

test('crossEntropy ignoreIndex skips rows and divides by the kept count', () => {
  const x = randn(3, 4).requiresGrad_();
  const full = crossEntropy(x, labels([1, -100, 2]), { reduction: 'none' });
  assert.equal(full.data[1], 0);
  const m = crossEntropy(x, labels([1, -100, 2]));
  assert.ok(Math.abs(m.item() - (full.data[0]! + full.data[2]!) / 2) < 1e-5);
  m.backward();
  assert.deepEqual([...x.grad!.data.slice(4, 8)], [0, 0, 0, 0]);
});

test('crossEntropy validates labels: range, shape, dtype', () => {
  const x = randn(5, 10);
  assert.throws(() => crossEntropy(x, labels([1, 2, 3, 12, 0])), /crossEntropy: target label 12 out of range for 10 classes at index 3/);
  assert.throws(() => crossEntropy(x, labels([1, 2, -1, 0, 0])), /label -1 out of range .* index 2/);
  assert.throws(() => crossEntropy(x, labels([1, 2])), /needs a target of shape \[5\].*got \[2\]/);
  assert.throws(() => crossEntropy(x, labels([1, 2, 3, 4, 5]).reshape(5, 1)), /got \[5, 1\]; use target.reshape\(-1\)/);
  assert.throws(() => crossEntropy(x, tensor([1, 2, 3, 4, 5])), /float targets are class probabilities/);
  assert.throws(() => crossEntropy(randn(2, 3, 4), labels([0, 1])), /expected input of shape \[N, C\]/);
  assert.throws(() => crossEntropy(x, randint(0, 10, [5]), { reduction: 'avg' as 'mean' }), /reduction must be/);
});

test('CrossEntropyLoss and MSELoss modules', () => {
  const x = randn(4, 3), y = labels([0, 1, 2, 1]);
  assert.equal(new CrossEntropyLoss().call(x, y).item(), crossEntropy(x, y).item());
  assert.equal(new CrossEntropyLoss({ reduction: 'sum' }).call(x, y).item(), crossEntropy(x, y, { reduction: 'sum' }).item());
  const a = tensor([1, 2, 3]), b = tensor([1, 0, 0]);
  assert.ok(Math.abs(new MSELoss().call(a, b).item() - 13 / 3) < 1e-6);
  assert.equal(new MSELoss({ reduction: 'sum' }).call(a, b).item(), 13);
  assert.deepEqual(mseLoss(a, b, { reduction: 'none' }).tolist(), [0, 4, 9]);
});

test('mseLoss gradients for input and target; shape mismatch is an error', () => {
  const a = randn(3, 2).requiresGrad_(), b = randn(3, 2).requiresGrad_();
  gradcheck((p, q) => mseLoss(p, q), [a, b]);
  gradcheck((p, q) => mseLoss(p, q, { reduction: 'none' }), [a, b]);
  assert.throws(() => mseLoss(randn(4), randn(4, 1)), /mseLoss: input \[4\] and target \[4, 1\] must have the same shape/);
});

test('nllLoss picks -logp at the label and passes gradcheck', () => {
  const lp = randn(3, 4).logSoftmax(1).detach().requiresGrad_();
  const y = labels([3, 0, 1]);
  const expected = -(lp.data[3]! + lp.data[4]! + lp.data[9]!) / 3;
  assert.ok(Math.abs(nllLoss(lp, y).item() - expected) < 1e-6);
  gradcheck((p) => nllLoss(p, y, { reduction: 'sum' }), [lp]);
  assert.ok(Math.abs(nllLoss(lp.logSoftmax(1), y).item() - crossEntropy(lp, y).item()) < 1e-5);
});
