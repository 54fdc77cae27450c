/**
 * Batch normalisation over [N, C, *] (channels in dim 1): argument checks here; the primitive
 * (rules/norm.ts) runs the backend's channelStats / batchNormCoefficients / channelAffine /
 * batchNormBackward kernels. Like PyTorch, the forward saves only the per-channel mean and 1/std
 * (x̂ is recomputed in the backward); running statistics are updated in place (unbiased variance).
 */
import type { ActivationOp } from '../../backend/backend.js';
import { formatShape } from '../../shape/index.js';
import type { Tensor } from '../tensor.js';
import { apply } from './registry.js';

function checkVec(name: string, t: Tensor | null, c: number, x: Tensor): void {
  if (t === null) return;
  if (t.numel() !== c || t.dtype !== 'float32') {
    throw new Error(`batchNorm: ${name} should be a float32 vector of ${c} elements (one per channel of input ${formatShape(x.shape)}), got ${t.dtype} ${formatShape(t.shape)}`);
  }
}

/**
 * batchNorm(x [N, C, *], runningMean [C] | null, runningVar [C] | null, weight [C] | null, bias [C] | null,
 * training, momentum, eps) → [N, C, *]; training normalises with batch statistics and updates the
 * running buffers (if given) by `momentum`; otherwise uses the running statistics. `activation`
 * fuses relu/sigmoid/tanh onto the output (one node, named as PyTorch names the activation's).
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null,
                          weight: Tensor | null = null, bias: Tensor | null = null,
                          training = false, momentum = 0.1, eps = 1e-5, activation?: ActivationOp): Tensor {
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
  const inputs: Tensor[] = [x];
  if (weight) inputs.push(weight);
  if (bias) inputs.push(bias);
  return apply('batchNorm', inputs, { runningMean, runningVar, training, momentum, eps,
    hasWeight: weight !== null, hasBias: bias !== null, ...(activation !== undefined ? { activation } : {}) });
}
