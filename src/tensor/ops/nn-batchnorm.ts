/**
 * Fused batch normalisation over [N, C, *] (channels in dim 1), computed by the backend's
 * channelStats / channelAffine / batchNormBackward kernels. Like PyTorch, the forward saves only the
 * per-channel mean and 1/std (x̂ is recomputed in the backward); running statistics are updated in
 * place (unbiased variance).
 */
import { formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { getBackend } from '../../backend/index.js';
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
  const be = getBackend();
  const inputs: Tensor[] = [x];
  if (weight) inputs.push(weight);
  if (bias) inputs.push(bias);
  const grad = needsGrad(...inputs);
  // Per-channel statistics (saved for the backward, like PyTorch's save_mean / save_invstd).
  const mean = new Float32Array(c), invstd = new Float32Array(c);
  if (training) {
    const varB = new Float32Array(c);
    be.channelStats(xd, n, c, s, mean, varB);
    for (let ch = 0; ch < c; ch++) invstd[ch] = 1 / Math.sqrt(varB[ch]! + eps);
    if (runningMean !== null && runningVar !== null) {
      // Buffers are state, not graph values: update them in place without recording.
      const rm = runningMean.data as Float32Array, rv = runningVar.data as Float32Array;
      for (let ch = 0; ch < c; ch++) {
        rm[ch] = (1 - momentum) * rm[ch]! + momentum * mean[ch]!;
        rv[ch] = (1 - momentum) * rv[ch]! + momentum * (varB[ch]! * count / (count - 1));
      }
      runningMean.bumpVersion();
      runningVar.bumpVersion();
    }
  } else {
    const rm = f32(runningMean!), rv = f32(runningVar!);
    for (let ch = 0; ch < c; ch++) { mean[ch] = rm[ch]!; invstd[ch] = 1 / Math.sqrt(rv[ch]! + eps); }
  }
  // y = x·(w·invstd) + (b − mean·w·invstd): one multiply-add per element, as PyTorch's CPU kernel.
  const wd = weight ? f32(weight) : null, bd = bias ? f32(bias) : null;
  const scale = new Float32Array(c), shift = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) {
    scale[ch] = (wd ? wd[ch]! : 1) * invstd[ch]!;
    shift[ch] = (bd ? bd[ch]! : 0) - mean[ch]! * scale[ch]!;
  }
  const y = new Float32Array(xd.length);
  be.channelAffine(xd, n, c, s, scale, shift, y);
  const out = fromF32(y, x.shape);
  if (!grad) return out;
  return record(out, 'NativeBatchNormBackward0', inputs, (g) => {
    const dx = x.requiresGrad ? new Float32Array(xd.length) : null;
    const dw = new Float32Array(c), db = new Float32Array(c);
    be.batchNormBackward(f32(g), xd, n, c, s, mean, invstd, scale, training, db, dw, dx);
    const grads: (Tensor | null)[] = [dx ? fromF32(dx, x.shape) : null];
    if (weight) grads.push(weight.requiresGrad ? fromF32(dw, weight.shape) : null);
    if (bias) grads.push(bias.requiresGrad ? fromF32(db, bias.shape) : null);
    return grads;
  });
}
