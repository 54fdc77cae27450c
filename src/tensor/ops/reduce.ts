/** Reductions (sum, mean, max, min, arg-extrema, variance) and the softmax family. */
import { getBackend } from '../../backend/index.js';
import { normalizeDim } from '../../shape/index.js';
import type { Tensor } from '../tensor.js';
import { apply, composite } from './registry.js';
import { emptyJs, f32 } from './kernels.js';
import { keptShape } from './rules/reduce.js';
import { div, exp, mul, sub } from './elementwise.js';

/** Sorted unique axes for `dim` (undefined = all). */
export function normalizeAxes(dim: number | number[] | undefined, rank: number, op: string): number[] {
  if (dim === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(dim) ? dim : [dim];
  const norm = list.map((d) => normalizeDim(d, rank, op));
  const axes = [...new Set(norm)].sort((x, y) => x - y);
  if (axes.length !== norm.length) throw new Error(`${op}: a dim appears multiple times in the list of dims [${list.join(', ')}]`);
  return rank === 0 ? [] : axes;
}

/** Sum over `dim` (all dims by default). Integer/bool inputs sum to int32 like PyTorch's int64. */
export function sum(a: Tensor, dim?: number | number[], keepdim = false): Tensor {
  return apply('sum', [a], { axes: normalizeAxes(dim, a.ndim, 'sum'), keepdim, all: dim === undefined });
}

/** Mean over `dim`; integer inputs are an error, as in PyTorch. */
export function mean(a: Tensor, dim?: number | number[], keepdim = false): Tensor {
  if (a.dtype !== 'float32') {
    throw new Error(`mean: could not infer output dtype. Input dtype must be floating point, got ${a.dtype}; call .float() first`);
  }
  const axes = normalizeAxes(dim, a.ndim, 'mean');
  let count = 1;
  for (const ax of axes) count *= a.shape[ax]!;
  return composite(dim === undefined ? 'MeanBackward0' : 'MeanBackward1', [a], () => div(sum(a, dim, keepdim), count));
}

function extremum(op: 'max' | 'min', a: Tensor, dim: number | number[] | undefined, keepdim: boolean): Tensor {
  const axes = normalizeAxes(dim, a.ndim, op);
  // Only reducing over a size-0 dim is undefined; [0, 3].max(1) is simply an empty result.
  if (a.numel() === 0 && (dim === undefined || axes.some((ax) => a.shape[ax] === 0))) {
    throw new Error(`${op}: cannot reduce an empty tensor of shape [${a.shape.join(', ')}] over a dimension of size 0 (operation has no identity)`);
  }
  return apply(op === 'max' ? 'amax' : 'amin', [a], { axes, keepdim, all: dim === undefined });
}

/** Max over all elements or over `dim` (values; use argmax for indices). */
export function max(a: Tensor, dim?: number | number[], keepdim = false): Tensor {
  return extremum('max', a, dim, keepdim);
}
/** Min over all elements or over `dim`. */
export function min(a: Tensor, dim?: number | number[], keepdim = false): Tensor {
  return extremum('min', a, dim, keepdim);
}

/** Index of the max/min (int32); over the flattened tensor when `dim` is undefined. */
export function argReduce(op: 'argmax' | 'argmin', a: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (a.numel() === 0 && (dim === undefined || a.shape[normalizeDim(dim, a.ndim, op)] === 0)) {
    throw new Error(`${op}: expected a non-empty dimension to reduce, got shape [${a.shape.join(', ')}]${dim === undefined ? '' : ` and dim ${dim}`}`);
  }
  if (dim === undefined) {
    const out = emptyJs(keepdim ? a.shape.map(() => 1) : [], 'int32');
    getBackend().argReduce(op, f32(a), [a.numel()], 0, out.data as Int32Array);
    return out;
  }
  const axis = normalizeDim(dim, a.ndim, op);
  const out = emptyJs(keptShape(a.shape, [axis], keepdim), 'int32');
  getBackend().argReduce(op, f32(a), a.shape, axis, out.data as Int32Array);
  return out;
}

/** Variance over `dim` (Bessel-corrected when unbiased). */
export function variance(a: Tensor, dim: number | number[] | undefined, unbiased: boolean, keepdim: boolean): Tensor {
  if (a.dtype !== 'float32') {
    throw new Error(`var: std and var only support floating point tensors, got ${a.dtype} (shape [${a.shape.join(', ')}]); call .float() first`);
  }
  const axes = normalizeAxes(dim, a.ndim, 'var');
  let count = 1;
  for (const ax of axes) count *= a.shape[ax]!;
  return composite('VarBackward0', [a], () => {
    const centered = sub(a, mean(a, axes, true));
    return div(sum(mul(centered, centered), axes, keepdim), unbiased ? count - 1 : count);
  });
}

/** Standard deviation: √var. */
export function std(a: Tensor, dim: number | number[] | undefined, unbiased: boolean, keepdim: boolean): Tensor {
  return composite('StdBackward0', [a], () => variance(a, dim, unbiased, keepdim).sqrt());
}

/** log(softmax(a, dim)), computed stably by subtracting the max. */
export function logSoftmax(a: Tensor, dim: number, op = 'logSoftmax'): Tensor {
  if (a.dtype !== 'float32') throw new Error(`${op}: expected a float32 tensor, got ${a.dtype} (shape [${a.shape.join(', ')}]); call .float() first`);
  return apply('logSoftmax', [a], { axis: normalizeDim(dim, a.ndim, op) });
}

/** softmax along `dim`. */
export function softmax(a: Tensor, dim: number): Tensor {
  return composite('SoftmaxBackward0', [a], () => exp(logSoftmax(a, dim, 'softmax')));
}

