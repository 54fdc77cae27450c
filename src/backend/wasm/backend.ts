/**
 * WasmBackend: the Backend whose kernels are WebAssembly SIMD (assembly/), run on a pool of
 * threads sharing one memory. This file wires the parts together; each job lives in its own
 * module (gemm, conv, pooling, elementwise, batchnorm), the algorithm choices in plan.ts, the cuts
 * in partition.ts, the memory in memory.ts, the threads in threads.ts. What it does not run in
 * wasm (binary ops, general reductions, argmax, strided copies, the loss and optimiser updates) it delegates to the reference backend.
 */
import type { ActivationOp, Backend, BinaryOp, Conv2dGeometry, Conv2dGrads, FusedActivation, FusedPool, Pool2dGeometry, ReduceOp, UnaryOp } from '../backend.js';
import { getPlatform } from '../platform/current.js';
import { refBackend } from '../ref/index.js';
import * as bn from './batchnorm.js';
import { CallIo, type WasmContext } from './context.js';
import * as conv from './conv.js';
import { ACTIVATION_CODES, activationGradAt, hasUnaryKernel, unaryAt } from './elementwise.js';
import { gemm } from './gemm.js';
import { asKernels, type Kernels } from './kernels.js';
import { bestFlavor, kernelModuleSync, sharedMemorySupported, type KernelFlavor } from './loader.js';
import { WasmHeap } from './memory.js';
import { ConvPlanner } from './plan.js';
import { poolBackwardAt, poolForwardAt } from './pooling.js';
import { ThreadPool } from './threads.js';
import { WA, type WasmModule } from './wasm-api.js';

/** Construction options for WasmBackend. */
export interface WasmBackendOptions {
  /**
   * Total threads including the caller; 1 starts no workers. Default: Node $CONVNET_WASM_THREADS,
   * else os.availableParallelism(); browsers navigator.hardwareConcurrency where the page is
   * cross-origin isolated, else 1. Results do not depend on it.
   */
  threads?: number;
  /** Kernel build; default the fastest the engine supports. */
  flavor?: KernelFlavor;
  /**
   * Multiply-adds per task to aim for when cutting a pass into tasks, and below which a pass stays
   * on the calling thread (default 2^20, ~50 µs). Cuts are fixed by shape and these options, so
   * results depend on them but never on the thread count; tests set 0 to cut as finely as allowed.
   */
  parallelMinFlops?: number;
  /**
   * Elements below which a memory-bound job (activations, pooling, BatchNorm, bias sums) stays on
   * the calling thread; default $CONVNET_WASM_SPLIT_MIN_ELEMENTS, else parallelMinFlops when given,
   * else 2^20 (measured 2026-12-04 on LeNet's 0.6 M-element maps: the worker spends what it saves
   * reading what the caller just wrote from the other core's cache).
   */
  parallelMinElements?: number;
  /** Forward/input-gradient GEMM width to aim for by batching images of small maps (default 256); 1: one image per GEMM. */
  convTargetN?: number;
  /** The same for the weight gradient of maps under 64 pixels, whose GEMM's K is images × pixels (default 512). */
  convWeightTargetN?: number;
  /** Winograd for eligible 3x3 layers (plan.ts winogradTile); default on, `CONVNET_WASM_WINOGRAD=0` turns it off. */
  winograd?: boolean;
  /** Channels (both sides) from which F(3x3, 3x3) replaces F(2x2, 3x3) where its tiles fit; default 256. */
  winograd3MinChannels?: number;
  /** Tiles per Winograd block (the N of its GEMMs); default 128. */
  winogradTiles?: number;
  /** The direct kernels for few-channel layers; default on, `CONVNET_WASM_DIRECT_CONV=0` turns them off. */
  direct?: boolean;
  /**
   * Bytes of wasm memory the tensor heap may reach (default 2 GiB, half of what a wasm memory can
   * address, leaving the rest to per-call scratch). Past it allocFloat32 hands out ordinary arrays,
   * which kernels copy in and out: slower, never out of memory. It matters when tensors are leaked
   * in a synchronous loop (the garbage collector cannot see wasm memory, and a FinalizationRegistry
   * frees leaked storage only once the loop yields) or when a model's weights alone fill gigabytes.
   */
  maxHeapBytes?: number;
  /**
   * A memory that is not shared (one thread): the only kind some browsers allow in pages that are
   * not cross-origin isolated; default: shared wherever the engine creates one. Tests set false.
   */
  sharedMemory?: boolean;
}

/** Measured 2026-12-04 (ResNet-18, batch 128, 2 threads, s/step): 2048: 13.3, 512: 11.6, 256: 9.8, 128: 10.6, 1: 11.9. */
const CONV_TARGET_N_DEFAULT = 256;
const CONV_WEIGHT_TARGET_N_DEFAULT = 512;
const GRAIN_DEFAULT = 1 << 20;
const MAX_HEAP_BYTES_DEFAULT = 2 ** 31;
const MEMBOUND_MIN_ELEMENTS_DEFAULT = 1 << 20;
/** Below this many elements unary ops stay in JS: the copies and the call would dominate. */
const UNARY_MIN = 2048;

