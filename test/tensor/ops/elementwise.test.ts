import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../../src/tensor/tensor.js';
import { randn, rand, tensor, manualSeed } from '../../../src/index.js';
import { maximum, minimum } from '../../../src/tensor/ops/elementwise.js';
import { gradcheck, kinkFree } from '../../helpers/gradcheck.js';
import { runCases, num, optNum, type OpTable } from '../../helpers/cases.js';

const bin = (f: (a: Tensor, b: Tensor) => Tensor) => (xs: Tensor[]) => f(xs[0]!, xs[1]!);
const un = (f: (a: Tensor) => Tensor) => (xs: Tensor[]) => f(xs[0]!);
const cmp = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const;

const ops: OpTable = {
  neg: un((a) => a.neg()), exp: un((a) => a.exp()), log: un((a) => a.log()), abs: un((a) => a.abs()),
  sqrt: un((a) => a.sqrt()), square: un((a) => a.square()), relu: un((a) => a.relu()),
  sigmoid: un((a) => a.sigmoid()), tanh: un((a) => a.tanh()),
  clamp: (xs, p) => xs[0]!.clamp(optNum(p, 'min'), optNum(p, 'max')),
  add: bin((a, b) => a.add(b)), sub: bin((a, b) => a.sub(b)), mul: bin((a, b) => a.mul(b)),
  div: bin((a, b) => a.div(b)), pow: bin((a, b) => a.pow(b)),
  maximum: bin((a, b) => maximum(a, b)), minimum: bin((a, b) => minimum(a, b)),
  add_alpha: (xs, p) => xs[0]!.add(xs[1]!, num(p, 'alpha')),
  sub_alpha: (xs, p) => xs[0]!.sub(xs[1]!, num(p, 'alpha')),
  add_scalar: (xs, p) => xs[0]!.add(num(p, 'scalar')), sub_scalar: (xs, p) => xs[0]!.sub(num(p, 'scalar')),
  mul_scalar: (xs, p) => xs[0]!.mul(num(p, 'scalar')), div_scalar: (xs, p) => xs[0]!.div(num(p, 'scalar')),
  pow_scalar: (xs, p) => xs[0]!.pow(num(p, 'scalar')),
  maximum_scalar: (xs, p) => xs[0]!.maximum(num(p, 'scalar')),
  minimum_scalar: (xs, p) => xs[0]!.minimum(num(p, 'scalar')),
  sum: un((a) => a.sum()),
  int: un((a) => a.int()),
};
for (const k of cmp) {
  ops[k] = bin((a, b) => a[k](b));
  ops[`${k}_scalar`] = (xs, p) => xs[0]![k](num(p, 'scalar'));
}

runCases('elementwise', ops);

test('gradcheck: every differentiable elementwise op', () => {
  manualSeed(1);
  const x = () => randn(3, 4).requiresGrad_();
  const kf = () => kinkFree([3, 4]);
  const pos = () => rand(3, 4).add(0.5).detach().requiresGrad_();
  const unary: [string, (a: Tensor) => Tensor, () => Tensor][] = [
    ['neg', (a) => a.neg(), x], ['exp', (a) => a.exp(), x], ['log', (a) => a.log(), pos],
    ['abs', (a) => a.abs(), kf], ['sqrt', (a) => a.sqrt(), pos], ['square', (a) => a.square(), x],
    ['relu', (a) => a.relu(), kf], ['sigmoid', (a) => a.sigmoid(), x], ['tanh', (a) => a.tanh(), x],
    ['clamp', (a) => a.clamp(-0.5, 0.5), kf], ['clone', (a) => a.clone(), x],
  ];
  for (const [name, f, make] of unary) {
    assert.doesNotThrow(() => gradcheck(f, [make()]), name);
  }
  const pairs: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ['add', (a, b) => a.add(b)], ['sub', (a, b) => a.sub(b, 2)], ['mul', (a, b) => a.mul(b)],
    ['div', (a, b) => a.div(b.abs().add(0.5))], ['pow', (a, b) => a.abs().add(0.5).pow(b)],
    ['maximum', (a, b) => a.maximum(b)], ['minimum', (a, b) => a.minimum(b)],
  ];
  for (const [name, f] of pairs) {
    for (const [sa, sb] of [[[3, 4], [3, 4]], [[3, 1], [1, 4]], [[2, 3, 4], [4]], [[5], []]] as number[][][]) {
      const kinked = name === 'maximum' || name === 'minimum';
      const a = kinked ? kinkFree(sa!, 0.1) : randn(sa!).requiresGrad_();
      const b = kinked ? kinkFree(sb!, 0.35) : randn(sb!).requiresGrad_();
      assert.doesNotThrow(() => gradcheck(f, [a, b]), `${name} ${sa}x${sb}`);
    }
  }
});

test('int tensors: arithmetic stays int, division is float, comparisons are bool', () => {
  const a = tensor([1, 2, 3], { dtype: 'int32' });
  assert.equal(a.add(a).dtype, 'int32');
  assert.equal(a.mul(2).dtype, 'int32');
  assert.equal(a.add(0.5).dtype, 'float32');
  assert.equal(a.div(2).dtype, 'float32');
  assert.deepEqual(a.div(2).tolist(), [0.5, 1, 1.5]);
  assert.equal(a.gt(1).dtype, 'bool');
  const m = tensor([-2, 3], { dtype: 'int32' });
  assert.deepEqual([m.relu(), m.abs(), m.square()].map((t) => [t.dtype, t.tolist()]),
    [['int32', [0, 3]], ['int32', [2, 3]], ['int32', [4, 9]]]);
  assert.equal(m.exp().dtype, 'float32');
  assert.deepEqual(a.gt(1).tolist(), [false, true, true]);
});

test('int and bool misuse is an error, not a silently wrong value', () => {
  const i = tensor([2, 3], { dtype: 'int32' });
  assert.throws(() => i.pow(-1), /pow: integers to negative integer powers are not allowed \(base dtype int32, shape \[2\]\)/);
  assert.deepEqual(i.pow(2).tolist(), [4, 9]);
  assert.deepEqual(i.float().pow(-1).tolist(), [0.5, 1 / 3].map(Math.fround));
  assert.throws(() => tensor([true, false]).neg(), /neg: negation of a bool tensor \(shape \[2\]\) is not supported/);
  const m = tensor([true, false, false]);
  m.add_(tensor([true, true, false]));  // |= like PyTorch's bool add_
  assert.deepEqual(m.tolist(), [true, true, false]);
  assert.throws(() => tensor([true]).sub(tensor([false])), /sub: subtracting two bool tensors \(shapes \[1\] and \[1\]\) is not supported/);
});
