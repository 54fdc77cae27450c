/**
 * In-memory datasets and a `DataLoader` like torch.utils.data's: fixed-size batches, reshuffled
 * with the seeded global generator at the start of every epoch, optional dropLast.
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { randperm } from '../tensor/rng.js';
import type { DType } from '../tensor/dtype.js';
import { ArgumentError, describe, expectBool, expectInt, isTensorLike, mergeArgs } from '../util/check.js';

/** Anything that gathers examples into a batch [X, y] by index. */
export interface Dataset {
  readonly length: number;
  /** Examples `idx` as X [B, ...] and y [B]. */
  batch(idx: ArrayLike<number>): [Tensor, Tensor];
}

type Storage = Float32Array | Int32Array | Uint8Array;

function gather(src: Storage, size: number, idx: ArrayLike<number>, n: number, what: string): Storage {
  const out = new (src.constructor as new (k: number) => Storage)(idx.length * size);
  for (let b = 0; b < idx.length; b++) {
    const i = idx[b]!;
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new Error(`TensorDataset: index ${i} out of range for ${n} ${what}`);
    out.set(src.subarray(i * size, (i + 1) * size), b * size);
  }
  return out;
}

/**
 * Examples and their labels in memory, like torch.utils.data.TensorDataset:
 * `new TensorDataset(X, y)` with tensors X [n, ...] and y [n, ...] (any dtypes; batches keep them),
 * or from flat arrays `new TensorDataset(features: Float32Array, labels: Int32Array, itemShape)`.
 * A batch is [X [B, ...], y [B, ...]].
 */
export class TensorDataset implements Dataset {
  readonly features: Storage;
  readonly labels: Storage;
  readonly itemShape: readonly number[];
  readonly labelShape: readonly number[];
  readonly itemSize: number;
  private readonly labelSize: number;
  private readonly dtypes: [DType, DType];

  constructor(X: Tensor, y: Tensor);
  constructor(features: Float32Array, labels: Int32Array, itemShape: readonly number[]);
  constructor(a: Tensor | Float32Array, b: Tensor | Int32Array, itemShape?: readonly number[], ...rest: never[]) {
    if (a instanceof Tensor || b instanceof Tensor) {
      if (!(a instanceof Tensor) || !(b instanceof Tensor)) {
        throw new ArgumentError('TensorDataset', a instanceof Tensor ? 'labels' : 'features', `give two tensors (X [n, ...], y [n]) or (Float32Array, Int32Array, itemShape), got ${describe(a)} and ${describe(b)}`);
      }
      if (itemShape !== undefined || rest.length > 0) {
        throw new ArgumentError('TensorDataset', 'arguments', 'takes two tensors (features X [n, ...] and labels y [n, ...]); more tensors are not supported');
      }
      if (a.ndim === 0 || b.ndim === 0) throw new ArgumentError('TensorDataset', a.ndim === 0 ? 'features' : 'labels', `tensors need a first (example) dimension, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
      if (a.shape[0] !== b.shape[0]) {
        throw new ArgumentError('TensorDataset', 'labels', `size mismatch between tensors: X ${formatShape(a.shape)} has ${a.shape[0]} examples but y ${formatShape(b.shape)} has ${b.shape[0]}`);
      }
      this.features = a.contiguous().data.slice();
      this.labels = b.contiguous().data.slice();
      this.itemShape = a.shape.slice(1);
      this.labelShape = b.shape.slice(1);
      this.dtypes = [a.dtype, b.dtype];
    } else {
      if (!(a instanceof Float32Array)) throw new ArgumentError('TensorDataset', 'features', `features must be a Float32Array (or pass tensors X, y), got ${describe(a)}`);
      if (!(b instanceof Int32Array)) throw new ArgumentError('TensorDataset', 'labels', `labels must be an Int32Array (or pass tensors X, y), got ${describe(b)}`);
      if (!Array.isArray(itemShape) || !itemShape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new ArgumentError('TensorDataset', 'itemShape', `itemShape must be an array of sizes like [1, 28, 28], got ${describe(itemShape)}`);
      }
      this.features = a;
      this.labels = b;
      this.itemShape = itemShape.slice();
      this.labelShape = [];
      this.dtypes = ['float32', 'int32'];
    }
    this.itemSize = this.itemShape.reduce((p, d) => p * d, 1);
    this.labelSize = this.labelShape.reduce((p, d) => p * d, 1);
    if (this.itemSize <= 0) throw new Error(`TensorDataset: item shape ${formatShape(this.itemShape)} is empty`);
    if (this.features.length !== this.labels.length / Math.max(this.labelSize, 1) * this.itemSize) {
      throw new Error(`TensorDataset: ${this.features.length} feature values do not make ${this.labels.length} items of shape ${formatShape(this.itemShape)}`);
    }
  }

  /** Number of examples. */
  get length(): number { return this.labelSize === 0 ? 0 : this.labels.length / this.labelSize; }

  /** Gather examples `idx` into a batch: X [B, ...itemShape], y [B, ...labelShape], with the dtypes given. */
  batch(idx: ArrayLike<number>): [Tensor, Tensor] {
    const n = this.length, B = idx.length;
    const X = gather(this.features, this.itemSize, idx, n, 'examples');
    const y = gather(this.labels, this.labelSize, idx, n, 'examples');
    return [new Tensor(X, [B, ...this.itemShape], this.dtypes[0]), new Tensor(y, [B, ...this.labelShape], this.dtypes[1])];
  }
}

/** Batch size (default 1), reshuffle every epoch (default false), drop the last partial batch (default false). */
export interface DataLoaderOptions { batchSize?: number; shuffle?: boolean; dropLast?: boolean }

/** Iterates a dataset in batches [X: [B, ...itemShape], y: [B]]; `length` is the number of batches. */
export class DataLoader implements Iterable<[Tensor, Tensor]> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;

  readonly dataset: Dataset;

  /** `new DataLoader(ds, { batchSize: 32, shuffle: true })` or PyTorch's positional `new DataLoader(ds, 32, true)`. */
  constructor(dataset: Dataset, opts?: DataLoaderOptions);
  constructor(dataset: Dataset, batchSize?: number, shuffle?: boolean);
  constructor(dataset: Dataset, ...args: unknown[]) {
    if (isTensorLike(dataset)) throw new ArgumentError('DataLoader', 'dataset', 'dataset is a Tensor; wrap features and labels in new TensorDataset(X, y)');
    if (typeof dataset !== 'object' || dataset === null || typeof (dataset as Dataset).batch !== 'function' || typeof (dataset as Dataset).length !== 'number') {
      throw new ArgumentError('DataLoader', 'dataset', `dataset must have a length and a batch(indices) method (e.g. a TensorDataset), got ${describe(dataset)}`);
    }
    this.dataset = dataset;
    const o = mergeArgs('DataLoader', args, ['batchSize', 'shuffle'], ['batchSize', 'shuffle', 'dropLast']);
    this.batchSize = o.batchSize === undefined ? 1 : expectInt('DataLoader', 'batchSize', o.batchSize, 1);
    this.shuffle = o.shuffle === undefined ? false : expectBool('DataLoader', 'shuffle', o.shuffle);
    this.dropLast = o.dropLast === undefined ? false : expectBool('DataLoader', 'dropLast', o.dropLast);
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
