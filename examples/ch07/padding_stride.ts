/** d2l 7.3: output shapes under padding and stride (comp_conv2d), and exercise 7.3.4. */
import { d2l, nn, rand } from '../../src/index.js';
import { notebook, runIfMain, type Cells } from './cells.js';

/** Run every cell; returns the printed values by key. */
export function main(log: (s: string) => void = console.log): Cells {
  const { cells, show } = notebook(log);
  const { compConv2d, torchSize } = d2l;
  const X = rand([8, 8]);

  // 7.3.1 Padding: 1 row/column on each side keeps 8x8
  show('7.3.1 k3 p1', torchSize(compConv2d(new nn.LazyConv2d(1, { kernelSize: 3, padding: 1 }), X).shape));
  show('7.3.1 k(5,3) p(2,1)', torchSize(compConv2d(new nn.LazyConv2d(1, { kernelSize: [5, 3], padding: [2, 1] }), X).shape));
  // 7.3.2 Stride
  show('7.3.2 k3 p1 s2', torchSize(compConv2d(new nn.LazyConv2d(1, { kernelSize: 3, padding: 1, stride: 2 }), X).shape));
  show('7.3.2 k(3,5) p(0,1) s(3,4)',
    torchSize(compConv2d(new nn.LazyConv2d(1, { kernelSize: [3, 5], padding: [0, 1], stride: [3, 4] }), X).shape));

  // Exercise 7.3.4: the same layer on a 10x10 input: floor((10 - 3 + 0) / 3) + 1 = 3, floor((10 - 5 + 2) / 4) + 1 = 2
  const conv2d = new nn.Conv2d(1, 1, { kernelSize: [3, 5], padding: [0, 1], stride: [3, 4] });
  const output = conv2d.call(rand([1, 1, 10, 10]));
  show('ex7.3.4 print', `Output shape with kernel (3, 5), padding (0, 1), and stride (3, 4): ${torchSize(output.shape)}`);
  show('ex7.3.4 repr', conv2d);
  return cells;
}

runIfMain(import.meta.url, main);
