/** ResNeXt block (d2l 8.6.5): 1×1 bottleneck → grouped 3×3 → 1×1, each with BatchNorm, plus a shortcut. */
import type { Tensor } from '../tensor/tensor.js';
import { relu } from '../nn/functional.js';
import { callActivated } from '../nn/fusion.js';
import { scoped } from '../tensor/lifetime.js';
import { Module } from '../nn/module.js';
import { LazyConv2d } from '../nn/conv.js';
import { LazyBatchNorm2d } from '../nn/batchnorm.js';
import { checkShortcut } from './resnet.js';

/** ResNeXtBlock's constructor options (d2l: num_channels, groups, bot_mul, use_1x1conv=False, strides=1). */
export interface ResNeXtBlockOptions {
  numChannels: number;
  /**
   * d2l's `groups`, which is really the width of each group: the 3×3 conv gets
   * `botChannels / groups` groups (d2l: `groups=bot_channels//groups`). Kept as d2l has it.
   */
  groups: number;
  /** Bottleneck multiplier: botChannels = round(numChannels × botMul). */
  botMul: number;
  /** Shortcut through 1×1 conv + BatchNorm (when channels or resolution change). */
  use1x1conv?: boolean;
  strides?: number;
}

/**
 * d2l's ResNeXtBlock(num_channels, groups, bot_mul, use_1x1conv, strides).
 * [N, C, H, W] → [N, numChannels, ⌈H/strides⌉, ⌈W/strides⌉]; without the 1×1 conv C must equal numChannels.
 */
export class ResNeXtBlock extends Module {
  conv1: LazyConv2d;
  conv2: LazyConv2d;
  conv3: LazyConv2d;
  bn1: LazyBatchNorm2d;
  bn2: LazyBatchNorm2d;
  bn3: LazyBatchNorm2d;
  conv4: LazyConv2d | null;
  bn4: LazyBatchNorm2d | null;

  constructor(opts: ResNeXtBlockOptions) {
    super();
    const { numChannels, groups, botMul, use1x1conv = false, strides = 1 } = opts;
    // Python's round() rounds halves to even; numChannels × botMul is integral for every d2l config.
    const botChannels = pyRound(numChannels * botMul);
    const convGroups = Math.floor(botChannels / groups);
    if (convGroups < 1) throw new Error(`ResNeXtBlock: bottleneck ${botChannels} channels is narrower than the group width ${groups}`);
    this.conv1 = new LazyConv2d(botChannels, { kernelSize: 1, stride: 1 });
    this.conv2 = new LazyConv2d(botChannels, { kernelSize: 3, stride: strides, padding: 1, groups: convGroups });
    this.conv3 = new LazyConv2d(numChannels, { kernelSize: 1, stride: 1 });
    this.bn1 = new LazyBatchNorm2d();
    this.bn2 = new LazyBatchNorm2d();
    this.bn3 = new LazyBatchNorm2d();
    if (use1x1conv) {
      this.conv4 = new LazyConv2d(numChannels, { kernelSize: 1, stride: strides });
      this.bn4 = new LazyBatchNorm2d();
    } else {
      this.conv4 = null;
      this.bn4 = null;
    }
  }

  forward(X: Tensor): Tensor {
    // Intermediates are released when the block returns (what backward needs, the graph keeps).
    return scoped('ResNeXtBlock.forward', () => {
      let Y = callActivated(this.bn1, this.conv1.call(X), 'relu');
      Y = callActivated(this.bn2, this.conv2.call(Y), 'relu');
      Y = this.bn3.call(this.conv3.call(Y));
      const shortcut = this.conv4 !== null && this.bn4 !== null ? this.bn4.call(this.conv4.call(X)) : X;
      checkShortcut('ResNeXtBlock', Y, shortcut);
      return relu(Y.add(shortcut));
    });
  }
}

/** Python 3's round(): halves go to the even neighbour. */
function pyRound(v: number): number {
  const f = Math.floor(v), d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
