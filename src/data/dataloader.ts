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
import type { BatchPayload, BatchTask, SkippedSample } from './loader/batch.js';

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

  constructor(readonly dataset: Dataset | StreamDataset, private readonly opts: DataLoaderOptions = {}) {
    this.batchSize = opts.batchSize ?? 1;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.numWorkers = opts.numWorkers ?? 0;
    this.prefetchFactor = opts.prefetchFactor ?? 2;
    this.timeout = opts.timeout ?? 300;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new Error(`DataLoader: batchSize must be a positive integer (got ${opts.batchSize})`);
    }
    if (!Number.isInteger(this.numWorkers) || this.numWorkers < 0) throw new Error(`DataLoader: numWorkers must be a non-negative integer (got ${opts.numWorkers})`);
    if (!Number.isInteger(this.prefetchFactor) || this.prefetchFactor < 1) throw new Error(`DataLoader: prefetchFactor must be a positive integer (got ${opts.prefetchFactor})`);
    if (!(this.timeout >= 0)) throw new Error(`DataLoader: timeout must be >= 0 seconds (got ${opts.timeout})`);
    if (this.numWorkers > 0 && !isStreamDataset(dataset)) {
      throw new Error('DataLoader: numWorkers > 0 needs an image dataset (ImageFolder, CIFAR10, MNIST, PixelDataset); in-memory tensor datasets are loaded on the training thread');
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
