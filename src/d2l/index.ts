/** `d2l`: the helpers Dive into Deep Learning defines in chapter 7, in TypeScript. */
import type { Shape } from '../shape/index.js';
import { formatShape } from '../shape/index.js';

export { corr2d, corr2dMultiIn, corr2dMultiInOut, corr2dMultiInOut1x1, compConv2d, Conv2D } from './conv.js';
export { pool2d } from './pool.js';

/** PyTorch's repr of a shape, for printing like the book: `torch.Size([1, 6, 28, 28])`. */
export function torchSize(shape: Shape): string {
  return `torch.Size(${formatShape(shape)})`;
}
