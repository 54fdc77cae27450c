/** AlexNet (d2l 8.1): five convolutions, three max-pools, and a 4096-wide dropout MLP head. */
import { Sequential } from '../nn/container.js';
import { LazyConv2d } from '../nn/conv.js';
import { MaxPool2d } from '../nn/pooling.js';
import { LazyLinear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import { Flatten } from '../nn/flatten.js';
import { Dropout } from '../nn/dropout.js';
import { Classifier } from '../train/classifier.js';

/** AlexNet's constructor options (d2l: lr=0.1, num_classes=10). */
export interface AlexNetOptions {
  lr?: number;
  numClasses?: number;
  /** Output channels of the five convolutions; d2l's (96, 256, 384, 384, 256). Ours, for reduced-width variants. */
  channels?: readonly [number, number, number, number, number];
  /** Width of the two hidden linear layers; d2l's 4096. Ours, for reduced-width variants. */
  hidden?: number;
}

/** d2l's AlexNet(lr, num_classes). X: [N, C, 224, 224] (any H, W ≥ 63) → logits [N, numClasses]. */
export class AlexNet extends Classifier {
  constructor(opts: AlexNetOptions = {}) {
    super({ lr: opts.lr ?? 0.1 });
    const [c1, c2, c3, c4, c5] = opts.channels ?? [96, 256, 384, 384, 256];
    const hidden = opts.hidden ?? 4096;
    this.net = new Sequential(
      new LazyConv2d(c1, { kernelSize: 11, stride: 4, padding: 1 }),
      new ReLU(), new MaxPool2d(3, { stride: 2 }),
      new LazyConv2d(c2, { kernelSize: 5, padding: 2 }), new ReLU(),
      new MaxPool2d(3, { stride: 2 }),
      new LazyConv2d(c3, { kernelSize: 3, padding: 1 }), new ReLU(),
      new LazyConv2d(c4, { kernelSize: 3, padding: 1 }), new ReLU(),
      new LazyConv2d(c5, { kernelSize: 3, padding: 1 }), new ReLU(),
      new MaxPool2d(3, { stride: 2 }), new Flatten(),
      new LazyLinear(hidden), new ReLU(), new Dropout(0.5),
      new LazyLinear(hidden), new ReLU(), new Dropout(0.5),
      new LazyLinear(opts.numClasses ?? 10));
    // d2l also calls net.apply(init_cnn) here, a no-op in PyTorch on still-lazy layers; Xavier init
    // happens in applyInit(inputs, initCnn) once a forward pass has sized the layers.
  }
}
