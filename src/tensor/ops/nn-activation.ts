/** Fused activations for the layer modules: one backend call forward, one backward, no mask tensors. */
import { getBackend } from '../../backend/index.js';
import { Tensor } from '../tensor.js';
import { activationGrad } from './elementwise.js';
import { f32, fromF32, record } from './record.js';

/** relu(x) = max(x, 0), any shape; NaN propagates; the gradient is 0 at x ≤ 0 (PyTorch's rule at 0). */
export function reluFused(x: Tensor): Tensor {
  if (x.dtype !== 'float32') throw new Error(`relu: expected a float32 tensor, got ${x.dtype}`);
  const xd = f32(x);
  const y = new Float32Array(xd.length);
  getBackend().unary('relu', xd, y);
  const out = fromF32(y, x.shape);
  // backward reads y, the output's own storage: an in-place change of it must be caught
  return record(out, 'ReluBackward0', [x], (g) => [activationGrad('relu', out, g)], true);
}
