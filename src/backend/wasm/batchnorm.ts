/**
 * BatchNorm jobs: statistics and backward split over channels (each channel's sums are computed
 * whole by one task, so the split never changes them), the affine map over planes.
 */
import { elementRanges, type WasmContext } from './context.js';
import { call } from './kernels.js';
import { MAX_CHUNKS, splitRange } from './partition.js';

function channelRanges(ctx: WasmContext, c: number, elements: number): readonly (readonly [number, number])[] {
  return splitRange(c, elements < ctx.minElements ? 1 : MAX_CHUNKS);
}

/** Per-channel mean and biased variance of x [n, c, s]. */
export function channelStats(ctx: WasmContext, x: Float32Array, n: number, c: number, s: number, mean: Float32Array, variance: Float32Array): void {
  const io = ctx.io;
  const px = io.in(x), pm = io.out(mean), pv = io.out(variance);
  ctx.pool.run(channelRanges(ctx, c, x.length).map(([a, b]) => [call('channelStats', px, n, c, s, a, b, pm, pv)]));
}

/** y = x·scale[ch] + shift[ch] over [n, c, s]. */
export function channelAffine(ctx: WasmContext, x: Float32Array, n: number, c: number, s: number, scale: Float32Array, shift: Float32Array, y: Float32Array): void {
  const io = ctx.io;
  const px = io.in(x), pa = io.in(scale), pb = io.in(shift), py = io.out(y);
  const planes = elementRanges(n * c, ctx.minElements / Math.max(1, s), 1);
  ctx.pool.run(planes.map(([q0, q1]) => [call('channelAffine', px, c, s, q0, q1, pa, pb, py)]));
}

/** BatchNorm backward (see Backend.batchNormBackward). */
export function batchNormBackward(ctx: WasmContext, g: Float32Array, x: Float32Array, n: number, c: number, s: number, mean: Float32Array,
                                  invstd: Float32Array, scale: Float32Array, training: boolean,
                                  sumG: Float32Array, sumGX: Float32Array, dx: Float32Array | null): void {
  const io = ctx.io;
  const pg = io.in(g), px = io.in(x), pm = io.in(mean), pi = io.in(invstd), pa = io.in(scale);
  const psg = io.out(sumG), psx = io.out(sumGX);
  const pdx = dx ? io.out(dx) : 0;
  ctx.pool.run(channelRanges(ctx, c, x.length).map(([a, b]) =>
    [call('batchNormBackward', pg, px, n, c, s, a, b, pm, pi, pa, training ? 1 : 0, psg, psx, pdx)]));
}

/** out[ch] = Σ over images and s of the [n, c, s] block at px (the conv bias gradient); per channel, so split-invariant. */
export function channelSumAt(ctx: WasmContext, px: number, n: number, c: number, s: number, pout: number): void {
  ctx.pool.run(channelRanges(ctx, c, n * c * s).map(([c0, c1]) => [call('channelSum', px, n, c, s, c0, c1, pout)]));
}
