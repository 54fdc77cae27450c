/**
 * The tensor layer's calls into the backend: allocate a result in backend storage, run one kernel,
 * wrap it as a Tensor. No autograd here (the op registry records), and no loops over float values:
 * those are the backend's. int32/bool tensors (labels, masks) stay JavaScript arrays; arithmetic
 * on them runs the float kernels on a JavaScript-heap copy and converts back.
 */
import type { BinaryOp, ReduceOp, UnaryOp } from '../../backend/backend.js';
import { getBackend } from '../../backend/index.js';
import { refBackend } from '../../backend/ref/index.js';
import { allocStorage, type DataArray, type DType } from '../dtype.js';
import { sizeOf, stridesOf } from '../../shape/index.js';
import { allocFloat32Storage } from '../storage.js';
import { Tensor } from '../tensor.js';

/** A zeroed float32 tensor in the current backend's storage. */
export function emptyFloat(shape: readonly number[]): Tensor {
  return new Tensor(allocFloat32Storage(getBackend(), sizeOf(shape)), shape, 'float32');
}

/** A float32 tensor of `shape` filled with `v` (a backend copy from a one-element source). */
export function fillTensor(shape: readonly number[], v: number): Tensor {
  const t = emptyFloat(shape);
  if (v !== 0) getBackend().copy(new Float32Array([v]), 0, shape.map(() => 0), t.data as Float32Array, 0, stridesOf(shape), shape);
  return t;
}

/** ones of `shape`, float32. */
export function onesLikeFloat(shape: readonly number[]): Tensor { return fillTensor(shape, 1); }

/** A float32 tensor holding a copy of `src` (JavaScript numbers or a typed array), in backend storage. */
export function floatFrom(src: ArrayLike<number>, shape: readonly number[]): Tensor {
  const t = emptyFloat(shape);
  (t.data as Float32Array).set(src);
  return t;
}

/** A tensor of `dtype` over a new JavaScript-heap array of `shape` (int32/bool results). */
export function emptyJs(shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(allocStorage(dtype, sizeOf(shape)), shape, dtype);
}

/** The values of `t` as float32 for a kernel: the storage itself for float32 tensors, a JavaScript copy otherwise. */
export function f32(t: Tensor): Float32Array {
  const d = t.data;
  return d instanceof Float32Array ? d : Float32Array.from(d);
}

/** float32 results of an int/bool op, converted to `dtype` (bool: nonzero → 1; int: exact integers). */
function convert(out: Float32Array, shape: readonly number[], dtype: DType): Tensor {
  const t = emptyJs(shape, dtype);
  const s = t.data;
  if (dtype === 'bool') for (let i = 0; i < out.length; i++) s[i] = out[i] !== 0 ? 1 : 0;
  else s.set(out);
  return t;
}

/** out = op(a) elementwise, float32. */
export function unaryOut(op: UnaryOp, a: Tensor): Tensor {
  const out = emptyFloat(a.shape);
  getBackend().unary(op, f32(a), out.data as Float32Array);
  return out;
}

/** out = op(a, b) broadcast to outShape; a float32 result in backend storage, else converted to `dtype`. */
export function binaryOut(op: BinaryOp, a: Tensor, b: Tensor, outShape: readonly number[], dtype: DType = 'float32'): Tensor {
  if (dtype !== 'float32') {
    const tmp = new Float32Array(sizeOf(outShape));
    getBackend().binary(op, f32(a), a.shape, f32(b), b.shape, outShape, tmp);
    return convert(tmp, outShape, dtype);
  }
  const out = emptyFloat(outShape);
  getBackend().binary(op, f32(a), a.shape, f32(b), b.shape, outShape, out.data as Float32Array);
  return out;
}

/** out = cond ? a : b broadcast to outShape (float32; cond any dtype, nonzero = true). */
export function whereOut(cond: Tensor, a: Tensor, b: Tensor, outShape: readonly number[]): Tensor {
  const out = emptyFloat(outShape);
  getBackend().where(f32(cond), cond.shape, f32(a), a.shape, f32(b), b.shape, outShape, out.data as Float32Array);
  return out;
}

