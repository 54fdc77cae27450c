/**
 * d2l's LeNet-5 (section 7.6): classic (sigmoid + average pooling) and the exercise's modern
 * variant (ReLU + max pooling). Layer order and indices equal d2l's, so `stateDict()` names
 * (`net.0.weight` [6, 1, 5, 5], …, `net.11.weight` [10, 84]) match PyTorch's for the same model.
 */
import { Sequential } from '../nn/container.js';
import type { Module as NnModule } from '../nn/module.js';
import { LazyConv2d } from '../nn/conv.js';
import { LazyLinear } from '../nn/linear.js';
import { AvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { ReLU, Sigmoid } from '../nn/activation.js';
import { Flatten } from '../nn/flatten.js';
import { Classifier } from '../train/classifier.js';

/** LeNet(lr=0.1, num_classes=10) and which variant. */
export interface LeNetOptions {
  lr?: number;
  numClasses?: number;
  /** 'classic' (sigmoid, avg-pool; d2l 7.6.1) or 'modern' (ReLU, max-pool; the 7.6 exercise). */
  variant?: 'classic' | 'modern';
}

/** LeNet-5. X: [N, 1, 28, 28] → logits [N, numClasses] (the lazy layers fit any input that flattens to 400 after the convs). */
export class LeNet extends Classifier {
  readonly variant: 'classic' | 'modern';

  constructor(opts: LeNetOptions = {}) {
    super({ lr: opts.lr ?? 0.1 });
    const numClasses = opts.numClasses ?? 10;
    this.variant = opts.variant ?? 'classic';
    const act = (): NnModule => (this.variant === 'classic' ? new Sigmoid() : new ReLU());
    const pool = (): NnModule => (this.variant === 'classic'
      ? new AvgPool2d(2, { stride: 2 }) : new MaxPool2d(2, { stride: 2 }));
    this.net = new Sequential(
      new LazyConv2d(6, { kernelSize: 5, padding: 2 }), act(), pool(),
      new LazyConv2d(16, { kernelSize: 5 }), act(), pool(),
      new Flatten(),
      new LazyLinear(120), act(),
      new LazyLinear(84), act(),
      new LazyLinear(numClasses),
    );
  }
}
