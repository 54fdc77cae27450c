/**
 * Fused batch normalisation over [N, C, *] (channels in dim 1). Training: one pass for the mean,
 * one for the biased variance, one writing y and x̂; the backward is one pass for Σg and Σg·x̂ and
 * one writing dx. Running statistics are updated in place (unbiased variance), as PyTorch does.
 */
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { f32, fromF32, needsGrad, record } from './record.js';

function checkVec(name: string, t: Tensor | null, c: number, x: Tensor): void {
  if (t === null) return;
  if (t.numel() !== c || t.dtype !== 'float32') {
    throw new Error(`batchNorm: ${name} should be a float32 vector of ${c} elements (one per channel of input ${formatShape(x.shape)}), got ${t.dtype} ${formatShape(t.shape)}`);
  }
}

/**
 * batchNorm(x [N, C, *], runningMean [C] | null, runningVar [C] | null, weight [C] | null, bias [C] | null,
 * training, momentum, eps) → [N, C, *]; training normalises with batch statistics and updates the
 * running buffers (if given) by `momentum`; otherwise uses the running statistics.
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null,
                          weight: Tensor | null = null, bias: Tensor | null = null,
                          training = false, momentum = 0.1, eps = 1e-5): Tensor {
  if (x.dtype !== 'float32') throw new Error(`batchNorm: expected a float32 input, got ${x.dtype}`);
  if (x.ndim < 2) throw new Error(`batchNorm: expected input of shape [N, C, *], got ${formatShape(x.shape)}`);
  const n = x.shape[0]!, c = x.shape[1]!;
  let s = 1;
  for (let i = 2; i < x.ndim; i++) s *= x.shape[i]!;
  checkVec('running_mean', runningMean, c, x);
  checkVec('running_var', runningVar, c, x);
  checkVec('weight', weight, c, x);
  checkVec('bias', bias, c, x);
  if ((runningMean === null) !== (runningVar === null)) throw new Error('batchNorm: pass both running_mean and running_var, or neither');
  if (!training && runningMean === null) {
    throw new Error('batchNorm: running_mean and running_var are required when not training (or pass training = true)');
  }
  const count = n * s;
  if (training && count <= 1) {
    throw new Error(`batchNorm: expected more than 1 value per channel when training, got input size ${formatShape(x.shape)}`);
  }
  if (!(eps >= 0)) throw new Error(`batchNorm: eps must be non-negative, got ${eps}`);
  const xd = f32(x);
  const wd = weight ? f32(weight) : null, bd = bias ? f32(bias) : null;
  const y = new Float32Array(xd.length);
  const inputs: Tensor[] = [x];
  if (weight) inputs.push(weight);
  if (bias) inputs.push(bias);
  const grad = needsGrad(...inputs);
  // x̂ is kept only for the backward; inference skips the extra buffer.
  const xhat = grad ? new Float32Array(xd.length) : null;
  const invstd = new Float64Array(c);
  const plane = c * s;
  for (let ch = 0; ch < c; ch++) {
    let mean: number, istd: number;
    if (training) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const o = i * plane + ch * s;
        for (let k = 0; k < s; k++) sum += xd[o + k]!;
      }
      mean = sum / count;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const o = i * plane + ch * s;
        for (let k = 0; k < s; k++) { const d = xd[o + k]! - mean; sq += d * d; }
      }
      const varB = sq / count;
      istd = 1 / Math.sqrt(varB + eps);
      if (runningMean !== null && runningVar !== null) {
        // Buffers are state, not graph values: update them in place without recording.
        const rm = runningMean.data as Float32Array, rv = runningVar.data as Float32Array;
        rm[ch] = (1 - momentum) * rm[ch]! + momentum * mean;
        rv[ch] = (1 - momentum) * rv[ch]! + momentum * (sq / (count - 1));
      }
    } else {
      mean = runningMean!.data[ch]!;
      istd = 1 / Math.sqrt(runningVar!.data[ch]! + eps);
    }
    invstd[ch] = istd;
    const w = wd ? wd[ch]! : 1, b = bd ? bd[ch]! : 0;
    for (let i = 0; i < n; i++) {
      const o = i * plane + ch * s;
      if (xhat !== null) {
        for (let k = 0; k < s; k++) {
          const h = (xd[o + k]! - mean) * istd;
          xhat[o + k] = h;
          y[o + k] = h * w + b;
        }
      } else {
        // y = x·(w·istd) + (b − mean·w·istd): one multiply-add per element.
        const a = w * istd, c0 = b - mean * a;
        for (let k = 0; k < s; k++) y[o + k] = xd[o + k]! * a + c0;
      }
    }
  }
  if (training && runningMean !== null && runningVar !== null) { runningMean.bumpVersion(); runningVar.bumpVersion(); }
  const out = fromF32(y, x.shape);
  if (xhat === null) return out;
  return record(out, 'NativeBatchNormBackward0', inputs, (g) => {
    const gd = f32(g);
    const dx = x.requiresGrad ? new Float32Array(xd.length) : null;
    const dw = new Float32Array(c), db = new Float32Array(c);
    for (let ch = 0; ch < c; ch++) {
      let sg = 0, sgx = 0;
      for (let i = 0; i < n; i++) {
        const o = i * plane + ch * s;
        for (let k = 0; k < s; k++) { const gv = gd[o + k]!; sg += gv; sgx += gv * xhat[o + k]!; }
      }
      dw[ch] = sgx;
      db[ch] = sg;
      if (dx === null) continue;
      const w = wd ? wd[ch]! : 1;
      const istd = invstd[ch]!;
      if (training) {
        // dx = w·istd·(g − mean(g) − x̂·mean(g·x̂)): the batch statistics depend on x too.
        const a = w * istd, mg = sg / count, mgx = sgx / count;
        for (let i = 0; i < n; i++) {
          const o = i * plane + ch * s;
          for (let k = 0; k < s; k++) dx[o + k] = a * (gd[o + k]! - mg - xhat[o + k]! * mgx);
        }
      } else {
        const a = w * istd;
        for (let i = 0; i < n; i++) {
          const o = i * plane + ch * s;
          for (let k = 0; k < s; k++) dx[o + k] = a * gd[o + k]!;
        }
      }
    }
    const grads: (Tensor | null)[] = [dx ? fromF32(dx, x.shape) : null];
    if (weight) grads.push(weight.requiresGrad ? fromF32(dw, weight.shape) : null);
    if (bias) grads.push(bias.requiresGrad ? fromF32(db, bias.shape) : null);
    return grads;
  });
}
