/**
 * The page's worker pool: `numWorkers` module Web Workers (src/data/browser/loader-worker.ts) that
 * fetch, decode and transform batches. Batch b goes to worker b mod n; results are handed out in
 * order. Only `take` (for await) is offered: a page's main thread may not block. Importing this
 * module in a page registers the pool for the DataLoader (in Node it leaves worker_threads in place).
 */
import type { BatchPayload, BatchTask } from '../loader/batch.js';
import { registerWorkerPoolFactory, type WorkerInit } from '../loader/platform.js';
import type { LoaderPool, PoolOptions } from '../loader/pool.js';

interface WebWorker { postMessage(m: unknown, t?: unknown[]): void; terminate(): void; onmessage: ((e: { data: unknown }) => void) | null; onerror: ((e: { message?: string }) => void) | null }
type WorkerCtor = new (url: URL, o: { type: 'module' }) => WebWorker;
type Reply = { type: 'batch'; payload: BatchPayload } | { type: 'error'; id: number; message: string } | { type: 'fatal'; message: string };

/** Web Worker pool (pages). */
export class WebWorkerPool implements LoaderPool {
  readonly numWorkers: number;
  private readonly workers: WebWorker[] = [];
  private readonly done = new Map<number, Reply>();
  private readonly waiting = new Map<number, () => void>();
  private readonly cancelled = new Set<number>();
  private fatal: string | null = null;

  constructor(init: WorkerInit, private readonly opts: PoolOptions, workerUrl = new URL('./loader-worker.js', import.meta.url)) {
    const W = (globalThis as { Worker?: WorkerCtor }).Worker;
    if (W === undefined) throw new Error('DataLoader: numWorkers > 0 needs Web Workers, which this environment lacks; use numWorkers: 0');
    this.numWorkers = opts.numWorkers;
    for (let w = 0; w < opts.numWorkers; w++) {
      const worker = new W(workerUrl, { type: 'module' });
      worker.onmessage = (e) => this.receive(e.data as Reply);
      worker.onerror = (e) => { this.fatal ??= `data worker ${w} failed: ${e.message ?? 'error'}`; this.wakeAll(); };
      worker.postMessage({ type: 'init', init });
      this.workers.push(worker);
    }
  }

  private receive(r: Reply): void {
    if (r.type === 'fatal') { this.fatal ??= r.message; this.wakeAll(); return; }
    const id = r.type === 'batch' ? r.payload.id : r.id;
    if (this.cancelled.delete(id)) return;
    this.done.set(id, r);
    this.waiting.get(id)?.();
  }

  private wakeAll(): void { for (const f of this.waiting.values()) f(); }

  submit(task: BatchTask): void {
    this.workers[task.id % this.workers.length]!.postMessage({ type: 'task', task });
  }

  takeSync(): BatchPayload {
    throw new Error("DataLoader: a page's main thread cannot wait for workers; iterate with `for await (const batch of loader)`");
  }

  async take(id: number): Promise<BatchPayload> {
    const deadline = this.opts.timeoutMs > 0 ? Date.now() + this.opts.timeoutMs : Infinity;
    for (;;) {
      const r = this.done.get(id);
      if (r !== undefined) {
        this.done.delete(id);
        if (r.type === 'error') throw new Error(r.message);
        if (r.type === 'batch') return r.payload;
      }
      if (this.fatal !== null) throw new Error(this.fatal);
      if (Date.now() >= deadline) throw new Error(`DataLoader: no batch from the ${this.workers.length} data worker(s) in ${this.opts.timeoutMs / 1000} s`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(1000, deadline - Date.now()));
        this.waiting.set(id, () => { clearTimeout(t); resolve(); });
      });
      this.waiting.delete(id);
    }
  }

  cancel(ids: Iterable<number>): void {
    for (const id of ids) if (!this.done.delete(id)) this.cancelled.add(id);
  }

  close(): void {
    for (const w of this.workers) w.terminate();
    this.workers.length = 0;
  }
}

// Pages and workers get Web Workers; in Node, convnet-ts/node registers worker_threads instead.
const inNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
if (!inNode) registerWorkerPoolFactory((init, opts) => new WebWorkerPool(init, opts));
