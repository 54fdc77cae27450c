/** AnyNet and RegNetX-32 (d2l 8.8): a stride-2 stem, stages of ResNeXt blocks, a pool/linear head. */
import { Sequential } from '../nn/container.js';
import { LazyConv2d } from '../nn/conv.js';
import { AdaptiveAvgPool2d } from '../nn/pooling.js';
import { LazyLinear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import { Flatten } from '../nn/flatten.js';
import { LazyBatchNorm2d } from '../nn/batchnorm.js';
import { Classifier } from '../train/classifier.js';
import { ResNeXtBlock } from './resnext.js';

/** One stage per entry: [depth, numChannels, groups, botMul] (groups as d2l's ResNeXtBlock reads it). */
export type AnyNetArch = readonly (readonly [number, number, number, number])[];

/** AnyNet's constructor options (d2l: arch, stem_channels, lr=0.1, num_classes=10). */
export interface AnyNetOptions {
  arch: AnyNetArch;
  stemChannels: number;
  lr?: number;
  numClasses?: number;
}

/**
 * d2l's AnyNet(arch, stem_channels, lr, num_classes). net = [0: stem, stage1…, head]; every stage
 * halves H, W. X: [N, C, H, W] → logits [N, numClasses].
 */
export class AnyNet extends Classifier {
  constructor(opts: AnyNetOptions) {
    super({ lr: opts.lr ?? 0.1 });
    const net = new Sequential(this.stem(opts.stemChannels));
    opts.arch.forEach(([depth, numChannels, groups, botMul], i) => {
      net.addModule(`stage${i + 1}`, this.stage(depth, numChannels, groups, botMul));
    });
    net.addModule('head', new Sequential(new AdaptiveAvgPool2d([1, 1]), new Flatten(), new LazyLinear(opts.numClasses ?? 10)));
    this.net = net;
  }

  /** 3×3/2 conv, BatchNorm, ReLU. [N, C, H, W] → [N, numChannels, H/2, W/2]. */
  stem(numChannels: number): Sequential {
    return new Sequential(
      new LazyConv2d(numChannels, { kernelSize: 3, stride: 2, padding: 1 }),
      new LazyBatchNorm2d(), new ReLU());
  }

  /** depth ResNeXt blocks, the first with a strided 1×1 shortcut. [N, C, H, W] → [N, numChannels, H/2, W/2]. */
  stage(depth: number, numChannels: number, groups: number, botMul: number): Sequential {
    const blk: ResNeXtBlock[] = [];
    for (let i = 0; i < depth; i++) {
      blk.push(i === 0
        ? new ResNeXtBlock({ numChannels, groups, botMul, use1x1conv: true, strides: 2 })
        : new ResNeXtBlock({ numChannels, groups, botMul }));
    }
    return new Sequential(...blk);
  }
}

/** d2l's RegNetX32(lr, num_classes): stem 32, stages (depth 4, 32 ch) and (6, 80), group width 16, botMul 1. */
export class RegNetX32 extends AnyNet {
  constructor(opts: { lr?: number; numClasses?: number } = {}) {
    const stemChannels = 32, groups = 16, botMul = 1;
    const depths = [4, 6] as const, channels = [32, 80] as const;
    super({
      arch: [[depths[0], channels[0], groups, botMul], [depths[1], channels[1], groups, botMul]],
      stemChannels, ...opts,
    });
  }
}
