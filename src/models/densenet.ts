/** DenseNet (d2l 8.7): dense blocks concatenate each conv block's output onto its input; transitions halve channels and resolution. */
import type { Tensor } from '../tensor/tensor.js';
import { cat } from '../tensor/ops/shape.js';
import { scoped } from '../tensor/lifetime.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/container.js';
import { LazyConv2d } from '../nn/conv.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { LazyLinear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import { Flatten } from '../nn/flatten.js';
import { LazyBatchNorm2d } from '../nn/batchnorm.js';
import { Classifier } from '../train/classifier.js';

/** d2l's conv_block: BatchNorm, ReLU, 3×3 conv (pre-activation). [N, C, H, W] → [N, numChannels, H, W]. */
export function convBlock(numChannels: number): Sequential {
  return new Sequential(
    new LazyBatchNorm2d(), new ReLU(),
    new LazyConv2d(numChannels, { kernelSize: 3, padding: 1 }));
}

/** d2l's DenseBlock(num_convs, num_channels). [N, C, H, W] → [N, C + numConvs × numChannels, H, W]. */
export class DenseBlock extends Module {
  net: Sequential;

  constructor(numConvs: number, numChannels: number) {
    super();
    const layer: Sequential[] = [];
    for (let i = 0; i < numConvs; i++) layer.push(convBlock(numChannels));
    this.net = new Sequential(...layer);
  }

  forward(X: Tensor): Tensor {
    // Each conv block is a Sequential (BatchNorm → ReLU fused, then the conv); the concatenations
    // in between are released when the block returns (what backward needs, the graph keeps).
    return scoped('DenseBlock.forward', () => {
      for (const blk of this.net.children()) {
        const Y = blk.call(X);
        X = cat([X, Y], 1);
      }
      return X;
    });
  }
}

/** d2l's transition_block: BatchNorm, ReLU, 1×1 conv, 2×2 avg-pool. [N, C, H, W] → [N, numChannels, H/2, W/2]. */
export function transitionBlock(numChannels: number): Sequential {
  return new Sequential(
    new LazyBatchNorm2d(), new ReLU(),
    new LazyConv2d(numChannels, { kernelSize: 1 }),
    new AvgPool2d(2, { stride: 2 }));
}

/** DenseNet's constructor options (d2l: num_channels=64, growth_rate=32, arch=(4, 4, 4, 4), lr=0.1, num_classes=10). */
export interface DenseNetOptions {
  /** Channel bookkeeping that sizes the transition blocks (d2l's num_channels, 64); the stem always has 64. */
  numChannels?: number;
  /** Channels each conv block adds (32). */
  growthRate?: number;
  /** Conv blocks per dense block ((4, 4, 4, 4)). */
  arch?: readonly number[];
  lr?: number;
  numClasses?: number;
}

/**
 * d2l's DenseNet(num_channels, growth_rate, arch, lr, num_classes).
 * net = [0: stem, dense_blk1, tran_blk1, …, dense_blkK, last]. X: [N, C, 96, 96] (any H, W) → logits [N, numClasses].
 */
export class DenseNet extends Classifier {
  constructor(opts: DenseNetOptions = {}) {
    super({ lr: opts.lr ?? 0.1 });
    let numChannels = opts.numChannels ?? 64;
    const growthRate = opts.growthRate ?? 32;
    const arch = opts.arch ?? [4, 4, 4, 4];
    const net = new Sequential(this.b1());
    arch.forEach((numConvs, i) => {
      net.addModule(`dense_blk${i + 1}`, new DenseBlock(numConvs, growthRate));
      numChannels += numConvs * growthRate;
      if (i !== arch.length - 1) {
        numChannels = Math.floor(numChannels / 2);
        net.addModule(`tran_blk${i + 1}`, transitionBlock(numChannels));
      }
    });
    net.addModule('last', new Sequential(
      new LazyBatchNorm2d(), new ReLU(),
      new AdaptiveAvgPool2d([1, 1]), new Flatten(),
      new LazyLinear(opts.numClasses ?? 10)));
    this.net = net;
  }

  /** Stem, as ResNet's: 7×7/2 conv (64), BatchNorm, ReLU, 3×3/2 max-pool. [N, C, H, W] → [N, 64, H/4, W/4]. */
  b1(): Sequential {
    return new Sequential(
      new LazyConv2d(64, { kernelSize: 7, stride: 2, padding: 3 }),
      new LazyBatchNorm2d(), new ReLU(),
      new MaxPool2d(3, { stride: 2, padding: 1 }));
  }
}
