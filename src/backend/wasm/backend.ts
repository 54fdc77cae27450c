/**
 * WasmBackend: GEMM, convolution, pooling and exp/sigmoid/tanh run as WebAssembly SIMD kernels on a
 * shared memory, split across worker threads; everything else delegates to the reference backend.
 */
import os from 'node:os';
import type { ActivationOp, Backend, BinaryOp, Conv2dGeometry, Conv2dGrads, FusedActivation, FusedPool, Pool2dGeometry, ReduceOp, UnaryOp } from '../backend.js';
import { refBackend } from '../ref/index.js';
import { bestFlavor, kernelModule, type KernelFlavor } from './loader.js';
import { Arena, PARAMS_PTR } from './memory.js';
import { ThreadPool } from './threads.js';
import { WA } from './wasm-api.js';

/** Construction options for WasmBackend. */
export interface WasmBackendOptions {
  /** Total threads including the caller; default $CONVNET_WASM_THREADS, else os.availableParallelism(); 1 = no workers. */
  threads?: number;
  /** Kernel build; default the fastest the engine supports. */
  flavor?: KernelFlavor;
  /** Work (multiply-adds) below which a call stays on the calling thread; tests set 0 to force splitting. */
  parallelMinFlops?: number;
  /**
   * Elements below which a memory-bound kernel (activations, pooling, BatchNorm, bias sums) stays on
   * the calling thread; default $CONVNET_WASM_SPLIT_MIN_ELEMENTS, else parallelMinFlops when that is
   * given, else MEMBOUND_MIN_ELEMENTS_DEFAULT.
   */
  parallelMinElements?: number;
  /** Forward/backward-input GEMM width to aim for by batching images of small feature maps; 1 = one image per GEMM. */
  convTargetN?: number;
  /** The same for the weight gradient, whose GEMM reduces over images × output pixels (K = nb·P). */
  convWeightTargetN?: number;
  /**
   * Winograd F(2x2, 3x3) for eligible 3x3 layers (forward and input gradient); default on,
   * `CONVNET_WASM_WINOGRAD=0` turns it off. See winogradTile.
   */
  winograd?: boolean;
  /** Channels (on both sides) from which F(3x3, 3x3) replaces F(2x2, 3x3) where its tiles fit; default 256. */
  winograd3MinChannels?: number;
  /** Tiles (2x2 outputs) per Winograd block: the N of its 16 GEMMs; default 128. */
  winogradTiles?: number;
  /**
   * The direct kernels for few-channel layers (see directForwardEligible and directWeightEligible); default
   * on, `CONVNET_WASM_DIRECT_CONV=0` turns them off.
   */
  direct?: boolean;
}

const EXPORTS = ['sgemm', 'conv2dForward', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'sumPartials',
  'maxPoolForward', 'maxPoolForwardUnpadded', 'maxPoolBackward', 'avgPoolForward', 'avgPoolBackward', 'expForward', 'sigmoidForward', 'tanhForward',
  'activationForward',
  'channelStats', 'channelAffine', 'batchNormBackward', 'reluForward', 'activationBackward',
  'directForward', 'directBackwardWeight', 'winogradWeights', 'winogradPack', 'winogradConv', 'winogradBackwardWeight',
  'winograd3Weights', 'winograd3Conv', 'winograd3BackwardWeight', 'channelSum'] as const;

/** Below this many multiply-adds (~50 us on one thread) a worker hand-off, measured at 5-40 us, costs more than it saves. */
const PARALLEL_MIN_FLOPS_DEFAULT = 1 << 20;
/**
 * See WasmBackendOptions.parallelMinElements. Measured 2026-12-04 on LeNet (2 threads, ms/step of
 * the kernel, split at 2^17 vs never): sigmoid 2.51 vs 2.33, its backward 2.57 vs 2.41, avg-pool
 * 1.28 vs 0.93 — the worker reads what the caller just copied in from the other core's cache, which
 * costs about what it saves on these 0.6 M-element maps; the step time was the same either way
 * (27.0–27.6 ms) and the worker's CPU time 4 ms less. ResNet's 4.7 M-element maps still split.
 */
const MEMBOUND_MIN_ELEMENTS_DEFAULT = 1 << 20;
/** Below this many elements unary ops stay in JS: the copies and the call would dominate. */
const UNARY_MIN = 2048;
/**
 * Unary ops with a SIMD kernel. exp/sigmoid/tanh are compute-bound in JS (a Math call per element);
 * relu is memory-bound, but V8's scalar float32 loops run at ~2.7 ns/element on the CI machine
 * class (measured 2026-12-04) against ~0.3 for copy-in + SIMD + copy-out.
 */
const UNARY_KERNELS: Partial<Record<UnaryOp, string>> = { exp: 'expForward', sigmoid: 'sigmoidForward', tanh: 'tanhForward', relu: 'reluForward' };
const ACTIVATION_CODES: Record<ActivationOp, number> = { relu: 0, sigmoid: 1, tanh: 2 };
/**
 * Target GEMM width (images x output pixels) for conv; small feature maps batch several images.
 * Measured 2026-12-04 (ResNet-18, batch 128, 96x96, 2 threads; s/step): 2048: 13.3, 512: 11.6,
 * 256: 9.8, 128: 10.6, 1: 11.9 — a wide column matrix (Cg·kh·kw x N floats, ~10 MB at 2048 on
 * the 128-channel stage) leaves L2 on every pass; LeNet also prefers 256 to 2048.
 */
const CONV_TARGET_N_DEFAULT = 256;
/**
 * Weight-gradient GEMM depth (images x output pixels) to aim for when feature maps are small
 * (fewer than CONV_WEIGHT_BATCH_BELOW output pixels); see conv2dBackwardWeight.
 */
