/**
 * The kernel module's exports, typed: every export assembly/index.ts makes, with its signature
 * (pointers are byte addresses in the memory; `gp` a parameter block laid out as in abi.ts). The
 * pool runs calls described by `call(...)`, which the compiler checks against these signatures.
 */
import type { WasmExports } from './wasm-api.js';

type P = number; // a byte address
type I = number; // an i32
type F = number; // an f32

/** Signatures of the kernel module's exports. */
export interface Kernels {
  sgemmScratchBytes(): I;
  sgemm(transA: I, transB: I, m: I, n: I, k: I, alpha: F, a: P, lda: I, b: P, ldb: I, beta: F, c: P, ldc: I, scratch: P): void;
  conv2dForward(gp: P, b0: I, b1: I, x: P, w: P, bias: P, y: P, scratch: P, act: I): void;
  conv2dBackwardInput(gp: P, b0: I, b1: I, dy: P, w: P, dx: P, scratch: P): void;
  conv2dBackwardWeight(gp: P, b0: I, b1: I, x: P, dy: P, dw: P, scratch: P): void;
  sumPartials(dst: P, src: P, strideFloats: I, count: I, i0: I, i1: I): void;
  zeroFloats(p: P, i0: I, i1: I): void;
  maxPoolScratchBytes(gp: P): I;
  maxPoolForward(gp: P, q0: I, q1: I, x: P, y: P, argmax: P, scratch: P): void;
  maxPoolForwardUnpadded(gp: P, q0: I, q1: I, x: P, y: P, argmax: P): void;
  maxPoolBackward(gp: P, q0: I, q1: I, dy: P, argmax: P, dx: P): void;
  avgPoolForward(gp: P, q0: I, q1: I, x: P, y: P): void;
  avgPoolBackward(gp: P, q0: I, q1: I, dy: P, dx: P): void;
  expForward(x: P, out: P, n: I): void;
  sigmoidForward(x: P, out: P, n: I): void;
  tanhForward(x: P, out: P, n: I): void;
  reluForward(x: P, out: P, n: I): void;
  activationForward(act: I, x: P, out: P, n: I): void;
  activationBackward(act: I, y: P, g: P, dx: P, n: I): void;
  channelStats(x: P, n: I, c: I, s: I, c0: I, c1: I, mean: P, variance: P): void;
  channelAffine(x: P, c: I, s: I, q0: I, q1: I, scale: P, shift: P, y: P): void;
  batchNormBackward(g: P, x: P, n: I, c: I, s: I, c0: I, c1: I, mean: P, invstd: P, scale: P, training: I,
                    sumG: P, sumGX: P, dx: P): void;
  channelSum(x: P, n: I, c: I, s: I, c0: I, c1: I, out: P): void;
  directForwardScratchBytes(gp: P): I;
  directForward(gp: P, b0: I, b1: I, x: P, w: P, bias: P, y: P, scratch: P, act: I): void;
  directWeightScratchBytes(gp: P): I;
  directBackwardWeight(gp: P, b0: I, b1: I, x: P, dy: P, dw: P, scratch: P, y: P, act: I, db: P): void;
  winogradScratchBytes(gp: P): I;
  winogradWeights(w: P, wo: I, wi: I, flip: I, a0: I, a1: I, u: P): void;
  winogradPackedBytes(o: I, i: I): I;
  winogradPack(u: P, o: I, i: I, x0: I, x1: I, dst: P): void;
  winogradConv(gp: P, b0: I, b1: I, x: P, u: P, bias: P, y: P, scratch: P): void;
  winogradWeightAccBytes(gp: P): I;
  winogradBackwardWeight(gp: P, b0: I, b1: I, x: P, dy: P, dw: P, scratch: P): void;
  winograd3ScratchBytes(gp: P): I;
  winograd3Weights(w: P, wo: I, wi: I, flip: I, a0: I, a1: I, u: P, tmp: P): void;
  winograd3PackedBytes(o: I, i: I): I;
  winograd3Conv(gp: P, b0: I, b1: I, x: P, u: P, bias: P, y: P, scratch: P): void;
  winograd3WeightAccBytes(gp: P): I;
  winograd3BackwardWeight(gp: P, b0: I, b1: I, x: P, dy: P, dw: P, scratch: P): void;
}

/** Exports the pool runs (workers look them up by index in this list). */
export const POOL_KERNELS = [
  'sgemm', 'conv2dForward', 'conv2dBackwardInput', 'conv2dBackwardWeight', 'sumPartials', 'zeroFloats',
  'maxPoolForward', 'maxPoolForwardUnpadded', 'maxPoolBackward', 'avgPoolForward', 'avgPoolBackward',
  'expForward', 'sigmoidForward', 'tanhForward', 'reluForward', 'activationForward', 'activationBackward',
  'channelStats', 'channelAffine', 'batchNormBackward', 'channelSum',
  'directForward', 'directBackwardWeight',
  'winogradWeights', 'winogradPack', 'winogradConv', 'winogradBackwardWeight',
  'winograd3Weights', 'winograd3Conv', 'winograd3BackwardWeight',
] as const satisfies readonly (keyof Kernels)[];

/** A kernel the pool can run. */
export type PoolKernel = (typeof POOL_KERNELS)[number];

/**
 * The argument each kernel takes as its per-thread scratch address: the pool adds the running
 * thread's offset to it, so a call can run on any thread.
 */
export const SCRATCH_ARG: Partial<Record<PoolKernel, number>> = {
  sgemm: 13, conv2dForward: 7, conv2dBackwardInput: 6, conv2dBackwardWeight: 6, maxPoolForward: 6,
  directForward: 7, directBackwardWeight: 6, winogradConv: 7, winogradBackwardWeight: 6,
  winograd3Weights: 7, winograd3Conv: 7, winograd3BackwardWeight: 6,
};

const INDEX = new Map<PoolKernel, number>(POOL_KERNELS.map((n, i) => [n, i]));

/** One kernel call for the pool: export index and arguments (scratch arguments relative to the thread's area). */
export interface KernelCall {
  readonly kernel: number;
  readonly args: readonly number[];
}

/** A call of kernel `k`, its arguments checked against Kernels[k]. */
export function call<K extends PoolKernel>(k: K, ...args: Parameters<Kernels[K]>): KernelCall {
  return { kernel: INDEX.get(k)!, args };
}

/** The exports of an instance as Kernels (the module's export list is fixed by assembly/index.ts). */
export function asKernels(exports: WasmExports): Kernels {
  for (const n of POOL_KERNELS) {
    if (typeof exports[n] !== 'function') throw new Error(`wasm backend: the kernel module has no export ${n} (rebuild it: npm run build:wasm)`);
  }
  return exports as unknown as Kernels;
}
