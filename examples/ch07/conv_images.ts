/** d2l 7.2.1–7.2.3: cross-correlation, edge detection, and exercises 7.2.1 (diagonal edges) and 7.2.8 (directional kernel). */
import { F, d2l, ones, randn, tensor } from '../../src/index.js';
import { notebook, runIfMain, type Cells } from './cells.js';

/** Run every cell; returns the printed values by key. */
export function main(log: (s: string) => void = console.log): Cells {
  const { cells, show } = notebook(log);
  const { corr2d } = d2l;

  // 7.2.1 The cross-correlation operation
  let X = tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]);
  let K = tensor([[0.0, 1.0], [2.0, 3.0]]);
  show('7.2.1 corr2d(X, K)', corr2d(X, K));

  // 7.2.3 Object edge detection: a 6x8 image with a black band in columns 2..5
  X = ones([6, 8]);
  X.set([':', '2:6'], 0);
  show('7.2.3 X', X);
  K = tensor([[1.0, -1.0]]);
  const Y = corr2d(X, K);
  show('7.2.3 Y', Y);
  show('7.2.3 corr2d(X.t(), K)', corr2d(X.t(), K));
  // The library's conv2d computes the same thing as the book's loop.
  const viaF = F.conv2d(X.reshape(1, 1, 6, 8), K.reshape(1, 1, 1, 2)).reshape(6, 7);
  show('7.2.3 F.conv2d equals corr2d', viaF.eq(Y).bool().data.every((v) => v === 1) ? 'True' : 'False');

  // Exercise 7.2.1: an image with diagonal edges; transpose X, then K.
  X = tensor([[1, 1, 1, 1, 1], [0, 1, 1, 1, 1], [0, 0, 1, 1, 1], [0, 0, 0, 1, 1], [0, 0, 0, 0, 1]]).float();
  show('ex7.2 Y', corr2d(X, K));
  show('ex7.2 Y_xt', corr2d(X.transpose(0, 1), K));
  show('ex7.2 Y_kt', corr2d(X, K.transpose(0, 1)));

  // Exercise 7.2.8: a directional (Sobel-like) kernel through F.conv2d
  const kernel = tensor([[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]]).unsqueeze(0).unsqueeze(0);
  const image = randn([1, 1, 5, 5]);
  show('ex7.2.8 print', `Edge-detected output shape:  ${d2l.torchSize(F.conv2d(image, kernel, null, { padding: 1 }).shape)}`);
  return cells;
}

runIfMain(import.meta.url, main);
