/** VGG (d2l 8.2): repeated blocks of 3×3 convolutions + 2×2 max-pool, then AlexNet's dropout MLP head. */
import { Sequential } from '../nn/container.js';
import type { Module } from '../nn/module.js';
import { LazyConv2d } from '../nn/conv.js';
import { MaxPool2d } from '../nn/pooling.js';
import { LazyLinear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import { Flatten } from '../nn/flatten.js';
import { Dropout } from '../nn/dropout.js';
import { Classifier } from '../train/classifier.js';

/** One VGG stage per entry: [numConvs, outChannels]. */
export type VGGArch = readonly (readonly [number, number])[];

/** VGG-11 (configuration A of Simonyan & Zisserman), the arch of d2l 8.2's layer summary. */
export const VGG11_ARCH: VGGArch = [[1, 64], [1, 128], [2, 256], [2, 512], [2, 512]];
/** VGG-16 (configuration D). */
export const VGG16_ARCH: VGGArch = [[2, 64], [2, 128], [3, 256], [3, 512], [3, 512]];
/** VGG-19 (configuration E). */
export const VGG19_ARCH: VGGArch = [[2, 64], [2, 128], [4, 256], [4, 512], [4, 512]];
/** VGG-11 with a quarter of the channels: the arch d2l 8.2.3 trains on Fashion-MNIST. */
export const VGG11_NARROW_ARCH: VGGArch = [[1, 16], [1, 32], [2, 64], [2, 128], [2, 128]];
/** VGG-16 with a quarter of the channels: the arch the seeds' 8.2 exercise trains on Fashion-MNIST. */
export const VGG16_NARROW_ARCH: VGGArch = [[2, 16], [2, 32], [3, 64], [3, 128], [3, 128]];

/** d2l's vgg_block: numConvs × (3×3 conv, pad 1 + ReLU), then 2×2 max-pool. [N, C, H, W] → [N, outChannels, H/2, W/2]. */
export function vggBlock(numConvs: number, outChannels: number): Sequential {
  const layers: Module[] = [];
  for (let i = 0; i < numConvs; i++) {
    layers.push(new LazyConv2d(outChannels, { kernelSize: 3, padding: 1 }), new ReLU());
  }
  layers.push(new MaxPool2d(2, { stride: 2 }));
  return new Sequential(...layers);
}

/** VGG's constructor options (d2l: arch, lr=0.1, num_classes=10). */
export interface VGGOptions {
  arch: VGGArch;
  lr?: number;
  numClasses?: number;
  /** Width of the two hidden linear layers; d2l's 4096. Ours, for reduced-width variants. */
  hidden?: number;
}

/** d2l's VGG(arch, lr, num_classes). X: [N, C, H, W], H and W divisible by 2^arch.length → logits [N, numClasses]. */
export class VGG extends Classifier {
  constructor(opts: VGGOptions) {
    super({ lr: opts.lr ?? 0.1 });
    const hidden = opts.hidden ?? 4096;
    const convBlks = opts.arch.map(([numConvs, outChannels]) => vggBlock(numConvs, outChannels));
    this.net = new Sequential(
      ...convBlks, new Flatten(),
      new LazyLinear(hidden), new ReLU(), new Dropout(0.5),
      new LazyLinear(hidden), new ReLU(), new Dropout(0.5),
      new LazyLinear(opts.numClasses ?? 10));
  }
}
