/**
 * A fixed pool of worker threads that run exports of the same wasm module on the same shared
 * memory. The Backend API is synchronous, so the calling thread takes slice 0 itself, then steals
 * every slice no worker has claimed yet, and finally blocks in Atomics.wait for the claimed ones.
 * Stealing keeps a descheduled or slow-to-wake worker (a loaded machine) from stalling the call:
 * at worst the caller runs everything, as with 1 thread.
 */
import { Worker } from 'node:worker_threads';
import type { WasmExports, WasmMemory, WasmModule } from './wasm-api.js';

// Control block (Int32 indices). Workers sleep on GEN. CLAIM + id is slice id's state:
// PENDING, then WORKER (claimed by its worker) -> FINISHED, or STOLEN (run by the caller).
const GEN = 0, READY = 2, QUIT = 3, ERROR = 4, CLAIM = 8;
const PENDING = 0, WORKER = 1, STOLEN = 2, FINISHED = 3;
/** Float64 slots per worker: [export index, arg count, ...args]. */
const SLOT = 20;
// Iterations a worker polls GEN before sleeping in Atomics.wait. 2,000 (~10 us) let the worker
// fall asleep between the back-to-back kernel calls of a training step and pay a futex wake-up on
// each; 20,000 made LeNet's step ~5 % faster (A/B interleaved, 2026-12-04) and 200,000 no faster
// while burning more CPU. Kept short because on a CPU shared with other processes a long spin
// steals time from the caller.
const SPIN = 20000;

