/** Inverted dropout: zero each element with probability p and scale survivors by 1/(1 − p). */
import { uniform } from '../rng.js';
import { Tensor } from '../tensor.js';
import { f32, fromF32, record } from './record.js';

/** dropout(x, p, training) → same shape; identity when not training or p = 0; draws from the global seeded RNG. */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  if (x.dtype !== 'float32') throw new Error(`dropout: expected a float32 tensor, got ${x.dtype}`);
  const xd = f32(x);
  // One factor per element (0 or 1/(1-p)) serves both passes; p = 1 zeroes everything, like PyTorch.
  const scale = p === 1 ? 0 : 1 / (1 - p);
  const keep = 1 - p;
  const mask = new Float32Array(xd.length);
  const y = new Float32Array(xd.length);
  for (let i = 0; i < xd.length; i++) {
    const m = uniform() < keep ? scale : 0;
    mask[i] = m;
    y[i] = xd[i]! * m;
  }
  return record(fromF32(y, x.shape), 'MulBackward0', [x], (g) => {
    const gd = f32(g);
    const d = new Float32Array(mask.length);
    for (let i = 0; i < d.length; i++) d[i] = gd[i]! * mask[i]!;
    return [fromF32(d, x.shape)];
  });
}
