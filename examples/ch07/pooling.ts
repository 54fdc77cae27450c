/** d2l 7.5: max and average pooling from scratch and as layers, padding/stride, channels, and exercise 7.5.1. */
import { F, arange, cat, d2l, full, nn, tensor } from '../../src/index.js';
import { notebook, runIfMain, type Cells } from './cells.js';

/** Run every cell; returns the printed values by key. */
export function main(log: (s: string) => void = console.log): Cells {
  const { cells, show } = notebook(log);
  const { pool2d } = d2l;

  // 7.5.1 Maximum and average pooling
  let X = tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]);
  show('7.5.1 pool2d max', pool2d(X, [2, 2]));
  show('7.5.1 pool2d avg', pool2d(X, [2, 2], 'avg'));

  // 7.5.2 Padding and stride (the stride defaults to the window)
  X = arange(16, undefined, 1, { dtype: 'float32' }).reshape(1, 1, 4, 4);
  show('7.5.2 X', X);
  show('7.5.2 MaxPool2d(3)', new nn.MaxPool2d(3).call(X));
  show('7.5.2 MaxPool2d(2)', new nn.MaxPool2d(2).call(X));
  const pool = new nn.MaxPool2d(3, { padding: 1, stride: 2 });
  show('7.5.2 MaxPool2d(3, padding=1, stride=2)', pool.call(X));
  show('7.5.2 MaxPool2d(3, padding=1, stride=1)', new nn.MaxPool2d(3, { padding: 1, stride: 1 }).call(X));
  show('7.5.2 MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))',
    new nn.MaxPool2d([2, 3], { stride: [2, 3], padding: [0, 1] }).call(X));
  show('7.5.2 repr', pool);

  // 7.5.3 Multiple channels are pooled separately
  X = cat([X, X.add(1)], 1);
  show('7.5.3 X', X);
  show('7.5.3 MaxPool2d(3, padding=1, stride=2)', pool.call(X));

  // Exercise 7.5.1: average pooling is a convolution with a constant 1/(ph*pw) kernel
  X = arange(16, undefined, 1, { dtype: 'float32' }).reshape(4, 4);
  show('ex7.5 X', X);
  show('ex7.5 pool2d avg', pool2d(X, [2, 2], 'avg'));
  show('ex7.5 avg pooling as a convolution', F.conv2d(X.reshape(1, 1, 4, 4), full([1, 1, 2, 2], 0.25)).reshape(3, 3));
  show('ex7.5 AvgPool2d(2, stride=1)', new nn.AvgPool2d(2, { stride: 1 }).call(X.reshape(1, 1, 4, 4)));
  return cells;
}

runIfMain(import.meta.url, main);