// Workers run as eval'd CommonJS so the pool works from src/ and dist/ alike, with no file to locate.
const workerSource = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctrlBuf, argsBuf, id, names } = workerData;
const inst = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => inst.exports[n]);
const ctrl = new Int32Array(ctrlBuf);
const args = new Float64Array(argsBuf);
Atomics.add(ctrl, ${READY}, 1);
Atomics.notify(ctrl, ${READY});
let gen = 0;
for (;;) {
  // A short spin catches back-to-back kernel calls without paying the futex wake-up latency.
  for (let i = 0; i < ${SPIN} && Atomics.load(ctrl, ${GEN}) === gen; i++);
  Atomics.wait(ctrl, ${GEN}, gen);
  gen = Atomics.load(ctrl, ${GEN});
  if (Atomics.load(ctrl, ${QUIT}) !== 0) break;
  // Args are read only after winning the claim, so they are always the current call's.
  if (Atomics.compareExchange(ctrl, ${CLAIM} + id, ${PENDING}, ${WORKER}) !== ${PENDING}) continue;
  const base = id * ${SLOT};
  try {
    const n = args[base + 1];
    const a = [];
    for (let i = 0; i < n; i++) a.push(args[base + 2 + i]);
    fns[args[base]](...a);
  } catch (e) {
    Atomics.store(ctrl, ${ERROR}, 1);
  }
  Atomics.store(ctrl, ${CLAIM} + id, ${FINISHED});
  Atomics.notify(ctrl, ${CLAIM} + id);
}
`;

/** Runs wasm exports in parallel: slice 0 on the calling thread, slices 1.. on workers. */
export class ThreadPool {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly index = new Map<string, number>();
  private started = false;
  private disposed = false;
  /**
   * Per key, the caller's share of the work when splitting in two (see share()). Call sites key it
   * by export and shape (LeNet's two convolutions want different splits; one key per export made
   * the share chase both).
   */
  private readonly shares = new Map<string, number>();
  /** The key of the last share() call, which the next run() adapts; null: adapt by export name. */
  private pendingKey: string | null = null;

  /** size = total threads including the caller; size 1 starts no workers. */
  constructor(size: number, private readonly module: WasmModule, private readonly memory: WasmMemory,
              private readonly local: WasmExports, private readonly names: readonly string[]) {
    this.size = Math.max(1, Math.floor(size));
    this.ctrl = new Int32Array(new SharedArrayBuffer((CLAIM + this.size) * 4));
    this.ctrl.fill(FINISHED, CLAIM);
    this.args = new Float64Array(new SharedArrayBuffer(this.size * SLOT * 8));
    names.forEach((n, i) => this.index.set(n, i));
  }

  // Workers start on first use so that a 1-thread backend, or one never used, costs nothing.
  private start(): void {
    if (this.started) return;
    this.started = true;
    for (let id = 1; id < this.size; id++) {
      const w = new Worker(workerSource, {
        eval: true,
        workerData: { module: this.module, memory: this.memory, ctrlBuf: this.ctrl.buffer, argsBuf: this.args.buffer,
                      id, names: this.names },
      });
      w.unref();
      this.workers.push(w);
    }
    // Worker start-up does not need this thread's event loop, so blocking here is safe.
    for (;;) {
      const r = Atomics.load(this.ctrl, READY);
      if (r >= this.size - 1) break;
      if (Atomics.wait(this.ctrl, READY, r, 30000) === 'timed-out') throw new Error('wasm backend: worker threads did not start');
    }
  }

  /**
   * The fraction of a 2-way split the caller should take for export `fn` (1/size otherwise). The
   * caller is usually faster than the worker, which wakes from a futex and reads inputs the caller
   * just wrote from another core's cache (measured: on LeNet the caller waited ~25 % of its own
   * slice time with an even split). run() adapts the share from what it observes.
   */
  share(fn: string): number {
    this.pendingKey = fn;
    return this.size === 2 ? this.shares.get(fn) ?? 0.5 : 1 / this.size;
  }

  // Why not dynamic chunks (more slices than threads, taken from a shared atomic counter)? A worker
  // that wakes late can increment the counter of a call that has already finished after the caller
  // reset it for the next call, and run a slice twice (fatal for the accumulating weight gradient).
  // It needs a generation-tagged counter (compareExchange on gen<<16 | index); the adaptive share
  // below gets most of the balance without it.
  // After a 2-way call: if the caller waited, the worker's effective time (wake-up included) was
  // own + wait, and the share that equalises the two moves toward own/(own+wait)-weighted rates;
  // if it did not wait, the worker may have idled, so probe a little lower. Smoothed and clamped.
  private adapt(fn: string, own: number, wait: number): void {
    if (own <= 0) return;
    const f = this.share(fn);
    let target = f - 0.02;
    if (wait > 0.02 * own) {
      const rc = f / own, rw = (1 - f) / (own + wait);
      target = rc / (rc + rw);
    }
    this.shares.set(fn, Math.min(0.8, Math.max(0.3, 0.75 * f + 0.25 * target)));
  }

  /** Calls export `fn` once per element of `slices` (at most `size`), in parallel; returns when all are done. */
  run(fn: string, slices: readonly (readonly number[])[]): void {
    this.exec(slices.map(() => fn), slices, true);
  }

  /**
   * Runs different exports side by side: task i is export tasks[i][0] with arguments tasks[i][1]
   * (at most `size` tasks; the first on the calling thread). For independent kernels of similar
   * cost, such as a layer's input and weight gradients, one whole kernel per thread beats splitting
   * each over both.
   */
  runTasks(tasks: readonly (readonly [string, readonly number[]])[]): void {
    this.pendingKey = null;
    this.exec(tasks.map((t) => t[0]), tasks.map((t) => t[1]), false);
  }

  private exec(fns: readonly string[], slices: readonly (readonly number[])[], adaptive: boolean): void {
    const fn = fns[0]!;
    const key = this.pendingKey ?? fn;
    this.pendingKey = null;
    if (this.disposed) throw new Error('wasm backend: used after dispose()');
    const ids = fns.map((name) => {
      const f = this.index.get(name);
      if (f === undefined) throw new Error(`wasm backend: unknown export ${name}`);
      return f;
    });
    const calls = fns.map((name) => this.local[name] as (...a: number[]) => void);
    if (slices.length === 0) return;
    if (slices.length === 1 || this.size === 1) {
      slices.forEach((s, i) => calls[i]!(...s));
      return;
    }
    if (slices.length > this.size) throw new Error('wasm backend: more slices than threads');
    this.start();
    const n = slices.length;
    for (let id = 1; id < n; id++) {
      const base = id * SLOT;
      const s = slices[id]!;
      if (s.length > SLOT - 2) throw new Error('wasm backend: too many kernel arguments');
      this.args[base] = ids[id]!;
      this.args[base + 1] = s.length;
      for (let i = 0; i < s.length; i++) this.args[base + 2 + i] = s[i]!;
    }
    Atomics.store(this.ctrl, ERROR, 0);
    // Claims are reset only now: every slice of the previous call is FINISHED or STOLEN by here.
    for (let id = 1; id < this.size; id++) Atomics.store(this.ctrl, CLAIM + id, id < n ? PENDING : FINISHED);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    const t0 = performance.now();
    calls[0]!(...slices[0]!);
    const t1 = performance.now();
    let stolen = false;
    for (let id = 1; id < n; id++) {
      if (Atomics.compareExchange(this.ctrl, CLAIM + id, PENDING, STOLEN) === PENDING) {
        calls[id]!(...slices[id]!);
        stolen = true;
        continue;
      }
      for (;;) {
        const v = Atomics.load(this.ctrl, CLAIM + id);
        if (v === FINISHED) break;
        Atomics.wait(this.ctrl, CLAIM + id, v);
      }
    }
    if (adaptive && n === 2 && !stolen) this.adapt(key, t1 - t0, performance.now() - t1);
    if (Atomics.load(this.ctrl, ERROR) !== 0) throw new Error(`wasm backend: ${fns.join(', ')} failed in a worker thread`);
  }

  /** Stops the workers; the pool cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.started) return;
    Atomics.store(this.ctrl, QUIT, 1);
    Atomics.add(this.ctrl, GEN, 1);
    Atomics.notify(this.ctrl, GEN);
    for (const w of this.workers) void w.terminate();
  }
}