const CONV_WEIGHT_TARGET_N_DEFAULT = 512;
const CONV_WEIGHT_BATCH_BELOW = 64;

/**
 * [start, end) ranges splitting `total` into at most `parts` chunks whose starts are multiples of
 * `align`; with 2 parts the first (the calling thread's) gets `first` of the units.
 */
function split(total: number, parts: number, align: number, first = 1 / parts): [number, number][] {
  const units = Math.ceil(total / align);
  const p = Math.max(1, Math.min(parts, units));
  const cut = (i: number): number => (i === 0 ? 0 : i === p ? units
    : p === 2 ? Math.min(units - 1, Math.max(1, Math.round(units * first))) : Math.floor((units * i) / p));
  const out: [number, number][] = [];
  for (let i = 0; i < p; i++) {
    const s = cut(i) * align;
    const e = Math.min(total, cut(i + 1) * align);
    if (e > s) out.push([s, e]);
  }
  return out;
}

/**
 * Layers whose weight gradient runs the direct kernel of assembly/conv-direct.ts
 * (directBackwardWeight): single-channel inputs (LeNet's and VGG's first layers here, where
 * im2col + GEMM has only kh·kw output columns) and the few-channel layers of
 * directForwardEligible. `CONVNET_WASM_DIRECT_CONV=0` turns it off (for comparisons). Measured
 * 2026-12-04 (batch 128, 1 thread, wall ms, interleaved): LeNet conv1 1.53/1.45 against 1.73/1.67
 * for the row-by-row version of the kernel (which itself took 1.75–1.92 against 2.32–2.38 for a
 * one-channel-at-a-time kernel); LeNet conv2 2.74/2.80 against im2col's 3.32/3.39, a 3→16 3×3 layer
 * at 24×24 4.44 against 5.62, GoogLeNet's 16→32 5×5 at 12×12 17.30 against 17.19.
 */
function directWeightEligible(g: Conv2dGeometry): boolean {
  if (g.groups !== 1 || g.strideH !== 1 || g.strideW !== 1 || g.dilationH !== 1 || g.dilationW !== 1) return false;
  return g.c === 1 || directForwardEligible(g, false);
}
const DIRECT_CONV = process.env['CONVNET_WASM_DIRECT_CONV'] !== '0';

/**
 * Layers whose forward (and input gradient) run the direct kernel of assembly/conv-direct.ts
 * (directForward) instead of im2col + GEMM: stride 1, undilated, ungrouped, with few channels, where
 * building the column matrix costs about what multiplying it does. `backward`: the input gradient,
 * a convolution of dy (o channels in, c out) padded by k - 1 - p, which needs p <= k - 1.
 */
export function directForwardEligible(g: Conv2dGeometry, backward: boolean): boolean {
  if (g.groups !== 1 || g.strideH !== 1 || g.strideW !== 1 || g.dilationH !== 1 || g.dilationW !== 1) return false;
  // A 1x1 layer's GEMM reads the input planes as they are: no column matrix to save.
  if (g.kh * g.kw === 1) return false;
  const [ci, co] = backward ? [g.o, g.c] : [g.c, g.o];
  // The input gradient as a convolution multiplies the zero border of the padded dy too: h·w
  // outputs at o·kh·kw taps each against oh·ow·kh·kw useful multiply-adds per channel pair.
  if (backward && (g.padH > g.kh - 1 || g.padW > g.kw - 1 || g.h * g.w > 1.25 * g.oh * g.ow)) return false;
  // Output channels go 4 (or 3) at a time: a block mostly of zero weights wastes its work.
  const rows = co % 4 !== 0 && co % 3 === 0 ? 3 : 4;
  if (co < 0.75 * Math.ceil(co / rows) * rows) return false;
  return co <= DIRECT_MAX_OUT && ci * g.kh * g.kw <= DIRECT_MAX_TAPS;
}
/**
 * Measured 2026-12-04 (batch 128, 1 thread, CPU ms, direct vs im2col, interleaved): LeNet conv1
 * forward 1.79 vs 2.47, conv2 forward 2.27 vs 3.00; conv2's input gradient (h·w = 1.96 oh·ow) 4.36
 * vs 3.60; conv1's (1 output channel in 4-channel blocks) 3.83 vs 3.11.
 */
const DIRECT_MAX_OUT = 32;
const DIRECT_MAX_TAPS = 512;

/**
 * Winograd convolution does fewer multiply-adds per output and channel pair than im2col + GEMM's
 * 9: F(2x2, 3x3) (assembly/winograd.ts, SIMD transforms) 4, F(3x3, 3x3) (winograd3.ts, scalar
 * transforms) 2.8. Returns the output tile size to use for a layer's forward and input gradient
 * (and weight gradient), or 0 for im2col. Eligible: 3x3, stride 1, undilated, ungrouped, padding
 * <= 2 (the input gradient is then the same kind of convolution, padded by 2 - p), at least 8
 * channels on each side (the transforms cost O(channels) per tile, the GEMMs O(channels²)), and
 * maps that fill at least 3/4 of their tiles (a 3x3 map in 2x2 tiles computes 16 outputs for 9).
 * F(3x3) when its tiles fit and both sides have >= WINOGRAD3_MIN_CHANNELS channels (its scalar
 * transforms then cost little), or when only its tiles fit (3x3 maps).
 */
