/** GoogLeNet (d2l 8.4): a stem, nine Inception blocks in three stages, global average pooling. */
import type { Tensor } from '../tensor/tensor.js';
import { cat } from '../tensor/ops/shape.js';
import { callActivated } from '../nn/fusion.js';
import { scoped } from '../tensor/lifetime.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/container.js';
import { LazyConv2d } from '../nn/conv.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { LazyLinear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import { Flatten } from '../nn/flatten.js';
import { Classifier } from '../train/classifier.js';

/**
 * d2l's Inception(c1, c2, c3, c4): four branches (1×1; 1×1→3×3; 1×1→5×5; 3×3 max-pool→1×1)
 * concatenated on channels. [N, C, H, W] → [N, c1 + c2[1] + c3[1] + c4, H, W].
 */
export class Inception extends Module {
  // Snake-case names are PyTorch's state_dict keys (b1_1.weight, …).
  b1_1: LazyConv2d;
  b2_1: LazyConv2d;
  b2_2: LazyConv2d;
  b3_1: LazyConv2d;
  b3_2: LazyConv2d;
  b4_1: MaxPool2d;
  b4_2: LazyConv2d;

  constructor(c1: number, c2: readonly [number, number], c3: readonly [number, number], c4: number) {
    super();
    this.b1_1 = new LazyConv2d(c1, { kernelSize: 1 });
    this.b2_1 = new LazyConv2d(c2[0], { kernelSize: 1 });
    this.b2_2 = new LazyConv2d(c2[1], { kernelSize: 3, padding: 1 });
    this.b3_1 = new LazyConv2d(c3[0], { kernelSize: 1 });
    this.b3_2 = new LazyConv2d(c3[1], { kernelSize: 5, padding: 2 });
    this.b4_1 = new MaxPool2d(3, { stride: 1, padding: 1 });
    this.b4_2 = new LazyConv2d(c4, { kernelSize: 1 });
  }

  forward(x: Tensor): Tensor {
    // Each relu(conv(·)) runs as one fused op; intermediates are released when the block returns.
    return scoped('Inception.forward', () => {
      const b1 = callActivated(this.b1_1, x, 'relu');
      const b2 = callActivated(this.b2_2, callActivated(this.b2_1, x, 'relu'), 'relu');
      const b3 = callActivated(this.b3_2, callActivated(this.b3_1, x, 'relu'), 'relu');
      const b4 = callActivated(this.b4_2, this.b4_1.call(x), 'relu');
      return cat([b1, b2, b3, b4], 1);
    });
  }
}

/** GoogLeNet's constructor options (d2l: lr=0.1, num_classes=10). */
export interface GoogLeNetOptions {
  lr?: number;
  numClasses?: number;
  /** Divides every channel count (d2l's are all multiples of 8); 1 is d2l's GoogLeNet. Ours, for reduced-width variants. */
  widthDivisor?: number;
}

type Branch = readonly [number, number];

/** d2l's GoogleNet(lr, num_classes). X: [N, C, 96, 96] (any H, W) → logits [N, numClasses]; net has b1…b5 + Linear. */
export class GoogLeNet extends Classifier {
  readonly widthDivisor: number;

  constructor(opts: GoogLeNetOptions = {}) {
    super({ lr: opts.lr ?? 0.1 });
    this.widthDivisor = opts.widthDivisor ?? 1;
    // Every d2l channel count is a multiple of 8, so these divisors keep them integral.
    if (![1, 2, 4, 8].includes(this.widthDivisor)) {
      throw new Error(`GoogLeNet: widthDivisor must be 1, 2, 4 or 8 (got ${this.widthDivisor})`);
    }
    this.net = new Sequential(this.b1(), this.b2(), this.b3(), this.b4(), this.b5(),
      new LazyLinear(opts.numClasses ?? 10));
  }

  private w(c: number): number { return c / this.widthDivisor; }

  private inception(c1: number, c2: Branch, c3: Branch, c4: number): Inception {
    const w = (c: number): number => this.w(c);
    return new Inception(w(c1), [w(c2[0]), w(c2[1])], [w(c3[0]), w(c3[1])], w(c4));
  }

  /** Stem: 7×7/2 conv + 3×3/2 max-pool. [N, C, H, W] → [N, 64, H/4, W/4]. */
  b1(): Sequential {
    return new Sequential(
      new LazyConv2d(this.w(64), { kernelSize: 7, stride: 2, padding: 3 }),
      new ReLU(), new MaxPool2d(3, { stride: 2, padding: 1 }));
  }

  /** 1×1 then 3×3 conv, max-pool. → [N, 192, H/8, W/8]. */
  b2(): Sequential {
    return new Sequential(
      new LazyConv2d(this.w(64), { kernelSize: 1 }), new ReLU(),
      new LazyConv2d(this.w(192), { kernelSize: 3, padding: 1 }), new ReLU(),
      new MaxPool2d(3, { stride: 2, padding: 1 }));
  }

  /** Two Inception blocks, max-pool. → [N, 480, H/16, W/16]. */
  b3(): Sequential {
    return new Sequential(
      this.inception(64, [96, 128], [16, 32], 32),
      this.inception(128, [128, 192], [32, 96], 64),
      new MaxPool2d(3, { stride: 2, padding: 1 }));
  }

  /** Five Inception blocks, max-pool. → [N, 832, H/32, W/32]. */
  b4(): Sequential {
    return new Sequential(
      this.inception(192, [96, 208], [16, 48], 64),
      this.inception(160, [112, 224], [24, 64], 64),
      this.inception(128, [128, 256], [24, 64], 64),
      this.inception(112, [144, 288], [32, 64], 64),
      this.inception(256, [160, 320], [32, 128], 128),
      new MaxPool2d(3, { stride: 2, padding: 1 }));
  }

  /** Two Inception blocks, global average pool, flatten. → [N, 1024]. */
  b5(): Sequential {
    return new Sequential(
      this.inception(256, [160, 320], [32, 128], 128),
      this.inception(384, [192, 384], [48, 128], 128),
      new AdaptiveAvgPool2d([1, 1]), new Flatten());
  }
}

/** d2l's spelling of the class name. */
export const GoogleNet = GoogLeNet;
