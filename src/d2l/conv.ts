/**
 * Chapter 7 of Dive into Deep Learning "from scratch": convolution written with plain tensor
 * ops (get / mul / sum / stack / matmul), so autograd flows through it exactly as the book shows.
 * These are for teaching and for cross-checking F.conv2d; they are deliberately slow.
 */
import { Tensor } from '../tensor/tensor.js';
import { rand, zeros } from '../tensor/creation.js';
import { stack } from '../tensor/ops/shape.js';
import { formatShape } from '../shape/index.js';
import { Module } from '../nn/module.js';
import { Parameter } from '../nn/parameter.js';

function need(cond: boolean, msg: string): void {
  if (!cond) throw new Error(msg);
}

/** 2-D cross-correlation (d2l.corr2d). X: [h, w], K: [kh, kw] → [h - kh + 1, w - kw + 1]. */
export function corr2d(X: Tensor, K: Tensor): Tensor {
  need(X.ndim === 2 && K.ndim === 2, `corr2d: expected a 2-D input and kernel, got X ${formatShape(X.shape)} and K ${formatShape(K.shape)}`);
  const [h, w] = K.shape as [number, number];
  const oh = X.shape[0]! - h + 1, ow = X.shape[1]! - w + 1;
  need(oh > 0 && ow > 0, `corr2d: kernel ${formatShape(K.shape)} is larger than the input ${formatShape(X.shape)}`);
  const Y = zeros([oh, ow]);
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) Y.set([i, j], X.get([i, i + h], [j, j + w]).mul(K).sum());
  }
  return Y;
}

/** Sum of per-channel cross-correlations (d2l's corr2d_multi_in). X: [ci, h, w], K: [ci, kh, kw] → [oh, ow]. */
export function corr2dMultiIn(X: Tensor, K: Tensor): Tensor {
  need(X.ndim === 3 && K.ndim === 3 && X.shape[0] === K.shape[0],
    `corr2dMultiIn: X [ci, h, w] and K [ci, kh, kw] must have the same channels, got X ${formatShape(X.shape)} and K ${formatShape(K.shape)}`);
  let Y = corr2d(X.get(0), K.get(0));
  for (let c = 1; c < X.shape[0]!; c++) Y = Y.add(corr2d(X.get(c), K.get(c)));
  return Y;
}

/** One corr2dMultiIn per output channel, stacked (corr2d_multi_in_out). X: [ci, h, w], K: [co, ci, kh, kw] → [co, oh, ow]. */
export function corr2dMultiInOut(X: Tensor, K: Tensor): Tensor {
  need(K.ndim === 4, `corr2dMultiInOut: expected K [co, ci, kh, kw], got ${formatShape(K.shape)}`);
  const outs: Tensor[] = [];
  for (let o = 0; o < K.shape[0]!; o++) outs.push(corr2dMultiIn(X, K.get(o)));
  return stack(outs, 0);
}

/** A 1x1 convolution as one matrix product (corr2d_multi_in_out_1x1). X: [ci, h, w], K: [co, ci, 1, 1] → [co, h, w]. */
export function corr2dMultiInOut1x1(X: Tensor, K: Tensor): Tensor {
  need(X.ndim === 3 && K.ndim === 4 && K.shape[1] === X.shape[0] && K.shape[2] === 1 && K.shape[3] === 1,
    `corr2dMultiInOut1x1: expected X [ci, h, w] and K [co, ci, 1, 1], got X ${formatShape(X.shape)} and K ${formatShape(K.shape)}`);
  const [ci, h, w] = X.shape as [number, number, number];
  const co = K.shape[0]!;
  return K.reshape(co, ci).matmul(X.reshape(ci, h * w)).reshape(co, h, w);
}

/** Run a conv layer on one [h, w] image (d2l's comp_conv2d): adds then strips batch and channel dims. X: [h, w] → [oh, ow]. */
export function compConv2d(conv2d: Module, X: Tensor): Tensor {
  const Y = conv2d.call(X.reshape([1, 1, ...X.shape]));
  return Y.reshape(Y.shape.slice(2));
}

/** The book's hand-written convolutional layer: corr2d with a learnable kernel and scalar bias. x: [h, w] → [h - kh + 1, w - kw + 1]. */
export class Conv2D extends Module {
  declare weight: Parameter;
  declare bias: Parameter;

  constructor(kernelSize: readonly [number, number]) {
    super();
    this.weight = Parameter.adopt(rand([...kernelSize]));
    this.bias = Parameter.adopt(zeros([1]));
  }

  forward(x: Tensor): Tensor {
    return corr2d(x, this.weight).add(this.bias);
  }
}
