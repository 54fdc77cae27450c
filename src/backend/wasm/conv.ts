/**
 * Convolution jobs: forward (+ bias, + fused activation and pooling), input gradient, weight
 * gradient (+ bias gradient), each by the algorithm and cut its plan chose (plan.ts).
 *
 * Weight gradients are sums over images. Each chunk of images (fixed by the plan) accumulates
 * into its own zeroed partial sum; the partials are then added in chunk order. So the gradient's
 * bits depend on the shape only, not on how many threads ran the chunks or which ran which.
 */
import type { ActivationOp, Conv2dGeometry, Conv2dGrads, FusedActivation, FusedPool } from '../backend.js';
import { ACT_NONE, CONV_C, CONV_N, CONV_O, CONV_OH, CONV_OW, CONV_SLOTS } from './abi.js';
import type { WasmContext } from './context.js';
import { channelSumAt } from './batchnorm.js';
import { ACTIVATION_CODES, activateAt, activationGradAt } from './elementwise.js';
import { call, type KernelCall } from './kernels.js';
import { splitRange } from './partition.js';
import type { ConvPass, ConvPlan } from './plan.js';
import { poolBackwardAt, poolForwardAt } from './pooling.js';
import type { Task } from './threads.js';

/** y = act(conv(x, w) + bias), then (optionally) pooled into pool.y. */
export function conv2d(ctx: WasmContext, g: Conv2dGeometry, x: Float32Array, w: Float32Array, bias: Float32Array | null,
                       y: Float32Array, activation?: ActivationOp, pool?: FusedPool): void {
  const io = ctx.io;
  const plan = ctx.planner.plan(g);
  const act = activation === undefined ? ACT_NONE : ACTIVATION_CODES[activation];
  const px = io.in(x), pw = io.in(w), pb = bias ? io.in(bias) : 0;
  const py = io.out(y);
  convPass(ctx, plan, plan.forward, px, pw, pb, py, act);
  // A fused pooling reads the activation's output where it already is.
  if (pool) poolForwardAt(ctx, pool, py);
}

/** dx from dy (see Backend.conv2dBackwardInput). */
export function conv2dBackwardInput(ctx: WasmContext, g: Conv2dGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
  const io = ctx.io;
  const plan = ctx.planner.plan(g);
  convPass(ctx, plan, plan.input, io.in(dy), io.in(w), 0, io.out(dx), ACT_NONE);
}

/** dw (and db) from x and dy (see Backend.conv2dBackwardWeight). */
export function conv2dBackwardWeight(ctx: WasmContext, g: Conv2dGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array,
                                     db: Float32Array | null): void {
  const io = ctx.io;
  const plan = ctx.planner.plan(g);
  const pdy = io.in(dy);
  const { tasks, partials } = weightTasks(ctx, g, plan, io.in(x), pdy, 0, ACT_NONE, db !== null);
  ctx.pool.run(tasks, plan.weight.scratch, plan.flops >= ctx.grain);
  finishWeight(ctx, g, plan, partials, pdy, dw, db);
}

