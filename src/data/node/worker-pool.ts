/**
 * The Node worker pool: `numWorkers` worker_threads that decode and transform batches. The training
 * loop is synchronous (d2l's Trainer), so the pool hands batches over without the event loop:
 * each worker posts a finished batch on its own MessagePort and bumps a shared counter with
 * Atomics.notify; the training thread sleeps in Atomics.wait on that counter and picks messages up
 * with receiveMessageOnPort. Batch b goes to worker b mod n (as in PyTorch) and batches are handed
 * out in order, so which worker finishes first never changes what the loop sees.
 * Workers are unref'd: a script that forgets `loader.close()` still exits.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { buildBatch, ImageLoadError, type BatchPayload, type BatchTask, type ItemSource, type Loaded } from '../loader/batch.js';
import { registerWorkerPoolFactory, type WorkerInit } from '../loader/platform.js';
import type { LoaderPool, PoolOptions } from '../loader/pool.js';
import type { Transform } from '../transforms/transforms.js';
import type { PixelImage } from '../image.js';

/** Messages a worker posts on its port. */
export type WorkerReply =
  | { type: 'batch'; payload: BatchPayload }
  | { type: 'decoded'; id: number; items: ({ ok: true; img: PixelImage } | { ok: false; file?: string; reason?: string; message: string })[] }
  | { type: 'error'; id: number; message: string }
  | { type: 'fatal'; message: string };

/** When the training thread applies the transform itself (numWorkers 0 with a decoder that is asynchronous): the main-side pieces. */
export interface DecodeOnly { source: ItemSource; transform: Transform | null; skipBad: boolean }

const WORKER_URL = new URL('./loader-worker.js', import.meta.url);

/** worker_threads pool; with `decodeOnly`, one worker decodes and the calling thread transforms (numWorkers 0 semantics). */
export class NodeWorkerPool implements LoaderPool {
  readonly numWorkers: number;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly signal: Int32Array;
  private readonly done = new Map<number, WorkerReply>();
  private readonly tasks = new Map<number, BatchTask>();
  private readonly cancelled = new Set<number>();
  private fatal: string | null = null;
  private closed = false;

  constructor(init: WorkerInit, private readonly opts: PoolOptions, private readonly decodeOnly: DecodeOnly | null = null) {
    this.numWorkers = decodeOnly !== null ? 0 : opts.numWorkers;
    const threads = Math.max(1, opts.numWorkers);
    this.signal = new Int32Array(new SharedArrayBuffer(4));
    for (let w = 0; w < threads; w++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_URL, {
        workerData: { init, port: port2, signal: this.signal, decodeOnly: decodeOnly !== null, workerId: w },
        transferList: [port2],
      });
      worker.on('error', (e) => { this.fatal ??= `data worker ${w} failed: ${e.message}`; });
      worker.unref();
      port1.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
  }

  submit(task: BatchTask): void {
    if (this.closed) throw new Error('DataLoader: the worker pool was closed (loader.close()); make a new DataLoader');
    this.tasks.set(task.id, task);
    this.workers[task.id % this.workers.length]!.postMessage({ type: 'task', task });
  }

  private drain(): void {
    for (const port of this.ports) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        const r = m.message as WorkerReply;
        if (r.type === 'fatal') { this.fatal ??= r.message; continue; }
        const id = r.type === 'batch' ? r.payload.id : r.id;
        if (this.cancelled.delete(id)) { this.tasks.delete(id); continue; }
        this.done.set(id, r);
      }
    }
  }

  private ready(id: number): BatchPayload | null {
    const r = this.done.get(id);
    if (r === undefined) {
      if (this.fatal !== null) throw new Error(this.fatal);
      return null;
    }
    this.done.delete(id);
    const task = this.tasks.get(id)!;
    this.tasks.delete(id);
    if (r.type === 'batch') return r.payload;
    if (r.type === 'error') throw new Error(r.message);
    if (r.type !== 'decoded' || this.decodeOnly === null) throw new Error(`data worker: unexpected reply '${r.type}'`);
    const loaded: Loaded[] = r.items.map((it) => (it.ok ? { ok: true, img: it.img }
      : { ok: false, error: it.file !== undefined ? new ImageLoadError(it.file, it.reason ?? it.message) : new Error(it.message) }));
    const d = this.decodeOnly;
    return buildBatch(d.source, task, loaded, d.transform, d.skipBad);
  }

  takeSync(id: number): BatchPayload {
    if (!this.tasks.has(id)) throw new Error(`DataLoader: batch ${id} was never submitted`);
    const start = Date.now();
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      this.drain();
      const p = this.ready(id);
      if (p !== null) return p;
      const waited = Date.now() - start;
      if (this.opts.timeoutMs > 0 && waited >= this.opts.timeoutMs) throw this.timeoutError();
      Atomics.wait(this.signal, 0, seen, this.opts.timeoutMs > 0 ? Math.min(1000, this.opts.timeoutMs - waited) : 1000);
    }
  }

  async take(id: number): Promise<BatchPayload> {
    if (!this.tasks.has(id)) throw new Error(`DataLoader: batch ${id} was never submitted`);
    const start = Date.now();
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      this.drain();
      const p = this.ready(id);
      if (p !== null) return p;
      if (this.opts.timeoutMs > 0 && Date.now() - start >= this.opts.timeoutMs) throw this.timeoutError();
      // Atomics.waitAsync is Node 16+ / ES2024; typed here because the project targets ES2022's lib.
      const w = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<unknown> | string } })
        .waitAsync(this.signal, 0, seen, 1000);
      if (w.async) {
        // waitAsync does not keep Node's event loop alive, and the workers are unref'd: hold it open while waiting.
        const keep = setTimeout(() => {}, 1000);
        try { await w.value; } finally { clearTimeout(keep); }
      }
    }
  }

  private timeoutError(): Error {
    return new Error(`DataLoader: no batch from the ${this.workers.length} data worker(s) in ${this.opts.timeoutMs / 1000} s ` +
      '(a worker may have crashed or run out of memory; raise the timeout option, or try fewer workers / numWorkers: 0)');
  }

  cancel(ids: Iterable<number>): void {
    for (const id of ids) {
      if (this.done.delete(id)) this.tasks.delete(id);
      else if (this.tasks.has(id)) this.cancelled.add(id);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.workers) void w.terminate();
    for (const p of this.ports) p.close();
    this.done.clear(); this.tasks.clear(); this.cancelled.clear();
  }
}

registerWorkerPoolFactory((init, opts) => new NodeWorkerPool(init, opts));
