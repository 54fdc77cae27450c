/**
 * Every option of every `convnet` subcommand, one table per subcommand. A row is
 * `'flag-name': { type, help, metavar?, min?, max?, choices?, section }`; the parser, the
 * per-command `--help` page and the docs test all read these tables, so a new option is one row
 * here (plus the code that reads it). Options that several commands share are defined once below
 * and listed by name in each table that takes them: an option a command does not use is not in
 * its table, so passing it is an error rather than silently ignored.
 */
import { FASHION_MNIST_URL_ENV } from '../data/fashion-mnist-files.js';
import type { FlagSpec } from './args.js';
import { EVAL_IMAGE_FLAGS, TRAIN_IMAGE_FLAGS } from './image-data.js';

/** The image-data rows (image-data.ts) under their own help heading. */
const inSection = (t: Record<string, FlagSpec>, section: string): OptionTable =>
  Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { ...v, section }]));

/** A subcommand's options, in help order. */
export type OptionTable = Record<string, FlagSpec>;

// ---- shared rows
const DATA = 'data';
const RUNTIME = 'runtime';

const DATA_DIR: FlagSpec = { type: 'string', metavar: 'DIR', section: DATA, help: 'directory with the Fashion-MNIST .gz files (default: $CONVNET_FASHION_MNIST_DIR, else the bundled copy)' };
const DOWNLOAD: FlagSpec = { type: 'bool', section: DATA, help: `fetch missing Fashion-MNIST files into the data directory (sha256-verified; mirror: $${FASHION_MNIST_URL_ENV})` };
const BATCH_SIZE: FlagSpec = { type: 'int', min: 1, metavar: 'N', section: DATA, help: 'examples per batch (default 128)' };
// 1024 is 4x d2l's largest (224); beyond it even one batch of images runs out of memory.
const RESIZE: FlagSpec = { type: 'int', min: 1, max: 1024, metavar: 'N', section: DATA, help: "resize images to NxN, at most 1024 (default: the model's size, 28 for LeNet)" };
const LIMIT_TRAIN: FlagSpec = { type: 'int', min: 1, metavar: 'N', section: DATA, help: 'use only the first N training images' };
const LIMIT_TEST: FlagSpec = { type: 'int', min: 1, metavar: 'N', section: DATA, help: 'use only the first N test images (validation)' };
const BACKEND: FlagSpec = { type: 'string', metavar: 'NAME', section: RUNTIME, help: 'compute backend: auto | js | wasm (default $CONVNET_BACKEND, else auto: wasm where SIMD runs)' };
const JSON_OUT: FlagSpec = { type: 'bool', section: 'output', help: 'print machine-readable JSON on stdout (human output goes to stderr)' };

/** `convnet train <model>`. */
export const TRAIN_OPTIONS: OptionTable = {
  epochs: { type: 'int', min: 0, metavar: 'N', section: 'training', help: 'total epochs to reach (default 10; with --resume, counting the epochs already done)' },
  lr: { type: 'float', min: 0, metavar: 'LR', section: 'training', help: "learning rate (default: the model's d2l rate with sgd, 0.1 for LeNet; 0.001 with adam)" },
  optimizer: { type: 'string', choices: ['sgd', 'adam'], metavar: 'sgd|adam', section: 'training', help: 'optimiser (default sgd, as in d2l)' },
  momentum: { type: 'float', min: 0, metavar: 'M', section: 'training', help: 'SGD momentum (default 0)' },
  'weight-decay': { type: 'float', min: 0, metavar: 'WD', section: 'training', help: 'L2 weight decay (default 0)' },
  'grad-clip': { type: 'float', min: 0, metavar: 'V', section: 'training', help: 'clip the global gradient norm to V (default off)' },
  seed: { type: 'int', min: 0, metavar: 'N', section: 'training', help: 'seeds initialisation and shuffling (default 0)' },
  'data-dir': DATA_DIR,
  download: DOWNLOAD,
  'batch-size': BATCH_SIZE,
  resize: RESIZE,
  'limit-train': LIMIT_TRAIN,
  'limit-test': LIMIT_TEST,
  ...inSection(TRAIN_IMAGE_FLAGS, 'your own images'),
  init: { type: 'string', metavar: 'FILE', section: 'checkpoints', help: 'start from these weights (a torch.save state dict .pt, or .safetensors); fresh optimiser, epochs from 1' },
  save: { type: 'string', metavar: 'FILE', section: 'checkpoints', help: 'write a safetensors checkpoint after every epoch (atomically; a read-only FILE is refused)' },
  resume: { type: 'string', metavar: 'FILE', section: 'checkpoints', help: 'continue from a checkpoint (weights, optimiser state, epoch, RNG, plot)' },
  plot: { type: 'string', metavar: 'FILE.svg|png', section: 'output', help: 'write d2l-style loss/accuracy curves (SVG, or a plain PNG rendering) after every epoch' },
  json: { ...JSON_OUT, help: 'print one JSON record per epoch on stdout (human output goes to stderr)' },
  quiet: { type: 'bool', section: 'output', help: 'no progress bar or progress lines' },
  backend: BACKEND,
};

/** `convnet eval <model> --weights FILE`: only what evaluation uses (no training options, no training split). */
export const EVAL_OPTIONS: OptionTable = {
  weights: { type: 'string', metavar: 'FILE', section: 'checkpoint', help: 'weights to evaluate: a safetensors checkpoint (ours, or a PyTorch state_dict) or a torch.save state dict (.pt); required' },
  'data-dir': { ...DATA_DIR, help: 'directory with the Fashion-MNIST test files t10k-*.gz (default: $CONVNET_FASHION_MNIST_DIR, else the bundled copy)' },
  download: DOWNLOAD,
  'batch-size': BATCH_SIZE,
  resize: { ...RESIZE, help: "resize images to NxN (default: the model's size; must match the size the checkpoint was trained at)" },
  'limit-test': { ...LIMIT_TEST, help: 'evaluate only the first N test images' },
  ...inSection(EVAL_IMAGE_FLAGS, 'your own images'),
  json: { ...JSON_OUT, help: 'print the result as one JSON record' },
  quiet: { type: 'bool', section: 'output', help: 'no progress bar or progress lines' },
  backend: BACKEND,
};

/** `convnet summary <model>`. */
export const SUMMARY_OPTIONS: OptionTable = {
  input: { type: 'shape', metavar: 'N,C,H,W', section: 'options', help: "input shape (default 1,1,H,W at the model's size)" },
};
