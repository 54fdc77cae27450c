/**
 * Convolution plans: the algorithm of each pass (forward, input gradient, weight gradient) and how
 * its work is cut, chosen once per geometry and cached (as PyTorch's select_conv_backend does per
 * call), and read by all three passes. A plan depends on the geometry and the backend's options;
 * its cuts never depend on the thread count (see partition.ts).
 */
import type { Conv2dGeometry } from '../backend.js';
import { CONV_C, CONV_DH, CONV_DW, CONV_FLIP, CONV_GROUPS, CONV_H, CONV_KH, CONV_KW, CONV_N, CONV_NB, CONV_O, CONV_OH, CONV_OW,
  CONV_PH, CONV_PW, CONV_SH, CONV_SLOTS, CONV_SW, CONV_W } from './abi.js';
import type { Kernels } from './kernels.js';
import type { WasmHeap } from './memory.js';
import { chunkCount, pow2Floor, splitRange, type Range } from './partition.js';

/** How one pass computes. */
export type ConvAlgo = 'im2col' | 'direct' | 'winograd2' | 'winograd3';

/** One pass of a plan. */
export interface ConvPass {
  readonly algo: ConvAlgo;
  /** Address of the pass's parameter block (abi.ts CONV_*), written once. */
  readonly gp: number;
  /** Images per GEMM / per block of tiles. */
  readonly nb: number;
  /** Image ranges, one task each. */
  readonly chunks: readonly Range[];
  /** Scratch bytes per thread. */
  readonly scratch: number;
}

/** Everything about one convolution geometry. */
export interface ConvPlan {
  readonly forward: ConvPass;
  readonly input: ConvPass;
  readonly weight: ConvPass;
  /** On 2 threads, the input and weight gradients run side by side (one task each). */
  readonly sideBySide: boolean;
  /** Multiply-adds of one pass. */
  readonly flops: number;
  /** Floats of the weight. */
  readonly weightLen: number;
}

/** The options a plan depends on. */
export interface PlanOptions {
  threads: number;
  grain: number;
  convTargetN: number;
  convWeightTargetN: number;
  winograd: boolean;
  winograd3MinChannels: number;
  winogradTiles: number;
  direct: boolean;
  sideBySide: boolean;
}

/**
 * Feature maps with fewer output pixels than this batch images into one weight-gradient GEMM
 * (its K = images x pixels, up to convWeightTargetN): on ResNet-18's last stage a per-image GEMM
 * has K = 9 and re-reads all of dW for 9 multiply-adds per element (batching: ~3x faster).
 */
const CONV_WEIGHT_BATCH_BELOW = 64;
/**
 * Memory for weight-gradient partial sums (one per chunk): bounds the chunk count of layers with
 * big weights (ResNet-18's 512 x 512 x 3 x 3 = 9.4 MB: 2 chunks).
 */
const PARTIAL_BUDGET_BYTES = 32 << 20;
/** Most chunks of a weight gradient (enough for 8 threads; each costs a zeroed partial and a pass to add it). */
const WEIGHT_MAX_CHUNKS = 8;

/**
 * Winograd tile size for a layer's forward and input gradient (and weight gradient), or 0 for
 * im2col. F(2x2, 3x3) does 4 multiply-adds per output and channel pair instead of 9, F(3x3, 3x3)
 * 2.8. Eligible: 3x3, stride 1, undilated, ungrouped, padding <= 2 (the input gradient is then the
 * same kind of convolution, padded by 2 - p), at least 8 channels each side (the transforms cost
 * O(channels) per tile, the GEMMs O(channels²)), and maps that fill >= 3/4 of their tiles (a 3x3
 * map in 2x2 tiles computes 16 outputs for 9). F(3x3) where its tiles fit and both sides have >=
 * `min3` channels (its scalar transforms then cost little; measured 2026-12-04, 1 thread, batch
 * 128, ms fwd/dgrad/wgrad: 256 ch at 6x6 F3 76/79/95 vs F2 106/104/125; 128 ch at 12x12
 * 102/105/111 vs 96/97/114), or where only its tiles fit (3x3 maps).
 */
export function winogradTile(g: Conv2dGeometry, min3 = 256): 0 | 2 | 3 {
  if (g.kh !== 3 || g.kw !== 3 || g.strideH !== 1 || g.strideW !== 1 || g.dilationH !== 1 || g.dilationW !== 1) return 0;
  if (g.groups !== 1 || g.padH > 2 || g.padW > 2 || g.c < 8 || g.o < 8) return 0;
  const fill = (a: number, b: number, t: number): number => (a * b) / (t * t * Math.ceil(a / t) * Math.ceil(b / t));
  const fits = (t: number): boolean => fill(g.oh, g.ow, t) >= 0.75 && fill(g.h, g.w, t) >= 0.75;
  if (fits(3) && (Math.min(g.c, g.o) >= min3 || !fits(2))) return 3;
  return fits(2) ? 2 : 0;
}

