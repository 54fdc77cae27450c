/** Pooling ops with autograd: max / average / adaptive-average 2-D pooling, PyTorch semantics. */
import type { Pool2dGeometry } from '../../backend/backend.js';
import { getBackend } from '../../backend/index.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { f32, fromF32, record } from './record.js';
import { mean } from './reduce.js';
import { pair, type Pair } from './conv.js';

/** Options both poolings take; stride defaults to the kernel size. */
export interface Pool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
}

/** Options of maxPool2d / MaxPool2d: dilation spaces the window's taps (PyTorch's `dilation`, default 1). */
export interface MaxPool2dOptions extends Pool2dOptions {
  dilation?: Pair;
}

/** Options of avgPool2d / AvgPool2d. */
export interface AvgPool2dOptions extends Pool2dOptions {
  countIncludePad?: boolean;
}

/** PyTorch's pooling output size; in ceil mode the last window must start inside the input or left padding. */
export function poolOutSize(inp: number, k: number, s: number, p: number, ceilMode: boolean): number {
  let out = Math.floor((inp + 2 * p - (k - 1) - 1 + (ceilMode ? s - 1 : 0)) / s) + 1;
  if (ceilMode && (out - 1) * s >= inp + p) out--;
  return out;
}

/** Checked geometry for 4-D x. */
function poolGeometry(op: string, x: Tensor, kernelSize: Pair, o: AvgPool2dOptions & MaxPool2dOptions): Pool2dGeometry {
  return poolGeometryOf(op, x.shape, kernelSize, o);
}

/** A pooling to fuse after a convolution's activation: its kind, checked geometry and PyTorch node name. */
export interface PoolSpec { kind: 'max' | 'avg'; g: Pool2dGeometry; name: string }

/**
 * The PoolSpec of maxPool2d / avgPool2d (`kind`) with these options over a 4-D input of `shape`
 * (checked as those functions check it).
 */
export function poolSpec(kind: 'max' | 'avg', shape: readonly number[], kernelSize: Pair, o: AvgPool2dOptions & MaxPool2dOptions): PoolSpec {
  const op = kind === 'max' ? 'maxPool2d' : 'avgPool2d';
  return { kind, g: poolGeometryOf(op, shape, kernelSize, o), name: kind === 'max' ? 'MaxPool2DWithIndicesBackward0' : 'AvgPool2DBackward0' };
}

function poolGeometryOf(op: string, shape: readonly number[], kernelSize: Pair, o: AvgPool2dOptions & MaxPool2dOptions): Pool2dGeometry {
  const [kh, kw] = pair(kernelSize, 'kernelSize', op, 1);
  const [dh, dw] = pair(o.dilation ?? 1, 'dilation', op, 1);
  const [sh, sw] = pair(o.stride ?? kernelSize, 'stride', op, 1);
  const [ph, pw] = pair(o.padding ?? 0, 'padding', op, 0);
  if (ph > kh / 2 || pw > kw / 2) {
    throw new Error(`${op}: padding should be at most half of the kernel size, but got padding [${ph}, ${pw}] ` +
                    `for kernel [${kh}, ${kw}] (input ${formatShape(shape)})`);
  }
  const [n, c, h, w] = shape as [number, number, number, number];
  const ceil = o.ceilMode ?? false;
  // A dilated window spans d·(k − 1) + 1 input pixels.
  const ekh = dh * (kh - 1) + 1, ekw = dw * (kw - 1) + 1;
  const oh = poolOutSize(h, ekh, sh, ph, ceil), ow = poolOutSize(w, ekw, sw, pw, ceil);
  if (oh < 1 || ow < 1) {
    const dil = dh !== 1 || dw !== 1 ? ` (after dilation [${dh}, ${dw}])` : '';
    throw new Error(`${op}: kernel [${ekh}, ${ekw}]${dil} is larger than the padded input ${h + 2 * ph}x${w + 2 * pw} ` +
                    `(input ${formatShape(shape)}, padding [${ph}, ${pw}]); output would be ${oh}x${ow}`);
  }
  const g: Pool2dGeometry = { n, c, h, w, oh, ow, kh, kw, strideH: sh, strideW: sw, padH: ph, padW: pw, countIncludePad: o.countIncludePad ?? true };
  if (dh !== 1 || dw !== 1) { g.dilationH = dh; g.dilationW = dw; }
  return g;
}

/** A pooling kernel run: output data and 4-D shape, and the map from output gradient to input gradient. */
interface PoolRun { y: Float32Array; shape4: number[]; backward: (dy: Float32Array) => Float32Array }

/**
 * Check x, run `f` on it as 4-D (an unbatched [C, H, W] input is read as [1, C, H, W]), and record
 * one `name` node against x itself, so unbatched calls get PyTorch's grad_fn too.
 */
