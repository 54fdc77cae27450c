/** Tensor factories: from nested arrays, constants, ranges and the seeded random generator. */
import { allocStorage, checkDtype, type DType } from './dtype.js';
import { sizeOf } from '../shape/index.js';
import { Tensor } from './tensor.js';
import { normalSample, randInt, uniform } from './rng.js';
import { emptyFloat, fillTensor, floatFrom } from './ops/kernels.js';
import { ArgumentError, brief, checkOptions, describe, expectBool, expectInt, expectNumber, isPlainObject } from '../util/check.js';

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** Nested arrays of numbers or booleans, as accepted by `tensor()`. */
export type NestedArray = number | boolean | readonly NestedArray[];

/** A shape as separate sizes or one array, optionally followed by options: `zeros(2, 3)`, `zeros([2, 3], { dtype: 'int32' })`. */
export type ShapeArgs = number[] | [readonly number[]] | [...number[], TensorOptions] | [readonly number[], TensorOptions];

/** Checked options: known keys only, a known dtype (float32 only where `floatOnly`), requiresGrad on float32 only. */
function tensorOptions(fn: string, opts: unknown, floatOnly = false): { dtype?: DType; requiresGrad: boolean } {
  const o = checkOptions<TensorOptions>(fn, opts, ['dtype', 'requiresGrad']);
  const dtype = o.dtype === undefined ? undefined : checkDtype(fn, o.dtype);
  if (floatOnly && dtype !== undefined && dtype !== 'float32') throw new ArgumentError(fn, 'dtype', `${fn} makes float32 samples; dtype '${dtype}' is not available`);
  const requiresGrad = o.requiresGrad === undefined ? false : expectBool(fn, 'requiresGrad', o.requiresGrad);
  if (requiresGrad && dtype !== undefined && dtype !== 'float32') {
    throw new ArgumentError(fn, 'requiresGrad', `only floating point tensors can require gradients (got dtype ${dtype})`);
  }
  return { ...(dtype !== undefined ? { dtype } : {}), requiresGrad };
}

/** Split `(…sizes | [sizes], options?)` and check the sizes. */
function shapeArgs(fn: string, args: readonly unknown[], floatOnly = false): { shape: number[]; opts: { dtype?: DType; requiresGrad: boolean } } {
  let rest = args;
  let opts: unknown;
  if (rest.length > 0 && (isPlainObject(rest[rest.length - 1]) || rest[rest.length - 1] === undefined)) {
    opts = rest[rest.length - 1];
    rest = rest.slice(0, -1);
  }
  const raw = rest.length === 1 && Array.isArray(rest[0]) ? rest[0] as unknown[] : rest;
  return { shape: checkShape(raw, fn), opts: tensorOptions(fn, opts, floatOnly) };
}

function checkShape(shape: readonly unknown[], op: string): number[] {
  if (!Array.isArray(shape)) throw new ArgumentError(op, 'size', `size must be an array of non-negative integers, got ${describe(shape)}`);
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ArgumentError(op, 'size', `invalid shape [${shape.map((e) => brief(e, 20)).join(', ')}]: dims must be non-negative integers, got ${describe(d)}`);
    }
  }
  return shape as number[];
}

function finish(t: Tensor, opts?: { requiresGrad?: boolean }): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

/**
 * A tensor from (nested) numbers, like `torch.tensor([[0, 1], [2, 3]])`. Numbers give float32
 * (integers too: JavaScript has one number type) unless `dtype` says otherwise; booleans give bool.
 */
