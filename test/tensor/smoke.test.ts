import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor, zeros, ones } from '../../src/index.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { randn } from '../../src/tensor/creation.js';

test('corr2d from the seed prints like PyTorch', () => {
  const X = tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
  const K = tensor([[0, 1], [2, 3]]);
  const Y = zeros(2, 2);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) Y.set([i, j], X.get([i, i + 2], [j, j + 2]).mul(K).sum());
  assert.equal(Y.toString(), 'tensor([[19., 25.],\n        [37., 43.]])');
});

test('slice assignment X[:, 2:6] = 0', () => {
  const X = ones(6, 8);
  X.set([':', '2:6'], 0);
  assert.deepEqual(X.get(0).tolist(), [1, 1, 0, 0, 0, 0, 1, 1]);
});

test('gradcheck matmul + sigmoid', () => {
  const a = randn(3, 4).requiresGrad_();
  const b = randn(4, 2).requiresGrad_();
  gradcheck((x, y) => x.matmul(y).sigmoid(), [a, b]);
});
