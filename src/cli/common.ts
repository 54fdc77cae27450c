/** Pieces the CLI commands share: model + data construction, d2l's init, output helpers. */
import type { Tensor } from '../tensor/tensor.js';
import { manualSeed } from '../tensor/rng.js';
import { getBackend, selectBackend } from '../backend/index.js';
import { FashionMNIST } from '../data/fashion-mnist.js';
import { getModelSpec, type ModelSpec } from '../models/index.js';
import { initCnn } from '../train/init-cnn.js';
import type { Classifier } from '../train/classifier.js';
import { Flags, UsageError, type FlagSpec } from './args.js';

/** Text sinks (process.stdout/stderr in the binary, buffers in tests). */
export interface Io {
  out: { write(s: string): unknown; isTTY?: boolean };
  err: { write(s: string): unknown; isTTY?: boolean };
}

/** Flags shared by train and eval. */
export const DATA_FLAGS: Record<string, FlagSpec> = {
  'batch-size': { type: 'int', min: 1, metavar: 'N', help: 'examples per batch (default 128)' },
  // 1024 is 4x d2l's largest (224); beyond it even one batch of images runs out of memory.
  resize: { type: 'int', min: 1, max: 1024, metavar: 'N', help: "resize images to NxN, at most 1024 (default: the model's size, 28 for LeNet)" },
  'limit-train': { type: 'int', min: 1, metavar: 'N', help: 'use only the first N training images' },
  'limit-test': { type: 'int', min: 1, metavar: 'N', help: 'use only the first N test images' },
  'data-dir': { type: 'string', metavar: 'DIR', help: 'Fashion-MNIST directory (default: the bundled copy)' },
  seed: { type: 'int', min: 0, metavar: 'N', help: 'random seed (default 0)' },
  backend: { type: 'string', metavar: 'NAME', help: 'compute backend: auto | js | wasm (default $CONVNET_BACKEND, else auto: wasm where SIMD runs)' },
};

/** The model spec for the positional name, or a usage error. */
export function modelSpecArg(positionals: string[], cmd: string): [string, ModelSpec] {
  const name = positionals[0];
  if (name === undefined) throw new UsageError(`${cmd}: which model? e.g. 'convnet ${cmd} lenet'`);
  if (positionals.length > 1) throw new UsageError(`${cmd}: unexpected argument '${positionals[1]}'`);
  try {
    return [name, getModelSpec(name)];
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Seed the global generator and pick the backend as the flags say. */
export function setupRun(f: Flags): void {
  manualSeed(f.num('seed') ?? 0);
  try {
    const name = f.str('backend');
    if (name !== undefined) selectBackend(name);
    else getBackend(); // resolves $CONVNET_BACKEND now, so a bad value is a usage error
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Seed, pick the backend and load Fashion-MNIST as the flags say. */
export function setupData(f: Flags, spec: ModelSpec): FashionMNIST {
  setupRun(f);
  const r = f.num('resize');
  const opts = {
    batchSize: f.num('batch-size') ?? 128,
    resize: r !== undefined ? ([r, r] as const) : spec.defaultResize,
    limitTrain: f.num('limit-train'), limitTest: f.num('limit-test'),
  };
  const dir = f.str('data-dir');
  return new FashionMNIST(dir === undefined ? opts : { ...opts, dir });
}

/** Build the model and materialise its lazy layers on a first batch, then d2l's initCnn (applyInit). */
export function buildModel(spec: ModelSpec, data: FashionMNIST, lr: number): Classifier {
  const model = spec.create({ lr });
  const n = Math.min(data.batchSize, data.train.length);
  const [X] = data.train.batch(Int32Array.from({ length: n }, (_, i) => i)) as [Tensor, Tensor];
  model.applyInit([X], initCnn);
  return model;
}

/** 61706 → '61,706'. */
export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** Refuse a checkpoint saved from another model (same keys can still mean another architecture, e.g. lenet vs lenet-modern). */
export function checkSavedModel(file: string, saved: string | undefined, name: string): void {
  if (saved !== undefined && saved.toLowerCase() !== name.toLowerCase()) {
    throw new Error(`'${file}' was saved from model '${saved}', not '${name}'`);
  }
}
