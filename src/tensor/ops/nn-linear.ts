/** Fused affine map `y = x Wᵀ + b`: one gemm forward, two gemms (and a column sum) backward. */
import { getBackend } from '../../backend/index.js';
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { f32, fromF32, needsGrad, record } from './record.js';

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
  const rows = sizeOfLead(x);
  const outShape = [...x.shape.slice(0, -1), outF];
  const xd = f32(x), wd = f32(weight);
  const y = new Float32Array(rows * outF);
  let beta = 0;
  if (bias !== null) {
    // Pre-fill rows with the bias so the gemm accumulates onto it (beta = 1): no second pass.
    const bd = f32(bias);
    for (let r = 0; r < rows; r++) y.set(bd, r * outF);
    beta = 1;
  }
  const be = getBackend();
  if (rows > 0 && outF > 0 && inF > 0) be.gemm(false, true, rows, outF, inF, 1, xd, 0, wd, 0, beta, y, 0);
  const out = fromF32(y, outShape);
  if (!needsGrad(x, weight, ...(bias ? [bias] : []))) return out;
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, gradFnName(x.ndim, bias !== null), inputs, (g) => {
    const gd = f32(g);
    let dx: Tensor | null = null, dw: Tensor | null = null, db: Tensor | null = null;
    if (x.requiresGrad) {
      // dx [rows, in] = g [rows, out] @ W [out, in]
      const d = new Float32Array(rows * inF);
      if (rows > 0 && outF > 0 && inF > 0) be.gemm(false, false, rows, inF, outF, 1, gd, 0, wd, 0, 0, d, 0);
      dx = fromF32(d, x.shape);
    }
    if (weight.requiresGrad) {
      // dW [out, in] = gᵀ [out, rows] @ x [rows, in]
      const d = new Float32Array(outF * inF);
      if (rows > 0 && outF > 0 && inF > 0) be.gemm(true, false, outF, inF, rows, 1, gd, 0, xd, 0, 0, d, 0);
      dw = fromF32(d, weight.shape);
    }
    if (bias !== null && bias.requiresGrad) {
      const d = new Float64Array(outF);
      for (let r = 0; r < rows; r++) {
        const o = r * outF;
        for (let j = 0; j < outF; j++) d[j] += gd[o + j]!;
      }
      db = fromF32(Float32Array.from(d), bias.shape);
    }
    return bias ? [dx, dw, db] : [dx, dw];
  });
}

/** The grad_fn name PyTorch prints for F.linear's output, so tensors print the same. */
function gradFnName(ndim: number, hasBias: boolean): string {
  if (ndim === 1) return hasBias ? 'AddBackward0' : 'SqueezeBackward3';
  if (ndim === 2) return hasBias ? 'AddmmBackward0' : 'MmBackward0';
  return hasBias ? 'ViewBackward0' : 'UnsafeViewBackward0';
}

function sizeOfLead(x: Tensor): number {
  let n = 1;
  for (let i = 0; i < x.ndim - 1; i++) n *= x.shape[i]!;
  return n;
}
