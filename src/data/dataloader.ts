/**
 * In-memory datasets and a `DataLoader` like torch.utils.data's: fixed-size batches, reshuffled
 * with the seeded global generator at the start of every epoch, optional dropLast. Datasets of
 * images with per-sample transforms (`StreamDataset`: ImageFolder, CIFAR10, ...) are loaded
 * through a pool of `numWorkers` worker threads that prefetch the next batches; the order and
 * every sample's random draws come from the seed alone (see docs/data.md), so 0, 1 or 8 workers
 * give the same batches.
 */
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../shape/index.js';
import { randperm } from '../tensor/rng.js';
import { fromArray, tensor } from '../tensor/creation.js';
import { drawSeedWords } from '../tensor/generator.js';
import { isStreamDataset, type LoaderPool, type StreamDataset } from './loader/pool.js';
import type { DType } from '../tensor/dtype.js';
import { ArgumentError, describe, expectBool, expectInt, expectNumber, isTensorLike, mergeArgs } from '../util/check.js';
import type { BatchPayload, BatchTask, SkippedSample } from './loader/batch.js';

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

/**
 * Batch size (default 1), reshuffle every epoch (default false), drop the last partial batch
 * (default false); for image datasets also worker threads (default 0: batches are made when
 * needed), batches prefetched per worker (default 2), seconds to wait for one batch (default 300),
 * and a callback for images left out by `skipBadImages`.
 */
export interface DataLoaderOptions {
  batchSize?: number; shuffle?: boolean; dropLast?: boolean;
  numWorkers?: number; prefetchFactor?: number; timeout?: number;
  onSkip?: (s: SkippedSample) => void;
}