/** All gradients of one conv (+ activation, + pooling) node (see Backend.conv2dBackward). */
export function conv2dBackward(ctx: WasmContext, g: Conv2dGeometry, x: Float32Array, w: Float32Array, dy: Float32Array,
                               grads: Conv2dGrads, activation?: FusedActivation, pool?: FusedPool): void {
  const io = ctx.io, heap = ctx.heap;
  const plan = ctx.planner.plan(g);
  const n = g.n * g.o * g.oh * g.ow;
  let pdy: number;
  if (pool) {
    // dy is the pooled output's gradient: the pooling's backward writes the conv output's gradient.
    pdy = heap.scratch(n * 4);
    poolBackwardAt(ctx, pool, io.in(dy), pdy);
  } else {
    // Taken through the activation in place below, so never the caller's own array.
    pdy = activation !== undefined ? io.copy(dy) : io.in(dy);
  }
  const parallel = plan.flops >= ctx.grain;
  if (activation !== undefined) {
    const code = ACTIVATION_CODES[activation.op], py = io.in(activation.y);
    if (!grads.dx && grads.dw && plan.weight.algo === 'direct') {
      // The direct weight kernel takes dy through the activation while it stages it.
      const { tasks, partials } = weightTasks(ctx, g, plan, io.in(x), pdy, py, code, grads.db !== null);
      ctx.pool.run(tasks, plan.weight.scratch, parallel);
      finishWeight(ctx, g, plan, partials, pdy, grads.dw, grads.db);
      return;
    }
    activationGradAt(ctx, code, py, pdy, pdy, n);
  }
  if (grads.dx && grads.dw && plan.sideBySide) {
    const px = io.in(x), pw = io.in(w), pdx = io.out(grads.dx);
    const input: KernelCall[] = plan.input.chunks.map(([s, e]) => call('conv2dBackwardInput', plan.input.gp, s, e, pdy, pw, pdx, 0));
    const { tasks, partials } = weightTasks(ctx, g, plan, px, pdy, 0, ACT_NONE, grads.db !== null);
    ctx.pool.run([input, tasks.flat()], Math.max(plan.input.scratch, plan.weight.scratch));
    finishWeight(ctx, g, plan, partials, pdy, grads.dw, grads.db);
    return;
  }
  if (grads.dx) convPass(ctx, plan, plan.input, pdy, io.in(w), 0, io.out(grads.dx), ACT_NONE);
  if (grads.dw) {
    const { tasks, partials } = weightTasks(ctx, g, plan, io.in(x), pdy, 0, ACT_NONE, grads.db !== null);
    ctx.pool.run(tasks, plan.weight.scratch, parallel);
    finishWeight(ctx, g, plan, partials, pdy, grads.dw, grads.db);
  } else if (grads.db) {
    channelSumAt(ctx, pdy, g.n, g.o, g.oh * g.ow, io.out(grads.db));
  }
}

/**
 * A forward pass (src = x, out = y) or an input gradient (src = dy, out = dx) by the pass's
 * algorithm; `act` (forward only) is applied to each block while it is in cache.
 */
function convPass(ctx: WasmContext, plan: ConvPlan, pass: ConvPass, psrc: number, pw: number, pbias: number, pout: number, act: number): void {
  const parallel = plan.flops >= ctx.grain;
  switch (pass.algo) {
    case 'im2col': {
      const tasks = pass.chunks.map(([s, e]) => [pass === plan.forward
        ? call('conv2dForward', pass.gp, s, e, psrc, pw, pbias, pout, 0, act)
        : call('conv2dBackwardInput', pass.gp, s, e, psrc, pw, pout, 0)]);
      ctx.pool.run(tasks, pass.scratch, parallel);
      return;
    }
    case 'direct':
      ctx.pool.run(pass.chunks.map(([s, e]) => [call('directForward', pass.gp, s, e, psrc, pw, pbias, pout, 0, act)]), pass.scratch, parallel);
      return;
    case 'winograd2':
    case 'winograd3':
      winogradPass(ctx, plan, pass, psrc, pw, pbias, pout, parallel);
      if (act !== ACT_NONE) {
        const b = ctx.heap.i32(pass.gp, CONV_SLOTS);
        activateAt(ctx, act, pout, pout, b[CONV_N]! * b[CONV_O]! * b[CONV_OH]! * b[CONV_OW]!);
      }
      return;
  }
}

