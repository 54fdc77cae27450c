/** Dropout layer: inverted dropout while training, identity in eval mode. */
import type { Tensor } from '../tensor/tensor.js';
import { dropout } from '../tensor/ops/nn-dropout.js';
import { Module } from './module.js';
import { pyFloat } from './repr.js';

/** Zero each element with probability p and scale the rest by 1/(1 − p), any shape; uses the global seeded RNG. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: probability has to be between 0 and 1, but got ${p}`);
  }
  forward(x: Tensor): Tensor { return dropout(x, this.p, this.training); }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=False`; }
}
