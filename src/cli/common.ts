/** Pieces the CLI commands share: model + data construction, d2l's init, checks made before any work starts. */
import * as fs from 'node:fs';
import path from 'node:path';
import type { Tensor } from '../tensor/tensor.js';
import { zeros } from '../tensor/creation.js';
import { getRngState, manualSeed, setRngState } from '../tensor/rng.js';
import { noGrad } from '../autograd/grad-mode.js';
import { getBackend, selectBackend } from '../backend/index.js';
import { FashionMNIST, fashionMnistDataset, type ImageDataset } from '../data/fashion-mnist.js';
import { FASHION_MNIST_FILES, resolveFashionMnistDir } from '../data/fashion-mnist-files.js';
import { getModelSpec, type ModelSpec } from '../models/index.js';
import { initCnn } from '../train/init-cnn.js';
import { maxBatchesFromEnv } from '../train/trainer.js';
import type { Classifier } from '../train/classifier.js';
import { replaceRefusal } from '../io/atomic.js';
import { Flags, UsageError } from './args.js';

/** Text sinks (process.stdout/stderr in the binary, buffers in tests). */
export interface Io {
  out: { write(s: string): unknown; isTTY?: boolean };
  err: { write(s: string): unknown; isTTY?: boolean };
}

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

/** Seed, pick the backend (--backend or $CONVNET_BACKEND) and check $CONVNET_MAX_BATCHES: bad values are usage errors. */
export function setupRuntime(f: Flags): void {
  manualSeed(f.num('seed') ?? 0);
  try {
    const name = f.str('backend');
    if (name !== undefined) selectBackend(name);
    else getBackend(); // resolves $CONVNET_BACKEND now, so a bad value is a usage error
    maxBatchesFromEnv();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The same as setupRuntime (the image-data and export commands call it by this name). */
export const setupRun = setupRuntime;

/** The [H, W] images are resized to: --resize N, else the model's own size. */
export function resizeOf(f: Flags, spec: ModelSpec): readonly [number, number] {
  const r = f.num('resize');
  return r !== undefined ? [r, r] : spec.defaultResize;
}

/**
 * Refuse an image size the model cannot take before loading any data: a fresh model runs one
 * forward pass on a blank image of that size; if it fails, the smallest size that works (binary
 * search up to the model's default, on blank images, so cheap) goes into the message.
 */
export function checkInputSize(name: string, spec: ModelSpec, [h, w]: readonly [number, number]): void {
  const fits = (s0: number, s1: number): boolean => {
    const m = spec.create({});
    m.eval(); // BatchNorm on a single probe image needs eval mode
    try {
      noGrad(() => m.call(zeros(1, 1, s0, s1)));
      return true;
    } catch {
      return false;
    }
  };
  const [dh, dw] = spec.defaultResize;
  if (h >= dh && w >= dw) return;
  // The probes initialise lazy layers, which draws random numbers: the run's seeded stream must not notice.
  const rng = getRngState();
  try {
    if (fits(h, w)) return;
    let lo = Math.min(h, w), hi = Math.max(dh, dw); // fails at lo (square), works at the default
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (fits(mid, mid)) hi = mid; else lo = mid;
    }
    throw new UsageError(`option --resize: ${name} needs images of at least ${hi}x${hi} (got ${h}x${w}; its default is ${dh}x${dw})`);
  } finally {
    setRngState(rng);
  }
}

/**
 * Fail before loading when the Fashion-MNIST files a command needs are missing, naming them and
 * the directory and saying how to point at them (--data-dir) or fetch them (--download).
 */
export function requireDataFiles(f: Flags, splits: readonly ('train' | 'test')[]): void {
  const d = f.str('data-dir');
  const dir = resolveFashionMnistDir(d === undefined ? {} : { dir: d });
  const missing = splits.flatMap((s) => [FASHION_MNIST_FILES[s].images, FASHION_MNIST_FILES[s].labels]).filter((n) => !fs.existsSync(path.join(dir, n)));
  if (missing.length > 0) {
    throw new Error(`Fashion-MNIST file(s) not found in ${dir}: ${missing.join(', ')}; give the directory that holds them with --data-dir DIR, ` +
      'or add --download to fetch them there');
  }
}

/** Fashion-MNIST as the flags say (both splits), for training. */
export function loadTrainData(f: Flags, spec: ModelSpec): FashionMNIST {
  requireDataFiles(f, ['train', 'test']);
  const opts = { batchSize: f.num('batch-size') ?? 128, resize: resizeOf(f, spec), limitTrain: f.num('limit-train'), limitTest: f.num('limit-test') };
  const dir = f.str('data-dir');
  return new FashionMNIST(dir === undefined ? opts : { ...opts, dir });
}

/** The test split alone, for evaluation (the training files need not exist). */
export function loadTestData(f: Flags, spec: ModelSpec): ImageDataset {
  requireDataFiles(f, ['test']);
  const dir = f.str('data-dir');
  return fashionMnistDataset('test', { ...(dir === undefined ? {} : { dir }), limit: f.num('limit-test'), resize: resizeOf(f, spec) });
}

/** Build the model and materialise its lazy layers on a first batch `X`, then d2l's initCnn (applyInit). */
export function buildModel(spec: ModelSpec, X: Tensor, lr: number): Classifier {
  const model = spec.create({ lr });
  model.applyInit([X], initCnn);
  return model;
}

/** The first `n` examples of a dataset as one batch X (for the lazy layers' first forward pass). */
export function firstBatch(ds: { length: number; batch(idx: ArrayLike<number>): [Tensor, Tensor] }, n: number): Tensor {
  return ds.batch(Int32Array.from({ length: Math.min(n, ds.length) }, (_, i) => i))[0];
}

/** 61706 → '61,706'. */
export function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * A checkpoint-metadata check refusing a file saved from another model, before any key is compared
 * (same keys can still mean another architecture, e.g. lenet vs lenet-modern; other models would
 * otherwise be reported as a page of mismatched keys).
 */
export function savedModelCheck(file: string, name: string, cmd: string): (metadata: Record<string, string>) => void {
  return (metadata) => {
    const saved = metadata.model;
    if (saved !== undefined && saved.toLowerCase() !== name.toLowerCase()) {
      throw new Error(`'${file}' was saved from model '${saved}', not '${name}' (use 'convnet ${cmd} ${saved} ...')`);
    }
  };
}

/** Refuse weights saved from another model (metadata `model`), for loaders that read the metadata themselves (.pt files have none). */
export function checkSavedModel(file: string, saved: string | undefined, name: string): void {
  if (saved !== undefined && saved.toLowerCase() !== name.toLowerCase()) {
    throw new Error(`'${file}' was saved from model '${saved}', not '${name}'`);
  }
}

/** Fail before training, not after the first epoch, when an output file cannot be written. */
export function checkWritableTarget(flag: string, file: string | undefined): void {
  if (file === undefined) return;
  const dir = path.dirname(path.resolve(file));
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(`option --${flag}: cannot write '${file}': directory '${dir}' ${fs.existsSync(dir) ? 'is not writable' : 'does not exist'}`);
  }
  const refusal = replaceRefusal(file);
  if (refusal !== null) throw new UsageError(`option --${flag}: '${file}' ${refusal}`);
}