function pool(op: string, name: string, x: Tensor, f: (x4: Tensor) => PoolRun): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new Error(`${op}: expected 3-D (unbatched) or 4-D (batched) input, got input of shape ${formatShape(x.shape)}`);
  }
  if (x.dtype !== 'float32') throw new Error(`${op}: expected a float32 input, got ${x.dtype}; call .float() first`);
  const r = f(x.ndim === 3 ? x.viewStorage([1, ...x.shape]) : x);
  const shape = x.ndim === 3 ? r.shape4.slice(1) : r.shape4;
  return record(fromF32(r.y, shape), name, [x], (gy) => [fromF32(r.backward(f32(gy)), x.shape)]);
}

/** Max pooling (padding counts as -inf). x: [N, C, H, W] or [C, H, W] → [N, C, oh, ow]. */
export function maxPool2d(x: Tensor, kernelSize: Pair, opts: MaxPool2dOptions = {}): Tensor {
  return pool('maxPool2d', 'MaxPool2DWithIndicesBackward0', x, (x4) => {
    const g = poolGeometry('maxPool2d', x4, kernelSize, opts);
    const be = getBackend();
    const size = g.n * g.c * g.oh * g.ow;
    const y = new Float32Array(size), arg = new Int32Array(size);
    be.maxPool2d(g, f32(x4), y, arg);
    return {
      y, shape4: [g.n, g.c, g.oh, g.ow],
      backward: (dy) => { const dx = new Float32Array(x4.numel()); be.maxPool2dBackward(g, dy, arg, dx); return dx; },
    };
  });
}

/** Average pooling (countIncludePad defaults to true, like PyTorch). x: [N, C, H, W] or [C, H, W] → [N, C, oh, ow]. */
export function avgPool2d(x: Tensor, kernelSize: Pair, opts: AvgPool2dOptions = {}): Tensor {
  return pool('avgPool2d', 'AvgPool2DBackward0', x, (x4) => {
    const g = poolGeometry('avgPool2d', x4, kernelSize, opts);
    const be = getBackend();
    const y = new Float32Array(g.n * g.c * g.oh * g.ow);
    be.avgPool2d(g, f32(x4), y);
    return {
      y, shape4: [g.n, g.c, g.oh, g.ow],
      backward: (dy) => { const dx = new Float32Array(x4.numel()); be.avgPool2dBackward(g, dy, dx); return dx; },
    };
  });
}

/** Target size of adaptive pooling; null keeps that input dim (PyTorch's None). */
export type AdaptiveSize = number | readonly [number | null, number | null];

/** PyTorch's adaptive window along one axis: [floor(i*in/out), ceil((i+1)*in/out)). */
function adaptiveBounds(inp: number, out: number): Int32Array {
  const b = new Int32Array(2 * out);
  for (let i = 0; i < out; i++) {
    b[2 * i] = Math.floor((i * inp) / out);
    b[2 * i + 1] = Math.ceil(((i + 1) * inp) / out);
  }
  return b;
}

/** Adaptive average pooling to a fixed output size. x: [N, C, H, W] or [C, H, W] → [N, C, oh, ow]. */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  const op = 'adaptiveAvgPool2d';
  const req = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  const oh = req[0] ?? x.shape[x.ndim - 2]!, ow = req[1] ?? x.shape[x.ndim - 1]!;
  if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) {
    throw new Error(`${op}: outputSize must be positive integers, got ${JSON.stringify(outputSize)} (input ${formatShape(x.shape)})`);
  }
  // Global average pooling (the head of NiN/GoogLeNet/ResNet) is a mean, as in PyTorch (MeanBackward1).
  if (oh === 1 && ow === 1 && (x.ndim === 3 || x.ndim === 4) && x.dtype === 'float32') return mean(x, [-2, -1], true);
  return pool(op, 'AdaptiveAvgPool2DBackward0', x, (x4) => {
    const [n, c, h, w] = x4.shape as [number, number, number, number];
    if (h === 0 || w === 0) throw new Error(`${op}: input ${formatShape(x.shape)} has an empty spatial dim`);
    const bh = adaptiveBounds(h, oh), bw = adaptiveBounds(w, ow);
    const planes = n * c;
    // Visit every window of every plane; `f(plane, outIndex, y0, y1, x0, x1)`.
    const each = (f: (p: number, o: number, y0: number, y1: number, x0: number, x1: number) => void): void => {
      for (let p = 0; p < planes; p++) {
        for (let i = 0; i < oh; i++) {
          for (let j = 0; j < ow; j++) f(p, (p * oh + i) * ow + j, bh[2 * i]!, bh[2 * i + 1]!, bw[2 * j]!, bw[2 * j + 1]!);
        }
      }
    };
    const xd = f32(x4), y = new Float32Array(planes * oh * ow);
    each((p, o, y0, y1, x0, x1) => {
      let s = 0;
      for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s += xd[(p * h + iy) * w + ix]!;
      y[o] = s / ((y1 - y0) * (x1 - x0));
    });
    const backward = (dy: Float32Array): Float32Array => {
      const dx = new Float32Array(x4.numel());
      each((p, o, y0, y1, x0, x1) => {
        const v = dy[o]! / ((y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) dx[(p * h + iy) * w + ix] += v;
      });
      return dx;
    };
    return { y, shape4: [n, c, oh, ow], backward };
  });
}
