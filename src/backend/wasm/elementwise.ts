/** Elementwise jobs: SIMD exp/sigmoid/tanh/relu and the activation gradients, split over elements. */
import type { ActivationOp, UnaryOp } from '../backend.js';
import { ACT_RELU, ACT_SIGMOID, ACT_TANH } from './abi.js';
import { elementRanges, type WasmContext } from './context.js';
import { call } from './kernels.js';

/** The activation codes of abi.ts. */
export const ACTIVATION_CODES: Record<ActivationOp, number> = { relu: ACT_RELU, sigmoid: ACT_SIGMOID, tanh: ACT_TANH };

/**
 * Unary ops with a SIMD kernel. exp/sigmoid/tanh are compute-bound in JS (a Math call per
 * element); relu is memory-bound, but V8's scalar float32 loops run at ~2.7 ns/element on this
 * machine class (measured 2026-12-04) against ~0.3 for copy-in + SIMD + copy-out.
 */
const UNARY_KERNELS = { exp: 'expForward', sigmoid: 'sigmoidForward', tanh: 'tanhForward', relu: 'reluForward' } as const;

/** Whether op has a SIMD kernel. */
export function hasUnaryKernel(op: UnaryOp): op is keyof typeof UNARY_KERNELS {
  return op in UNARY_KERNELS;
}

/** out = op(x) over n floats at px into pout (may alias). */
export function unaryAt(ctx: WasmContext, op: keyof typeof UNARY_KERNELS, px: number, pout: number, n: number): void {
  const fn = UNARY_KERNELS[op];
  const ranges = elementRanges(n, ctx.minElements);
  ctx.pool.run(ranges.map(([s, e]) => [call(fn, px + s * 4, pout + s * 4, e - s)]));
}

/** The activation with code `act` applied to n floats at px, into pout (may alias). */
export function activateAt(ctx: WasmContext, act: number, px: number, pout: number, n: number): void {
  const ranges = elementRanges(n, ctx.minElements);
  ctx.pool.run(ranges.map(([s, e]) => [call('activationForward', act, px + s * 4, pout + s * 4, e - s)]));
}

/** dx at pdx = gradient at pg taken back through the activation whose output is at py (pdx may alias pg). */
export function activationGradAt(ctx: WasmContext, act: number, py: number, pg: number, pdx: number, n: number): void {
  // Memory-bound (3 streams): splitting pays only for large tensors.
  const ranges = elementRanges(n, ctx.minElements);
  ctx.pool.run(ranges.map(([s, e]) => [call('activationBackward', act, py + s * 4, pg + s * 4, pdx + s * 4, e - s)]));
}