export function winogradTile(g: Conv2dGeometry, min3 = WINOGRAD3_MIN_CHANNELS): 0 | 2 | 3 {
  if (g.kh !== 3 || g.kw !== 3 || g.strideH !== 1 || g.strideW !== 1 || g.dilationH !== 1 || g.dilationW !== 1) return 0;
  if (g.groups !== 1 || g.padH > 2 || g.padW > 2 || g.c < 8 || g.o < 8) return 0;
  const fill = (a: number, b: number, t: number): number => (a * b) / (t * t * Math.ceil(a / t) * Math.ceil(b / t));
  const fits = (t: number): boolean => fill(g.oh, g.ow, t) >= 0.75 && fill(g.h, g.w, t) >= 0.75;
  if (fits(3) && (Math.min(g.c, g.o) >= min3 || !fits(2))) return 3;
  return fits(2) ? 2 : 0;
}
/**
 * Measured 2026-12-04 (1 thread, batch 128, ms for forward / input grad / weight grad): 256
 * channels at 6x6, F(3x3) 76/79/95 vs F(2x2) 106/104/125; 128 channels at 12x12, 102/105/111 vs
 * 96/97/114 (im2col: ~180-200 each).
 */
const WINOGRAD3_MIN_CHANNELS = 256;
const WINOGRAD = process.env['CONVNET_WASM_WINOGRAD'] !== '0';
const WINOGRAD_TILES_DEFAULT = 128;

/** A fused activation's output already in the arena (at py) and its activationBackward code. */
interface FusedActivationAt { py: number; code: number }

/** Adaptive-split key of a convolution's shape (see ThreadPool.share). */
const convKey = (g: Conv2dGeometry): string =>
  `${g.n}x${g.c}x${g.h}x${g.w}>${g.o} k${g.kh}x${g.kw}s${g.strideH}x${g.strideW}p${g.padH}x${g.padW}d${g.dilationH}x${g.dilationW}g${g.groups}`;

/** Backend running the heavy kernels in WebAssembly SIMD on worker threads; call dispose() when done. */
export class WasmBackend implements Backend {
  readonly name: string;
  readonly flavor: KernelFlavor;
  readonly threads: number;
  private readonly arena = new Arena();
  private readonly k: Record<string, (...a: number[]) => number>;
  private readonly pool: ThreadPool;
  private readonly gemmScratch: number;
  private readonly minFlops: number;
  private readonly minElements: number;
  private readonly convTargetN: number;
  private readonly convWeightTargetN: number;
  private readonly winograd: boolean;
  private readonly winogradTiles: number;
  private readonly winograd3MinChannels: number;
  private readonly direct: boolean;
  private readonly sideBySideOn = process.env['CONVNET_WASM_SIDE_BY_SIDE'] !== '0';

  constructor(opts: WasmBackendOptions = {}) {
    this.flavor = opts.flavor ?? bestFlavor();
    const env = Number(process.env['CONVNET_WASM_THREADS']);
    this.threads = Math.max(1, Math.floor(opts.threads ?? (env > 0 ? env : os.availableParallelism())));
    this.minFlops = opts.parallelMinFlops ?? PARALLEL_MIN_FLOPS_DEFAULT;
    const envMin = Number(process.env['CONVNET_WASM_SPLIT_MIN_ELEMENTS']);
    this.minElements = opts.parallelMinElements ?? opts.parallelMinFlops ?? (envMin >= 0 && process.env['CONVNET_WASM_SPLIT_MIN_ELEMENTS'] ? envMin : MEMBOUND_MIN_ELEMENTS_DEFAULT);
    this.convTargetN = opts.convTargetN ?? CONV_TARGET_N_DEFAULT;
    this.convWeightTargetN = opts.convWeightTargetN ?? CONV_WEIGHT_TARGET_N_DEFAULT;
    this.winograd = opts.winograd ?? WINOGRAD;
    this.winogradTiles = Math.max(1, opts.winogradTiles ?? WINOGRAD_TILES_DEFAULT);
    this.winograd3MinChannels = opts.winograd3MinChannels ?? WINOGRAD3_MIN_CHANNELS;
    this.direct = opts.direct ?? DIRECT_CONV;
    this.name = `wasm-${this.flavor}-${this.threads}t`;
    const module = kernelModule(this.flavor);
    const inst = new WA.Instance(module, { env: { memory: this.arena.memory } });
    this.k = inst.exports as unknown as Record<string, (...a: number[]) => number>;
    this.gemmScratch = this.k['sgemmScratchBytes']!();
    this.pool = new ThreadPool(this.threads, module, this.arena.memory, inst.exports, EXPORTS);
  }

  /** Stop the worker threads. */
  dispose(): void { this.pool.dispose(); }

  unary(op: UnaryOp, x: Float32Array, out: Float32Array): void {
    const fn = UNARY_KERNELS[op];
    if (fn === undefined || x.length < UNARY_MIN) { refBackend.unary(op, x, out); return; }
    const ar = this.arena;
    ar.reset();
    const n = x.length;
    const p = ar.put(x);
    // A SIMD exp costs about as much as 8 multiply-adds, which sets where splitting starts to pay.
    this.pool.run(fn, split(n, n < this.minElements ? 1 : this.threads, 1024).map(([s, e]) => [p + s * 4, p + s * 4, e - s]));
    out.set(ar.f32(p, n));
  }

  activationBackward(op: ActivationOp, y: Float32Array, g: Float32Array, dx: Float32Array): void {
    const n = y.length;
    if (n < UNARY_MIN) { refBackend.activationBackward(op, y, g, dx); return; }
    const ar = this.arena;
    ar.reset();
    const py = ar.put(y), pg = ar.put(g);
    this.activationGradAt(ACTIVATION_CODES[op], py, pg, n);
    dx.set(ar.f32(pg, n));
  }

