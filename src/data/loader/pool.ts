/**
 * How the DataLoader gets its batches made: it hands `BatchTask`s to a `LoaderPool` and takes the
 * finished batches back in order. A pool may run tasks on worker threads (Node: worker_threads;
 * pages: Web Workers) or on the calling thread (`InlinePool`). Which pool a dataset uses is the
 * dataset's business (`StreamDataset.createPool`), so this layer imports no platform module.
 */
import type { Transform } from '../transforms/transforms.js';
import { buildBatch, loadAll, loadAllSync, type BatchPayload, type BatchTask, type ItemSource, type SkippedSample } from './batch.js';

/** Makes batches for one DataLoader. */
export interface LoaderPool {
  /** Number of worker threads (0: batches are made on the calling thread when taken). */
  readonly numWorkers: number;
  /** Queue a batch. */
  submit(task: BatchTask): void;
  /** The finished batch `id`, blocking the thread until it is ready (Node, and workers in pages). */
  takeSync(id: number): BatchPayload;
  /** The finished batch `id`. */
  take(id: number): Promise<BatchPayload>;
  /** Forget queued and finished batches other than those still wanted (an iteration stopped early). */
  cancel(ids: Iterable<number>): void;
  /** Stop the workers. */
  close(): void;
}

/** Options a pool is made with. */
export interface PoolOptions {
  numWorkers: number;
  /** Milliseconds to wait for one batch before giving up with an error (0: forever). */
  timeoutMs: number;
}

/** A dataset the DataLoader loads through a pool: images transformed per sample, possibly off the training thread. */
export interface StreamDataset {
  readonly length: number;
  /** True when the transform draws random numbers (the loader then draws an epoch seed). */
  readonly random: boolean;
  /** Leave out images that cannot be loaded instead of stopping (reported through the loader's onSkip). */
  readonly skipBadImages: boolean;
  createPool(opts: PoolOptions): LoaderPool;
}

/** True for datasets the DataLoader must load through a pool. */
export function isStreamDataset(d: unknown): d is StreamDataset {
  return typeof d === 'object' && d !== null && typeof (d as StreamDataset).createPool === 'function';
}

/** Makes each batch on the calling thread when it is taken (sources that load synchronously). */
export class InlinePool implements LoaderPool {
  readonly numWorkers = 0;
  private readonly queued = new Map<number, BatchTask>();
  constructor(private readonly src: ItemSource, private readonly transform: Transform | null, private readonly skipBad: boolean) {}
  submit(task: BatchTask): void { this.queued.set(task.id, task); }
  takeSync(id: number): BatchPayload {
    const task = this.queued.get(id);
    if (task === undefined) throw new Error(`InlinePool: batch ${id} was never submitted`);
    this.queued.delete(id);
    return buildBatch(this.src, task, loadAllSync(this.src, task.indices), this.transform, this.skipBad);
  }
  take(id: number): Promise<BatchPayload> {
    try { return Promise.resolve(this.takeSync(id)); } catch (e) { return Promise.reject(e); }
  }
  cancel(ids: Iterable<number>): void { for (const id of ids) this.queued.delete(id); }
  close(): void { this.queued.clear(); }
}

/** Makes each batch on the calling thread, decoding asynchronously (pages without workers): `for await` only. */
export class AsyncInlinePool implements LoaderPool {
  readonly numWorkers = 0;
  private readonly queued = new Map<number, BatchTask>();
  constructor(private readonly src: ItemSource, private readonly transform: Transform | null, private readonly skipBad: boolean) {}
  submit(task: BatchTask): void { this.queued.set(task.id, task); }
  takeSync(): BatchPayload {
    throw new Error('DataLoader: this dataset decodes asynchronously on this thread; iterate with `for await (const batch of loader)`, or use numWorkers > 0');
  }
  async take(id: number): Promise<BatchPayload> {
    const task = this.queued.get(id);
    if (task === undefined) throw new Error(`AsyncInlinePool: batch ${id} was never submitted`);
    this.queued.delete(id);
    return buildBatch(this.src, task, await loadAll(this.src, task.indices), this.transform, this.skipBad);
  }
  cancel(ids: Iterable<number>): void { for (const id of ids) this.queued.delete(id); }
  close(): void { this.queued.clear(); }
}

export type { SkippedSample };
