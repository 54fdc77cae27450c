/**
 * Convolution ops: conv2d (NCHW, OIHW weight) and conv1d on top of it, PyTorch semantics. Argument
 * checks and geometry here; the primitive (with its optional fused activation and pooling) is the
 * registry's `conv2d` (rules/conv.ts).
 */
import type { ActivationOp, Conv2dGeometry } from '../../backend/backend.js';
import { formatShape } from '../../shape/index.js';
import { convOutSize } from '../../shape/window.js';
import type { Tensor } from '../tensor.js';
import { scoped } from '../lifetime.js';
import { apply } from './registry.js';
import { emptyFloat } from './kernels.js';
import type { PoolSpec } from './rules/conv.js';
import { cat, squeeze, unsqueeze } from './shape.js';

export type { PoolSpec };
export { convOutSize };

/** An int for both spatial dims, or `[h, w]`. */
export type Pair = number | readonly [number, number];

/** Options of conv2d / Conv2d; padding may be 'same' (stride 1 only) or 'valid' (= 0). */
export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  /** Fuse this activation onto the output: activation(conv2d(x)) as one op (one node, ReluBackward0 etc.). */
  activation?: ActivationOp;
}

/** Options of conv1d / Conv1d. */
export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
}

/** `v` as `[h, w]`, checked to be integers >= min. */
export function pair(v: Pair, what: string, op: string, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (p.length !== 2 || !p.every((e) => Number.isInteger(e) && e >= min)) {
    throw new Error(`${op}: ${what} must be ${min > 0 ? 'a positive' : 'a non-negative'} integer or a pair of them, got ${JSON.stringify(v)}`);
  }
  return p;
}

/** Append `n` zero rows/cols at the end of `dim` (asymmetric 'same' padding for even kernels). */
function padEnd(x: Tensor, dim: number, n: number): Tensor {
  if (n === 0) return x;
  const shape = x.shape.slice();
  shape[dim] = n;
  return cat([x, emptyFloat(shape)], dim);
}

/**
 * Validate and build the kernel geometry for x: [N, C, H, W], weight: [O, C/groups, kh, kw].
 * `shown` are the caller's shapes for messages (conv1d passes its 3-D ones; H = 1 there).
 */
function geometry(x: readonly number[], weight: readonly number[], stride: [number, number], pad: [number, number],
                  dil: [number, number], groups: number, op: string,
                  shown: { x: readonly number[]; w: readonly number[] } = { x, w: weight }): Conv2dGeometry {
  const [n, c, h, w] = x as [number, number, number, number];
  const [o, cw, kh, kw] = weight as [number, number, number, number];
  const desc = `(input ${formatShape(shown.x)}, weight ${formatShape(shown.w)}, groups ${groups})`;
  if (c % groups !== 0) throw new Error(`${op}: groups ${groups} must divide the input's ${c} channels ${desc}`);
  if (o % groups !== 0) throw new Error(`${op}: groups ${groups} must divide the weight's ${o} output channels ${desc}`);
  if (cw * groups !== c) {
    throw new Error(`${op}: input has ${c} channels but weight expects ${cw * groups} ${desc}`);
  }
  const ekh = dil[0] * (kh - 1) + 1, ekw = dil[1] * (kw - 1) + 1;
  if (ekh > h + 2 * pad[0] || ekw > w + 2 * pad[1]) {
    const oneD = shown.x.length === 3;
    throw new Error(`${op}: kernel ${oneD ? ekw : `${ekh}x${ekw}`} (after dilation) is larger than the padded input ` +
                    `${oneD ? w + 2 * pad[1] : `${h + 2 * pad[0]}x${w + 2 * pad[1]}`} ${desc}`);
  }
  return {
    n, c, h, w, o, kh, kw,
    oh: convOutSize(h, kh, stride[0], pad[0], dil[0]), ow: convOutSize(w, kw, stride[1], pad[1], dil[1]),
    strideH: stride[0], strideW: stride[1], padH: pad[0], padW: pad[1],
    dilationH: dil[0], dilationW: dil[1], groups,
  };
}

/** Shared checks of conv1d/conv2d; `x` batched, `weight` of rank x.ndim. */
function checkArgs(op: string, x: Tensor, weight: Tensor, bias: Tensor | null, groups: number): void {
  if (x.dtype !== 'float32' || weight.dtype !== 'float32' || (bias !== null && bias.dtype !== 'float32')) {
    throw new Error(`${op}: expected float32 input, weight and bias, got ${x.dtype} and ${weight.dtype}; call .float() first`);
  }
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new Error(`${op}: bias must have shape [${weight.shape[0]}] to match weight ${formatShape(weight.shape)}, got ${formatShape(bias.shape)}`);
  }
}

/**
 * Resolve padding for spatial dims with kernel sizes `k`: 'valid' is 0; 'same' (stride 1 only)
 * is d(k-1) in total, and an odd total puts the extra zero at the end, as PyTorch does, by
 * padding `x` (dims from `firstDim`) explicitly.
 */
function resolvePadding(op: string, x: Tensor, firstDim: number, k: readonly number[], opt: Pair | 'same' | 'valid',
                        stride: readonly number[], dil: readonly number[]): { x: Tensor; pad: [number, number] } {
  if (opt === 'valid') return { x, pad: [0, 0] };
  if (opt !== 'same') return { x, pad: pair(opt, 'padding', op, 0) };
  if (stride.some((s) => s !== 1)) throw new Error(`${op}: padding='same' is not supported for strided convolutions (stride [${stride.join(', ')}])`);
  const pad: [number, number] = [0, 0];
  k.forEach((kk, i) => {
    const tot = dil[i]! * (kk - 1);
    pad[i] = Math.floor(tot / 2);
    x = padEnd(x, firstDim + i, tot % 2);
  });
  return { x, pad };
}