// Winograd: U = G g Gᵀ for every patch position (split over the weight's rows), packed once as
// the A of the per-position GEMMs, then the convolution over image chunks.
function winogradPass(ctx: WasmContext, plan: ConvPlan, pass: ConvPass, psrc: number, pw: number, pbias: number, pout: number,
                      parallel: boolean): void {
  const heap = ctx.heap, k = ctx.k;
  const f3 = pass.algo === 'winograd3', slots = f3 ? 25 : 16;
  const blk = heap.i32(pass.gp, CONV_SLOTS);
  const I = blk[CONV_C]!, O = blk[CONV_O]!, flip = pass === plan.input ? 1 : 0;
  // The weight tensor is [wo, wi, 3, 3] = [layer out, layer in]; U is [slots, O, I] in pass terms.
  const wo = flip ? I : O, wi = flip ? O : I;
  const pu = heap.scratch(slots * I * O * 4);
  const rows = splitRange(wo, wo * wi * 200 < ctx.grain ? 1 : 8);
  ctx.pool.run(rows.map(([a0, a1]) => [f3 ? call('winograd3Weights', pw, wo, wi, flip, a0, a1, pu, 0) : call('winogradWeights', pw, wo, wi, flip, a0, a1, pu)]),
    f3 ? 256 : 0);
  const pp = heap.scratch(f3 ? k.winograd3PackedBytes(O, I) : k.winogradPackedBytes(O, I));
  ctx.pool.run(splitRange(slots, rows.length).map(([x0, x1]) => [call('winogradPack', pu, O, I, x0, x1, pp)]));
  const fn = f3 ? 'winograd3Conv' : 'winogradConv';
  ctx.pool.run(pass.chunks.map(([s, e]) => [call(fn, pass.gp, s, e, psrc, pp, pbias, pout, 0)]), pass.scratch, parallel);
}

// Floats between chunk partials: dw, then db for the direct kernel, rounded to 16.
const partialStride = (plan: ConvPlan, g: Conv2dGeometry): number => Math.ceil((plan.weightLen + g.o) / 16) * 16;

/**
 * The weight gradient's tasks: per chunk, zero its partial (in scratch at `partials`), then
 * accumulate the chunk's images into it.
 */
function weightTasks(ctx: WasmContext, g: Conv2dGeometry, plan: ConvPlan, px: number, pdy: number, py: number, act: number,
                     wantDb: boolean): { tasks: Task[]; partials: number } {
  const pass = plan.weight, stride = partialStride(plan, g);
  const partials = ctx.heap.scratch(pass.chunks.length * stride * 4);
  const tasks = pass.chunks.map(([s, e], i): Task => {
    const part = partials + i * stride * 4;
    const zero = call('zeroFloats', part, 0, stride);
    switch (pass.algo) {
      case 'direct':
        return [zero, call('directBackwardWeight', pass.gp, s, e, px, pdy, part, 0, py, act, wantDb ? part + plan.weightLen * 4 : 0)];
      case 'im2col':
        return [zero, call('conv2dBackwardWeight', pass.gp, s, e, px, pdy, part, 0)];
      case 'winograd2':
        return [zero, call('winogradBackwardWeight', pass.gp, s, e, px, pdy, part, 0)];
      case 'winograd3':
        return [zero, call('winograd3BackwardWeight', pass.gp, s, e, px, pdy, part, 0)];
    }
  });
  return { tasks, partials };
}

/** dw (and db) = the chunks' partial sums added in chunk order; db by channel sums where the kernel did not sum it. */
function finishWeight(ctx: WasmContext, g: Conv2dGeometry, plan: ConvPlan, partials: number, pdy: number, dw: Float32Array,
                      db: Float32Array | null): void {
  const io = ctx.io, count = plan.weight.chunks.length, stride = partialStride(plan, g), len = plan.weightLen;
  const pdw = io.out(dw);
  const ranges = splitRange(len, len < 65536 ? 1 : 8, 16);
  ctx.pool.run(ranges.map(([s, e]) => [call('sumPartials', pdw, partials, stride, count, s, e)]));
  if (!db) return;
  const pdb = io.out(db);
  if (plan.weight.algo === 'direct') ctx.pool.run([[call('sumPartials', pdb, partials + len * 4, stride, count, 0, g.o)]]);
  else channelSumAt(ctx, pdy, g.n, g.o, g.oh * g.ow, pdb);
}
