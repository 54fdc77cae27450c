/**
 * `--data DIR|NAME` for train and eval: a class-per-folder directory (ImageFolder) or a dataset
 * (mnist, cifar10, cifar100; fashion-mnist stays on the bundled path in common.ts), resized to
 * the model's size (or --resize N), with --augment for training, loaded by --workers threads.
 * The class names, channel count and size go into the checkpoint's metadata; eval reads them back.
 */
import * as fs from 'node:fs';
import path from 'node:path';
import { DataModule } from '../train/data-module.js';
import { DataLoader } from '../data/dataloader.js';
import { fromArray } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { ImageFolder, probeChannels } from '../data/node/image-folder.js';
import { CIFAR10, CIFAR100, MNIST } from '../data/node/datasets.js';
import type { PixelDataset } from '../data/pixel-dataset.js';
import { ImageLoadError } from '../data/loader/batch.js';
import { Generator } from '../tensor/generator.js';
import {
  ColorJitter, Compose, RandomCrop, RandomHorizontalFlip, RandomResizedCrop, Resize, ToTensor, Grayscale, type Transform,
} from '../data/transforms/transforms.js';
import { toTensor } from '../data/transforms/functional.js';
import { Flags, UsageError, type FlagSpec } from './args.js';

/** Datasets `--data` accepts by name. */
export const DATASET_NAMES = ['fashion-mnist', 'mnist', 'cifar10', 'cifar100'] as const;

/** Augmentations `--augment` accepts. */
export const AUGMENTATIONS = ['flip', 'crop', 'resized-crop', 'jitter'] as const;

const DATA_HELP = `class-per-folder image directory (DIR/<class>/<image>.png|jpg|webp) or a dataset: ${DATASET_NAMES.join(', ')} (default fashion-mnist)`;

/** Flags of `convnet eval` for image data. */
export const EVAL_IMAGE_FLAGS: Record<string, FlagSpec> = {
  data: { type: 'string', metavar: 'DIR|NAME', help: `evaluate on a ${DATA_HELP}; datasets use their test split` },
  channels: { type: 'string', choices: ['1', '3', 'auto'], metavar: '1|3|auto', help: 'decode images as grayscale (1) or RGB (3); default: the checkpoint\'s, else auto (1 if every class\'s first image is grayscale)' },
  workers: { type: 'int', min: 0, max: 64, metavar: 'N', help: 'data worker threads decoding and transforming images (default 1)' },
  'skip-bad-images': { type: 'bool', help: 'leave out images that cannot be read or decoded (each named in a warning) instead of stopping' },
};

/** Flags of `convnet train` for image data. */
export const TRAIN_IMAGE_FLAGS: Record<string, FlagSpec> = {
  ...EVAL_IMAGE_FLAGS,
  data: { type: 'string', metavar: 'DIR|NAME', help: `train on a ${DATA_HELP}` },
  'val-data': { type: 'string', metavar: 'DIR', help: 'validate on this class-per-folder directory (default: the dataset\'s test split; none for a directory)' },
  augment: { type: 'string', metavar: 'LIST', help: `training augmentation, comma-separated: ${AUGMENTATIONS.join(', ')} (crop: RandomCrop with N/8 padding; jitter: brightness and contrast 0.4)` },
};

/** True when the flags ask for image data rather than the bundled Fashion-MNIST path. */
export function usesImageData(f: Flags): boolean {
  const d = f.str('data');
  return (d !== undefined && d !== 'fashion-mnist') || f.has('val-data');
}

/** What a checkpoint records about its data (metadata 'classes' and 'data'). */
export interface DataMeta { classes: string[]; channels: 1 | 3; size: [number, number] }

/** Train/validation loaders over image data, the classes, and what eval needs to repeat the preprocessing. */
export class ImageDataModule extends DataModule {
  constructor(readonly train: DataLoader, readonly val: DataLoader | null, readonly meta: DataMeta, readonly describe: string,
              private readonly sample: Tensor) { super(); }
  get batchSize(): number { return this.train.batchSize; }
  getDataloader(train: boolean): DataLoader { return train || this.val === null ? this.train : this.val; }
  override valDataloader(): DataLoader | null { return this.val; }
  /** A first batch in dataset order without augmentation (materialises lazy layers, as FashionMNIST's first images do). */
  sampleBatch(): Tensor { return this.sample; }
  /** Stop the worker threads. */
  close(): void { this.train.close(); this.val?.close(); }
}