/** Backend running the heavy kernels in WebAssembly SIMD on worker threads; dispose() stops them. */
export class WasmBackend implements Backend {
  readonly name: string;
  readonly flavor: KernelFlavor;
  readonly threads: number;
  private readonly heap: WasmHeap;
  private readonly pool: ThreadPool;
  private readonly ctx: WasmContext;
  private readonly k: Kernels;
  private readonly maxHeapBytes: number;

  constructor(opts: WasmBackendOptions = {}) {
    const platform = getPlatform();
    const env = (name: string): string | undefined => platform.env(name);
    this.flavor = opts.flavor ?? bestFlavor();
    const shared = opts.sharedMemory ?? sharedMemorySupported();
    const support = platform.threadSupport();
    let threads = Math.max(1, Math.floor(opts.threads ?? platform.defaultThreads()));
    if (!shared || !support.ok) {
      if (threads > 1 || opts.threads === undefined) {
        const why = !support.ok ? support.why : 'this engine cannot create a shared WebAssembly.Memory here';
        platform.note(`convnet-ts wasm backend: running on one thread (with SIMD) because ${why}`);
      }
      threads = 1;
    }
    this.threads = threads;
    const module = kernelModuleSync(this.flavor, shared);
    if (module === null) {
      throw new Error('convnet-ts: the wasm backend is still loading in this browser: `await ready()` (from convnet-ts) before the first tensor op, or choose the reference backend with selectBackend(\'js\')');
    }
    this.heap = new WasmHeap(shared);
    this.maxHeapBytes = opts.maxHeapBytes ?? MAX_HEAP_BYTES_DEFAULT;
    const inst = new WA.Instance(module as WasmModule, { env: { memory: this.heap.memory } });
    this.k = asKernels(inst.exports);
    this.pool = new ThreadPool(threads, module, this.heap, this.k);
    const grain = opts.parallelMinFlops ?? GRAIN_DEFAULT;
    const envMin = env('CONVNET_WASM_SPLIT_MIN_ELEMENTS');
    const minElements = opts.parallelMinElements ?? opts.parallelMinFlops
      ?? (envMin !== undefined && envMin !== '' && Number(envMin) >= 0 ? Number(envMin) : MEMBOUND_MIN_ELEMENTS_DEFAULT);
    const gemmScratch = this.k.sgemmScratchBytes();
    const planner = new ConvPlanner(this.k, this.heap, {
      threads, grain,
      convTargetN: opts.convTargetN ?? CONV_TARGET_N_DEFAULT,
      convWeightTargetN: opts.convWeightTargetN ?? CONV_WEIGHT_TARGET_N_DEFAULT,
      winograd: opts.winograd ?? env('CONVNET_WASM_WINOGRAD') !== '0',
      winograd3MinChannels: opts.winograd3MinChannels ?? 256,
      winogradTiles: Math.max(1, opts.winogradTiles ?? 128),
      direct: opts.direct ?? env('CONVNET_WASM_DIRECT_CONV') !== '0',
      sideBySide: env('CONVNET_WASM_SIDE_BY_SIDE') !== '0',
    }, gemmScratch);
    this.ctx = { k: this.k, heap: this.heap, pool: this.pool, planner, io: new CallIo(this.heap), grain, minElements, gemmScratch };
    this.name = `wasm-${this.flavor}-${threads}t`;
  }

  /** Stops the worker threads (they never keep a process alive; this frees them sooner). */
  dispose(): void { this.pool.dispose(); }

  /** Resolves when the workers are running (or after `timeoutMs`), with how many are; browsers start them only while the page is idle. */
  whenStarted(timeoutMs = 5000): Promise<number> { return this.pool.whenStarted(timeoutMs); }

  /** Bytes of wasm memory reserved (it grows to the largest need and never shrinks). */
  get memoryBytes(): number { return this.heap.byteLength; }

  /** Bytes held by live allocFloat32 storage. */
  get allocatedBytes(): number { return this.heap.heapBytes; }

  /** The conv plan of geometry g (see plan.ts); for tests and benchmarks. */
  planConv(g: Conv2dGeometry): ReturnType<ConvPlanner['plan']> { return this.ctx.planner.plan(g); }

  allocFloat32(n: number): Float32Array {
    // Views of a memory that is not shared detach when it grows: hand out ordinary arrays there.
    if (!this.heap.shared) return new Float32Array(n);
    const p = this.heap.allocBlock(n * 4, this.maxHeapBytes);
    if (p < 0) return new Float32Array(n);
    const a = this.heap.f32(p, n);
    a.fill(0);
    return a;
  }

  freeFloat32(a: Float32Array): void {
    if (this.heap.owns(a)) this.heap.freeBlock(a.byteOffset);
  }

  // Every backend call: scratch reset, arguments placed (io), the job, results copied out.
  private run<T>(f: (ctx: WasmContext) => T): T {
    const io = this.ctx.io;
    io.begin();
    const r = f(this.ctx);
    io.end();
    return r;
  }

