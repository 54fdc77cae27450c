/**
 * Where worker pools come from. This layer is universal, so it cannot start threads itself: the
 * platform registers a factory (Node: `convnet-ts/node` — src/data/node/worker-pool.ts — does on
 * import; pages: src/data/browser/worker-pool.ts). Datasets describe themselves to the worker as
 * a `WorkerInit`, plain data that survives structured cloning.
 */
import type { TransformSpec } from '../transforms/transforms.js';
import type { LoaderPool, PoolOptions } from './pool.js';

/** What a worker rebuilds its samples from. */
export type WorkerSourceInit =
  | { kind: 'pixels'; images: Uint8Array; labels: Int32Array; height: number; width: number; channels: 1 | 3; names: string }
  | { kind: 'files'; files: string[]; labels: Int32Array; channels: 1 | 3 }
  | { kind: 'urls'; urls: string[]; labels: Int32Array; channels: 1 | 3 };

/** Everything a worker needs: the samples, the transform (null: none), skipping, and whether it only decodes. */
export interface WorkerInit {
  source: WorkerSourceInit;
  transform: TransformSpec | null;
  skipBad: boolean;
}

/** Starts a pool of worker threads for a dataset. */
export type WorkerPoolFactory = (init: WorkerInit, opts: PoolOptions) => LoaderPool;

let factory: WorkerPoolFactory | null = null;

/** Install the platform's worker pool (called by the Node entry and by the browser module). */
export function registerWorkerPoolFactory(f: WorkerPoolFactory): void {
  factory = f;
}

/** Start `opts.numWorkers` workers for `init`, or explain how to get worker support. */
export function startWorkerPool(init: WorkerInit, opts: PoolOptions): LoaderPool {
  if (factory === null) {
    throw new Error("DataLoader: numWorkers > 0 needs a worker pool: in Node import 'convnet-ts/node' (ImageFolder, CIFAR10 and MNIST do), in a page import the browser data module; or use numWorkers: 0");
  }
  return factory(init, opts);
}
