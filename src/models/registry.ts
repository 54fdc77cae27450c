/**
 * Model registry for the CLI and examples: a name maps to a factory building a d2l Classifier and
 * to the input size the book trains it at (LeNet 28×28; AlexNet/VGG 224; ResNet 96, …). Other
 * model files call `registerModel` for themselves; `models/index.ts` imports them all.
 */
import type { Classifier } from '../train/classifier.js';
import { LeNet } from './lenet.js';
import { AlexNet } from './alexnet.js';
import { VGG, VGG11_ARCH, VGG16_ARCH, VGG19_ARCH, VGG11_NARROW_ARCH, VGG16_NARROW_ARCH } from './vgg.js';
import { NiN } from './nin.js';
import { GoogLeNet } from './googlenet.js';
import { ResNet18, ResNet34 } from './resnet.js';
import { DenseNet } from './densenet.js';
import { RegNetX32 } from './regnet.js';

/** Options every factory accepts. */
export interface ModelOptions { lr?: number; numClasses?: number }

/** How to build a model and the d2l recipe it trains with. */
export interface ModelSpec {
  /** Build a fresh, not yet materialised model. */
  create(opts: ModelOptions): Classifier;
  /** [H, W] the book feeds it (Fashion-MNIST resized to this). */
  defaultResize: readonly [number, number];
  /** One-line description for `convnet --help`. */
  description: string;
  /** Default learning rate of the book's recipe. */
  defaultLr: number;
}

const registry = new Map<string, ModelSpec>();

/** Add (or replace) a model under `name` (lower case, as typed on the command line). */
export function registerModel(name: string, spec: ModelSpec): void {
  registry.set(name.toLowerCase(), spec);
}

/** The spec for `name`; unknown names are an error listing the known ones. */
export function getModelSpec(name: string): ModelSpec {
  const s = registry.get(name.toLowerCase());
  if (s === undefined) throw new Error(`unknown model '${name}' (known: ${modelNames().join(', ')})`);
  return s;
}

/** Build model `name` with `opts`. */
export function createModel(name: string, opts: ModelOptions = {}): Classifier {
  return getModelSpec(name).create(opts);
}

/** Registered names, sorted. */
export function modelNames(): string[] {
  return [...registry.keys()].sort();
}

registerModel('lenet', {
  create: (o) => new LeNet({ ...o, variant: 'classic' }),
  defaultResize: [28, 28], defaultLr: 0.1,
  description: "d2l's LeNet-5: sigmoid, average pooling (7.6)",
});
registerModel('lenet-modern', {
  create: (o) => new LeNet({ ...o, variant: 'modern' }),
  defaultResize: [28, 28], defaultLr: 0.1,
  description: 'LeNet with ReLU and max pooling (7.6 exercise)',
});

// Chapter 8 zoo: d2l's resize and learning rate for each (d2l 8.1–8.8 training cells).
registerModel('alexnet', {
  create: (o) => new AlexNet(o), defaultResize: [224, 224], defaultLr: 0.01,
  description: "d2l's AlexNet: 5 conv + 3 dense layers with dropout (8.1)",
});
registerModel('vgg', {
  create: (o) => new VGG({ arch: VGG11_NARROW_ARCH, ...o }), defaultResize: [224, 224], defaultLr: 0.01,
  description: 'VGG-11 with 1/4 of the channels, the arch d2l trains (8.2.3)',
});
registerModel('vgg11', {
  create: (o) => new VGG({ arch: VGG11_ARCH, ...o }), defaultResize: [224, 224], defaultLr: 0.01,
  description: 'VGG-11 (8.2)',
});
registerModel('vgg16', {
  create: (o) => new VGG({ arch: VGG16_ARCH, ...o }), defaultResize: [224, 224], defaultLr: 0.01,
  description: 'VGG-16 (8.2 exercise)',
});
registerModel('vgg16-narrow', {
  create: (o) => new VGG({ arch: VGG16_NARROW_ARCH, ...o }), defaultResize: [224, 224], defaultLr: 0.01,
  description: 'VGG-16 with 1/4 of the channels (the 8.2 exercise trains it)',
});
registerModel('vgg19', {
  create: (o) => new VGG({ arch: VGG19_ARCH, ...o }), defaultResize: [224, 224], defaultLr: 0.01,
  description: 'VGG-19 (8.2 exercise)',
});
registerModel('nin', {
  create: (o) => new NiN(o), defaultResize: [224, 224], defaultLr: 0.05,
  description: 'Network in Network: 1x1 convs, global average pooling (8.3)',
});
registerModel('googlenet', {
  create: (o) => new GoogLeNet(o), defaultResize: [96, 96], defaultLr: 0.01,
  description: 'GoogLeNet: Inception blocks (8.4)',
});
registerModel('resnet18', {
  create: (o) => new ResNet18(o), defaultResize: [96, 96], defaultLr: 0.01,
  description: 'ResNet-18: residual blocks with BatchNorm (8.6)',
});
registerModel('resnet34', {
  create: (o) => new ResNet34(o), defaultResize: [96, 96], defaultLr: 0.01,
  description: 'ResNet-34: (3, 4, 6, 3) residual blocks',
});
registerModel('densenet', {
  create: (o) => new DenseNet(o), defaultResize: [96, 96], defaultLr: 0.01,
  description: 'DenseNet: dense blocks + transition layers (8.7)',
});
registerModel('regnetx32', {
  create: (o) => new RegNetX32(o), defaultResize: [96, 96], defaultLr: 0.05,
  description: 'RegNetX-32: AnyNet with ResNeXt blocks (8.8)',
});
