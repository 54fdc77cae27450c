/** Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands. */
import { broadcastShapes, formatShape } from '../../shape/index.js';
import type { Tensor } from '../tensor.js';
import { apply, composite } from './registry.js';
import { unsqueeze, squeeze } from './shape.js';

/** a @ b: 1-D·1-D dot, matrix-vector, matrix-matrix, and batched with broadcasting. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`matmul: both arguments need at least 1 dimension (got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)})`);
  }
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error(`matmul: expected float32 operands, got ${a.dtype} and ${b.dtype}; call .float() first`);
  }
  // 1-D operands act as a row (a) or a column (b) vector.
  const a2s = a.ndim === 1 ? [1, a.shape[0]!] : a.shape, b2s = b.ndim === 1 ? [b.shape[0]!, 1] : b.shape;
  const ka = a2s[a2s.length - 1]!, kb = b2s[b2s.length - 2]!;
  if (ka !== kb) {
    const fmt = (s: readonly number[]) => s.join('x');
    throw new Error(a.ndim === 1 && b.ndim === 1
      ? `matmul: 1-D tensors (a dot product) must have the same number of elements, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`
      : a2s.length === 2 && b2s.length === 2
      ? `matmul: mat1 and mat2 shapes cannot be multiplied (${fmt(a2s)} and ${fmt(b2s)})`
      : `matmul: inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)} (${ka} vs ${kb})`);
  }
  const batchA = a2s.slice(0, -2), batchB = b2s.slice(0, -2);
  try {
    broadcastShapes(batchA, batchB, 'matmul');
  } catch {
    throw new Error(`matmul: batch dimensions ${formatShape(batchA)} and ${formatShape(batchB)} of ` +
                    `${formatShape(a.shape)} @ ${formatShape(b.shape)} cannot be broadcast`);
  }
  return composite(matmulNodeName(a.ndim, b.ndim), [a, b], () => {
    const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
    const b2 = b.ndim === 1 ? unsqueeze(b, 1) : b;
    let out = apply('matmul', [a2, b2], {});
    if (a.ndim === 1) out = squeeze(out, -2);
    if (b.ndim === 1) out = squeeze(out, -1);
    return out;
  });
}

/** The grad_fn name PyTorch 1.13 shows for a matmul of these ranks (its internal dispatch path). */
function matmulNodeName(ra: number, rb: number): string {
  if (ra === 1 && rb === 1) return 'DotBackward0';
  if (ra === 2 && rb === 1) return 'MvBackward0';
  if (ra === 1 && rb === 2) return 'SqueezeBackward3';
  if (ra === 2 && rb === 2) return 'MmBackward0';
  return ra === 2 ? 'CloneBackward0' : 'UnsafeViewBackward0';
}
