import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { tensor, randn, ones, zeros, arange, manualSeed, noGrad, enableGrad, isGradEnabled, rand, randint, normal } from '../../src/index.js';
import { randperm } from '../../src/tensor/rng.js';
import { gradcheck } from '../helpers/gradcheck.js';

test('gradients accumulate across two backward() calls (like PyTorch, until zeroed)', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  x.mul(x).sum().backward();
  assert.deepEqual(x.grad!.tolist(), [2, 4, 6]);
  x.mul(x).sum().backward();
  assert.deepEqual(x.grad!.tolist(), [4, 8, 12]);
  x.grad!.zero_();
  x.mul(3).sum().backward();
  assert.deepEqual(x.grad!.tolist(), [3, 3, 3]);
});

test('a tensor used twice in one graph gets the sum of both paths', () => {
  const x = tensor([2], { requiresGrad: true });
  const y = x.mul(x).add(x.exp()).add(x);
  y.sum().backward();
  assert.ok(Math.abs(x.grad!.item() - (4 + Math.exp(2) + 1)) < 1e-4);
});

test('retainGraph lets backward run twice; without it the second call errors', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.exp().sum();
  y.backward(undefined, { retainGraph: true });
  y.backward();
  assert.ok(Math.abs(x.grad!.get(0).item() - 2 * Math.E) < 1e-4);
  assert.throws(() => y.backward(), /backward: trying to backward through the graph a second time \(at (SumBackward0|ExpBackward0)\).*retainGraph/);
});

test('backward of a non-scalar needs an explicit gradient of the same shape', () => {
  const x = tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(2);
  assert.throws(() => y.backward(), /backward: grad can be implicitly created only for scalar outputs \(output has shape \[3\]\)/);
  assert.throws(() => y.backward(ones(2)), /backward: gradient has shape \[2\] but the output has shape \[3\]/);
  y.backward(tensor([1, 0.5, -1]));
  assert.deepEqual(x.grad!.tolist(), [2, 1, -2]);
  const z = x.mul(x);
  x.grad = null;
  z.backward(2);  // a number is broadcast to the output's shape
  assert.deepEqual(x.grad!.tolist(), [4, 8, 12]);
});

test('backward on a tensor that does not require grad errors', () => {
  assert.throws(() => tensor([1]).sum().backward(), /backward: element 0 of tensors does not require grad/);
});

test('noGrad records nothing, nests, and restores the mode even when fn throws', () => {
  const x = randn(3).requiresGrad_();
  const y = noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  noGrad(() => {
    assert.equal(isGradEnabled(), false);
    const z = enableGrad(() => x.mul(2));
    assert.equal(z.requiresGrad, true);
    noGrad(() => assert.equal(isGradEnabled(), false));
    assert.equal(isGradEnabled(), false);
  });
  assert.throws(() => noGrad(() => { throw new Error('boom'); }), /boom/);
  assert.equal(isGradEnabled(), true);
});

test('detach shares storage but cuts the graph', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(3);
  const d = y.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.gradFn, null);
  assert.equal(d.data, y.data);
  const z = d.mul(x).sum();
  z.backward();
  assert.deepEqual(x.grad!.tolist(), [3, 6]);  // no path through d back into y
});

test('requiresGrad only for float tensors; only leaves can switch it off', () => {
  const i = tensor([1, 2], { dtype: 'int32' });
  assert.throws(() => { i.requiresGrad = true; }, /requiresGrad: only floating point tensors can require gradients \(got dtype int32\)/);
  assert.throws(() => tensor([true]).requiresGrad_(), /dtype bool/);
  assert.throws(() => tensor([1], { dtype: 'int32', requiresGrad: true }), /only floating point/);
  const y = tensor([1], { requiresGrad: true }).mul(2);
  assert.throws(() => { y.requiresGrad = false; }, /only change the flag of leaf tensors/);
});

test('int and bool results never require grad', () => {
  const x = randn(2, 3).requiresGrad_();
  assert.equal(x.argmax(1).requiresGrad, false);
  assert.equal(x.gt(0).requiresGrad, false);
  assert.equal(x.int().requiresGrad, false);
});

test('in-place change of a saved input is detected at backward', () => {
  const x = randn(3).requiresGrad_();
  const y = x.mul(2);
  const z = y.mul(y).sum();
  y.add_(1);
  assert.throws(() => z.backward(), /backward: a tensor of shape \[3\] needed by MulBackward0 was modified by an in-place operation after it was used \(version 0 → 1\)/);
});

