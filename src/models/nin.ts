/** Network in Network (d2l 8.3): conv + two 1×1 convs per block, global average pooling instead of an MLP head. */
import { Sequential } from '../nn/container.js';
import { LazyConv2d } from '../nn/conv.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { ReLU } from '../nn/activation.js';
import { Flatten } from '../nn/flatten.js';
import { Dropout } from '../nn/dropout.js';
import { Classifier } from '../train/classifier.js';

/** d2l's nin_block: conv(kernelSize, strides, padding) + 2 × 1×1 conv, each with ReLU. [N, C, H, W] → [N, outChannels, H', W']. */
export function ninBlock(outChannels: number, kernelSize: number, strides: number, padding: number): Sequential {
  return new Sequential(
    new LazyConv2d(outChannels, { kernelSize, stride: strides, padding }), new ReLU(),
    new LazyConv2d(outChannels, { kernelSize: 1 }), new ReLU(),
    new LazyConv2d(outChannels, { kernelSize: 1 }), new ReLU());
}

/** NiN's constructor options (d2l: lr=0.1, num_classes=10). */
export interface NiNOptions {
  lr?: number;
  numClasses?: number;
  /** Channels of the first three NiN blocks; d2l's (96, 256, 384). Ours, for reduced-width variants. */
  channels?: readonly [number, number, number];
}

/** d2l's NiN(lr, num_classes). X: [N, C, 224, 224] (any H, W ≥ 35) → logits [N, numClasses]. */
export class NiN extends Classifier {
  constructor(opts: NiNOptions = {}) {
    super({ lr: opts.lr ?? 0.1 });
    const [c1, c2, c3] = opts.channels ?? [96, 256, 384];
    this.net = new Sequential(
      ninBlock(c1, 11, 4, 0),
      new MaxPool2d(3, { stride: 2 }),
      ninBlock(c2, 5, 1, 2),
      new MaxPool2d(3, { stride: 2 }),
      ninBlock(c3, 3, 1, 1),
      new MaxPool2d(3, { stride: 2 }),
      new Dropout(0.5),
      ninBlock(opts.numClasses ?? 10, 3, 1, 1),
      new AdaptiveAvgPool2d([1, 1]),
      new Flatten());
  }
}
