import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReLU, Sigmoid, Tanh, Softmax } from '../../src/nn/activation.js';
import { Flatten } from '../../src/nn/flatten.js';
import { Identity } from '../../src/nn/identity.js';
import { randn, tensor } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { assertClose } from '../helpers/fixtures.js';

test('ReLU forward, zero gradient at and below 0, gradcheck away from the kink', () => {
  const x = tensor([-1, 0, 2]).requiresGrad_();
  const y = new ReLU().call(x);
  assert.deepEqual(y.tolist(), [0, 0, 2]);
  y.sum().backward();
  assert.deepEqual(x.grad!.tolist(), [0, 0, 1]);
  assert.equal(y.gradFn!.name, 'ReluBackward0');
  const z = tensor([[-1.5, 0.7], [0.3, -0.4]]).requiresGrad_();
  gradcheck((a) => new ReLU().call(a), [z]);
});

test('Sigmoid, Tanh, Softmax match their definitions and pass gradcheck', () => {
  manualSeed(5);
  const x = randn(3, 4).requiresGrad_();
  assertClose(new Sigmoid().call(x), x.neg().exp().add(1).pow(-1));
  assertClose(new Tanh().call(x), x.mul(2).exp().sub(1).div(x.mul(2).exp().add(1)));
  const s = new Softmax(1).call(x);
  assertClose(s.sum(1), tensor([1, 1, 1]));
  assert.equal(new Softmax(-1).toString(), 'Softmax(dim=-1)');
  assert.throws(() => new Softmax(2).call(x), /Softmax: dimension out of range/);
  for (const m of [new Sigmoid(), new Tanh(), new Softmax(0)]) gradcheck((a) => m.call(a), [x]);
});

test('Flatten keeps the batch dim by default and is a view', () => {
  const x = randn(2, 3, 4, 5);
  const f = new Flatten();
  const y = f.call(x);
  assert.deepEqual(y.shape, [2, 60]);
  assert.equal(y.data, x.data);
  assert.deepEqual(new Flatten(0).call(x).shape, [120]);
  assert.deepEqual(new Flatten(1, 2).call(x).shape, [2, 12, 5]);
  assert.equal(f.toString(), 'Flatten(start_dim=1, end_dim=-1)');
  assert.throws(() => f.call(randn(3)), /Flatten: input of shape \[3\]/);
  const g = randn(2, 3).requiresGrad_();
  gradcheck((a) => new Flatten().call(a.unsqueeze(2)), [g]);
});

test('Identity returns its input', () => {
  const x = randn(2, 2);
  assert.equal(new Identity().call(x), x);
  assert.equal(new Identity().toString(), 'Identity()');
});
