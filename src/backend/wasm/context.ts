/**
 * What every job module of the wasm backend (gemm, conv, pooling, elementwise, batchnorm) works
 * with: the kernels, the memory, the pool, the conv planner, the options — and CallIo, which gives
 * each array argument its wasm address: arrays that are views of this backend's memory are used
 * where they are (no copy), any other array is copied into scratch (inputs) or out of it (outputs).
 */
import type { Kernels } from './kernels.js';
import type { WasmHeap } from './memory.js';
import { MAX_CHUNKS, splitRange, type Range } from './partition.js';
import type { ConvPlanner } from './plan.js';
import type { ThreadPool } from './threads.js';

/** The wasm backend's shared state, as the job modules see it. */
export interface WasmContext {
  readonly k: Kernels;
  readonly heap: WasmHeap;
  readonly pool: ThreadPool;
  readonly planner: ConvPlanner;
  readonly io: CallIo;
  /** Multiply-adds per task to aim for; below one grain a job stays on the calling thread. */
  readonly grain: number;
  /** Elements below which a memory-bound job stays on the calling thread. */
  readonly minElements: number;
  readonly gemmScratch: number;
}

/** Ranges for a memory-bound job over n elements (aligned to `align`), one task each. */
export function elementRanges(n: number, minElements: number, align = 1024): Range[] {
  const parts = n < minElements ? 1 : Math.min(MAX_CHUNKS, minElements > 0 ? Math.ceil((4 * n) / minElements) : MAX_CHUNKS);
  return splitRange(n, parts, align);
}

type Typed = Float32Array | Int32Array;

/** Addresses of a backend call's arguments, and the copies out at its end. */
export class CallIo {
  private outs: { p: number; dst: Typed }[] = [];

  constructor(private readonly heap: WasmHeap) {}

  /** Starts a backend call: scratch reset, no pending copies. */
  begin(): void {
    this.heap.resetScratch();
    this.outs.length = 0;
  }

  /** Address of `a` for reading. */
  in(a: Typed): number {
    if (this.heap.owns(a)) return a.byteOffset;
    return this.copy(a);
  }

  /** Address of a private copy of `a` (in scratch) that a kernel may overwrite. */
  copy(a: Typed): number {
    const p = this.heap.scratch(a.length * 4);
    if (a instanceof Float32Array) this.heap.f32(p, a.length).set(a);
    else this.heap.i32(p, a.length).set(a);
    return p;
  }

  /** Address for writing `a`; a foreign array is copied out at end(). */
  out(a: Typed): number {
    if (this.heap.owns(a)) return a.byteOffset;
    const p = this.heap.scratch(a.length * 4);
    this.outs.push({ p, dst: a });
    return p;
  }

  /** Address of `a` for reading and writing. */
  inout(a: Typed): number {
    if (this.heap.owns(a)) return a.byteOffset;
    const p = this.copy(a);
    this.outs.push({ p, dst: a });
    return p;
  }

  /** Copies n floats at p (scratch) into `dst`, now (for results produced at a place of the kernel's choosing). */
  take(p: number, dst: Float32Array): void {
    if (this.heap.owns(dst) && dst.byteOffset === p) return;
    dst.set(this.heap.f32(p, dst.length));
  }

  /** Ends the call: copies results into foreign output arrays. */
  end(): void {
    for (const { p, dst } of this.outs) {
      if (dst instanceof Float32Array) dst.set(this.heap.f32(p, dst.length));
      else dst.set(this.heap.i32(p, dst.length));
    }
    this.outs.length = 0;
  }
}
