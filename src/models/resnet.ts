/** ResNet (d2l 8.6): Residual blocks (two 3×3 conv + BatchNorm, identity or 1×1-conv shortcut) in four stages. */
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../shape/index.js';
import { relu } from '../nn/functional.js';
import { callActivated } from '../nn/fusion.js';
import { scoped } from '../tensor/lifetime.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/container.js';
import { LazyConv2d } from '../nn/conv.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { LazyLinear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import { Flatten } from '../nn/flatten.js';
import { LazyBatchNorm2d } from '../nn/batchnorm.js';
import { Classifier } from '../train/classifier.js';

/** Residual's constructor options (d2l: num_channels, use_1x1conv=False, strides=1). */
export interface ResidualOptions {
  numChannels: number;
  /** Shortcut through a 1×1 conv (needed when channels or resolution change); d2l's use_1x1conv. */
  use1x1conv?: boolean;
  /** Stride of conv1 (and of the 1×1 shortcut). */
  strides?: number;
}

/**
 * d2l's Residual(num_channels, use_1x1conv, strides): relu(bn2(conv2(relu(bn1(conv1 X)))) + shortcut(X)).
 * [N, C, H, W] → [N, numChannels, ⌈H/strides⌉, ⌈W/strides⌉]; without the 1×1 conv C must equal numChannels.
 */
export class Residual extends Module {
  conv1: LazyConv2d;
  conv2: LazyConv2d;
  conv3: LazyConv2d | null;
  bn1: LazyBatchNorm2d;
  bn2: LazyBatchNorm2d;

  constructor(opts: ResidualOptions) {
    super();
    const { numChannels, use1x1conv = false, strides = 1 } = opts;
    this.conv1 = new LazyConv2d(numChannels, { kernelSize: 3, padding: 1, stride: strides });
    this.conv2 = new LazyConv2d(numChannels, { kernelSize: 3, padding: 1 });
    // Registered in d2l's order (conv1, conv2, conv3, bn1, bn2) so state_dict keys come out in PyTorch's order.
    this.conv3 = use1x1conv ? new LazyConv2d(numChannels, { kernelSize: 1, stride: strides }) : null;
    this.bn1 = new LazyBatchNorm2d();
    this.bn2 = new LazyBatchNorm2d();
  }

  forward(X: Tensor): Tensor {
    // Intermediates are released when the block returns (what backward needs, the graph keeps).
    return scoped('Residual.forward', () => {
      let Y = callActivated(this.bn1, this.conv1.call(X), 'relu');
      Y = this.bn2.call(this.conv2.call(Y));
      const shortcut = this.conv3 !== null ? this.conv3.call(X) : X;
      checkShortcut('Residual', Y, shortcut);
      return relu(Y.add(shortcut));
    });
  }
}

/** The identity shortcut needs the block's output shape; say so instead of failing in the addition's broadcast. */
export function checkShortcut(block: string, Y: Tensor, shortcut: Tensor): void {
  if (Y.shape.every((d, i) => d === shortcut.shape[i])) return;
  throw new Error(`${block}: the block's output ${formatShape(Y.shape)} and its identity shortcut ${formatShape(shortcut.shape)} ` +
    'differ; a block that changes channels or resolution needs use1x1conv: true');
}

/** One ResNet stage per entry: [numResiduals, numChannels]. */
export type ResNetArch = readonly (readonly [number, number])[];

/** ResNet-18: 2 residual blocks per stage (d2l 8.6.3). */
export const RESNET18_ARCH: ResNetArch = [[2, 64], [2, 128], [2, 256], [2, 512]];
/** ResNet-34: (3, 4, 6, 3) basic blocks (He et al. 2016, Table 1). */
export const RESNET34_ARCH: ResNetArch = [[3, 64], [4, 128], [6, 256], [3, 512]];

/** ResNet's constructor options (d2l: arch, lr=0.1, num_classes=10). */
export interface ResNetOptions {
  /** Stages after the stem; the first one keeps the stem's 64 channels, so its numChannels must be 64. */
  arch: ResNetArch;
  lr?: number;
  numClasses?: number;
}

/**
 * d2l's ResNet(arch, lr, num_classes). net = [0: stem, b2…: stages, last: pool/flatten/linear].
 * X: [N, C, 96, 96] (any H, W) → logits [N, numClasses].
 */
export class ResNet extends Classifier {
  constructor(opts: ResNetOptions) {
    super({ lr: opts.lr ?? 0.1 });
    const first = opts.arch[0];
    if (first !== undefined && first[1] !== 64) {
      throw new Error(`ResNet: the first stage adds its input (the stem's 64 channels) without a 1×1 conv, so it needs 64 channels (arch[0] = [${first.join(', ')}])`);
    }
    const net = new Sequential(this.b1());
    opts.arch.forEach(([numResiduals, numChannels], i) => {
      net.addModule(`b${i + 2}`, this.block(numResiduals, numChannels, i === 0));
    });
    net.addModule('last', new Sequential(new AdaptiveAvgPool2d([1, 1]), new Flatten(), new LazyLinear(opts.numClasses ?? 10)));
    this.net = net;
  }

  /** Stem: 7×7/2 conv (64 channels), BatchNorm, ReLU, 3×3/2 max-pool. [N, C, H, W] → [N, 64, H/4, W/4]. */
  b1(): Sequential {
    return new Sequential(
      new LazyConv2d(64, { kernelSize: 7, stride: 2, padding: 3 }),
      new LazyBatchNorm2d(), new ReLU(),
      new MaxPool2d(3, { stride: 2, padding: 1 }));
  }

  /** A stage of numResiduals blocks; all but the first stage halve H, W in their first block. */
  block(numResiduals: number, numChannels: number, firstBlock = false): Sequential {
    const blk: Residual[] = [];
    for (let i = 0; i < numResiduals; i++) {
      blk.push(i === 0 && !firstBlock
        ? new Residual({ numChannels, use1x1conv: true, strides: 2 })
        : new Residual({ numChannels }));
    }
    return new Sequential(...blk);
  }
}

/** d2l's ResNet18(lr, num_classes): 11.2 M parameters for 1-channel input. [N, C, H, W] → [N, numClasses]. */
export class ResNet18 extends ResNet {
  constructor(opts: { lr?: number; numClasses?: number } = {}) {
    super({ arch: RESNET18_ARCH, ...opts });
  }
}

/** ResNet-34 in d2l's style: 21.3 M parameters for 1-channel input. [N, C, H, W] → [N, numClasses]. */
export class ResNet34 extends ResNet {
  constructor(opts: { lr?: number; numClasses?: number } = {}) {
    super({ arch: RESNET34_ARCH, ...opts });
  }
}