/** Output channels per block of the direct kernels, and the size limits measured for them. */
const DIRECT_MAX_OUT = 32;
const DIRECT_MAX_TAPS = 512;

/**
 * Layers whose forward (`backward` false) or input gradient run the direct kernel
 * (assembly/conv-direct.ts) instead of im2col + GEMM: stride 1, undilated, ungrouped, few
 * channels, where building the column matrix costs about what multiplying it does. The input
 * gradient is a convolution of dy padded by k - 1 - p, so it needs p <= k - 1 and maps that do
 * not shrink much (it multiplies the padded border too). Measured 2026-12-04 (batch 128, 1
 * thread, CPU ms, direct vs im2col): LeNet conv1 forward 1.79 vs 2.47, conv2 2.27 vs 3.00;
 * conv2's input gradient (h·w = 1.96 oh·ow) 4.36 vs 3.60: not taken.
 */
export function directForwardEligible(g: Conv2dGeometry, backward: boolean): boolean {
  if (g.groups !== 1 || g.strideH !== 1 || g.strideW !== 1 || g.dilationH !== 1 || g.dilationW !== 1) return false;
  if (g.kh * g.kw === 1) return false; // a 1x1 layer's GEMM reads the input planes as they are
  const [ci, co] = backward ? [g.o, g.c] : [g.c, g.o];
  if (backward && (g.padH > g.kh - 1 || g.padW > g.kw - 1 || g.h * g.w > 1.25 * g.oh * g.ow)) return false;
  // Output channels go 4 (or 3) at a time: a block mostly of zero weights wastes its work.
  const rows = co % 4 !== 0 && co % 3 === 0 ? 3 : 4;
  if (co < 0.75 * Math.ceil(co / rows) * rows) return false;
  return co <= DIRECT_MAX_OUT && ci * g.kh * g.kw <= DIRECT_MAX_TAPS;
}

/**
 * Layers whose weight gradient runs directBackwardWeight: one-channel inputs (LeNet's first layer,
 * where im2col + GEMM has only kh·kw output columns) and the few-channel layers of the direct
 * forward. Measured 2026-12-04 (batch 128, 1 thread, ms): LeNet conv2 2.74 vs im2col's 3.32.
 */
export function directWeightEligible(g: Conv2dGeometry): boolean {
  if (g.groups !== 1 || g.strideH !== 1 || g.strideW !== 1 || g.dilationH !== 1 || g.dilationW !== 1) return false;
  return g.c === 1 || directForwardEligible(g, false);
}

const geometryKey = (g: Conv2dGeometry): string =>
  `${g.n},${g.c},${g.h},${g.w},${g.o},${g.kh},${g.kw},${g.oh},${g.ow},${g.strideH},${g.strideW},${g.padH},${g.padW},${g.dilationH},${g.dilationW},${g.groups}`;

/** Plans convolutions for one backend (its kernels, memory and options), caching them by geometry. */
export class ConvPlanner {
  private readonly cache = new Map<string, ConvPlan>();

  constructor(private readonly k: Kernels, private readonly heap: WasmHeap, private readonly opts: PlanOptions,
              private readonly gemmScratch: number) {}

  /** The plan of geometry g (made on first use). */
  plan(g: Conv2dGeometry): ConvPlan {
    const key = geometryKey(g);
    let p = this.cache.get(key);
    if (p === undefined) {
      p = this.make(g);
      this.cache.set(key, p);
    }
    return p;
  }

  private make(g: Conv2dGeometry): ConvPlan {
    const o = this.opts;
    const flops = g.n * g.o * g.oh * g.ow * (g.c / g.groups) * g.kh * g.kw;
    const weightLen = g.o * (g.c / g.groups) * g.kh * g.kw;
    const wt = o.winograd ? winogradTile(g, o.winograd3MinChannels) : 0;
    const fwdAlgo: ConvAlgo = wt === 3 ? 'winograd3' : wt === 2 ? 'winograd2' : o.direct && directForwardEligible(g, false) ? 'direct' : 'im2col';
    const inAlgo: ConvAlgo = wt === 3 ? 'winograd3' : wt === 2 ? 'winograd2' : o.direct && directForwardEligible(g, true) ? 'direct' : 'im2col';
    const wAlgo: ConvAlgo = wt === 3 ? 'winograd3' : wt === 2 ? 'winograd2' : o.direct && directWeightEligible(g) ? 'direct' : 'im2col';
    const forward = this.pass(g, fwdAlgo, false, false, flops, weightLen);
    const input = this.pass(g, inAlgo, true, false, flops, weightLen);
    const weight = this.pass(g, wAlgo, false, true, flops, weightLen);
    // Side by side, one whole gradient per thread: split, LeNet's conv2 gradients scaled only
    // 1.3x (input) and 1.8x (weight) on 2 threads; side by side the pair took 4.31 vs 4.82 ms.
    const sideBySide = o.sideBySide && o.threads === 2 && flops >= o.grain && inAlgo === 'im2col' && !wAlgo.startsWith('winograd');
    return { forward, input, weight, sideBySide, flops, weightLen };
  }

