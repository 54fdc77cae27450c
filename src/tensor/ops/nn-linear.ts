/** Fused affine map `y = x Wᵀ + b`: one gemm forward, two gemms (and a column sum) backward (primitive: rules/linalg.ts). */
import { formatShape } from '../../shape/index.js';
import type { Tensor } from '../tensor.js';
import { apply } from './registry.js';

/** linear(x [..., in], weight [out, in], bias [out] | null) → [..., out]. */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (weight.ndim !== 2) {
    throw new Error(`linear: weight must be 2-D [out_features, in_features], got shape ${formatShape(weight.shape)}`);
  }
  const [outF, inF] = weight.shape as [number, number];
  if (x.dtype !== 'float32' || weight.dtype !== 'float32') {
    throw new Error(`linear: expected float32 input and weight, got input ${x.dtype} and weight ${weight.dtype} (call .float() on the input)`);
  }
  if (x.ndim === 0) throw new Error('linear: input must have at least 1 dimension, got a scalar');
  const k = x.shape[x.ndim - 1]!;
  if (k !== inF) {
    let flat = 1;
    for (let i = 1; i < x.ndim; i++) flat *= x.shape[i]!;
    const hint = x.ndim > 2 && flat === inF ? '; flatten the input first (nn.Flatten() before the Linear layer)' : '';
    // PyTorch's wording first (mat1 = input rows x features, mat2 = weight transposed), so its message still matches.
    throw new Error(`linear: mat1 and mat2 shapes cannot be multiplied (${sizeOfLead(x)}x${k} and ${inF}x${outF}): ` +
                    `input has ${k} features (shape ${formatShape(x.shape)}) but weight expects ${inF} (weight ${formatShape(weight.shape)})${hint}`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outF || bias.dtype !== 'float32')) {
    throw new Error(`linear: bias must be a float32 vector of ${outF} elements (weight ${formatShape(weight.shape)}), got ${bias.dtype} ${formatShape(bias.shape)}`);
  }
  return apply('linear', bias === null ? [x, weight] : [x, weight, bias], { xRank: x.ndim, hasBias: bias !== null });
}

function sizeOfLead(x: Tensor): number {
  let n = 1;
  for (let i = 0; i < x.ndim - 1; i++) n *= x.shape[i]!;
  return n;
}
