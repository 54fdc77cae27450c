/** Reductions (sum, mean, max, min, arg-extrema, variance) and the softmax family. */
import { getBackend } from '../../backend/index.js';
import { normalizeDim, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { f32, fromF32, record, renameGradFn } from './record.js';
import { div, exp, mul, sub } from './elementwise.js';
import { expand } from './shape.js';

/** Sorted unique axes for `dim` (undefined = all). */
export function normalizeAxes(dim: number | number[] | undefined, rank: number, op: string): number[] {
  if (dim === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(dim) ? dim : [dim];
  const norm = list.map((d) => normalizeDim(d, rank, op));
  const axes = [...new Set(norm)].sort((x, y) => x - y);
  if (axes.length !== norm.length) throw new Error(`${op}: a dim appears multiple times in the list of dims [${list.join(', ')}]`);
  return rank === 0 ? [] : axes;
}

function keptShape(shape: readonly number[], axes: number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

function rawReduce(op: 'sum' | 'max' | 'min', a: Tensor, axes: number[], keepdim: boolean): Tensor {
  const shape = keptShape(a.shape, axes, keepdim);
  const out = new Float32Array(sizeOf(shape));
  if (axes.length === 0) out.set(f32(a));
  else getBackend().reduce(op, f32(a), a.shape, axes, out);
  return fromF32(out, shape);
}

/** Sum over `dim` (all dims by default). Integer/bool inputs sum to int32 like PyTorch's int64. */
export function sum(a: Tensor, dim?: number | number[], keepdim = false): Tensor {
  const axes = normalizeAxes(dim, a.ndim, 'sum');
  const out = rawReduce('sum', a, axes, keepdim);
  if (a.dtype !== 'float32') return out.int();
  const kShape = keptShape(a.shape, axes, true);
  return record(out, dim === undefined ? 'SumBackward0' : 'SumBackward1', [a], (g) => [expand(g.viewStorage(kShape), a.shape)], false, []);
}

/** Mean over `dim`; integer inputs are an error, as in PyTorch. */
export function mean(a: Tensor, dim?: number | number[], keepdim = false): Tensor {
  if (a.dtype !== 'float32') {
    throw new Error(`mean: could not infer output dtype. Input dtype must be floating point, got ${a.dtype}; call .float() first`);
  }
  const axes = normalizeAxes(dim, a.ndim, 'mean');
  let count = 1;
  for (const ax of axes) count *= a.shape[ax]!;
  return renameGradFn(div(sum(a, dim, keepdim), count), dim === undefined ? 'MeanBackward0' : 'MeanBackward1', [a]);
}

function extremum(op: 'max' | 'min', a: Tensor, dim: number | number[] | undefined, keepdim: boolean): Tensor {
  const axes = normalizeAxes(dim, a.ndim, op);
  // Only reducing over a size-0 dim is undefined; [0, 3].max(1) is simply an empty result.
  if (a.numel() === 0 && (dim === undefined || axes.some((ax) => a.shape[ax] === 0))) {
    throw new Error(`${op}: cannot reduce an empty tensor of shape [${a.shape.join(', ')}] over a dimension of size 0 (operation has no identity)`);
  }
  const out = rawReduce(op, a, axes, keepdim);
  if (a.dtype !== 'float32') return out.to(a.dtype);
  const kShape = keptShape(a.shape, axes, true);
  // Full reductions are PyTorch's max()/min(); with a dim they behave (and are named) like amax/amin.
  const name = dim === undefined ? (op === 'max' ? 'MaxBackward1' : 'MinBackward1') : (op === 'max' ? 'AmaxBackward0' : 'AminBackward0');
  return record(out, name, [a], (g) => {
    // The gradient goes to every element equal to the extreme, split evenly (amax's rule).
    const mask = a.eq(expand(out.viewStorage(kShape), a.shape)).float();
    const count = sum(mask, axes, true);
    return [mul(mask, expand(div(g.viewStorage(kShape), count), a.shape))];
  }, true);
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
    const out = new Int32Array(1);
    getBackend().argReduce(op, f32(a), [a.numel()], 0, out);
    return new Tensor(out, keepdim ? a.shape.map(() => 1) : [], 'int32');
  }
  const axis = normalizeDim(dim, a.ndim, op);
  const shape = keptShape(a.shape, [axis], keepdim);
  const out = new Int32Array(sizeOf(shape));
  getBackend().argReduce(op, f32(a), a.shape, axis, out);
  return new Tensor(out, shape, 'int32');
}

/** Variance over `dim` (Bessel-corrected when unbiased). */
export function variance(a: Tensor, dim: number | number[] | undefined, unbiased: boolean, keepdim: boolean): Tensor {
  if (a.dtype !== 'float32') {
    throw new Error(`var: std and var only support floating point tensors, got ${a.dtype} (shape [${a.shape.join(', ')}]); call .float() first`);
  }
  const axes = normalizeAxes(dim, a.ndim, 'var');
  let count = 1;
  for (const ax of axes) count *= a.shape[ax]!;
  const centered = sub(a, mean(a, axes, true));
  return renameGradFn(div(sum(mul(centered, centered), axes, keepdim), unbiased ? count - 1 : count), 'VarBackward0', [a]);
}

/** log(softmax(a, dim)), computed stably by subtracting the max. */
export function logSoftmax(a: Tensor, dim: number, op = 'logSoftmax'): Tensor {
  if (a.dtype !== 'float32') throw new Error(`${op}: expected a float32 tensor, got ${a.dtype} (shape [${a.shape.join(', ')}]); call .float() first`);
  const axis = normalizeDim(dim, a.ndim, op);
  const x = f32(a);
  const out = new Float32Array(x.length);
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= a.shape[i]!;
  for (let i = axis + 1; i < a.ndim; i++) inner *= a.shape[i]!;
  const len = a.shape[axis] ?? 1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let m = -Infinity;
      for (let k = 0; k < len; k++) m = Math.max(m, x[base + k * inner]!);
      let s = 0;
      for (let k = 0; k < len; k++) s += Math.exp(x[base + k * inner]! - m);
      const lse = m + Math.log(s);
      for (let k = 0; k < len; k++) out[base + k * inner] = x[base + k * inner]! - lse;
    }
  }
  const res = fromF32(out, a.shape);
  return record(res, 'LogSoftmaxBackward0', [a], (g) => {
    // d/dx = g - softmax * sum(g)
    const soft = exp(res);
    return [sub(g, mul(soft, sum(g, axis, true)))];
  }, true, []);
}

/** softmax along `dim`. */
export function softmax(a: Tensor, dim: number): Tensor {
  return renameGradFn(exp(logSoftmax(a, dim, 'softmax')), 'SoftmaxBackward0', [a]);
}