  // One pass: `backward` the input gradient (a convolution of dy for the direct and Winograd
  // kernels), `weight` the weight gradient.
  private pass(g: Conv2dGeometry, algo: ConvAlgo, backward: boolean, weight: boolean, flops: number, weightLen: number): ConvPass {
    const o = this.opts;
    const p = g.oh * g.ow;
    const transposed = backward && algo !== 'im2col';
    const winograd = algo === 'winograd2' || algo === 'winograd3';
    // Images per GEMM (im2col) or per block of tiles (Winograd) the pass would like.
    let nbTarget: number;
    if (winograd) {
      const t = algo === 'winograd2' ? 2 : 3;
      const [oh, ow] = transposed ? [g.h, g.w] : [g.oh, g.ow];
      nbTarget = Math.max(1, Math.round(o.winogradTiles / (Math.ceil(oh / t) * Math.ceil(ow / t))));
    } else if (algo === 'direct') {
      nbTarget = 1;
    } else {
      nbTarget = Math.max(1, Math.ceil((weight ? (p < CONV_WEIGHT_BATCH_BELOW ? o.convWeightTargetN : 1) : o.convTargetN) / p));
    }
    const blocks = Math.ceil(g.n / nbTarget);
    let count = Math.min(chunkCount(flops, g.n, o.grain), Math.max(2, blocks));
    if (weight) {
      // A sum over images: each chunk has its own partial sum, so the cut must not depend on the
      // thread count. Bound the partials' memory, and use a power of two so 2, 4, 8 threads
      // share them evenly.
      count = pow2Floor(Math.min(count, WEIGHT_MAX_CHUNKS, Math.max(1, Math.floor(PARTIAL_BUDGET_BYTES / ((weightLen + g.o) * 4)))));
    } else {
      // Every image is computed whole by one call, with the same rounding in any block (the
      // kernels add the bias after the products), so this cut may follow the thread count:
      // two tasks per thread balance them; one task per thread count fewer per-call costs
      // (the direct kernel packs its weights per call).
      count = Math.min(count, 2 * o.threads);
      if (o.threads === 1) count = 1;
    }
    const chunks = splitRange(g.n, count);
    const nb = Math.max(1, Math.min(nbTarget, Math.ceil(g.n / Math.max(1, chunks.length))));
    const gp = this.heap.allocBlock(CONV_SLOTS * 4);
    const block = new Array<number>(CONV_SLOTS).fill(0);
    const set = (c: number, h: number, w: number, out: number, oh: number, ow: number, ph: number, pw: number, flip: number): void => {
      block[CONV_N] = g.n; block[CONV_C] = c; block[CONV_H] = h; block[CONV_W] = w; block[CONV_O] = out;
      block[CONV_KH] = g.kh; block[CONV_KW] = g.kw; block[CONV_OH] = oh; block[CONV_OW] = ow;
      block[CONV_SH] = g.strideH; block[CONV_SW] = g.strideW; block[CONV_PH] = ph; block[CONV_PW] = pw;
      block[CONV_DH] = g.dilationH; block[CONV_DW] = g.dilationW; block[CONV_GROUPS] = g.groups; block[CONV_NB] = nb;
      block[CONV_FLIP] = flip;
    };
    if (!transposed) set(g.c, g.h, g.w, g.o, g.oh, g.ow, g.padH, g.padW, 0);
    else if (winograd) set(g.o, g.oh, g.ow, g.c, g.h, g.w, 2 - g.padH, 2 - g.padW, 1);
    else set(g.o, g.oh, g.ow, g.c, g.h, g.w, g.kh - 1 - g.padH, g.kw - 1 - g.padW, 1);
    this.heap.i32(gp, CONV_SLOTS).set(block);
    return { algo, gp, nb, chunks, scratch: this.scratchBytes(g, algo, weight, gp, nb) };
  }

  private scratchBytes(g: Conv2dGeometry, algo: ConvAlgo, weight: boolean, gp: number, nb: number): number {
    const k = this.k;
    switch (algo) {
      case 'direct': return weight ? k.directWeightScratchBytes(gp) : k.directForwardScratchBytes(gp);
      case 'winograd2': return k.winogradScratchBytes(gp) + this.gemmScratch + 256 + (weight ? k.winogradWeightAccBytes(gp) : 0);
      case 'winograd3': return k.winograd3ScratchBytes(gp) + this.gemmScratch + 256 + (weight ? k.winograd3WeightAccBytes(gp) : 0);
      case 'im2col': {
        // Column matrix [kk, nb·P] | staging [o/groups, nb·P] | GEMM packing (assembly/conv.ts).
        const kk = (g.c / g.groups) * g.kh * g.kw;
        return (kk + g.o / g.groups) * nb * g.oh * g.ow * 4 + this.gemmScratch + 256;
      }
    }
  }
}
