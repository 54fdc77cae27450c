/**
 * The thread pool: workers that run kernels of the same module on the same shared memory, in Node
 * (worker_threads) and in browsers (Web Workers), through the platform. A job is a list of tasks
 * (see worker-loop.ts); the calling thread publishes it, claims tasks itself, and then waits only
 * for tasks a worker actually claimed. Workers start without anyone waiting for them: one that is
 * slow to start, descheduled, or never starts costs nothing but its share of the speed-up (the
 * caller runs what nobody claims), and one that fails is reported in a one-line note.
 */
import { getPlatform } from '../platform/current.js';
import type { PoolWorker } from '../platform/platform.js';
import { POOL_KERNELS, SCRATCH_ARG, type KernelCall, type Kernels } from './kernels.js';
import type { WasmHeap } from './memory.js';
import type { WasmModule } from './wasm-api.js';
import { LAYOUT as L, makeDrain, workerScript } from './worker-loop.js';

/** A task: kernel calls one thread runs in order. */
export type Task = readonly KernelCall[];

/** Seconds after which workers that have not reported are mentioned in a note. */
const START_NOTE_MS = 1000;

export class ThreadPool {
  /** Threads including the caller (1: no workers). */
  readonly size: number;
  private readonly ctrl: Int32Array;
  private readonly table: Float64Array;
  private readonly workers: PoolWorker[] = [];
  private readonly fns: ((...a: number[]) => unknown)[];
  private readonly drain: (id: number) => void;
  private readonly canBlock: boolean;
  private started = false;
  private startedAt = 0;
  private failed = 0;
  private slowNoted = false;
  private disposed = false;
  private callerError: unknown = null;

  /** `size` threads in all; `local` are the calling thread's instance exports over `heap`'s memory. */
  constructor(size: number, private readonly module: WasmModule, private readonly heap: WasmHeap, local: Kernels) {
    this.size = Math.max(1, Math.floor(size));
    // One thread needs no shared control block (and a page that is not cross-origin isolated has no SharedArrayBuffer).
    const Buf = this.size > 1 ? SharedArrayBuffer : ArrayBuffer;
    this.ctrl = new Int32Array(new Buf(L.CTRL_INTS * 4));
    this.table = new Float64Array(new Buf(this.size > 1 ? (L.CALLS + L.MAX_CALLS * L.SLOT) * 8 : 8));
    const exp = local as unknown as Record<string, (...a: number[]) => unknown>;
    this.fns = POOL_KERNELS.map((n) => exp[n]!);
    this.drain = makeDrain(this.ctrl, this.table, L, (k, a) => {
      try {
        this.fns[k]!(...a);
      } catch (e) {
        this.callerError = e;
        throw e;
      }
    });
    this.canBlock = getPlatform().canBlock();
  }

  /** Workers that have instantiated the kernels and are taking tasks. */
  get running(): number { return Atomics.load(this.ctrl, L.READY); }

  /** Starts the workers (once) without waiting for them. */
  start(): void {
    if (this.started || this.size === 1) return;
    this.started = true;
    this.startedAt = Date.now();
    const platform = getPlatform();
    const script = workerScript();
    for (let id = 1; id < this.size; id++) {
      const init = { module: this.module, memory: this.heap.memory, ctrl: this.ctrl.buffer as SharedArrayBuffer, table: this.table.buffer as SharedArrayBuffer,
                     id, names: POOL_KERNELS, layout: L };
      try {
        this.workers.push(platform.startWorker(script, init, (why) => this.workerFailed(why)));
      } catch (e) {
        this.workerFailed((e as Error).message);
      }
    }
  }

  private workerFailed(why: string): void {
    if (this.disposed) return;
    this.failed++;
    const left = Math.max(1, this.size - this.failed);
    getPlatform().note(`convnet-ts wasm backend: a worker thread failed to start (${why}); continuing on ${left} thread${left === 1 ? '' : 's'}`);
  }