/**
 * 2-D cross-correlation like torch.nn.functional.conv2d; `opts.activation` fuses relu/sigmoid/tanh
 * onto it. x: [N, C, H, W] or [C, H, W]; weight: [O, C/groups, kh, kw]; bias: [O] → [N, O, oh, ow].
 */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  return conv2dActivation(x, weight, bias, opts, opts.activation);
}

/**
 * activation(conv2d(x, weight, bias, opts)) as one fused op (Sequential runs a Conv2d followed by
 * ReLU, Sigmoid or Tanh through it): the same values and gradients, one kernel instead of two, and
 * no pre-activation tensor. Without `activation` it is conv2d. With `pool` (batched input and an
 * activation only), the activation's output is pooled as `pool(shape of conv2d's output)` says
 * (poolSpec), in the same backend call: the result is the pooled tensor, and its node the pooling's.
 */
export function conv2dActivation(x: Tensor, weight: Tensor, bias: Tensor | null, opts: Conv2dOptions,
                                 activation?: ActivationOp, pool?: (shape: readonly number[]) => PoolSpec): Tensor {
  const op = 'conv2d';
  if (activation !== undefined && activation !== 'relu' && activation !== 'sigmoid' && activation !== 'tanh') {
    throw new Error(`${op}: activation must be 'relu', 'sigmoid' or 'tanh', got ${JSON.stringify(activation)}`);
  }
  if (pool && (x.ndim !== 4 || activation === undefined)) throw new Error(`${op}: a fused pooling needs a batched input and an activation`);
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new Error(`${op}: expected 3-D (unbatched) or 4-D (batched) input, got input of shape ${formatShape(x.shape)}`);
  }
  if (weight.ndim !== 4) throw new Error(`${op}: expected a 4-D weight [out, in/groups, kh, kw], got ${formatShape(weight.shape)}`);
  const groups = opts.groups ?? 1;
  checkArgs(op, x, weight, bias, groups);
  // Unbatched input: PyTorch unsqueezes and squeezes too, so the grad_fn is SqueezeBackward1 there as well.
  if (x.ndim === 3) return scoped(op, () => squeeze(conv2dActivation(unsqueeze(x, 0), weight, bias, opts, activation), 0));
  const stride = pair(opts.stride ?? 1, 'stride', op, 1);
  const dil = pair(opts.dilation ?? 1, 'dilation', op, 1);
  return scoped(op, () => {
    const { x: xp, pad } = resolvePadding(op, x, 2, weight.shape.slice(2), opts.padding ?? 0, stride, dil);
    const g = geometry(xp.shape, weight.shape, stride, pad, dil, groups, op, { x: x.shape, w: weight.shape });
    const outShape = [g.n, g.o, g.oh, g.ow];
    const spec = pool?.(outShape);
    return apply('conv2d', bias === null ? [xp, weight] : [xp, weight, bias],
      { g, outShape, ...(activation !== undefined ? { activation } : {}), ...(spec !== undefined ? { pool: spec } : {}) });
  });
}

/** 1-D cross-correlation, run as a conv2d of height 1. x: [N, C, L] or [C, L]; weight: [O, C/groups, k]; bias: [O] → [N, O, L_out]. */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv1dOptions = {}): Tensor {
  const op = 'conv1d';
  if (x.ndim !== 2 && x.ndim !== 3) {
    throw new Error(`${op}: expected 2-D (unbatched) or 3-D (batched) input, got input of shape ${formatShape(x.shape)}`);
  }
  if (weight.ndim !== 3) throw new Error(`${op}: expected a 3-D weight [out, in/groups, k], got ${formatShape(weight.shape)}`);
  const groups = opts.groups ?? 1;
  checkArgs(op, x, weight, bias, groups);
  if (x.ndim === 2) return scoped(op, () => squeeze(conv1d(unsqueeze(x, 0), weight, bias, opts), 0));
  const one = (v: number, what: string, min: number): number => {
    if (!Number.isInteger(v) || v < min) throw new Error(`${op}: ${what} must be ${min > 0 ? 'a positive' : 'a non-negative'} integer, got ${v}`);
    return v;
  };
  const stride = one(opts.stride ?? 1, 'stride', 1), dil = one(opts.dilation ?? 1, 'dilation', 1);
  const p = opts.padding ?? 0;
  const padding = typeof p === 'string' ? p : [one(p, 'padding', 0), 0] as const;
  return scoped(op, () => {
    const { x: xp, pad } = resolvePadding(op, x, 2, [weight.shape[2]!], padding, [stride], [dil]);
    const [n, c, l] = xp.shape as [number, number, number];
    const [o, cw, k] = weight.shape as [number, number, number];
    // Read as a conv2d of height 1: the kernels see only the flat NCHW data.
    const g = geometry([n, c, 1, l], [o, cw, 1, k], [1, stride], [0, pad[0]], [1, dil], groups, op, { x: x.shape, w: weight.shape });
    return apply('conv2d', bias === null ? [xp, weight] : [xp, weight, bias], { g, outShape: [n, o, g.ow] });
  });
}
