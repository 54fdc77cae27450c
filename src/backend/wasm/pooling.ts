/** Pooling jobs: max/avg forward and backward, split over planes (each plane computed whole by one task). */
import type { FusedPool, Pool2dGeometry } from '../backend.js';
import { refBackend } from '../ref/index.js';
import { POOL_H, POOL_INCLUDE_PAD, POOL_KH, POOL_KW, POOL_OH, POOL_OW, POOL_PH, POOL_PW, POOL_SH, POOL_SLOTS, POOL_SW, POOL_W } from './abi.js';
import { elementRanges, type WasmContext } from './context.js';
import { call } from './kernels.js';

// Writes the pooling block into scratch; returns its address and the plane ranges.
function setup(ctx: WasmContext, g: Pool2dGeometry): { gp: number; ranges: readonly (readonly [number, number])[] } {
  const gp = ctx.heap.scratch(POOL_SLOTS * 4);
  const b = new Array<number>(POOL_SLOTS).fill(0);
  b[POOL_H] = g.h; b[POOL_W] = g.w; b[POOL_OH] = g.oh; b[POOL_OW] = g.ow; b[POOL_KH] = g.kh; b[POOL_KW] = g.kw;
  b[POOL_SH] = g.strideH; b[POOL_SW] = g.strideW; b[POOL_PH] = g.padH; b[POOL_PW] = g.padW;
  b[POOL_INCLUDE_PAD] = g.countIncludePad ? 1 : 0;
  ctx.heap.i32(gp, POOL_SLOTS).set(b);
  const planes = g.n * g.c;
  // Memory-bound: split by the larger of the window work and the input, in planes.
  const perPlane = Math.max(g.oh * g.ow * g.kh * g.kw, g.h * g.w);
  return { gp, ranges: elementRanges(planes, ctx.minElements / Math.max(1, perPlane), 1) };
}

/** Pools the input at px into p.y (and p.argmax). */
export function poolForwardAt(ctx: WasmContext, p: FusedPool, px: number): void {
  const io = ctx.io, g = p.g;
  if (p.kind === 'max' && ((g.dilationH ?? 1) !== 1 || (g.dilationW ?? 1) !== 1)) {
    // Dilated max pooling (no model of the zoo uses it) runs the reference loops.
    refBackend.maxPool2d(g, ctx.heap.f32(px, g.n * g.c * g.h * g.w), p.y, p.argmax!);
    return;
  }
  const { gp, ranges } = setup(ctx, g);
  const py = io.out(p.y);
  if (p.kind === 'avg') {
    ctx.pool.run(ranges.map(([s, e]) => [call('avgPoolForward', gp, s, e, px, py)]));
    return;
  }
  const pam = io.out(p.argmax!);
  if (g.padH === 0 && g.padW === 0) {
    // Without padding the windows need no padded copy of the plane (see assembly/pool.ts).
    ctx.pool.run(ranges.map(([s, e]) => [call('maxPoolForwardUnpadded', gp, s, e, px, py, pam)]));
  } else {
    ctx.pool.run(ranges.map(([s, e]) => [call('maxPoolForward', gp, s, e, px, py, pam, 0)]), ctx.k.maxPoolScratchBytes(gp));
  }
}

/** The input gradient of pooling p from its output gradient at pdy, written at pdx. */
export function poolBackwardAt(ctx: WasmContext, p: FusedPool, pdy: number, pdx: number): void {
  const { gp, ranges } = setup(ctx, p.g);
  if (p.kind === 'avg') {
    ctx.pool.run(ranges.map(([s, e]) => [call('avgPoolBackward', gp, s, e, pdy, pdx)]));
  } else {
    const pam = ctx.io.in(p.argmax!);
    ctx.pool.run(ranges.map(([s, e]) => [call('maxPoolBackward', gp, s, e, pdy, pam, pdx)]));
  }
}
