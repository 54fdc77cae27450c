/** Inverted dropout: zero each element with probability p and scale survivors by 1/(1 − p) (primitive: rules/norm.ts). */
import type { Tensor } from '../tensor.js';
import { apply } from './registry.js';

/** dropout(x, p, training) → same shape; identity when not training or p = 0; draws from the global seeded RNG. */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return x;
  if (x.dtype !== 'float32') throw new Error(`dropout: expected a float32 tensor, got ${x.dtype}`);
  return apply('dropout', [x], { p });
}