  /** The gradient at pg (arena, n floats) taken back through the activation whose output is at py, in place. */
  private activationGradAt(code: number, py: number, pg: number, n: number): void {
    // Memory-bound (3 streams): splitting pays only for large tensors.
    const parts = n < this.minElements ? 1 : this.threads;
    this.pool.run('activationBackward', split(n, parts, 1024).map(([s, e]) => [code, py + s * 4, pg + s * 4, pg + s * 4, e - s]));
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

  // ---- Backend primitives added by the tensor-layer redesign (issue 13), run by the reference
  // kernels on any Float32Array until this backend gets its own. Storage is plain JS arrays for now.
  allocFloat32(n: number): Float32Array { return new Float32Array(n); }
  freeFloat32(_a: Float32Array): void { /* garbage-collected until the wasm allocator lands */ }
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
    this.conv2d(g, x, w, bias, y, activation, pool);
  }

  // Batch norm: memory-bound, but 2-4x faster than the JS loops in SIMD, and split over threads.
  channelStats(x: Float32Array, n: number, c: number, s: number, mean: Float32Array, variance: Float32Array): void {
    const ar = this.arena;
    ar.reset();
    const px = ar.put(x), pm = ar.alloc(c * 4), pv = ar.alloc(c * 4);
    this.pool.run('channelStats', this.channelRanges(c, x.length).map(([a, b]) => [px, n, c, s, a, b, pm, pv]));
    mean.set(ar.f32(pm, c));
    variance.set(ar.f32(pv, c));
  }

  channelAffine(x: Float32Array, n: number, c: number, s: number, scale: Float32Array, shift: Float32Array, y: Float32Array): void {
    const ar = this.arena;
    ar.reset();
    const px = ar.put(x), pa = ar.put(scale), pb = ar.put(shift);
    const parts = x.length < this.minElements ? 1 : this.threads;
    this.pool.run('channelAffine', split(n * c, parts, 1).map(([q0, q1]) => [px, c, s, q0, q1, pa, pb, px]));
    y.set(ar.f32(px, x.length));
  }

  batchNormBackward(g: Float32Array, x: Float32Array, n: number, c: number, s: number, mean: Float32Array,
                    invstd: Float32Array, scale: Float32Array, training: boolean,
                    sumG: Float32Array, sumGX: Float32Array, dx: Float32Array | null): void {
    const ar = this.arena;
    ar.reset();
    const pg = ar.put(g), px = ar.put(x), pm = ar.put(mean), pi = ar.put(invstd), pa = ar.put(scale);
    const psg = ar.alloc(c * 4), psx = ar.alloc(c * 4);
    const pdx = dx ? ar.alloc(x.length * 4) : 0;
    this.pool.run('batchNormBackward', this.channelRanges(c, x.length).map(([a, b]) =>
      [pg, px, n, c, s, a, b, pm, pi, pa, training ? 1 : 0, psg, psx, pdx]));
    sumG.set(ar.f32(psg, c));
    sumGX.set(ar.f32(psx, c));
    if (dx) dx.set(ar.f32(pdx, x.length));
  }