test('only values the backward reads are version-checked, as in PyTorch', () => {
  const x = randn(3).requiresGrad_();
  // add/sum/reshape/cat/get never read their inputs' values: changing them later is fine.
  const y = x.mul(2);
  const z = y.add(1).reshape(3, 1).sum();
  y.add_(1);
  z.backward();
  assert.deepEqual(x.grad!.tolist(), [2, 2, 2]);
  // mul reads its other operand, even one that does not require grad.
  const c = ones(3);
  const w = x.mul(c).sum();
  c.add_(1);
  assert.throws(() => w.backward(), /backward: a tensor of shape \[3\] needed by MulBackward0 was modified by an in-place operation/);
});

test('in-place change of a saved output is detected at backward (exp saves its result)', () => {
  const x = randn(3).requiresGrad_();
  const y = x.exp();
  y.mul_(2);
  assert.throws(() => y.sum().backward(), /backward: the output of ExpBackward0 \(shape \[3\]\).*modified by an in-place operation/);
});

test('in-place on a leaf that requires grad errors unless under noGrad', () => {
  const w = randn(3).requiresGrad_();
  assert.throws(() => w.add_(1), /add_: a leaf tensor that requires grad is being used in an in-place operation/);
  assert.throws(() => w.mul_(2), /mul_: a leaf tensor/);
  assert.throws(() => w.fill_(0), /fill_: a leaf tensor/);
  assert.throws(() => w.zero_(), /fill_: a leaf tensor/);
  assert.throws(() => w.set([0], 1), /set: a leaf tensor/);
  const before = w.get(0).item();
  noGrad(() => w.sub_(ones(3), 0.5));  // an SGD step
  assert.ok(Math.abs(w.get(0).item() - (before - 0.5)) < 1e-6);
  assert.equal(w.isLeaf, true);
});

test('in-place through a view of a tensor that requires grad is refused (not silently untracked)', () => {
  const w = randn(2, 3).requiresGrad_();
  assert.throws(() => w.view(6).add_(1), /add_: this tensor of shape \[6\] is a view .* of a tensor of shape \[2, 3\] that requires grad/);
  const y = w.mul(2);
  assert.throws(() => y.flatten().mul_(3), /mul_: this tensor of shape \[6\] is a view/);
  assert.throws(() => y.unsqueeze(0).set([0, 0], 1), /set: this tensor of shape \[1, 2, 3\] is a view/);
  // Allowed: views of tensors outside the graph, under noGrad, or after clone().
  const x = zeros(2, 3);
  x.view(6).add_(1);
  assert.deepEqual(x.tolist(), [[1, 1, 1], [1, 1, 1]]);
  const c = y.view(6).clone();
  c.mul_(2);
  c.sum().backward();
  assert.deepEqual(w.grad!.tolist(), [[4, 4, 4], [4, 4, 4]]);
  noGrad(() => w.view(6).fill_(0.5));
  assert.deepEqual(w.tolist(), [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
});

test('Y += X on a non-leaf is recorded (d2l Residual), gradients flow to both', () => {
  const a = randn(2, 3).requiresGrad_();
  const b = randn(2, 3).requiresGrad_();
  const Y = a.mul(2);
  Y.add_(b);
  assert.equal(Y.gradFn?.name, 'AddBackward0');
  Y.relu().sum().backward();
  const mask = a.mul(2).add(b).gt(0).float();
  assert.deepEqual(a.grad!.tolist(), mask.mul(2).tolist());
  assert.deepEqual(b.grad!.tolist(), mask.tolist());
  gradcheck((p, q) => { const y = p.mul(1); y.mul_(q); y.add_(p, -0.5); y.div_(q.square().add(1)); return y; },
            [randn(2, 3).requiresGrad_(), randn(3).requiresGrad_()]);
});

test('ops that used a tensor before an in-place op keep sending gradient to its old history', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(3);
  const before = y.sum();        // consumes y's old history (3x)
  y.add_(x.square());             // y = 3x + x²
  const after = y.sum();
  before.add(after).backward();  // d/dx = 3 + (3 + 2x)
  assert.deepEqual(x.grad!.tolist(), [8, 10]);
  // A tensor that did not require grad when consumed gets no edge, even once set() makes it require grad.
  const X = zeros(2);
  const w = tensor([1, 1], { requiresGrad: true });
  const v = tensor([5], { requiresGrad: true });
  const h = X.add(w);
  X.set([[0, 1]], v);
  h.sum().add(X.sum()).backward();
  assert.deepEqual(v.grad!.tolist(), [1]);
  assert.deepEqual(w.grad!.tolist(), [1, 1]);
});

test('fill_ / zero_ on a non-leaf stop the gradient to its history, like PyTorch', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  y.zero_();
  y.add(x).sum().backward();
  assert.deepEqual(x.grad!.tolist(), [1, 1]);
});

