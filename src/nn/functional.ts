/** `F`: the functional forms of the layers (PyTorch's torch.nn.functional). */
import type { Tensor } from '../tensor/tensor.js';
import * as ew from '../tensor/ops/elementwise.js';
import * as red from '../tensor/ops/reduce.js';

/** max(x, 0). */
export const relu = (x: Tensor): Tensor => ew.relu(x);
/** Logistic sigmoid. */
export const sigmoid = (x: Tensor): Tensor => ew.sigmoid(x);
/** tanh. */
export const tanh = (x: Tensor): Tensor => ew.tanh(x);
/** softmax over `dim`. */
export const softmax = (x: Tensor, dim: number): Tensor => red.softmax(x, dim);
/** log-softmax over `dim` (stable). */
export const logSoftmax = (x: Tensor, dim: number): Tensor => red.logSoftmax(x, dim);
export { conv2d, conv1d, type Conv2dOptions, type Conv1dOptions, type Pair } from '../tensor/ops/conv.js';
export { convTranspose2d, convTransposeOutSize, type ConvTranspose2dOptions } from '../tensor/ops/conv-transpose.js';
export {
  maxPool2d, avgPool2d, adaptiveAvgPool2d, type MaxPool2dOptions, type AvgPool2dOptions, type AdaptiveSize,
} from '../tensor/ops/pool.js';
export { linear } from '../tensor/ops/nn-linear.js';
export { dropout } from '../tensor/ops/nn-dropout.js';
export { crossEntropy, nllLoss, mseLoss, type CrossEntropyOptions, type Reduction } from '../tensor/ops/nn-loss.js';
export { batchNorm } from '../tensor/ops/nn-batchnorm.js';