/** Iterates a dataset in batches [X: [B, ...itemShape], y: [B]]; `length` is the number of batches. */
export class DataLoader implements Iterable<[Tensor, Tensor]>, AsyncIterable<[Tensor, Tensor]> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly numWorkers: number;
  readonly prefetchFactor: number;
  readonly timeout: number;
  /** Images left out so far (skipBadImages), in the order met. */
  readonly skipped: SkippedSample[] = [];
  private pool: LoaderPool | null = null;
  private nextId = 0;

  readonly dataset: Dataset | StreamDataset;
  private readonly opts: DataLoaderOptions;

  /** `new DataLoader(ds, { batchSize: 32, shuffle: true })` or PyTorch's positional `new DataLoader(ds, 32, true)`. */
  constructor(dataset: Dataset | StreamDataset, opts?: DataLoaderOptions);
  constructor(dataset: Dataset | StreamDataset, batchSize?: number, shuffle?: boolean);
  constructor(dataset: Dataset | StreamDataset, ...args: unknown[]) {
    if (isTensorLike(dataset)) throw new ArgumentError('DataLoader', 'dataset', 'dataset is a Tensor; wrap features and labels in new TensorDataset(X, y)');
    if (typeof dataset !== 'object' || dataset === null || typeof (dataset as { length?: unknown }).length !== 'number' ||
        (!isStreamDataset(dataset) && typeof (dataset as Dataset).batch !== 'function')) {
      throw new ArgumentError('DataLoader', 'dataset', `dataset must have a length and a batch(indices) method (e.g. a TensorDataset, or an image dataset), got ${describe(dataset)}`);
    }
    this.dataset = dataset;
    const o = mergeArgs('DataLoader', args, ['batchSize', 'shuffle'],
      ['batchSize', 'shuffle', 'dropLast', 'numWorkers', 'prefetchFactor', 'timeout', 'onSkip']);
    this.opts = o as DataLoaderOptions;
    this.batchSize = o.batchSize === undefined ? 1 : expectInt('DataLoader', 'batchSize', o.batchSize, 1);
    this.shuffle = o.shuffle === undefined ? false : expectBool('DataLoader', 'shuffle', o.shuffle);
    this.dropLast = o.dropLast === undefined ? false : expectBool('DataLoader', 'dropLast', o.dropLast);
    this.numWorkers = o.numWorkers === undefined ? 0 : expectInt('DataLoader', 'numWorkers', o.numWorkers, 0);
    this.prefetchFactor = o.prefetchFactor === undefined ? 2 : expectInt('DataLoader', 'prefetchFactor', o.prefetchFactor, 1);
    this.timeout = o.timeout === undefined ? 300 : expectNumber('DataLoader', 'timeout', o.timeout, 0);
    if (o.onSkip !== undefined && typeof o.onSkip !== 'function') throw new ArgumentError('DataLoader', 'onSkip', `onSkip must be a function, got ${describe(o.onSkip)}`);
    if (this.numWorkers > 0 && !isStreamDataset(dataset)) {
      throw new ArgumentError('DataLoader', 'numWorkers', 'numWorkers > 0 needs an image dataset (ImageFolder, CIFAR10, MNIST, PixelDataset); in-memory tensor datasets are loaded on the training thread');
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
    const ds = this.dataset;
    if (!isStreamDataset(ds)) {
      for (let b = 0; b < this.length; b++) {
        const start = b * this.batchSize;
        yield ds.batch(order.subarray(start, Math.min(start + this.batchSize, n)));
      }
      return;
    }
    const plan = this.plan(ds, order);
    try {
      for (let b = 0; b < plan.count; b++) {
        const p = plan.pool.takeSync(plan.base + b);
        plan.next();
        const batch = this.finish(p);
        if (batch !== null) yield batch;
      }
    } finally {
      plan.stop();
    }
  }

  /** The same batches for `for await` (pages, where the main thread cannot block on workers). */
  async *[Symbol.asyncIterator](): AsyncIterator<[Tensor, Tensor]> {
    const ds = this.dataset;
    if (!isStreamDataset(ds)) { yield* this; return; }
    const n = ds.length;
    const order = this.shuffle ? randperm(n) : Int32Array.from({ length: n }, (_, i) => i);
    const plan = this.plan(ds, order);
    try {
      for (let b = 0; b < plan.count; b++) {
        const p = await plan.pool.take(plan.base + b);
        plan.next();
        const batch = this.finish(p);
        if (batch !== null) yield batch;
      }
    } finally {
      plan.stop();
    }
  }

  /** Stop the worker threads (they are also stopped, unref'd, when the process exits). */
  close(): void {
    this.pool?.close();
    this.pool = null;
  }

  /** Queue the epoch's first batches; `next()` queues one more as each is taken, keeping numWorkers × prefetchFactor in flight. */
  private plan(ds: StreamDataset, order: Int32Array): { pool: LoaderPool; base: number; count: number; next(): void; stop(): void } {
    // One epoch key for all augmentation, drawn only when some transform is random, so a
    // deterministic pipeline leaves the global generator exactly where an in-memory dataset would.
    const key: [number, number] = ds.random ? drawSeedWords() : [0, 0];
    this.pool ??= ds.createPool({ numWorkers: this.numWorkers, timeoutMs: this.timeout * 1000 });
    const pool = this.pool, count = this.length, base = this.nextId, n = ds.length, bs = this.batchSize;
    this.nextId += count;
    let submitted = 0, taken = 0;
    const submit = (): void => {
      const b = submitted++, start = b * bs, end = Math.min(start + bs, n);
      const task: BatchTask = {
        id: base + b, indices: order.slice(start, end),
        positions: Int32Array.from({ length: end - start }, (_, k) => start + k), key,
      };
      pool.submit(task);
    };
    const ahead = Math.max(1, this.numWorkers * this.prefetchFactor);
    while (submitted < Math.min(count, ahead)) submit();
    return {
      pool, base, count,
      next: () => { taken++; if (submitted < count) submit(); },
      stop: () => { if (taken < submitted) pool.cancel(Array.from({ length: submitted - taken }, (_, k) => base + taken + k)); },
    };
  }

  private finish(p: BatchPayload): [Tensor, Tensor] | null {
    for (const s of p.skipped) { this.skipped.push(s); this.opts.onSkip?.(s); }
    if (p.y.length === 0) return null;
    return [fromArray(p.x, p.shape), tensor(p.y)];
  }
}