/** Reduce `a` over sorted unique `axes` into a float32 tensor of `outShape` (no axes: a copy). */
export function reduceOut(op: ReduceOp, a: Tensor, axes: readonly number[], outShape: readonly number[]): Tensor {
  const out = emptyFloat(outShape);
  const od = out.data as Float32Array;
  if (axes.length === 0) getBackend().copy(f32(a), 0, stridesOf(a.shape), od, 0, stridesOf(a.shape), a.shape);
  else getBackend().reduce(op, f32(a), a.shape, axes, od);
  return out;
}

/**
 * A strided copy between tensors' storages (see Backend.copy): float32 through the backend,
 * int32/bool with the reference loop (their arrays live on the JavaScript heap).
 */
export function copyStrided(src: Tensor | DataArray, srcOffset: number, srcStrides: readonly number[], dst: Tensor,
                            dstOffset: number, dstStrides: readonly number[], shape: readonly number[]): void {
  const s = src instanceof Tensor ? src.data : src;
  const d = dst.data;
  if (d instanceof Float32Array) {
    getBackend().copy(s instanceof Float32Array ? s : Float32Array.from(s), srcOffset, srcStrides, d, dstOffset, dstStrides, shape);
  } else {
    // The reference loop is dtype-agnostic; int values from a float source are truncated as PyTorch's copy_ does.
    const si = s instanceof Float32Array && dst.dtype === 'int32' ? Int32Array.from(s, Math.trunc)
      : s instanceof Float32Array && dst.dtype === 'bool' ? Uint8Array.from(s, (v) => (v !== 0 ? 1 : 0)) : s;
    refBackend.copy(si as unknown as Float32Array, srcOffset, srcStrides, d as unknown as Float32Array, dstOffset, dstStrides, shape);
  }
}

/** A same-dtype copy of `t` (contiguous). */
export function copyOf(t: Tensor): Tensor {
  const out = t.dtype === 'float32' ? emptyFloat(t.shape) : emptyJs(t.shape, t.dtype);
  const st = stridesOf(t.shape);
  copyStrided(t, 0, st, out, 0, st, t.shape);
  return out;
}

/** Strides of `shape` read as broadcast to `target` (size-1 and missing leading dims get stride 0). */
export function broadcastStrides(shape: readonly number[], target: readonly number[]): number[] {
  const st = stridesOf(shape);
  const off = target.length - shape.length;
  return target.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : st[i - off]!));
}

/** `a` materialised at the broadcast shape `target` (same dtype). */
export function expandOut(a: Tensor, target: readonly number[]): Tensor {
  const out = a.dtype === 'float32' ? emptyFloat(target) : emptyJs(target, a.dtype);
  copyStrided(a, 0, broadcastStrides(a.shape, target), out, 0, stridesOf(target), target);
  return out;
}

/** `a` with dims permuted: out.shape[i] = a.shape[perm[i]] (same dtype). */
export function permuteOut(a: Tensor, perm: readonly number[]): Tensor {
  const outShape = perm.map((p) => a.shape[p]!);
  const st = stridesOf(a.shape);
  const out = a.dtype === 'float32' ? emptyFloat(outShape) : emptyJs(outShape, a.dtype);
  copyStrided(a, 0, perm.map((p) => st[p]!), out, 0, stridesOf(outShape), outShape);
  return out;
}

/** a + b for same-shaped float32 tensors (gradient sums). */
export function addOf(a: Tensor, b: Tensor): Tensor {
  return binaryOut('add', a, b, a.shape);
}

/** Convert values to `dtype` (float → int truncates toward zero, like PyTorch). */
export function castOut(a: Tensor, dtype: DType): Tensor {
  if (dtype === 'float32') {
    const out = emptyFloat(a.shape);
    (out.data as Float32Array).set(a.data);
    return out;
  }
  const out = emptyJs(a.shape, dtype);
  const s = out.data, src = a.data;
  if (dtype === 'bool') for (let i = 0; i < s.length; i++) s[i] = src[i] !== 0 ? 1 : 0;
  else for (let i = 0; i < s.length; i++) s[i] = Math.trunc(src[i]!);
  return out;
}
