/** Tensor factories: from nested arrays, constants, ranges and the seeded random generator. */
import { allocStorage, type DType } from './dtype.js';
import { formatShape, sizeOf } from '../shape/index.js';
import { Tensor } from './tensor.js';
import { normalSample, randInt, uniform } from './rng.js';
import { emptyFloat, fillTensor, floatFrom } from './ops/kernels.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Nested arrays of numbers or booleans, as accepted by `tensor()`. */
export type NestedArray = number | boolean | readonly NestedArray[];

type ShapeArg = number[] | [number[]];
const shapeOf = (a: ShapeArg): number[] => (a.length === 1 && Array.isArray(a[0]) ? a[0] : (a as number[]));

function checkShape(shape: readonly number[], op: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${op}: invalid shape ${formatShape(shape)} (dims must be non-negative integers)`);
  }
}

function finish(t: Tensor, opts?: TensorOptions): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

/**
 * A tensor from (nested) numbers, like `torch.tensor([[0, 1], [2, 3]])`. Numbers give float32
 * (integers too: JavaScript has one number type) unless `dtype` says otherwise; booleans give bool.
 */
export function tensor(data: NestedArray | Float32Array | Int32Array, opts: TensorOptions = {}): Tensor {
  if (data instanceof Float32Array || data instanceof Int32Array) {
    const dtype = opts.dtype ?? (data instanceof Float32Array ? 'float32' : 'int32');
    return finish(fromValues(data, [data.length], dtype), opts);
  }
  const shape: number[] = [];
  let probe: NestedArray = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = (probe as readonly NestedArray[])[0] as NestedArray;
    if (probe === undefined) break;
  }
  const flat: number[] = [];
  let sawBool = false;
  const walk = (x: NestedArray, d: number, path: number[]): void => {
    if (d === shape.length) {
      if (typeof x === 'boolean') { sawBool = true; flat.push(x ? 1 : 0); return; }
      if (typeof x !== 'number') throw new Error(`tensor: expected a number at [${path.join(', ')}], got ${Array.isArray(x) ? 'an array' : typeof x}`);
      flat.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[d]) {
      throw new Error(`tensor: ragged nested array: expected length ${shape[d]} at [${path.join(', ')}] but got ${Array.isArray(x) ? x.length : typeof x}`);
    }
    (x as readonly NestedArray[]).forEach((y, i) => walk(y, d + 1, [...path, i]));
  };
  walk(data, 0, []);
  const dtype = opts.dtype ?? (sawBool ? 'bool' : 'float32');
  return finish(fromValues(flat, shape, dtype), opts);
}

/** A new tensor holding a copy of `values`: float32 in backend storage, int32/bool on the JavaScript heap. */
function fromValues(values: ArrayLike<number>, shape: readonly number[], dtype: DType): Tensor {
  if (dtype === 'float32') return floatFrom(values, shape);
  const s = allocStorage(dtype, values.length);
  s.set(values);
  return new Tensor(s, shape, dtype);
}

/** A float32 tensor over an existing buffer (no copy). */
export function fromArray(data: Float32Array, shape: readonly number[]): Tensor {
  return new Tensor(data, shape, 'float32');
}

/** Tensor filled with `value`. */
export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  checkShape(shape, 'full');
  const dtype = opts.dtype ?? 'float32';
  if (dtype === 'float32') return finish(fillTensor(shape, value), opts);
  const s = allocStorage(dtype, sizeOf(shape));
  s.fill(value);
  return finish(new Tensor(s, shape, dtype), opts);
}

/** zeros(2, 3) or zeros([2, 3]). */
export function zeros(...shape: ShapeArg): Tensor { return full(shapeOf(shape), 0); }
/** ones(2, 3) or ones([2, 3]). */
export function ones(...shape: ShapeArg): Tensor { return full(shapeOf(shape), 1); }

/** Values start, start + step, … below end (like `torch.arange`); float32 unless dtype is given. */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (end === undefined) { end = start; start = 0; }
  if (step === 0) throw new Error('arange: step must be nonzero');
  if (![start, end, step].every(Number.isFinite)) throw new Error(`arange: start, end and step must be finite (got ${start}, ${end}, ${step})`);
  if ((step > 0 && end < start) || (step < 0 && end > start)) {
    throw new Error(`arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  }
  const n = Math.ceil((end - start) / step);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  return finish(fromValues(values, [n], opts.dtype ?? 'float32'), opts);
}

/** n evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number): Tensor {
  const s = new Float64Array(steps);
  for (let i = 0; i < steps; i++) s[i] = steps === 1 ? start : start + ((end - start) * i) / (steps - 1);
  return floatFrom(s, [steps]);
}

/** Identity matrix. */
export function eye(n: number, m = n): Tensor {
  const t = full([n, m], 0);
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return t;
}

/** Uniform [0, 1) samples from the global generator. */
export function rand(...shape: ShapeArg): Tensor {
  const sh = shapeOf(shape);
  checkShape(sh, 'rand');
  const t = emptyFloat(sh), s = t.data as Float32Array;
  for (let i = 0; i < s.length; i++) s[i] = uniform();
  return t;
}

/** Standard normal samples. */
export function randn(...shape: ShapeArg): Tensor {
  return normal(0, 1, shapeOf(shape));
}

/** Normal(mean, std) samples of `shape`, like `torch.normal(mean, std, size)`. */
export function normal(mean: number, std: number, shape: readonly number[]): Tensor {
  checkShape(shape, 'normal');
  if (!(std >= 0)) throw new Error(`normal: expected std >= 0 but got std=${std}`);
  const t = emptyFloat(shape), s = t.data as Float32Array;
  for (let i = 0; i < s.length; i++) s[i] = mean + std * normalSample();
  return t;
}

/** Uniform integers in [low, high), int32. */
export function randint(low: number, high: number, shape: readonly number[]): Tensor {
  checkShape(shape, 'randint');
  if (!(high > low)) throw new Error(`randint: expected low < high, got low=${low}, high=${high}`);
  const s = new Int32Array(sizeOf(shape));
  for (let i = 0; i < s.length; i++) s[i] = low + randInt(high - low);
  return new Tensor(s, shape, 'int32');
}

/** zeros of `t`'s shape. */
export function zerosLike(t: Tensor): Tensor { return full(t.shape, 0, { dtype: t.dtype }); }
/** ones of `t`'s shape. */
export function onesLike(t: Tensor): Tensor { return full(t.shape, 1, { dtype: t.dtype }); }
/** `value` in `t`'s shape. */
export function fullLike(t: Tensor, value: number): Tensor { return full(t.shape, value, { dtype: t.dtype }); }
/** Uniform samples in `t`'s shape. */
export function randLike(t: Tensor): Tensor { return rand(t.shape.slice()); }
/** Normal samples in `t`'s shape. */
export function randnLike(t: Tensor): Tensor { return randn(t.shape.slice()); }
