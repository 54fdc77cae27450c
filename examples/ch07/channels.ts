/** d2l 7.4: multiple input and output channels, the 1x1 convolution, and exercise 7.4.5. */
import { F, d2l, manualSeed, nn, normal, rand, stack, tensor } from '../../src/index.js';
import { notebook, runIfMain, type Cells } from './cells.js';

/** Run every cell; returns the printed values by key. */
export function main(log: (s: string) => void = console.log): Cells {
  const { cells, show } = notebook(log);
  const { corr2dMultiIn, corr2dMultiInOut, corr2dMultiInOut1x1, torchSize } = d2l;

  // 7.4.1 Multiple input channels: correlate per channel, then add up
  let X = tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                  [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]);
  let K = tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]]);
  show('7.4.1 corr2d_multi_in(X, K)', corr2dMultiIn(X, K));

  // 7.4.2 Multiple output channels: one [ci, kh, kw] kernel per output channel
  show('7.4.2 K.shape', torchSize(K.shape));
  K = stack([K, K.add(1), K.add(2)], 0);
  show('7.4.2 stacked K.shape', torchSize(K.shape));
  show('7.4.2 corr2d_multi_in_out(X, K)', corr2dMultiInOut(X, K));
  show('7.4.2 F.conv2d(X, K)', F.conv2d(X.unsqueeze(0), K).squeeze(0));

  // 7.4.3 A 1x1 convolution is a fully connected layer applied at every pixel. The book's 1e-6 bound
  // on 18 sums of float32 products sits at the rounding limit (GEMM accumulates in double, corr2d
  // rounds each product), so a fixed seed keeps this cell reproducible.
  manualSeed(0);
  X = normal(0, 1, [3, 3, 3]);
  K = normal(0, 1, [2, 3, 1, 1]);
  const Y1 = corr2dMultiInOut1x1(X, K);
  const Y2 = corr2dMultiInOut(X, K);
  const diff = Y1.sub(Y2).abs().sum().item();
  if (!(diff < 1e-6)) throw new Error(`1x1 convolution mismatch: sum |Y1 - Y2| = ${diff}`);
  show('7.4.3 1x1 equivalence', diff < 1e-6 ? 'True' : 'False');

  // Exercise 7.4.5: two 3x3 convolutions with padding 1 keep the size
  const conv1 = new nn.Conv2d(1, 1, { kernelSize: 3, padding: 1 });
  const conv2 = new nn.Conv2d(1, 1, { kernelSize: 3, padding: 1 });
  const output2 = conv2.call(conv1.call(rand([1, 1, 10, 10])));
  show('ex7.4.5 print', `Output shape after applying two convolutions:  ${torchSize(output2.shape)}`);
  return cells;
}

runIfMain(import.meta.url, main);