export function tensor(data: NestedArray | Float32Array | Int32Array, optsIn?: TensorOptions): Tensor {
  const opts = tensorOptions('tensor', optsIn);
  if (data === undefined || data === null || (typeof data !== 'number' && typeof data !== 'boolean' && !Array.isArray(data) &&
      !(data instanceof Float32Array) && !(data instanceof Int32Array))) {
    throw new ArgumentError('tensor', 'data', `data must be a number, a (nested) array of numbers or booleans, a Float32Array or an Int32Array, got ${describe(data)}`);
  }
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

function filled(fn: string, shape: number[], value: number, opts: { dtype?: DType; requiresGrad: boolean }): Tensor {
  const dtype = opts.dtype ?? 'float32';
  if (dtype === 'float32') return finish(fillTensor(shape, value), opts);
  const s = allocStorage(dtype, sizeOf(shape));
  s.fill(value);
  return finish(new Tensor(s, shape, dtype), opts);
}

/** Tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, opts?: TensorOptions): Tensor {
  const sh = checkShape(Array.isArray(shape) ? shape : [shape], 'full');
  return filled('full', sh, expectNumber('full', 'fillValue', value), tensorOptions('full', opts));
}

/** zeros(2, 3), zeros([2, 3]) or zeros(2, 3, { dtype: 'int32', requiresGrad }). */
export function zeros(...args: ShapeArgs): Tensor { const { shape, opts } = shapeArgs('zeros', args); return filled('zeros', shape, 0, opts); }
/** ones(2, 3), ones([2, 3]) or ones(2, 3, { dtype, requiresGrad }). */
export function ones(...args: ShapeArgs): Tensor { const { shape, opts } = shapeArgs('ones', args); return filled('ones', shape, 1, opts); }

/**
 * Values start, start + step, … below end (like `torch.arange`); float32 unless dtype is given.
 * `arange(12)`, `arange(2, 8)`, `arange(0, 1, 0.25)`; options may come after any of them: `arange(12, { dtype: 'int32' })`.
 */
export function arange(start: number, end?: number | TensorOptions, step?: number | TensorOptions, optsIn?: TensorOptions): Tensor {
  const a: unknown[] = [start, end, step, optsIn];
  const at = a.findIndex((v, i) => i > 0 && isPlainObject(v));
  let o: unknown;
  if (at > 0) {
    o = a[at];
    if (a.slice(at + 1).some((v) => v !== undefined)) throw new ArgumentError('arange', 'options', 'the options object goes last: arange(start, end, step, { dtype })');
    a.length = at;
  }
  const opts = tensorOptions('arange', o);
  a.forEach((v, i) => {
    if (v !== undefined && typeof v !== 'number') throw new ArgumentError('arange', ['start', 'end', 'step'][i]!, `${['start', 'end', 'step'][i]} must be a number, got ${describe(v)}`);
  });
  let [s0, e0, st] = a as (number | undefined)[];
  if (s0 === undefined) throw new ArgumentError('arange', 'end', 'arange needs an end: arange(end) or arange(start, end, step)');
  if (e0 === undefined) { e0 = s0; s0 = 0; }
  start = s0;
  end = e0;
  step = st ?? 1;
  if (step === 0) throw new ArgumentError('arange', 'step', 'arange: step must be nonzero'.replace('arange: ', ''));
  if (![start, end, step].every(Number.isFinite)) throw new ArgumentError('arange', 'end', `start, end and step must be finite (got ${start}, ${end}, ${step})`);
  if ((step > 0 && end < start) || (step < 0 && end > start)) {
    throw new ArgumentError('arange', 'step', `upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  }
  const n = Math.ceil((end - start) / (step as number));
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = start + i * (step as number);
  return finish(fromValues(values, [n], opts.dtype ?? 'float32'), opts);
}

/** n evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  expectNumber('linspace', 'start', start);
  expectNumber('linspace', 'end', end);
  expectInt('linspace', 'steps', steps, 0);
  const o = tensorOptions('linspace', opts, true);
  const s = new Float64Array(steps);
  for (let i = 0; i < steps; i++) s[i] = steps === 1 ? start : start + ((end - start) * i) / (steps - 1);
  return finish(floatFrom(s, [steps]), o);
}

/** Identity matrix [n, m]. */
export function eye(n: number, m?: number | TensorOptions, opts?: TensorOptions): Tensor {
  if (isPlainObject(m)) { opts = m as TensorOptions; m = undefined; }
  const rows = expectInt('eye', 'n', n, 0), cols = m === undefined ? rows : expectInt('eye', 'm', m, 0);
  const t = filled('eye', [rows, cols], 0, tensorOptions('eye', opts));
  for (let i = 0; i < Math.min(rows, cols); i++) t.data[i * cols + i] = 1;
  return t;
}

/** Uniform [0, 1) samples from the global generator: rand(2, 3), rand([2, 3]) or rand(2, 3, { requiresGrad: true }). */
export function rand(...args: ShapeArgs): Tensor {
  const { shape, opts } = shapeArgs('rand', args, true);
  const t = emptyFloat(shape), s = t.data as Float32Array;
  for (let i = 0; i < s.length; i++) s[i] = uniform();
  return finish(t, opts);
}

/** Standard normal samples: randn(2, 3), randn([2, 3]) or randn(3, { requiresGrad: true }). */
export function randn(...args: ShapeArgs): Tensor {
  const { shape, opts } = shapeArgs('randn', args, true);
  return finish(normalSamples(0, 1, shape), opts);
}

function normalSamples(mean: number, std: number, shape: number[]): Tensor {
  const t = emptyFloat(shape), s = t.data as Float32Array;
  for (let i = 0; i < s.length; i++) s[i] = mean + std * normalSample();
  return t;
}

/** Normal(mean, std) samples of `shape`, like `torch.normal(mean, std, size)`. */
export function normal(mean: number, std: number, shape: readonly number[], opts?: TensorOptions): Tensor {
  expectNumber('normal', 'mean', mean);
  if (typeof std !== 'number' || !(std >= 0)) throw new ArgumentError('normal', 'std', `expected std >= 0 but got ${describe(std)}`);
  if (!Array.isArray(shape)) throw new ArgumentError('normal', 'size', `size must be an array like [2, 3], got ${describe(shape)}`);
  return finish(normalSamples(mean, std, checkShape(shape, 'normal')), tensorOptions('normal', opts, true));
}

/** Uniform integers in [low, high), int32: randint(low, high, shape), or PyTorch's randint(high, shape) with low = 0. */
export function randint(low: number, high: number | readonly number[], shape?: readonly number[]): Tensor {
  if (Array.isArray(high) && shape === undefined) { shape = high; high = low; low = 0; }
  expectInt('randint', 'low', low);
  expectInt('randint', 'high', high);
  if (!Array.isArray(shape)) throw new ArgumentError('randint', 'size', `size must be an array like [2, 3], got ${describe(shape)}`);
  const sh = checkShape(shape, 'randint');
  const hi = high as number;
  if (!(hi > low)) throw new ArgumentError('randint', 'high', `expected low < high, got low=${low}, high=${hi}`);
  const s = new Int32Array(sizeOf(sh));
  for (let i = 0; i < s.length; i++) s[i] = low + randInt(hi - low);
  return new Tensor(s, sh, 'int32');
}

function likeArg(fn: string, t: Tensor): Tensor {
  if (!(t instanceof Tensor)) throw new ArgumentError(fn, 'input', `input must be a Tensor, got ${describe(t)}`);
  return t;
}
/** zeros of `t`'s shape (and dtype, unless given). */
export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor { return filled('zerosLike', likeArg('zerosLike', t).shape.slice(), 0, { dtype: t.dtype, ...tensorOptions('zerosLike', opts) }); }
/** ones of `t`'s shape (and dtype, unless given). */
export function onesLike(t: Tensor, opts?: TensorOptions): Tensor { return filled('onesLike', likeArg('onesLike', t).shape.slice(), 1, { dtype: t.dtype, ...tensorOptions('onesLike', opts) }); }
/** `value` in `t`'s shape (and dtype, unless given). */
export function fullLike(t: Tensor, value: number, opts?: TensorOptions): Tensor {
  return filled('fullLike', likeArg('fullLike', t).shape.slice(), expectNumber('fullLike', 'fillValue', value), { dtype: t.dtype, ...tensorOptions('fullLike', opts) });
}
/** Uniform samples in `t`'s shape. */
export function randLike(t: Tensor, opts?: TensorOptions): Tensor { return rand(likeArg('randLike', t).shape.slice(), opts ?? {}); }
/** Normal samples in `t`'s shape. */
export function randnLike(t: Tensor, opts?: TensorOptions): Tensor { return randn(likeArg('randnLike', t).shape.slice(), opts ?? {}); }
