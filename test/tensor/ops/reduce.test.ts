import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../../src/tensor/tensor.js';
import { randn, manualSeed, tensor, fromArray, randperm } from '../../../src/index.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import { runCases, dims, num, type OpTable } from '../../helpers/cases.js';

const kd = (p: Record<string, unknown>): boolean => p['keepdim'] === true;
const ops: OpTable = {
  sum: (xs, p) => xs[0]!.sum(dims(p), kd(p)),
  mean: (xs, p) => xs[0]!.mean(dims(p), kd(p)),
  max: (xs, p) => xs[0]!.max(dims(p), kd(p)),
  min: (xs, p) => xs[0]!.min(dims(p), kd(p)),
  var: (xs, p) => xs[0]!.var(dims(p), { unbiased: p['unbiased'] as boolean, keepdim: kd(p) }),
  std: (xs, p) => xs[0]!.std(dims(p), { unbiased: p['unbiased'] as boolean, keepdim: kd(p) }),
  argmax: (xs, p) => xs[0]!.argmax(dims(p) as number | undefined, kd(p)),
  argmin: (xs, p) => xs[0]!.argmin(dims(p) as number | undefined, kd(p)),
  softmax: (xs, p) => xs[0]!.softmax(num(p, 'dim')),
  logSoftmax: (xs, p) => xs[0]!.logSoftmax(num(p, 'dim')),
};

runCases('reduce', ops);

test('gradcheck: every differentiable reduction', () => {
  manualSeed(3);
  const fns: [string, (a: Tensor) => Tensor][] = [
    ['sum', (a) => a.sum()], ['sum 1', (a) => a.sum(1)], ['sum [0,2] keepdim', (a) => a.sum([0, 2], true)],
    ['mean', (a) => a.mean()], ['mean -1', (a) => a.mean(-1, true)], ['mean [0,1]', (a) => a.mean([0, 1])],
    ['max', (a) => a.max()], ['max 1', (a) => a.max(1)], ['min [0,2]', (a) => a.min([0, 2], true)],
    ['var', (a) => a.var()], ['var 1 biased', (a) => a.var(1, { unbiased: false })],
    ['std', (a) => a.std()], ['std [0,2]', (a) => a.std([0, 2], { keepdim: true })],
    ['softmax 0', (a) => a.softmax(0)], ['softmax -1', (a) => a.softmax(-1)],
    ['logSoftmax 1', (a) => a.logSoftmax(1)],
  ];
  // Values 0.1 apart, so no two are within the finite-difference step of each other (max/min kinks).
  const distinct = () => fromArray(Float32Array.from(randperm(24), (v) => v * 0.1 - 1), [2, 3, 4]).requiresGrad_();
  for (const [name, f] of fns) {
    assert.doesNotThrow(() => gradcheck(f, [name.startsWith('m') ? distinct() : randn(2, 3, 4).requiresGrad_()]), name);
  }
});

test('softmax stays finite on huge logits', () => {
  const s = tensor([[1e4, 0, -1e4]]).softmax(1);
  assert.deepEqual(s.tolist(), [[1, 0, 0]]);
});

test('reduction errors name the op', () => {
  assert.throws(() => randn(2, 3).sum(2), /sum: dimension out of range.*\[-2, 1\].*got 2/);
  assert.throws(() => randn(2, 3).mean(-3), /mean: dimension out of range/);
  assert.throws(() => randn(2, 3).softmax(5), /^Error: softmax: dimension out of range/);
  assert.throws(() => randn(2, 3).logSoftmax(-3), /^Error: logSoftmax: dimension out of range/);
  assert.throws(() => tensor([1, 2], { dtype: 'int32' }).softmax(0), /softmax: expected a float32 tensor, got int32/);
  assert.throws(() => randn(0).max(), /max: cannot reduce an empty tensor of shape \[0\]/);
  assert.throws(() => randn(0, 3).min(0), /min: cannot reduce an empty tensor of shape \[0, 3\] over a dimension of size 0/);
  assert.deepEqual(randn(0, 3).max(1).shape, [0]);
  assert.deepEqual(randn(0, 3).argmax(1).shape, [0]);
  assert.throws(() => randn(0, 3).argmax(0), /argmax: expected a non-empty dimension to reduce, got shape \[0, 3\] and dim 0/);
  assert.throws(() => randn(0).argmax(), /argmax: expected a non-empty dimension/);
  assert.throws(() => tensor([1, 2], { dtype: 'int32' }).mean(), /mean: .*int32/);
  assert.throws(() => randn(2, 3).argmax(4), /argmax: dimension out of range/);
  assert.throws(() => randn(2, 3).sum([1, -1]), /sum: a dim appears multiple times in the list of dims \[1, -1\]/);
});