test('in-place ops on int tensors refuse float results instead of truncating', () => {
  const c = zeros(2).int();
  assert.throws(() => c.add_(0.5), /add_: result type float32 can't be cast to the desired output type int32/);
  c.add_(tensor([1, 2], { dtype: 'int32' }));
  assert.deepEqual(c.tolist(), [1, 2]);
});

test('set() gradients: base gets zeros where overwritten, value gets the sum over broadcast', () => {
  const base = ones(2, 4).requiresGrad_();
  const v = tensor([10], { requiresGrad: true });
  const X = base.mul(3);
  X.set([':', '1:3'], v);
  X.mul(arange(8).reshape(2, 4)).sum().backward();
  assert.deepEqual(base.grad!.tolist(), [[0, 0, 0, 9], [12, 0, 0, 21]]);
  assert.deepEqual(v.grad!.tolist(), [1 + 2 + 5 + 6]);
});

test('retainGrad keeps .grad on a non-leaf', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(3).retainGrad();
  y.square().sum().backward();
  assert.deepEqual(y.grad!.tolist(), [6, 12]);
  assert.deepEqual(x.grad!.tolist(), [18, 36]);
});

test('a 10k-op chain backpropagates without overflowing the stack', () => {
  const x = tensor([1], { requiresGrad: true });
  let y: Tensor = x;
  for (let i = 0; i < 10_000; i++) y = y.mul(1.0001).add(0);
  y.sum().backward();
  assert.ok(Math.abs(x.grad!.item() - Math.pow(1.0001, 10_000)) < 1e-2);
});

test('a wide fan-in graph (1k branches summed) is correct', () => {
  const x = tensor([2], { requiresGrad: true });
  let acc: Tensor = zeros(1);
  for (let i = 0; i < 1000; i++) acc = acc.add(x.mul(i));
  acc.sum().backward();
  assert.equal(x.grad!.item(), (999 * 1000) / 2);
});

test('manualSeed makes every random factory repeat', () => {
  const draw = () => [rand(3).tolist(), randn(2, 2).tolist(), randint(0, 10, [4]).tolist(), normal(1, 2, [3]).tolist(), Array.from(randperm(6))];
  manualSeed(42);
  const a = draw();
  manualSeed(42);
  assert.deepEqual(draw(), a);
  manualSeed(43);
  assert.notDeepEqual(draw(), a);
});

test('creation errors are actionable', () => {
  assert.throws(() => tensor([[1, 2], [3]]), /tensor: ragged nested array: expected length 2 at \[1\] but got 1/);
  assert.throws(() => zeros(2, -1), /zeros: invalid shape \[2, -1\]: dims must be non-negative integers, got a number \(-1\)/);
  assert.throws(() => randint(3, 3, [2]), /randint: expected low < high/);
  assert.throws(() => normal(0, -1, [2]), /normal: expected std >= 0/);
  assert.throws(() => tensor([1, 2]).item(), /item: a Tensor with 2 elements cannot be converted to a scalar \(shape \[2\]\)/);
  assert.throws(() => new Tensor(new Float32Array(3), [2, 2], 'float32'), /Tensor: storage has 3 elements but shape \[2, 2\] needs 4/);
  assert.throws(() => zeros(1e6, 1e6), /cannot allocate a tensor of 1000000000000 elements \(float32, 4000000000000 bytes\)/);
  assert.throws(() => randn(1e5, 1e5), /cannot allocate a tensor of 10000000000 elements/);
  assert.throws(() => arange(0, Infinity), /arange: start, end and step must be finite \(got 0, Infinity, 1\)/);
  assert.throws(() => arange(0, NaN), /arange: start, end and step must be finite/);
});
