/**
 * d2l's `FashionMNIST` data module: the bundled (or downloaded) IDX files as [B, 1, H, W] float32
 * batches in [0, 1] with int32 labels, optionally resized (bilinear, like `transforms.Resize`).
 * Resizing happens once, when the split is loaded, and is kept, so epochs only copy batches; when
 * the resized split would be too large to keep (e.g. 60,000 images at 224×224), batches are resized
 * as they are drawn instead.
 */
import { Tensor } from '../tensor/tensor.js';
import { DataModule } from './data-module.js';
import { DataLoader, type Dataset } from './dataloader.js';
import { resizeBilinear } from './resize.js';
import { FASHION_MNIST_LABELS, loadFashionMnistSplit } from './fashion-mnist-files.js';

/** d2l.FashionMNIST(batch_size, resize) plus data directory, split limits and the resize cache budget. */
export interface FashionMNISTOptions {
  /** Examples per batch (d2l's default 64). */
  batchSize?: number;
  /** Output [H, W] (or one number for square); default [28, 28] (no resize). */
  resize?: readonly [number, number] | number;
  /** Directory with the four IDX .gz files; default: the bundled copy (see resolveFashionMnistDir). */
  dir?: string;
  /** Keep only the first N training / test images (quick runs and tests). */
  limitTrain?: number;
  limitTest?: number;
  /** Largest resized split, in bytes, kept in memory; bigger splits resize per batch. Default 1 GiB. */
  cacheBytes?: number;
}

/** Grayscale images [n, 1, H, W] in [0, 1] with labels; resized once up front when it fits in `cacheBytes`. */
export class ImageDataset implements Dataset {
  private readonly cache: Float32Array | null;
  readonly itemShape: readonly number[];

  constructor(readonly images: Uint8Array, readonly labels: Int32Array, readonly rows: number, readonly cols: number,
              readonly height: number, readonly width: number, cacheBytes = 2 ** 30) {
    if (images.length !== labels.length * rows * cols) {
      throw new Error(`ImageDataset: ${images.length} pixels do not make ${labels.length} images of ${rows}x${cols}`);
    }
    this.itemShape = [1, height, width];
    const bytes = labels.length * height * width * 4;
    this.cache = bytes <= cacheBytes ? toUnit(resizeBilinear(images, labels.length, rows, cols, height, width)) : null;
  }

  /** Number of images. */
  get length(): number { return this.labels.length; }

  /** X: [B, 1, H, W] float32 in [0, 1], y: [B] int32. */
  batch(idx: ArrayLike<number>): [Tensor, Tensor] {
    const B = idx.length, hw = this.height * this.width, src = this.rows * this.cols;
    const X = new Float32Array(B * hw), y = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const i = idx[b]!;
      if (!(i >= 0 && i < this.length)) throw new Error(`ImageDataset: index ${i} out of range for ${this.length} images`);
      if (this.cache !== null) X.set(this.cache.subarray(i * hw, (i + 1) * hw), b * hw);
      else X.set(toUnit(resizeBilinear(this.images.subarray(i * src, (i + 1) * src), 1, this.rows, this.cols, this.height, this.width)), b * hw);
      y[b] = this.labels[i]!;
    }
    return [new Tensor(X, [B, 1, this.height, this.width], 'float32'), new Tensor(y, [B], 'int32')];
  }
}

function toUnit(a: Float32Array): Float32Array {
  for (let i = 0; i < a.length; i++) a[i] = a[i]! / 255;
  return a;
}

function checkLimit(name: string, v: number | undefined): void {
  if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new Error(`FashionMNIST: ${name} must be a positive integer (got ${v})`);
}

/** d2l.FashionMNIST: train split shuffled each epoch, test split as validation. */
export class FashionMNIST extends DataModule {
  readonly batchSize: number;
  readonly resize: readonly [number, number];
  readonly train: ImageDataset;
  readonly val: ImageDataset;

  constructor(opts: FashionMNISTOptions = {}) {
    super();
    this.batchSize = opts.batchSize ?? 64;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) throw new Error(`FashionMNIST: batchSize must be a positive integer (got ${opts.batchSize})`);
    const r = opts.resize ?? [28, 28];
    this.resize = typeof r === 'number' ? [r, r] : [r[0], r[1]];
    for (const d of this.resize) {
      if (!Number.isInteger(d) || d < 1) throw new Error(`FashionMNIST: resize must be positive integers (got ${JSON.stringify(r)})`);
    }
    checkLimit('limitTrain', opts.limitTrain);
    checkLimit('limitTest', opts.limitTest);
    this.train = loadSplit('train', opts.dir, opts.limitTrain, this.resize, opts.cacheBytes);
    this.val = loadSplit('test', opts.dir, opts.limitTest, this.resize, opts.cacheBytes);
  }

  /** Shuffled training batches (train) or in-order test batches. */
  getDataloader(train: boolean): DataLoader {
    return new DataLoader(train ? this.train : this.val, { batchSize: this.batchSize, shuffle: train });
  }

  /** Class names for label indices (a tensor or numbers), e.g. 0 → 't-shirt'. */
  textLabels(indices: Tensor | ArrayLike<number>): string[] {
    const idx = indices instanceof Tensor ? Array.from(indices.data) : Array.from(indices);
    return idx.map((i) => {
      const l = FASHION_MNIST_LABELS[i];
      if (l === undefined) throw new Error(`textLabels: ${i} is not a Fashion-MNIST class index (0-9)`);
      return l;
    });
  }
}

/** One split of Fashion-MNIST as an ImageDataset (e.g. the test split alone, for evaluation). */
export function fashionMnistDataset(split: 'train' | 'test', opts: { dir?: string; limit?: number; resize?: readonly [number, number]; cacheBytes?: number } = {}): ImageDataset {
  checkLimit('limit', opts.limit);
  return loadSplit(split, opts.dir, opts.limit, opts.resize ?? [28, 28], opts.cacheBytes);
}

function loadSplit(split: 'train' | 'test', dir: string | undefined, limit: number | undefined,
                   [h, w]: readonly [number, number], cacheBytes: number | undefined): ImageDataset {
  const s = loadFashionMnistSplit(split, dir === undefined ? {} : { dir });
  const n = Math.min(s.n, limit ?? s.n);
  const px = s.rows * s.cols;
  return new ImageDataset(s.images.subarray(0, n * px), Int32Array.from(s.labels.subarray(0, n)), s.rows, s.cols, h, w, cacheBytes);
}
