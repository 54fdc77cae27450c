/**
 * Pooling ops: max / average / adaptive-average 2-D pooling, PyTorch semantics. Argument checks and
 * geometry here; the primitives are the registry's maxPool2d / avgPool2d / adaptiveAvgPool2d.
 */
import type { Pool2dGeometry } from '../../backend/backend.js';
import { formatShape } from '../../shape/index.js';
import { poolOutSize } from '../../shape/window.js';
import type { Tensor } from '../tensor.js';
import { apply } from './registry.js';
import { mean } from './reduce.js';
import { pair, type Pair } from './conv.js';
import type { PoolSpec } from './rules/conv.js';

export { poolOutSize, type PoolSpec };

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

/** Check a 3-D (unbatched) or 4-D float input and return it read as 4-D: [1, C, H, W] for [C, H, W]. */
function checkPoolInput(op: string, x: Tensor): readonly number[] {
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new Error(`${op}: expected 3-D (unbatched) or 4-D (batched) input, got input of shape ${formatShape(x.shape)}`);
  }
  if (x.dtype !== 'float32') throw new Error(`${op}: expected a float32 input, got ${x.dtype}; call .float() first`);
  return x.ndim === 3 ? [1, ...x.shape] : x.shape;
}

/** The output shape of a pooling of x (unbatched input keeps its rank, so PyTorch's grad_fn is the pooling's too). */
function outShapeOf(x: Tensor, g: { n: number; c: number; oh: number; ow: number }): number[] {
  return x.ndim === 3 ? [g.c, g.oh, g.ow] : [g.n, g.c, g.oh, g.ow];
}

/** Max pooling (padding counts as -inf). x: [N, C, H, W] or [C, H, W] → [N, C, oh, ow]. */
export function maxPool2d(x: Tensor, kernelSize: Pair, opts: MaxPool2dOptions = {}): Tensor {
  const g = poolGeometryOf('maxPool2d', checkPoolInput('maxPool2d', x), kernelSize, opts);
  return apply('maxPool2d', [x], { g, outShape: outShapeOf(x, g) });
}

/** Average pooling (countIncludePad defaults to true, like PyTorch). x: [N, C, H, W] or [C, H, W] → [N, C, oh, ow]. */
export function avgPool2d(x: Tensor, kernelSize: Pair, opts: AvgPool2dOptions = {}): Tensor {
  const g = poolGeometryOf('avgPool2d', checkPoolInput('avgPool2d', x), kernelSize, opts);
  return apply('avgPool2d', [x], { g, outShape: outShapeOf(x, g) });
}

/** Target size of adaptive pooling; null keeps that input dim (PyTorch's None). */
export type AdaptiveSize = number | readonly [number | null, number | null];

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
  const [n, c, h, w] = checkPoolInput(op, x) as [number, number, number, number];
  if (h === 0 || w === 0) throw new Error(`${op}: input ${formatShape(x.shape)} has an empty spatial dim`);
  return apply('adaptiveAvgPool2d', [x], { planes: n * c, h, w, oh, ow, outShape: outShapeOf(x, { n, c, oh, ow }) });
}
