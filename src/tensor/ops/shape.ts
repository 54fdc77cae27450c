/** Shape ops: reshape/view, permute, transpose, (un)squeeze, expand, cat, stack. */
import { formatShape, normalizeDim, resolveShape, shapesEqual, sizeOf } from '../../shape/index.js';
import type { Tensor } from '../tensor.js';
import { apply, composite } from './registry.js';
import { fillTensor, emptyJs } from './kernels.js';

/** A tensor of `t`'s shape and dtype filled with `v`. */
export function fullLike(t: Tensor, v: number): Tensor {
  if (t.dtype === 'float32') return fillTensor(t.shape, v);
  const out = emptyJs(t.shape, t.dtype);
  out.data.fill(v);
  return out;
}

/** Same data, new shape (one dim may be -1); shares storage like PyTorch's view. */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  const target = resolveShape(shape, a.numel(), 'reshape', a.shape);
  if (shapesEqual(target, a.shape)) return a;
  return apply('reshape', [a], { shape: target });
}

/** reshape under PyTorch's `view` name (here every tensor is contiguous, so view never fails). */
export function view(a: Tensor, shape: readonly number[]): Tensor {
  return composite('ViewBackward0', [a], () => reshape(a, shape));
}

/** Merge dims startDim..endDim into one. */
export function flatten(a: Tensor, startDim = 0, endDim = -1): Tensor {
  if (a.ndim === 0) return reshape(a, [1]);
  const s = normalizeDim(startDim, a.ndim, 'flatten');
  const e = normalizeDim(endDim, a.ndim, 'flatten');
  if (s > e) throw new Error(`flatten: startDim ${startDim} cannot come after endDim ${endDim}`);
  const shape = [...a.shape.slice(0, s), sizeOf(a.shape.slice(s, e + 1)), ...a.shape.slice(e + 1)];
  return reshape(a, shape);
}

/** Reorder dims: out.shape[i] = a.shape[dims[i]] (a copy, since tensors are contiguous). */
export function permute(a: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== a.ndim) {
    throw new Error(`permute: number of dims (${dims.length}) doesn't match the tensor's ${a.ndim} dims (shape ${formatShape(a.shape)})`);
  }
  const perm = dims.map((d) => normalizeDim(d, a.ndim, 'permute'));
  if (new Set(perm).size !== perm.length) throw new Error(`permute: repeated dim in [${dims.join(', ')}]`);
  if (perm.every((p, i) => p === i)) return a;
  return apply('permute', [a], { perm });
}

/** Swap two dims. */
export function transpose(a: Tensor, dim0: number, dim1: number): Tensor {
  const d0 = normalizeDim(dim0, a.ndim, 'transpose'), d1 = normalizeDim(dim1, a.ndim, 'transpose');
  const perm = a.shape.map((_, i) => i);
  perm[d0] = d1; perm[d1] = d0;
  return composite('TransposeBackward0', [a], () => permute(a, perm));
}

/** Matrix transpose for ≤ 2-D tensors, like `X.t()`. */
export function t(a: Tensor): Tensor {
  if (a.ndim > 2) throw new Error(`t: expects a tensor with <= 2 dimensions, but got ${a.ndim}-D (shape ${formatShape(a.shape)})`);
  return a.ndim < 2 ? a : composite('TBackward0', [a], () => transpose(a, 0, 1));
}

/** Insert a size-1 dim at `dim`. */
export function unsqueeze(a: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, a.ndim + 1, 'unsqueeze');
  const shape = a.shape.slice();
  shape.splice(d, 0, 1);
  return composite('UnsqueezeBackward0', [a], () => reshape(a, shape));
}

/** Drop size-1 dims (all, or just `dim`). */
export function squeeze(a: Tensor, dim?: number): Tensor {
  if (dim === undefined) return composite('SqueezeBackward0', [a], () => reshape(a, a.shape.filter((d) => d !== 1)));
  const d = normalizeDim(dim, a.ndim, 'squeeze');
  if (a.shape[d] !== 1) return a;
  return composite('SqueezeBackward1', [a], () => reshape(a, a.shape.filter((_, i) => i !== d)));
}

/** Broadcast to `shape` (materialised; -1 keeps a dim). */
export function expand(a: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - a.ndim;
  if (lead < 0) {
    throw new Error(`expand: the number of sizes provided (${shape.length}) must be >= the number of dims (${a.ndim}) of shape ${formatShape(a.shape)}`);
  }
  const target = shape.map((d, i) => {
    if (d === -1 && i < lead) {
      throw new Error(`expand: the expanded size -1 isn't allowed in a leading, non-existing dimension ${i} (target ${formatShape(shape)}, tensor ${formatShape(a.shape)})`);
    }
    if (d !== -1 && (!Number.isInteger(d) || d < 0)) {
      throw new Error(`expand: invalid size ${d} in target ${formatShape(shape)} (tensor ${formatShape(a.shape)})`);
    }
    return d === -1 ? a.shape[i - lead]! : d;
  });
  for (let i = 0; i < a.ndim; i++) {
    const have = a.shape[i]!, want = target[i + lead]!;
    if (have !== want && have !== 1) {
      throw new Error(`expand: the expanded size of the tensor (${want}) must match the existing size (${have}) at dimension ${i}; ` +
                      `target ${formatShape(target)}, tensor ${formatShape(a.shape)}`);
    }
  }
  if (shapesEqual(target, a.shape)) return a;
  return apply('expand', [a], { shape: target });
}

/** Join tensors along an existing dim; all other dims must agree. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('cat: expected a non-empty list of tensors');
  const first = tensors[0]!;
  if (first.ndim === 0) throw new Error('cat: zero-dimensional tensor (at position 0) cannot be concatenated');
  const d = normalizeDim(dim, first.ndim, 'cat');
  tensors.forEach((x, k) => {
    if (x.ndim !== first.ndim || x.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new Error(`cat: sizes of tensors must match except in dimension ${d}; tensor 0 has shape ${formatShape(first.shape)} ` +
                      `but tensor ${k} has shape ${formatShape(x.shape)}`);
    }
  });
  return apply('cat', tensors.slice(), { dim: d });
}

/** Stack equal-shaped tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error('stack: expected a non-empty list of tensors');
  const first = tensors[0]!;
  tensors.forEach((x, k) => {
    if (!shapesEqual(x.shape, first.shape)) {
      throw new Error(`stack: expects each tensor to be equal size, but got ${formatShape(first.shape)} at entry 0 and ${formatShape(x.shape)} at entry ${k}`);
    }
  });
  const d = normalizeDim(dim, first.ndim + 1, 'stack');
  return composite('StackBackward0', tensors, () => cat(tensors.map((x) => unsqueeze(x, d)), d));
}