  // Channel ranges, one per thread, for per-channel reductions over `elements` values.
  private channelRanges(c: number, elements: number): [number, number][] {
    return split(c, elements < this.minElements ? 1 : this.threads, 1);
  }

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
       a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, beta: number,
       c: Float32Array, cOffset: number): void {
    if (m <= 0 || n <= 0) return;
    const ar = this.arena;
    ar.reset();
    const pa = ar.put(a.subarray(aOffset, aOffset + m * k));
    const pb = ar.put(b.subarray(bOffset, bOffset + k * n));
    const pc = beta !== 0 ? ar.put(c.subarray(cOffset, cOffset + m * n)) : ar.alloc(m * n * 4);
    const lda = transA ? m : k, ldb = transB ? k : n;
    const ta = transA ? 1 : 0, tb = transB ? 1 : 0;
    let parts = m * n * k < this.minFlops ? 1 : this.threads;
    // Split the larger output dimension; each thread re-packs only the smaller operand.
    const alongN = n >= m ? n >= 16 * parts : m < 8 * parts;
    const ranges = split(alongN ? n : m, parts, alongN ? 8 : 4, this.pool.share(`sgemm ${m}x${n}x${k}${ta}${tb}`));
    parts = ranges.length;
    const scratch = ar.alloc(parts * this.gemmScratch);
    const slices = ranges.map(([s, e], t) => {
      const sc = scratch + t * this.gemmScratch;
      if (alongN) {
        return [ta, tb, m, e - s, k, alpha, pa, lda, pb + (transB ? s * ldb : s) * 4, ldb, beta, pc + s * 4, n, sc];
      }
      return [ta, tb, e - s, n, k, alpha, pa + (transA ? s : s * lda) * 4, lda, pb, ldb, beta, pc + s * n * 4, n, sc];
    });
    this.pool.run('sgemm', slices);
    c.set(ar.f32(pc, m * n), cOffset);
  }

  // Batch ranges (one per thread) plus the geometry block the conv kernels read; returns per-thread scratch bytes.
  // `gp`: where to write the block; `whole`: one range over the whole batch (for runTasks).
  private convSetup(g: Conv2dGeometry, targetN: number, fn: string, gp = PARAMS_PTR, whole = false): { ranges: [number, number][]; scr: number } {
    const flops = g.n * g.o * g.oh * g.ow * (g.c / g.groups) * g.kh * g.kw;
    const ranges = whole ? [[0, g.n] as [number, number]]
      : split(g.n, flops < this.minFlops ? 1 : this.threads, 1, this.pool.share(`${fn} ${convKey(g)}`));
    const p = g.oh * g.ow;
    const perThread = Math.max(...ranges.map(([s, e]) => e - s));
    // Images per GEMM: enough to make the GEMM's N dimension ~CONV_TARGET_N wide.
    const nb = Math.max(1, Math.min(perThread, Math.ceil(targetN / p)));
    this.arena.i32(gp, 17).set([g.n, g.c, g.h, g.w, g.o, g.kh, g.kw, g.oh, g.ow,
      g.strideH, g.strideW, g.padH, g.padW, g.dilationH, g.dilationW, g.groups, nb]);
    const kk = (g.c / g.groups) * g.kh * g.kw;
    const scr = (kk + g.o / g.groups) * nb * p * 4 + this.gemmScratch + 256;
    return { ranges, scr };
  }

  /**
   * A 3x3 stride-1 convolution by Winograd F(2x2, 3x3). Forward: src = x, out = y. Input gradient
   * (`backward`): src = dy, out = dx, i.e. the convolution of dy padded by 2 - p with w rotated by
   * 180° and transposed to [c, o].
   */
  private winogradConv(t: 2 | 3, g: Conv2dGeometry, backward: boolean, psrc: number, w: Float32Array,
                       bias: Float32Array | null, out: Float32Array, act = -1): number {
    const f = t === 2 ? 'winograd' : 'winograd3', slots = (t + 2) * (t + 2);
    const ar = this.arena;
    const [I, H, W, O, OH, OW, ph, pw] = backward
      ? [g.o, g.oh, g.ow, g.c, g.h, g.w, 2 - g.padH, 2 - g.padW]
      : [g.c, g.h, g.w, g.o, g.oh, g.ow, g.padH, g.padW];
    const fn = `${f}Conv`;
    const flops = g.n * g.o * g.oh * g.ow * g.c * 9;
    const ranges = split(g.n, flops < this.minFlops ? 1 : this.threads, 1, this.pool.share(`${fn} ${convKey(g)}`));
    const perThread = Math.max(...ranges.map(([s, e]) => e - s));
    const t1 = Math.ceil(OH / t) * Math.ceil(OW / t);
    const nb = Math.max(1, Math.min(perThread, Math.round(this.winogradTiles / t1)));
    ar.i32(PARAMS_PTR, 10).set([g.n, I, H, W, O, OH, OW, ph, pw, nb]);
    const scr = this.k[`${f}ScratchBytes`]!(PARAMS_PTR) + this.gemmScratch + 256;
    const pw_ = ar.put(w), pbias = bias ? ar.put(bias) : 0;
    const pu = ar.alloc(slots * I * O * 4);
    // U = G g Gᵀ for all patch positions, split over the weight's leading dimension.
    const wRanges = split(g.o, g.o * g.c * 200 < this.minFlops ? 1 : this.threads, 1);
    const tmp = ar.alloc(wRanges.length * 256);
    this.pool.run(`${f}Weights`, wRanges.map(([a0, a1], i) => [pw_, g.o, g.c, backward ? 1 : 0, a0, a1, pu, tmp + i * 256]));
    // Each U[ξ] is the A of one GEMM per block of tiles: pack it once here, not once per block.
    const pp = ar.alloc(this.k[`${f}PackedBytes`]!(O, I));
    this.pool.run('winogradPack', split(slots, wRanges.length, 1).map(([x0, x1]) => [pu, O, I, x0, x1, pp]));
    const outLen = g.n * O * OH * OW;
    const pout = ar.alloc(outLen * 4);
    const scratch = ar.alloc(ranges.length * scr);
    this.pool.run(fn, ranges.map(([s, e], t) => [PARAMS_PTR, s, e, psrc, pp, pbias, pout, scratch + t * scr]));
    if (act >= 0) this.activate(act, pout, outLen);
    out.set(ar.f32(pout, outLen));
    return pout;
  }

  /**
   * A convolution by directForward (see directForwardEligible): the forward (src = x, out = y), or
   * the input gradient (src = dy, out = dx).
   */
  private directConv(g: Conv2dGeometry, backward: boolean, psrc: number, w: Float32Array, bias: Float32Array | null,
                     out: Float32Array, act: number): number {
    const ar = this.arena;
    const [ci, h, wd, co, oh, ow, ph, pw] = backward
      ? [g.o, g.oh, g.ow, g.c, g.h, g.w, g.kh - 1 - g.padH, g.kw - 1 - g.padW]
      : [g.c, g.h, g.w, g.o, g.oh, g.ow, g.padH, g.padW];
    ar.i32(PARAMS_PTR, 12).set([g.n, ci, h, wd, co, g.kh, g.kw, oh, ow, ph, pw, backward ? 1 : 0]);
    const flops = g.n * g.o * g.oh * g.ow * g.c * g.kh * g.kw;
    const ranges = split(g.n, flops < this.minFlops ? 1 : this.threads, 1,
      this.pool.share(`directForward${backward ? 'T' : ''} ${convKey(g)}`));
    const scr = this.k['directForwardScratchBytes']!(PARAMS_PTR);
    const pw_ = ar.put(w), pbias = bias ? ar.put(bias) : 0;
    const outLen = g.n * co * oh * ow;
    const pout = ar.alloc(outLen * 4);
    const scratch = ar.alloc(ranges.length * scr);
    this.pool.run('directForward', ranges.map(([s, e], t) => [PARAMS_PTR, s, e, psrc, pw_, pbias, pout, scratch + t * scr, act]));
    out.set(ar.f32(pout, outLen));
    return pout;
  }

  /** The activation with code `act` applied in place to n floats of the arena at p. */
  private activate(act: number, p: number, n: number): void {
    const parts = n < this.minElements ? 1 : this.threads;
    this.pool.run('activationForward', split(n, parts, 1024).map(([s, e]) => [act, p + s * 4, p + s * 4, e - s]));
  }

  /** The weight gradient of a Winograd-eligible layer: per-thread partial gradients, then summed. */
  private winogradBackwardWeight(t: 2 | 3, g: Conv2dGeometry, x: Float32Array, pdy: number, dw: Float32Array,
                                 db: Float32Array | null): void {
    const ar = this.arena;
    const f = t === 2 ? 'winograd' : 'winograd3';
    const fn = `${f}BackwardWeight`;
    const flops = g.n * g.o * g.oh * g.ow * g.c * 9;
    const ranges = split(g.n, flops < this.minFlops ? 1 : this.threads, 1, this.pool.share(`${fn} ${convKey(g)}`));
    const perThread = Math.max(...ranges.map(([s, e]) => e - s));
    const t1 = Math.ceil(g.oh / t) * Math.ceil(g.ow / t);
    const nb = Math.max(1, Math.min(perThread, Math.round(this.winogradTiles / t1)));
    ar.i32(PARAMS_PTR, 10).set([g.n, g.c, g.h, g.w, g.o, g.oh, g.ow, g.padH, g.padW, nb]);
    const scr = this.k[`${f}ScratchBytes`]!(PARAMS_PTR) + this.gemmScratch + this.k[`${f}WeightAccBytes`]!(PARAMS_PTR) + 256;
    this.runWeightGradient(fn, g, ranges, scr, x, pdy, dw, db);
  }

  conv2d(g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array,
         activation?: ActivationOp, pool?: FusedPool): void {
    const act = activation === undefined ? -1 : ACTIVATION_CODES[activation];
    const ar = this.arena;
    ar.reset();
    const px = ar.put(x);
    const wt = this.winograd ? winogradTile(g, this.winograd3MinChannels) : 0;
    let py: number;
    if (wt !== 0) py = this.winogradConv(wt, g, false, px, w, bias, y, act);
    else if (this.direct && directForwardEligible(g, false)) py = this.directConv(g, false, px, w, bias, y, act);
    else {
      const { ranges, scr } = this.convSetup(g, this.convTargetN, 'conv2dForward');
      const pw = ar.put(w), pbias = bias ? ar.put(bias) : 0;
      const ylen = g.n * g.o * g.oh * g.ow;
      py = ar.alloc(ylen * 4);
      const scratch = ar.alloc(ranges.length * scr);
      // The activation runs inside the kernel, on each block of images while it is in cache.
      this.pool.run('conv2dForward', ranges.map(([s, e], t) => [PARAMS_PTR, s, e, px, pw, pbias, py, scratch + t * scr, act]));
      y.set(ar.f32(py, ylen));
    }
    // A fused pooling reads the activation's output where it already is.
    if (pool) this.poolForward(pool, py);
  }

  conv2dBackwardInput(g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
    this.arena.reset();
    this.backwardInput(g, this.arena.put(dy), w, dx);
  }

  conv2dBackwardWeight(g: Conv2dGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array, db: Float32Array | null = null): void {
    this.arena.reset();
    this.backwardWeight(g, x, this.arena.put(dy), dw, db);
  }

  conv2dBackward(g: Conv2dGeometry, x: Float32Array, w: Float32Array, dy: Float32Array, grads: Conv2dGrads,
                 activation?: FusedActivation, pool?: FusedPool): void {
    const ar = this.arena;
    ar.reset();
    const n = g.n * g.o * g.oh * g.ow;
    // Through a fused pooling first: dy is then the pooled output's gradient.
    const pdy = pool ? this.poolBackward(pool, ar.put(dy)) : ar.put(dy);
    if (activation !== undefined && !grads.dx && grads.dw && this.directWeight(g)) {
      // The direct weight kernel takes dy through the activation while it stages it.
      this.backwardWeight(g, x, pdy, grads.dw, grads.db, { py: ar.put(activation.y), code: ACTIVATION_CODES[activation.op] });
      return;
    }
    if (activation !== undefined) {
      // dy becomes the gradient of the convolution's output, in place, where the kernels read it.
      this.activationGradAt(ACTIVATION_CODES[activation.op], ar.put(activation.y), pdy, n);
    }
    if (grads.dx && grads.dw && this.sideBySide(g)) { this.backwardSideBySide(g, x, w, pdy, grads.dx, grads.dw, grads.db); return; }
    // Each gradient's own buffers are released before the next one's (dy stays).
    const top = ar.mark();
    if (grads.dx) this.backwardInput(g, pdy, w, grads.dx);
    ar.rewind(top);
    if (grads.dw) this.backwardWeight(g, x, pdy, grads.dw, grads.db);
    else if (grads.db) this.channelSum(pdy, g.n, g.o, g.oh * g.ow, grads.db);
  }

  /**
   * Run the input and the weight gradient side by side, one whole kernel per thread, instead of one
   * after the other, each split over both threads? On 2 threads, for layers whose input gradient
   * takes im2col + GEMM (the weight gradient: im2col or the direct kernel): split, LeNet's conv2
   * (batch 128, 1.6 ms of work per gradient and thread) scaled only 1.3x for the input gradient
   * and 1.8x for the weight gradient.
   */
  private sideBySide(g: Conv2dGeometry): boolean {
    if (!this.sideBySideOn || this.threads !== 2) return false;
    if (g.n * g.o * g.oh * g.ow * (g.c / g.groups) * g.kh * g.kw < this.minFlops) return false;
    if (this.winograd && winogradTile(g, this.winograd3MinChannels) !== 0) return false;
    return !(this.direct && directForwardEligible(g, true));
  }

  /** See sideBySide: dx on the calling thread, dw (+ db) on the worker, from dy in the arena at pdy. */
  private backwardSideBySide(g: Conv2dGeometry, x: Float32Array, w: Float32Array, pdy: number, dx: Float32Array,
                             dw: Float32Array, db: Float32Array | null): void {
    const ar = this.arena;
    const gpI = ar.alloc(128), gpW = ar.alloc(128);
    const direct = this.directWeight(g);
    const fnW = direct ? 'directBackwardWeight' : 'conv2dBackwardWeight';
    const I = this.convSetup(g, this.convTargetN, 'conv2dBackwardInput', gpI, true);
    const W = this.convSetup(g, g.oh * g.ow < CONV_WEIGHT_BATCH_BELOW ? this.convWeightTargetN : 1, fnW, gpW, true);
    const scrW = direct ? this.k['directWeightScratchBytes']!(gpW) : W.scr;
    const pw = ar.put(w), px = ar.put(x);
    const xlen = g.n * g.c * g.h * g.w, wlen = g.o * (g.c / g.groups) * g.kh * g.kw;
    // The direct kernel writes db right after dw.
    const pdx = ar.alloc(xlen * 4), pdw = ar.alloc((wlen + g.o) * 4);
    ar.f32(pdw, wlen + g.o).fill(0);
    const sI = ar.alloc(I.scr), sW = ar.alloc(scrW);
    const argsW = [gpW, 0, g.n, px, pdy, pdw, sW];
    if (direct) argsW.push(0, -1, db ? pdw + wlen * 4 : 0);
    this.pool.runTasks([['conv2dBackwardInput', [gpI, 0, g.n, pdy, pw, pdx, sI]], [fnW, argsW]]);
    if (db && !direct) this.channelSum(pdy, g.n, g.o, g.oh * g.ow, db);
    dx.set(ar.f32(pdx, xlen));
    dw.set(ar.f32(pdw, wlen));
    if (db && direct) db.set(ar.f32(pdw + wlen * 4, g.o));
  }

  /** Does backwardWeight take directBackwardWeight for this layer? */
  private directWeight(g: Conv2dGeometry): boolean {
    return this.direct && directWeightEligible(g) && !(this.winograd && winogradTile(g, this.winograd3MinChannels) !== 0);
  }

  /** dx from dy already in the arena at pdy. */
  private backwardInput(g: Conv2dGeometry, pdy: number, w: Float32Array, dx: Float32Array): void {
    const wt = this.winograd ? winogradTile(g, this.winograd3MinChannels) : 0;
    if (wt !== 0) { this.winogradConv(wt, g, true, pdy, w, null, dx); return; }
    if (this.direct && directForwardEligible(g, true)) { this.directConv(g, true, pdy, w, null, dx, -1); return; }
    const ar = this.arena;
    const { ranges, scr } = this.convSetup(g, this.convTargetN, 'conv2dBackwardInput');
    const pw = ar.put(w);
    const xlen = g.n * g.c * g.h * g.w;
    const pdx = ar.alloc(xlen * 4);
    const scratch = ar.alloc(ranges.length * scr);
    this.pool.run('conv2dBackwardInput', ranges.map(([s, e], t) => [PARAMS_PTR, s, e, pdy, pw, pdx, scratch + t * scr]));
    dx.set(ar.f32(pdx, xlen));
  }

  /** dw (and db) from dy already in the arena at pdy. */
  private backwardWeight(g: Conv2dGeometry, x: Float32Array, pdy: number, dw: Float32Array, db: Float32Array | null,
                         act: FusedActivationAt | null = null): void {
    // Measured: for the weight gradient, batching images (a longer K) loses to per-image GEMMs
    // accumulating into dw on large maps, because batching needs dy staged and a column buffer that
    // leaves L2. On small maps a per-image GEMM has K = P (9 on ResNet's last stage) and re-reads and
    // re-writes all of dw for P multiply-adds per element: there batching is ~3x faster.
    const wt = this.winograd ? winogradTile(g, this.winograd3MinChannels) : 0;
    if (wt !== 0) { this.winogradBackwardWeight(wt, g, x, pdy, dw, db); return; }
    const target = g.oh * g.ow < CONV_WEIGHT_BATCH_BELOW ? this.convWeightTargetN : 1;
    const direct = this.directWeight(g);
    const fn = direct ? 'directBackwardWeight' : 'conv2dBackwardWeight';
    const conv = this.convSetup(g, target, fn);
    const ranges = conv.ranges, scr = direct ? this.k['directWeightScratchBytes']!(PARAMS_PTR) : conv.scr;
    this.runWeightGradient(fn, g, ranges, scr, x, pdy, dw, db, act);
  }

  /**
   * Runs weight-gradient export `fn` (args: geometry block, image range, x, dy, partial dw, scratch)
   * over image `ranges` with `scr` scratch bytes per thread. Each thread accumulates its images into
   * a private partial gradient; a second pass sums them. The bias gradient, when asked for, reads
   * dy where it already is instead of a JS reduction over a second copy.
   */
  private runWeightGradient(fn: string, g: Conv2dGeometry, ranges: [number, number][], scr: number,
                            x: Float32Array, pdy: number, dw: Float32Array, db: Float32Array | null,
                            act: FusedActivationAt | null = null): void {
    const ar = this.arena;
    const px = ar.put(x);
    const wlen = g.o * (g.c / g.groups) * g.kh * g.kw;
    // directBackwardWeight also sums db (after dw in each partial) and takes dy through `act`.
    const direct = fn === 'directBackwardWeight';
    const len = direct && db ? wlen + g.o : wlen;
    const stride = Math.ceil(len / 16) * 16;
    const partials = ar.alloc(ranges.length * stride * 4);
    ar.f32(partials, ranges.length * stride).fill(0);
    const scratch = ar.alloc(ranges.length * scr);
    this.pool.run(fn, ranges.map(([s, e], t) => {
      const args = [PARAMS_PTR, s, e, px, pdy, partials + t * stride * 4, scratch + t * scr];
      if (direct) args.push(act ? act.py : 0, act ? act.code : -1, db ? partials + (t * stride + wlen) * 4 : 0);
      return args;
    }));
    if (db && !direct) this.channelSum(pdy, g.n, g.o, g.oh * g.ow, db);
    let pdw = partials;
    // (No ranges: an empty batch, whose gradients are zeros from a sum of no partials.)
    if (ranges.length !== 1) {
      pdw = ar.alloc(len * 4);
      const sumParts = split(len, len < 65536 ? 1 : this.threads, 16);
      this.pool.run('sumPartials', sumParts.map(([s, e]) => [pdw, partials, stride, ranges.length, s, e]));
    }
    dw.set(ar.f32(pdw, wlen));
    if (db && direct) db.set(ar.f32(pdw + wlen * 4, g.o));
  }

  // out[ch] = sum of the arena's [n, c, s] block at px over images and s; memory-bound, so split by
  // channel only when large.
  private channelSum(px: number, n: number, c: number, s: number, out: Float32Array): void {
    const pout = this.arena.alloc(c * 4);
    const parts = n * c * s < this.minElements ? 1 : this.threads;
    this.pool.run('channelSum', split(c, parts, 1).map(([c0, c1]) => [px, n, c, s, c0, c1, pout]));
    out.set(this.arena.f32(pout, c));
  }

  // Writes the pooling geometry block and returns plane ranges, one per thread.
  private poolSetup(g: Pool2dGeometry, fn: string): [number, number][] {
    this.arena.i32(PARAMS_PTR, 12).set([g.h, g.w, g.oh, g.ow, g.kh, g.kw, g.strideH, g.strideW, g.padH, g.padW,
      g.countIncludePad ? 1 : 0, 0]);
    const planes = g.n * g.c;
    const work = planes * g.oh * g.ow * g.kh * g.kw;
    const key = `${fn} ${planes}x${g.h}x${g.w} k${g.kh}x${g.kw}s${g.strideH}x${g.strideW}p${g.padH}x${g.padW}`;
    return split(planes, Math.max(work, planes * g.h * g.w) < this.minElements ? 1 : this.threads, 1, this.pool.share(key));
  }

  maxPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array, argmax: Int32Array): void {
    this.arena.reset();
    this.poolForward({ kind: 'max', g, y, argmax }, this.arena.put(x));
  }

  maxPool2dBackward(g: Pool2dGeometry, dy: Float32Array, argmax: Int32Array, dx: Float32Array): void {
    const ar = this.arena;
    ar.reset();
    dx.set(ar.f32(this.poolBackward({ kind: 'max', g, y: dy, argmax }, ar.put(dy)), g.n * g.c * g.h * g.w));
  }

  avgPool2d(g: Pool2dGeometry, x: Float32Array, y: Float32Array): void {
    this.arena.reset();
    this.poolForward({ kind: 'avg', g, y, argmax: null }, this.arena.put(x));
  }

  avgPool2dBackward(g: Pool2dGeometry, dy: Float32Array, dx: Float32Array): void {
    const ar = this.arena;
    ar.reset();
    dx.set(ar.f32(this.poolBackward({ kind: 'avg', g, y: dy, argmax: null }, ar.put(dy)), g.n * g.c * g.h * g.w));
  }

  /** Pools the arena's input at px into p.y (and p.argmax). */
  private poolForward(p: FusedPool, px: number): void {
    const ar = this.arena, g = p.g;
    const ylen = g.n * g.c * g.oh * g.ow;
    const py = ar.alloc(ylen * 4);
    if (p.kind === 'avg') {
      const ranges = this.poolSetup(g, 'avgPoolForward');
      this.pool.run('avgPoolForward', ranges.map(([s, e]) => [PARAMS_PTR, s, e, px, py]));
    } else {
      if ((g.dilationH ?? 1) !== 1 || (g.dilationW ?? 1) !== 1) {
        // Dilated max pooling (rare: no model of the zoo uses it) runs the reference loops.
        refBackend.maxPool2d(g, ar.f32(px, g.n * g.c * g.h * g.w), p.y, p.argmax!);
        return;
      }
      // Without padding the windows need no padded copy of the plane (see assembly/pool.ts).
      const fn = g.padH === 0 && g.padW === 0 ? 'maxPoolForwardUnpadded' : 'maxPoolForward';
      const ranges = this.poolSetup(g, fn);
      const pam = ar.alloc(ylen * 4);
      const scr = this.k['maxPoolScratchBytes']!(PARAMS_PTR);
      const scratch = ar.alloc(ranges.length * scr);
      this.pool.run(fn, ranges.map(([s, e], t) => [PARAMS_PTR, s, e, px, py, pam, scratch + t * scr]));
      p.argmax!.set(ar.i32(pam, ylen));
    }
    p.y.set(ar.f32(py, ylen));
  }

  /** The input gradient of pooling p from its output gradient at pdy (arena); returns where it is. */
  private poolBackward(p: FusedPool, pdy: number): number {
    const ar = this.arena, g = p.g;
    const pdx = ar.alloc(g.n * g.c * g.h * g.w * 4);
    if (p.kind === 'avg') {
      const ranges = this.poolSetup(g, 'avgPoolBackward');
      this.pool.run('avgPoolBackward', ranges.map(([s, e]) => [PARAMS_PTR, s, e, pdy, pdx]));
    } else {
      const ranges = this.poolSetup(g, 'maxPoolBackward');
      const am = p.argmax!;
      const pam = ar.alloc(am.length * 4);
      ar.i32(pam, am.length).set(am);
      this.pool.run('maxPoolBackward', ranges.map(([s, e]) => [PARAMS_PTR, s, e, pdy, pam, pdx]));
    }
    return pdx;
  }
}