  /**
   * Resolves when every worker has started (or failed), or after `timeoutMs`, with the number
   * running. Browsers start workers only while the page's main thread is idle, so `ready()` waits
   * here once before the first op.
   */
  async whenStarted(timeoutMs: number): Promise<number> {
    this.start();
    const until = Date.now() + timeoutMs;
    while (this.running + this.failed < this.size - 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    return this.running;
  }

  /**
   * Runs a job: each task's calls in order on one thread, tasks on any thread. `scratchBytes`:
   * scratch each thread needs (a call's scratch argument is an offset into its thread's area).
   * `parallel` false (work too small to pay for a hand-off) runs everything on the calling thread;
   * results are the same either way.
   */
  run(tasks: readonly Task[], scratchBytes = 0, parallel = true): void {
    if (this.disposed) throw new Error('wasm backend: used after dispose()');
    if (tasks.length === 0) return;
    const threads = parallel && tasks.length > 1 ? this.size : 1;
    const stride = Math.ceil(scratchBytes / 64) * 64;
    const base = stride > 0 ? this.heap.scratch(stride * threads) : 0;
    if (threads === 1) {
      for (const t of tasks) {
        for (const c of t) {
          const sp = SCRATCH_ARG[POOL_KERNELS[c.kernel]!];
          if (sp === undefined) { this.fns[c.kernel]!(...c.args); continue; }
          const a = c.args.slice();
          a[sp] = a[sp]! + base;
          this.fns[c.kernel]!(...a);
        }
      }
      return;
    }
    this.publish(tasks, base, stride);
    this.start();
    if (!this.slowNoted && this.running + this.failed < this.size - 1 && Date.now() - this.startedAt > START_NOTE_MS) {
      this.slowNoted = true;
      getPlatform().note(`convnet-ts wasm backend: ${this.size - 1 - this.running - this.failed} worker thread(s) not running after ${START_NOTE_MS / 1000} s; the calling thread does their share until they start`);
    }
    const ctrl = this.ctrl, count = tasks.length;
    Atomics.store(ctrl, L.ERROR, 0);
    Atomics.store(ctrl, L.DONE, 0);
    this.callerError = null;
    Atomics.store(ctrl, L.NEXT, count << L.COUNT_SHIFT);
    Atomics.add(ctrl, L.GEN, 1);
    Atomics.notify(ctrl, L.GEN, count - 1);
    this.drain(0);
    for (;;) {
      const d = Atomics.load(ctrl, L.DONE);
      if (d >= count) break;
      if (this.canBlock) Atomics.wait(ctrl, L.DONE, d);
    }
    if (Atomics.load(ctrl, L.ERROR) !== 0) {
      const names = [...new Set(tasks.flatMap((t) => t.map((c) => POOL_KERNELS[c.kernel])))].join(', ');
      const why = this.callerError instanceof Error ? `: ${this.callerError.message}` : ' in a worker thread';
      throw new Error(`wasm backend: kernel ${names} failed${why}`);
    }
  }

  private publish(tasks: readonly Task[], base: number, stride: number): void {
    if (tasks.length > L.MAX_TASKS) throw new Error(`wasm backend: ${tasks.length} tasks in one job (at most ${L.MAX_TASKS})`);
    const t = this.table;
    t[L.STRIDE] = stride;
    let c = 0;
    tasks.forEach((task, i) => {
      t[L.TASKS + 2 * i] = c;
      for (const k of task) {
        if (c >= L.MAX_CALLS) throw new Error(`wasm backend: more than ${L.MAX_CALLS} kernel calls in one job`);
        if (k.args.length > L.SLOT - 3) throw new Error('wasm backend: too many kernel arguments');
        const b = L.CALLS + c * L.SLOT;
        const sp = SCRATCH_ARG[POOL_KERNELS[k.kernel]!] ?? -1;
        t[b] = k.kernel;
        t[b + 1] = k.args.length;
        t[b + 2] = sp;
        for (let j = 0; j < k.args.length; j++) t[b + 3 + j] = k.args[j]! + (j === sp ? base : 0);
        c++;
      }
      t[L.TASKS + 2 * i + 1] = c;
    });
  }

  /** Stops the workers; the pool cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.ctrl, L.QUIT, 1);
    Atomics.add(this.ctrl, L.GEN, 1);
    Atomics.notify(this.ctrl, L.GEN);
    for (const w of this.workers) w.terminate();
  }
}
