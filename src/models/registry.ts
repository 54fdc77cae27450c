/**
 * Model registry for the CLI and examples: a name maps to a factory building a d2l Classifier and
 * to the input size the book trains it at (LeNet 28×28; AlexNet/VGG 224; ResNet 96, …). Other
 * model files call `registerModel` for themselves; `models/index.ts` imports them all.
 */
import type { Classifier } from '../train/classifier.js';
import { LeNet } from './lenet.js';

/** Options every factory accepts. */
export interface ModelOptions { lr?: number; numClasses?: number }

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
