/** Convolution ops with autograd: conv2d (NCHW, OIHW weight) and conv1d on top of it, PyTorch semantics. */
import type { Conv2dGeometry } from '../../backend/backend.js';
import { getBackend } from '../../backend/registry.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { f32, fromF32, record } from './record.js';
import { cat, squeeze, unsqueeze } from './shape.js';
import { sum } from './reduce.js';

/** An int for both spatial dims, or `[h, w]`. */
export type Pair = number | readonly [number, number];

/** Options of conv2d / Conv2d; padding may be 'same' (stride 1 only) or 'valid' (= 0). */
export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
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

/** PyTorch's convolution output size along one axis: floor((in + 2p - d(k-1) - 1) / s) + 1. */
export function convOutSize(inp: number, k: number, s: number, p: number, d: number): number {
  return Math.floor((inp + 2 * p - d * (k - 1) - 1) / s) + 1;
}

/** Append `n` zero rows/cols at the end of `dim` (asymmetric 'same' padding for even kernels). */
function padEnd(x: Tensor, dim: number, n: number): Tensor {
  if (n === 0) return x;
  const shape = x.shape.slice();
  shape[dim] = n;
  return cat([x, fromF32(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape)], dim);
}

/** Validate and build the kernel geometry for 4-D x and weight. */
function geometry(x: Tensor, weight: Tensor, stride: [number, number], pad: [number, number],
                  dil: [number, number], groups: number, op: string): Conv2dGeometry {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [o, cw, kh, kw] = weight.shape as [number, number, number, number];
  const desc = `(input ${formatShape(x.shape)}, weight ${formatShape(weight.shape)}, groups ${groups})`;
  if (c % groups !== 0) throw new Error(`${op}: groups ${groups} must divide the input's ${c} channels ${desc}`);
  if (o % groups !== 0) throw new Error(`${op}: groups ${groups} must divide the weight's ${o} output channels ${desc}`);
  if (cw * groups !== c) {
    throw new Error(`${op}: input has ${c} channels but weight expects ${cw * groups} ${desc}`);
  }
  const ekh = dil[0] * (kh - 1) + 1, ekw = dil[1] * (kw - 1) + 1;
  if (ekh > h + 2 * pad[0] || ekw > w + 2 * pad[1]) {
    throw new Error(`${op}: kernel ${ekh}x${ekw} (after dilation) is larger than the padded input ` +
                    `${h + 2 * pad[0]}x${w + 2 * pad[1]} ${desc}`);
  }
  return {
    n, c, h, w, o, kh, kw,
    oh: convOutSize(h, kh, stride[0], pad[0], dil[0]), ow: convOutSize(w, kw, stride[1], pad[1], dil[1]),
    strideH: stride[0], strideW: stride[1], padH: pad[0], padW: pad[1],
    dilationH: dil[0], dilationW: dil[1], groups,
  };
}