function parseAugment(s: string | undefined): Set<string> {
  const out = new Set<string>();
  if (s === undefined) return out;
  for (const a of s.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    if (!(AUGMENTATIONS as readonly string[]).includes(a)) throw new UsageError(`option --augment: unknown augmentation '${a}' (choose from ${AUGMENTATIONS.join(', ')})`);
    out.add(a);
  }
  return out;
}

/** Training transform: Resize to size (or RandomResizedCrop), then the chosen augmentations, then ToTensor. */
export function trainTransform(size: [number, number], augment: Set<string>, channels: 1 | 3, srcChannels: 1 | 3): Transform {
  const t: Transform[] = [];
  if (channels !== srcChannels) t.push(new Grayscale(channels));
  t.push(augment.has('resized-crop') ? new RandomResizedCrop(size) : new Resize(size));
  if (augment.has('crop')) t.push(new RandomCrop(size, { padding: Math.max(1, Math.round(Math.min(...size) / 8)) }));
  if (augment.has('flip')) t.push(new RandomHorizontalFlip());
  if (augment.has('jitter')) t.push(new ColorJitter({ brightness: 0.4, contrast: 0.4 }));
  t.push(new ToTensor());
  return new Compose(t);
}

/** Evaluation transform: Resize to size, ToTensor. */
export function evalTransform(size: [number, number], channels: 1 | 3, srcChannels: 1 | 3): Transform {
  return new Compose([...(channels !== srcChannels ? [new Grayscale(channels)] : []), new Resize(size), new ToTensor()]);
}

function parseChannels(v: string | undefined): 1 | 3 | 'auto' {
  return v === '1' ? 1 : v === '3' ? 3 : 'auto';
}

interface Built { ds: ImageFolder | PixelDataset; what: string }

/** A named dataset or a folder, with `transform`. */
function open(spec: string, root: string | undefined, train: boolean, transform: Transform, channels: 1 | 3,
              skipBad: boolean, classes?: readonly string[]): Built {
  switch (spec) {
    case 'mnist': return { ds: new MNIST(root, { train, transform }), what: 'MNIST' };
    case 'cifar10': return { ds: new CIFAR10(root, { train, transform }), what: 'CIFAR-10' };
    case 'cifar100': return { ds: new CIFAR100(root, { train, transform }), what: 'CIFAR-100' };
    default: {
      const opts = classes === undefined ? { transform, channels, skipBadImages: skipBad } : { transform, channels, skipBadImages: skipBad, classes };
      return { ds: new ImageFolder(spec, opts), what: `images in ${path.resolve(spec)}` };
    }
  }
}

/** Download a named dataset's files when --download is given. */
export async function ensureNamedData(f: Flags, log: { write(s: string): unknown }): Promise<void> {
  const d = f.str('data');
  if (!f.bool('download') || d === undefined) return;
  const cls = d === 'mnist' ? MNIST : d === 'cifar10' ? CIFAR10 : d === 'cifar100' ? CIFAR100 : null;
  if (cls === null) return;
  await cls.download(f.str('data-dir'), {
    onFile: (r) => log.write(`downloaded ${r.url} (${r.bytes} bytes, sha256 verified) -> ${r.path}\n`),
  });
}

/** The first `n` samples in dataset order through `transform` (deterministic), stacked; unloadable ones left out when `skipBad`. */
async function firstBatch(ds: ImageFolder | PixelDataset, transform: Transform, n: number, skipBad: boolean): Promise<Tensor> {
  const g = new Generator(0), parts: Float32Array[] = [];
  let shape: number[] = [];
  for (let i = 0; i < ds.length && parts.length < n; i++) {
    let img;
    try {
      img = await ds.source.load(i);
    } catch (e) {
      if (skipBad && e instanceof ImageLoadError) continue;
      throw e;
    }
    const out = transform.apply(img, g);
    const fimg = out.kind === 'pixels' ? toTensor(out) : out;
    shape = [fimg.channels, fimg.height, fimg.width];
    parts.push(fimg.data);
  }
  const x = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  parts.reduce((o, p) => { x.set(p, o); return o + p.length; }, 0);
  return fromArray(x, [parts.length, ...shape]);
}

/** Channel count of the images behind `spec` (datasets: their own; folders: probed, when not given). */
async function sourceChannels(spec: string): Promise<1 | 3> {
  if (spec === 'mnist') return 1;
  if (spec === 'cifar10' || spec === 'cifar100') return 3;
  return probeChannels(new ImageFolder(spec, { allowEmpty: true }));
}

