/**
 * d2l 14.10 Transposed Convolution: the from-scratch `trans_conv`, nn.ConvTranspose2d with padding,
 * strides and channels, and the connection to matrix transposition. Each cell prints what the
 * book's PyTorch cell prints (fixtures/conv/trans_conv.json, scripts/fixtures/gen_conv_transpose.py).
 */
import { Tensor, arange, d2l, matmul, nn, noGrad, rand, tensor, zeros } from '../../src/index.js';
import { notebook, runIfMain, type Cells } from '../ch07/cells.js';

/** d2l's trans_conv: every input element scatters a copy of K, scaled by it, into Y. X: [h, w], K: [kh, kw] → [h + kh − 1, w + kw − 1]. */
export function transConv(X: Tensor, K: Tensor): Tensor {
  const [h, w] = K.shape as [number, number];
  const Y = zeros([X.shape[0]! + h - 1, X.shape[1]! + w - 1]);
  for (let i = 0; i < X.shape[0]!; i++) {
    for (let j = 0; j < X.shape[1]!; j++) {
      // Y[i: i + h, j: j + w] += X[i, j] * K
      Y.set([[i, i + h], [j, j + w]], Y.get([i, i + h], [j, j + w]).add(X.get(i, j).mul(K)));
    }
  }
  return Y;
}

/** d2l's kernel2matrix: the 2×2 kernel K as the [4, 9] matrix W with corr2d(X, K) = W @ vec(X) on a 3×3 X. */
export function kernel2matrix(K: Tensor): Tensor {
  const k = zeros([5]), W = zeros([4, 9]);
  k.set(['0:2'], K.get(0));
  k.set(['3:5'], K.get(1));
  W.set([0, '0:5'], k);
  W.set([1, '1:6'], k);
  W.set([2, '3:8'], k);
  W.set([3, '4:'], k);
  return W;
}

/** A ConvTranspose2d(1, 1, kernel 2) with its weight set to K (the book's `tconv.weight.data = K`). */
function tconvWith(K: Tensor, opts: { padding?: number; stride?: number }): nn.ConvTranspose2d {
  const tconv = new nn.ConvTranspose2d(1, 1, { kernelSize: 2, bias: false, ...opts });
  noGrad(() => tconv.weight.copy_(K));
  return tconv;
}

/** Run every cell; returns the printed values by key. */
export function main(log: (s: string) => void = console.log): Cells {
  const { cells, show } = notebook(log);

  // 14.10.1 Basic operation
  let X = tensor([[0.0, 1.0], [2.0, 3.0]]);
  let K = tensor([[0.0, 1.0], [2.0, 3.0]]);
  show('14.10.1 trans_conv(X, K)', transConv(X, K));
  X = X.reshape(1, 1, 2, 2);
  K = K.reshape(1, 1, 2, 2);
  show('14.10.1 tconv(X)', tconvWith(K, {}).call(X));

  // 14.10.2 Padding, strides, and multiple channels
  show('14.10.2 padding=1', tconvWith(K, { padding: 1 }).call(X));
  show('14.10.2 stride=2', tconvWith(K, { stride: 2 }).call(X));
  X = rand([1, 10, 16, 16]);
  const conv = new nn.Conv2d(10, 20, { kernelSize: 5, padding: 2, stride: 3 });
  const tconv = new nn.ConvTranspose2d(20, 10, { kernelSize: 5, padding: 2, stride: 3 });
  const same = tconv.call(conv.call(X)).shape.join(',') === X.shape.join(',');
  show('14.10.2 tconv(conv(X)).shape == X.shape', same ? 'True' : 'False');

  // 14.10.3 Connection to matrix transposition
  X = arange(9.0).reshape(3, 3);
  K = tensor([[1.0, 2.0], [3.0, 4.0]]);
  const Y = d2l.corr2d(X, K);
  show('14.10.3 Y', Y);
  const W = kernel2matrix(K);
  show('14.10.3 W', W);
  show('14.10.3 Y == W @ vec(X)', Y.eq(matmul(W, X.reshape(-1)).reshape(2, 2)));
  const Z = transConv(Y, K);
  show('14.10.3 Z == W.T @ vec(Y)', Z.eq(matmul(W.t(), Y.reshape(-1)).reshape(3, 3)));
  return cells;
}

runIfMain(import.meta.url, main);
