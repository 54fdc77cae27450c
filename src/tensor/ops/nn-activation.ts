/** Fused activations for the layer modules: one loop forward, one loop backward, no mask tensors. */
import { Tensor } from '../tensor.js';
import { f32, fromF32, record } from './record.js';

/** relu(x) = max(x, 0), any shape; the gradient is 0 at x ≤ 0 (PyTorch's rule at 0). */
export function reluFused(x: Tensor): Tensor {
  if (x.dtype !== 'float32') throw new Error(`relu: expected a float32 tensor, got ${x.dtype}`);
  const xd = f32(x);
  const y = new Float32Array(xd.length);
  // `v !== v` keeps NaN (PyTorch's relu propagates it; hiding it defeats detectAnomaly).
  for (let i = 0; i < xd.length; i++) { const v = xd[i]!; y[i] = v > 0 || v !== v ? v : 0; }
  return record(fromF32(y, x.shape), 'ReluBackward0', [x], (g) => {
    const gd = f32(g);
    const d = new Float32Array(y.length);
    for (let i = 0; i < d.length; i++) d[i] = y[i]! <= 0 ? 0 : gd[i]!;
    return [fromF32(d, x.shape)];
  }, true);  // backward reads y, the output's own storage: an in-place change of it must be caught
}
