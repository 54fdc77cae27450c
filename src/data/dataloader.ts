/**
 * In-memory datasets and a `DataLoader` like torch.utils.data's: fixed-size batches, reshuffled
 * with the seeded global generator at the start of every epoch, optional dropLast.
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../shape/index.js';
import { randperm } from '../tensor/rng.js';

/** Anything that gathers examples into a batch [X, y] by index. */
export interface Dataset {
  readonly length: number;
  /** Examples `idx` as X [B, ...] and y [B]. */
  batch(idx: ArrayLike<number>): [Tensor, Tensor];
}

/** n examples of shape `itemShape` (float32, flat row-major) with int labels; X: [n, ...itemShape], y: [n]. */
export class TensorDataset implements Dataset {
  readonly itemSize: number;
  constructor(readonly features: Float32Array, readonly labels: Int32Array, readonly itemShape: readonly number[]) {
    this.itemSize = itemShape.reduce((a, b) => a * b, 1);
    if (this.itemSize <= 0) throw new Error(`TensorDataset: item shape ${formatShape(itemShape)} is empty`);
    if (features.length !== labels.length * this.itemSize) {
      throw new Error(`TensorDataset: ${features.length} feature values do not make ${labels.length} items of shape ${formatShape(itemShape)}`);
    }
  }
  /** Number of examples. */
  get length(): number { return this.labels.length; }

  /** Gather examples `idx` into a batch: X [B, ...itemShape] float32, y [B] int32. */
  batch(idx: ArrayLike<number>): [Tensor, Tensor] {
    const B = idx.length, s = this.itemSize;
    const X = new Float32Array(B * s), y = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const i = idx[b]!;
      if (!(i >= 0 && i < this.length)) throw new Error(`TensorDataset: index ${i} out of range for ${this.length} examples`);
      X.set(this.features.subarray(i * s, (i + 1) * s), b * s);
      y[b] = this.labels[i]!;
    }
    return [new Tensor(X, [B, ...this.itemShape], 'float32'), new Tensor(y, [B], 'int32')];
  }
}

/** Batch size (default 1), reshuffle every epoch (default false), drop the last partial batch (default false). */
export interface DataLoaderOptions { batchSize?: number; shuffle?: boolean; dropLast?: boolean }

/** Iterates a dataset in batches [X: [B, ...itemShape], y: [B]]; `length` is the number of batches. */
export class DataLoader implements Iterable<[Tensor, Tensor]> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;

  constructor(readonly dataset: Dataset, opts: DataLoaderOptions = {}) {
    this.batchSize = opts.batchSize ?? 1;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new Error(`DataLoader: batchSize must be a positive integer (got ${opts.batchSize})`);
    }
  }

  /** Batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Examples per epoch (after dropLast). */
  get numExamples(): number {
    return this.dropLast ? this.length * this.batchSize : this.dataset.length;
  }

  *[Symbol.iterator](): Iterator<[Tensor, Tensor]> {
    const n = this.dataset.length;
    // The permutation is drawn when iteration starts, so each epoch gets a fresh, seeded order.
    const order = this.shuffle ? randperm(n) : Int32Array.from({ length: n }, (_, i) => i);
    for (let b = 0; b < this.length; b++) {
      const start = b * this.batchSize;
      yield this.dataset.batch(order.subarray(start, Math.min(start + this.batchSize, n)));
    }
  }
}