/** Options the train and eval commands pass. */
export interface ImageDataRequest {
  mode: 'train' | 'eval';
  size: [number, number];
  batchSize: number;
  /** From a checkpoint (eval): decode to this many channels and label by these classes. */
  channels?: 1 | 3;
  classes?: readonly string[];
  warn: (s: string) => void;
}

/** Build the train (and validation) or evaluation loaders the flags describe. */
export async function setupImageData(f: Flags, req: ImageDataRequest): Promise<ImageDataModule> {
  const spec = f.str('data') ?? 'fashion-mnist';
  if (spec === 'fashion-mnist') throw new UsageError('option --val-data: needs --data DIR (Fashion-MNIST validates on its test split)');
  const root = f.str('data-dir');
  for (const [flag, v] of [['data', spec], ['val-data', f.str('val-data')]] as const) {
    if (v !== undefined && !(DATASET_NAMES as readonly string[]).includes(v) && !fs.existsSync(v)) {
      throw new UsageError(`option --${flag}: '${v}' is neither a directory nor a dataset name (${DATASET_NAMES.join(', ')})`);
    }
  }
  const src = await sourceChannels(spec);
  const asked = parseChannels(f.str('channels'));
  const channels: 1 | 3 = req.channels ?? (asked === 'auto' ? src : asked);
  const augment = parseAugment(f.str('augment'));
  const skipBad = f.bool('skip-bad-images');
  const numWorkers = f.num('workers') ?? 1;
  const onSkip = (s: { name: string; reason: string }): void => req.warn(`warning: skipped ${s.name}: ${s.reason}\n`);
  // Folders decode straight to the wanted channel count; datasets convert in the transform.
  const datasetSrc = (DATASET_NAMES as readonly string[]).includes(spec) ? src : channels;
  const evalT = evalTransform(req.size, channels, datasetSrc);
  let train: Built, val: Built | null = null;
  if (req.mode === 'train') {
    train = open(spec, root, true, trainTransform(req.size, augment, channels, datasetSrc), channels, skipBad);
    const v = f.str('val-data');
    if (v !== undefined) val = open(v, root, false, evalTransform(req.size, channels, channels), channels, skipBad, (train.ds as { classes: readonly string[] }).classes);
    else if (train.ds instanceof ImageFolder) val = null;
    else val = open(spec, root, false, evalT, channels, skipBad);
  } else {
    train = open(spec, root, false, evalT, channels, skipBad, req.classes);
  }
  const classes = [...(train.ds as { classes: readonly string[] }).classes];
  if (train.ds.length === 0) throw new Error(`no images in ${train.what}`);
  const trainLoader = new DataLoader(train.ds, { batchSize: req.batchSize, shuffle: req.mode === 'train', numWorkers, onSkip });
  const valLoader = val === null ? null : new DataLoader(val.ds, { batchSize: req.batchSize, numWorkers, onSkip });
  const sample = await firstBatch(train.ds, evalT, req.batchSize, skipBad);
  if (sample.shape[0] === 0) throw new Error(`no image in ${train.what} could be loaded`);
  const describe = `${train.ds.length} ${train.what} (${classes.length} classes, ${channels === 1 ? 'grayscale' : 'RGB'}) ${req.size[0]}x${req.size[1]}` +
    (req.mode === 'train' ? (augment.size > 0 ? `, augment ${[...augment].join('+')}` : '') + (val !== null ? `, validating on ${val.ds.length} ${val.what}` : ', no validation set (--val-data DIR)') : '') +
    `, ${numWorkers} data worker${numWorkers === 1 ? '' : 's'}`;
  return new ImageDataModule(trainLoader, valLoader, { classes, channels, size: req.size }, describe, sample);
}

/** The checkpoint metadata entries for `meta`. */
export function dataMetadata(meta: DataMeta): Record<string, string> {
  return { classes: JSON.stringify(meta.classes), data: JSON.stringify({ channels: meta.channels, size: meta.size }) };
}

/** Read back what dataMetadata wrote (partial for older checkpoints and PyTorch state_dicts). */
export function readDataMetadata(md: Record<string, string>, file: string): Partial<DataMeta> {
  const out: Partial<DataMeta> = {};
  try {
    if (md.classes !== undefined) out.classes = JSON.parse(md.classes) as string[];
    if (md.data !== undefined) {
      const d = JSON.parse(md.data) as { channels?: 1 | 3; size?: [number, number] };
      if (d.channels !== undefined) out.channels = d.channels;
      if (d.size !== undefined) out.size = d.size;
    }
  } catch {
    throw new Error(`${file}: the checkpoint's 'classes'/'data' metadata is not valid JSON`);
  }
  return out;
}
