import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../../src/tensor/tensor.js';
import { randn, manualSeed, ones, zeros, arange, tensor } from '../../../src/index.js';
import type { Index } from '../../../src/tensor/ops/indexing.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import { runCases, num, type OpTable } from '../../helpers/cases.js';

const idx = (p: Record<string, unknown>): Index[] => p['index'] as Index[];
const ops: OpTable = {
  get: (xs, p) => xs[0]!.get(...idx(p)),
  // The fixture assigns into y = base * 1 so the base itself is a leaf that receives a gradient.
  set: (xs, p) => xs[0]!.mul(1).set(idx(p), xs[1]!),
  set_scalar: (xs, p) => xs[0]!.mul(1).set(idx(p), num(p, 'scalar')),
};

runCases('indexing', ops);

test('gradcheck: get and set', () => {
  manualSeed(5);
  const specs: Index[][] = [[1], [':', '2:5'], ['1:', '::2'], ['-2:', '-4:-1', 1], ['...', 3], [[0, 4, 3], [1, 5], [null, null, 2]]];
  for (const s of specs) assert.doesNotThrow(() => gradcheck((a) => a.get(...s), [randn(4, 6, 5).requiresGrad_()]), JSON.stringify(s));
  assert.doesNotThrow(() => gradcheck((b, v) => b.mul(1).set([':', '2:6'], v), [randn(6, 8).requiresGrad_(), randn(6, 1).requiresGrad_()]));
  assert.doesNotThrow(() => gradcheck((b, v) => b.exp().add(1).set(['1::2', 3], v.sigmoid()), [randn(6, 8).requiresGrad_(), randn(3).requiresGrad_()]));
});

test('X[:, 2:6] = 0 and reading a window, as in the d2l edge-detection example', () => {
  const X = ones(6, 8);
  X.set([':', '2:6'], 0);
  assert.deepEqual(X.get(':', '1:3').tolist(), Array(6).fill([1, 0]));
  const W = arange(16).reshape(4, 4);
  assert.deepEqual(W.get([1, 3], [2, 4]).tolist(), [[6, 7], [10, 11]]);
});

test('set() records CopySlices; gradient reaches the value and the unmasked base', () => {
  const base = randn(3, 4).requiresGrad_();
  const v = randn(3, 1).requiresGrad_();
  const y = base.mul(2);
  y.set([':', '1:3'], v);
  assert.equal(y.gradFn?.name, 'CopySlices');
  y.sum().backward();
  assert.deepEqual(base.grad!.tolist(), [[2, 0, 0, 2], [2, 0, 0, 2], [2, 0, 0, 2]]);
  assert.deepEqual(v.grad!.tolist(), [[2], [2], [2]]);
});

test('set() drops leading size-1 dims of the value, like PyTorch', () => {
  const X = zeros(3, 4);
  X.set([0, ':'], ones(1, 4));
  X.set([':', '1:3'], ones(1, 1, 1, 2).mul(2));
  assert.deepEqual(X.tolist(), [[1, 2, 2, 1], [0, 2, 2, 0], [0, 2, 2, 0]]);
  gradcheck((b, v) => b.mul(1).set([':', '1:3'], v), [randn(3, 4).requiresGrad_(), randn(1, 1, 3, 1).requiresGrad_()]);
  assert.throws(() => X.set([0, ':'], ones(2, 4)), /set: value of shape \[2, 4\] cannot be broadcast to the selected region of shape \[4\]/);
});

test('copy_ copies with broadcasting and is differentiable to the source', () => {
  const y = zeros(2, 3);
  y.copy_(tensor([1, 2, 3]));
  assert.deepEqual(y.tolist(), [[1, 2, 3], [1, 2, 3]]);
  gradcheck((b, v) => { const t = b.mul(1); t.copy_(v.tanh()); return t.mul(b); }, [randn(2, 3).requiresGrad_(), randn(3).requiresGrad_()]);
});

test('index errors name the dimension and size', () => {
  const x = zeros(3, 4);
  assert.throws(() => x.get(3), /index: index 3 is out of bounds for dimension 0 with size 3/);
  assert.throws(() => x.get(0, -5), /index: index -5 is out of bounds for dimension 1 with size 4/);
  assert.throws(() => x.get(0, 0, 0), /index: too many indices for tensor of dimension 2 \(got 3, shape \[3, 4\]\)/);
  assert.throws(() => x.get('::-1'), /index: slice step must be a positive integer/);
  assert.throws(() => x.get('a:b'), /index: cannot parse slice 'a:b'/);
  assert.throws(() => x.set([':', '1:3'], randn(3)), /set: value of shape \[3\] cannot be broadcast to the selected region of shape \[3, 2\]/);
  assert.throws(() => x.get('...', '...'), /single ellipsis/);
});

test('out-of-range dims are errors in every dim-taking op', () => {
  const x = randn(2, 3) as Tensor;
  assert.throws(() => x.size(2), /size: dimension out of range/);
  assert.throws(() => x.softmax(-3), /dimension out of range/);
  assert.throws(() => x.flatten(0, 5), /flatten: dimension out of range/);
});