/** 2-D cross-correlation like torch.nn.functional.conv2d. x: [N, C, H, W] or [C, H, W]; weight: [O, C/groups, kh, kw]; bias: [O] → [N, O, oh, ow]. */
export function conv2d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv2dOptions = {}): Tensor {
  const op = 'conv2d';
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new Error(`${op}: expected 3-D (unbatched) or 4-D (batched) input, got input of shape ${formatShape(x.shape)}`);
  }
  if (weight.ndim !== 4) throw new Error(`${op}: expected a 4-D weight [out, in/groups, kh, kw], got ${formatShape(weight.shape)}`);
  if (x.dtype !== 'float32' || weight.dtype !== 'float32' || (bias !== null && bias.dtype !== 'float32')) {
    throw new Error(`${op}: expected float32 input, weight and bias, got ${x.dtype} and ${weight.dtype}; call .float() first`);
  }
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new Error(`${op}: bias must have shape [${weight.shape[0]}] to match weight ${formatShape(weight.shape)}, got ${formatShape(bias.shape)}`);
  }
  const stride = pair(opts.stride ?? 1, 'stride', op, 1);
  const dil = pair(opts.dilation ?? 1, 'dilation', op, 1);
  const padOpt = opts.padding ?? 0;
  let x4 = x.ndim === 3 ? unsqueeze(x, 0) : x;
  let pad: [number, number];
  if (padOpt === 'valid') {
    pad = [0, 0];
  } else if (padOpt === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new Error(`${op}: padding='same' is not supported for strided convolutions (stride [${stride.join(', ')}])`);
    // Total padding d(k-1); an odd total puts the extra zero at the bottom/right, as PyTorch does.
    const tot = [dil[0] * (weight.shape[2]! - 1), dil[1] * (weight.shape[3]! - 1)];
    pad = [Math.floor(tot[0]! / 2), Math.floor(tot[1]! / 2)];
    x4 = padEnd(padEnd(x4, 2, tot[0]! % 2), 3, tot[1]! % 2);
  } else {
    pad = pair(padOpt, 'padding', op, 0);
  }
  const g = geometry(x4, weight, stride, pad, dil, groups, op);
  const be = getBackend();
  const y = new Float32Array(g.n * g.o * g.oh * g.ow);
  be.conv2d(g, f32(x4), f32(weight), bias === null ? null : f32(bias), y);
  const inputs = bias === null ? [x4, weight] : [x4, weight, bias];
  let out = record(fromF32(y, [g.n, g.o, g.oh, g.ow]), 'ConvolutionBackward0', inputs, (gy) => {
    const dy = f32(gy);
    let dx: Tensor | null = null, dw: Tensor | null = null;
    if (x4.requiresGrad) {
      const d = new Float32Array(x4.numel());
      be.conv2dBackwardInput(g, dy, f32(weight), d);
      dx = fromF32(d, x4.shape);
    }
    if (weight.requiresGrad) {
      const d = new Float32Array(weight.numel());
      be.conv2dBackwardWeight(g, f32(x4), dy, d);
      dw = fromF32(d, weight.shape);
    }
    const grads: (Tensor | null)[] = [dx, dw];
    if (bias !== null) grads.push(bias.requiresGrad ? sum(gy, [0, 2, 3]) : null);
    return grads;
  });
  if (x.ndim === 3) out = squeeze(out, 0);
  return out;
}

/** 1-D cross-correlation, a conv2d of height 1. x: [N, C, L] or [C, L]; weight: [O, C/groups, k]; bias: [O] → [N, O, L_out]. */
export function conv1d(x: Tensor, weight: Tensor, bias: Tensor | null = null, opts: Conv1dOptions = {}): Tensor {
  if (x.ndim !== 2 && x.ndim !== 3) {
    throw new Error(`conv1d: expected 2-D (unbatched) or 3-D (batched) input, got input of shape ${formatShape(x.shape)}`);
  }
  if (weight.ndim !== 3) throw new Error(`conv1d: expected a 3-D weight [out, in/groups, k], got ${formatShape(weight.shape)}`);
  const x3 = x.ndim === 2 ? unsqueeze(x, 0) : x;
  const p = opts.padding ?? 0;
  const one = (v: number, what: string): [number, number] => {
    if (!Number.isInteger(v)) throw new Error(`conv1d: ${what} must be an integer, got ${v}`);
    return [what === 'padding' ? 0 : 1, v];
  };
  let out: Tensor;
  try {
    out = conv2d(unsqueeze(x3, 2), unsqueeze(weight, 2), bias, {
      stride: one(opts.stride ?? 1, 'stride'),
      dilation: one(opts.dilation ?? 1, 'dilation'),
      padding: typeof p === 'string' ? p : one(p, 'padding'),
      groups: opts.groups ?? 1,
    });
  } catch (e) {
    // Re-word the 2-D error in the caller's 1-D shapes.
    throw new Error(`conv1d (input ${formatShape(x.shape)}, weight ${formatShape(weight.shape)}): ${(e as Error).message.replace(/^conv2d: /, '')}`);
  }
  out = squeeze(out, 2);
  return x.ndim === 2 ? squeeze(out, 0) : out;
}
