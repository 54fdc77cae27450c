/** Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands. */
import { getBackend } from '../../backend/index.js';
import { broadcastShapes, formatShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { f32, fromF32, record, renameGradFn } from './record.js';
import { sumToShape } from './elementwise.js';
import { unsqueeze, squeeze } from './shape.js';

/** Batched C = op(A) op(B) over broadcast batch dims; a: [...ba, m, k] (or [..., k, m] if ta). */
function bmm(a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor {
  const ra = a.ndim, rb = b.ndim;
  const m = ta ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = ta ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const n = tb ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const batchA = a.shape.slice(0, -2), batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB, 'matmul');
  const nb = sizeOf(batch);
  const out = new Float32Array(nb * m * n);
  const ad = f32(a), bd = f32(b);
  const be = getBackend();
  // Map each output batch index to the (possibly broadcast) source batch index.
  const srcIndex = (bs: readonly number[], i: number): number => {
    let idx = 0, stride = 1, rem = i;
    const off = batch.length - bs.length;
    const coords: number[] = [];
    for (let d = batch.length - 1; d >= 0; d--) { coords[d] = rem % batch[d]!; rem = Math.floor(rem / batch[d]!); }
    for (let d = bs.length - 1; d >= 0; d--) {
      if (bs[d] !== 1) idx += coords[d + off]! * stride;
      stride *= bs[d]!;
    }
    return idx;
  };
  for (let i = 0; i < nb; i++) {
    be.gemm(ta, tb, m, n, k, 1, ad, srcIndex(batchA, i) * m * k, bd, srcIndex(batchB, i) * k * n, 0, out, i * m * n);
  }
  return fromF32(out, [...batch, m, n]);
}

/** a @ b: 1-D·1-D dot, matrix-vector, matrix-matrix, and batched with broadcasting. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`matmul: both arguments need at least 1 dimension (got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)})`);
  }
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error(`matmul: expected float32 operands, got ${a.dtype} and ${b.dtype}; call .float() first`);
  }
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, 1) : b;
  const ka = a2.shape[a2.ndim - 1]!, kb = b2.shape[b2.ndim - 2]!;
  if (ka !== kb) {
    const fmt = (t: Tensor) => t.shape.join('x');
    throw new Error(a.ndim === 1 && b.ndim === 1
      ? `matmul: 1-D tensors (a dot product) must have the same number of elements, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`
      : a2.ndim === 2 && b2.ndim === 2
      ? `matmul: mat1 and mat2 shapes cannot be multiplied (${fmt(a2)} and ${fmt(b2)})`
      : `matmul: inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)} (${ka} vs ${kb})`);
  }
  const batchA = a2.shape.slice(0, -2), batchB = b2.shape.slice(0, -2);
  try {
    broadcastShapes(batchA, batchB, 'matmul');
  } catch {
    throw new Error(`matmul: batch dimensions ${formatShape(batchA)} and ${formatShape(batchB)} of ` +
                    `${formatShape(a.shape)} @ ${formatShape(b.shape)} cannot be broadcast`);
  }
  let out = record(bmm(a2, b2, false, false), 'MmBackward0', [a2, b2], (g) => [
    a2.requiresGrad ? sumToShape(bmm(g, b2, false, true), a2.shape) : null,
    b2.requiresGrad ? sumToShape(bmm(a2, g, true, false), b2.shape) : null,
  ]);
  if (a.ndim === 1) out = squeeze(out, -2);
  if (b.ndim === 1) out = squeeze(out, -1);
  return renameGradFn(out, matmulNodeName(a.ndim, b.ndim), [a, b]);
}

/** The grad_fn name PyTorch 1.13 shows for a matmul of these ranks (its internal dispatch path). */
function matmulNodeName(ra: number, rb: number): string {
  if (ra === 1 && rb === 1) return 'DotBackward0';
  if (ra === 2 && rb === 1) return 'MvBackward0';
  if (ra === 1 && rb === 2) return 'SqueezeBackward3';
  if (ra === 2 && rb === 2) return 'MmBackward0';
  return ra === 2 ? 'CloneBackward0' : 'UnsafeViewBackward0';
}