  unary(op: UnaryOp, x: Float32Array, out: Float32Array): void {
    if (!hasUnaryKernel(op) || x.length < UNARY_MIN) { refBackend.unary(op, x, out); return; }
    this.run((c) => unaryAt(c, op, c.io.in(x), c.io.out(out), x.length));
  }

  activationBackward(op: ActivationOp, y: Float32Array, g: Float32Array, dx: Float32Array): void {
    if (y.length < UNARY_MIN) { refBackend.activationBackward(op, y, g, dx); return; }
    this.run((c) => activationGradAt(c, ACTIVATION_CODES[op], c.io.in(y), c.io.in(g), c.io.out(dx), y.length));
  }

  binary(op: BinaryOp, a: Float32Array, aShape: readonly number[], b: Float32Array, bShape: readonly number[],
         outShape: readonly number[], out: Float32Array): void {
    refBackend.binary(op, a, aShape, b, bShape, outShape, out);
  }

  reduce(op: ReduceOp, x: Float32Array, shape: readonly number[], axes: readonly number[], out: Float32Array): void {
    refBackend.reduce(op, x, shape, axes, out);
  }

  argReduce(op: 'argmax' | 'argmin', x: Float32Array, shape: readonly number[], axis: number, out: Int32Array): void {
    refBackend.argReduce(op, x, shape, axis, out);
  }

  // ---- Primitives still run by the reference kernels, in place on this backend's views (no copies:
  // they are Float32Arrays over the shared memory) until this backend gets SIMD versions.
  readonly where = refBackend.where;
  readonly copy = refBackend.copy;
  readonly logSoftmax = refBackend.logSoftmax;
  readonly crossEntropyForward = refBackend.crossEntropyForward;
  readonly crossEntropyBackward = refBackend.crossEntropyBackward;
  readonly batchNormCoefficients = refBackend.batchNormCoefficients;
  readonly sgdStep = refBackend.sgdStep;
  readonly adamStep = refBackend.adamStep;
  /** The fused capability: conv2d with an activation (and pooling) in one call. */
  conv2dFused(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
              activation: ActivationOp, pool?: FusedPool): void {
    this.run((c) => conv.conv2d(c, g, x, w, bias, y, activation, pool));
  }

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
       a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, beta: number,
       c: Float32Array, cOffset: number): void {
    this.run((ctx) => gemm(ctx, transA, transB, m, n, k, alpha, a, aOffset, b, bOffset, beta, c, cOffset));
  }

  conv2d(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
    this.run((c) => conv.conv2d(c, g, x, w, bias, y));
  }

  conv2dBackwardInput(g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
    this.run((c) => conv.conv2dBackwardInput(c, g, dy, w, dx));
  }

  conv2dBackwardWeight(g: Conv2dGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array, db: Float32Array | null = null): void {
    this.run((c) => conv.conv2dBackwardWeight(c, g, x, dy, dw, db));
  }

  conv2dBackward(g: Conv2dGeometry, x: Float32Array, w: Float32Array, dy: Float32Array, grads: Conv2dGrads,
                 activation?: FusedActivation, pool?: FusedPool): void {
    this.run((c) => conv.conv2dBackward(c, g, x, w, dy, grads, activation, pool));
  }

  maxPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void {
    this.run((c) => poolForwardAt(c, { kind: 'max', g, y, argmax }, c.io.in(x)));
  }

  maxPool2dBackward(g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
    this.run((c) => poolBackwardAt(c, { kind: 'max', g, y: dy, argmax }, c.io.in(dy), c.io.out(dx)));
  }

  avgPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array): void {
    this.run((c) => poolForwardAt(c, { kind: 'avg', g, y, argmax: null }, c.io.in(x)));
  }

  avgPool2dBackward(g: Pool2dGeometry, dy: Float32Array, dx: Float32Array): void {
    this.run((c) => poolBackwardAt(c, { kind: 'avg', g, y: dy, argmax: null }, c.io.in(dy), c.io.out(dx)));
  }

  channelStats(x: Float32Array, n: number, c: number, s: number, mean: Float32Array, variance: Float32Array): void {
    this.run((ctx) => bn.channelStats(ctx, x, n, c, s, mean, variance));
  }

  channelAffine(x: Float32Array, n: number, c: number, s: number, scale: Float32Array, shift: Float32Array, y: Float32Array): void {
    this.run((ctx) => bn.channelAffine(ctx, x, n, c, s, scale, shift, y));
  }

  batchNormBackward(g: Float32Array, x: Float32Array, n: number, c: number, s: number, mean: Float32Array,
                    invstd: Float32Array, scale: Float32Array, training: boolean,
                    sumG: Float32Array, sumGX: Float32Array, dx: Float32Array | null): void {
    this.run((ctx) => bn.batchNormBackward(ctx, g, x, n, c, s, mean, invstd, scale, training, sumG, sumGX, dx));
  }
}
