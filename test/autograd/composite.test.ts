// Whole graphs against PyTorch: shared subexpressions, broadcasting, reductions, batched matmul,
// d2l's corr2d built from set() calls, and the residual `Y += X`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { zeros, eye, tensor } from '../../src/index.js';
import { runCases } from '../helpers/cases.js';
import { gradcheck } from '../helpers/gradcheck.js';

function corr2d(X: Tensor, K: Tensor): Tensor {
  const [h, w] = K.shape as [number, number];
  const Y = zeros(X.shape[0]! - h + 1, X.shape[1]! - w + 1);
  for (let i = 0; i < Y.shape[0]!; i++) {
    for (let j = 0; j < Y.shape[1]!; j++) Y.set([i, j], X.get([i, i + h], [j, j + w]).mul(K).sum());
  }
  return Y;
}

runCases('composite', {
  mlp: ([X, W1, b1, W2]) => X!.matmul(W1!).add(b1!).relu().matmul(W2!).logSoftmax(1),
  diamond: ([x]) => x!.exp().mul(x!).add(x!.exp().sum(1, true)).tanh().div(x!.square().add(1)),
  bnlike: ([x]) => x!.sub(x!.mean(0, true)).div(x!.var(0, { unbiased: false, keepdim: true }).add(1e-5).sqrt()),
  attention: ([q, k, v]) => q!.matmul(k!.transpose(1, 2)).div(2).softmax(-1).matmul(v!),
  corr2d: ([X, K]) => corr2d(X!, K!),
  residual: ([a, b]) => { const Y = a!.mul(2); Y.add_(b!); return Y.relu().mul(a!); },
  xent: ([z]) => {
    const y = zeros(4, 3);  // one-hot rows for labels 0, 2, 1, 1 (PyTorch: torch.eye(3)[labels])
    [0, 2, 1, 1].forEach((label, i) => y.set([i], eye(3).get(label)));
    return z!.logSoftmax(1).mul(y).sum(1).mean().neg();
  },
  inplace_chain: ([p, q]) => {
    const y = p!.mul(1);
    y.mul_(q!);
    y.sub_(p!, 0.5);
    y.div_(q!.square().add(1));
    y.add_(q!);
    return y;
  },
  fill_then_use: ([x]) => {
    const y = x!.mul(3);
    const z = y.sum();
    y.fill_(2);
    return y.mul(x!).add(z);
  },
  copy_into: ([b, v]) => {
    const y = b!.exp().mul(1);
    y.copy_(v!.tanh());
    return y.mul(b!);
  },
});

test('gradcheck the d2l corr2d graph (set() of 0-d values into a zeros tensor)', () => {
  const X = zeros(4, 4).add(tensor([[0.1, -0.4, 0.3, 0.9]])).add(tensor([[0.2], [-0.7], [0.5], [1.1]])).detach().requiresGrad_();
  const K = tensor([[0.5, -1.0], [0.25, 2.0]], { requiresGrad: true });
  gradcheck((x, k) => corr2d(x, k), [X, K]);
  assert.deepEqual(corr2d(X, K).shape, [3, 3]);
});
