/** Pooling ops with autograd: max / average / adaptive-average 2-D pooling, PyTorch semantics. */
import type { Pool2dGeometry } from '../../backend/backend.js';
import { getBackend } from '../../backend/registry.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { f32, fromF32, record } from './record.js';
import { squeeze, unsqueeze } from './shape.js';
import { mean } from './reduce.js';
import { pair, type Pair } from './conv.js';

/** Options of maxPool2d / MaxPool2d; stride defaults to the kernel size. */
export interface MaxPool2dOptions {
  stride?: Pair | null;
  padding?: Pair;
  ceilMode?: boolean;
}

/** Options of avgPool2d / AvgPool2d. */
export interface AvgPool2dOptions extends MaxPool2dOptions {
  countIncludePad?: boolean;
}

/** PyTorch's pooling output size; in ceil mode the last window must start inside the input or left padding. */
export function poolOutSize(inp: number, k: number, s: number, p: number, ceilMode: boolean): number {
  let out = Math.floor((inp + 2 * p - (k - 1) - 1 + (ceilMode ? s - 1 : 0)) / s) + 1;
  if (ceilMode && (out - 1) * s >= inp + p) out--;
  return out;
}

/** Checked geometry for 4-D x. */
function poolGeometry(op: string, x: Tensor, kernelSize: Pair, o: AvgPool2dOptions): Pool2dGeometry {
  const [kh, kw] = pair(kernelSize, 'kernelSize', op, 1);
  const [sh, sw] = pair(o.stride ?? kernelSize, 'stride', op, 1);
  const [ph, pw] = pair(o.padding ?? 0, 'padding', op, 0);
  if (ph > kh / 2 || pw > kw / 2) {
    throw new Error(`${op}: padding should be at most half of the kernel size, but got padding [${ph}, ${pw}] ` +
                    `for kernel [${kh}, ${kw}] (input ${formatShape(x.shape)})`);
  }
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const ceil = o.ceilMode ?? false;
  const oh = poolOutSize(h, kh, sh, ph, ceil), ow = poolOutSize(w, kw, sw, pw, ceil);
  if (oh < 1 || ow < 1) {
    throw new Error(`${op}: kernel [${kh}, ${kw}] is larger than the padded input ${h + 2 * ph}x${w + 2 * pw} ` +
                    `(input ${formatShape(x.shape)}, padding [${ph}, ${pw}]); output would be ${oh}x${ow}`);
  }
  return { n, c, h, w, oh, ow, kh, kw, strideH: sh, strideW: sw, padH: ph, padW: pw, countIncludePad: o.countIncludePad ?? true };
}

/** Run `f` on x as 4-D: unbatched [C, H, W] gets a batch dim for the call and loses it after. */
function batched(op: string, x: Tensor, f: (x4: Tensor) => Tensor): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new Error(`${op}: expected 3-D (unbatched) or 4-D (batched) input, got input of shape ${formatShape(x.shape)}`);
  }
  if (x.dtype !== 'float32') throw new Error(`${op}: expected a float32 input, got ${x.dtype}; call .float() first`);
  return x.ndim === 3 ? squeeze(f(unsqueeze(x, 0)), 0) : f(x);
}

/** Max pooling (padding counts as -inf). x: [N, C, H, W] or [C, H, W] → [N, C, oh, ow]. */
export function maxPool2d(x: Tensor, kernelSize: Pair, opts: MaxPool2dOptions = {}): Tensor {
  return batched('maxPool2d', x, (x4) => {
    const g = poolGeometry('maxPool2d', x4, kernelSize, opts);
    const be = getBackend();
    const size = g.n * g.c * g.oh * g.ow;
    const y = new Float32Array(size), arg = new Int32Array(size);
    be.maxPool2d(g, f32(x4), y, arg);
    return record(fromF32(y, [g.n, g.c, g.oh, g.ow]), 'MaxPool2DWithIndicesBackward0', [x4], (gy) => {
      const dx = new Float32Array(x4.numel());
      be.maxPool2dBackward(g, f32(gy), arg, dx);
      return [fromF32(dx, x4.shape)];
    });
  });
}

/** Average pooling (countIncludePad defaults to true, like PyTorch). x: [N, C, H, W] or [C, H, W] → [N, C, oh, ow]. */
export function avgPool2d(x: Tensor, kernelSize: Pair, opts: AvgPool2dOptions = {}): Tensor {
  return batched('avgPool2d', x, (x4) => {
    const g = poolGeometry('avgPool2d', x4, kernelSize, opts);
    const be = getBackend();
    const y = new Float32Array(g.n * g.c * g.oh * g.ow);
    be.avgPool2d(g, f32(x4), y);
    return record(fromF32(y, [g.n, g.c, g.oh, g.ow]), 'AvgPool2DBackward0', [x4], (gy) => {
      const dx = new Float32Array(x4.numel());
      be.avgPool2dBackward(g, f32(gy), dx);
      return [fromF32(dx, x4.shape)];
    });
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
  return batched(op, x, (x4) => {
    const [n, c, h, w] = x4.shape as [number, number, number, number];
    const req = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
    const oh = req[0] ?? h, ow = req[1] ?? w;
    if (!Number.isInteger(oh) || !Number.isInteger(ow) || oh < 1 || ow < 1) {
      throw new Error(`${op}: outputSize must be positive integers, got ${JSON.stringify(outputSize)} (input ${formatShape(x.shape)})`);
    }
    if (h === 0 || w === 0) throw new Error(`${op}: input ${formatShape(x.shape)} has an empty spatial dim`);
    // Global average pooling (the head of NiN/GoogLeNet/ResNet) is just a mean.
    if (oh === 1 && ow === 1) return mean(x4, [2, 3], true);
    const bh = adaptiveBounds(h, oh), bw = adaptiveBounds(w, ow);
    const planes = n * c, xd = f32(x4);
    const y = new Float32Array(planes * oh * ow);
    // Visit every window of every plane; `f(plane, i, y0, y1, x0, x1)`.
    const each = (f: (p: number, i: number, y0: number, y1: number, x0: number, x1: number) => void): void => {
      for (let p = 0; p < planes; p++) {
        for (let i = 0; i < oh; i++) {
          for (let j = 0; j < ow; j++) f(p, (p * oh + i) * ow + j, bh[2 * i]!, bh[2 * i + 1]!, bw[2 * j]!, bw[2 * j + 1]!);
        }
      }
    };
    each((p, o, y0, y1, x0, x1) => {
      let s = 0;
      for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) s += xd[(p * h + iy) * w + ix]!;
      y[o] = s / ((y1 - y0) * (x1 - x0));
    });
    return record(fromF32(y, [n, c, oh, ow]), 'AdaptiveAvgPool2DBackward0', [x4], (gy) => {
      const dy = f32(gy), dx = new Float32Array(x4.numel());
      each((p, o, y0, y1, x0, x1) => {
        const v = dy[o]! / ((y1 - y0) * (x1 - x0));
        for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) dx[(p * h + iy) * w + ix] += v;
      });
      return [fromF32(dx, x4.shape)];
    });
  });
}
