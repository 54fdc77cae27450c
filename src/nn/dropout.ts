/** Dropout layer: inverted dropout while training, identity in eval mode. */
import type { Tensor } from '../tensor/tensor.js';
import { dropout } from '../tensor/ops/nn-dropout.js';
import { Module } from './module.js';
import { pyFloat } from './repr.js';
import { parseArgs, unsupported } from './args.js';
import { ArgumentError, describe } from '../util/check.js';

/**
 * Zero each element with probability p and scale the rest by 1/(1 − p), any shape; uses the global
 * seeded RNG. `new Dropout(0.5)` or `new Dropout({ p: 0.5 })`.
 */
export class Dropout extends Module {
  readonly p: number;
  constructor(p?: number | { p?: number; inplace?: false }, inplace?: false);
  constructor(...args: unknown[]) {
    super();
    const o = parseArgs('Dropout', args, { positional: ['p', 'inplace'], options: ['p', 'inplace'] });
    unsupported('Dropout', 'inplace', o.inplace, false, 'dropout returns a new tensor (drop the argument; the values are the same)');
    const p = o.p ?? 0.5;
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ArgumentError('Dropout', 'p', `dropout probability has to be between 0 and 1, but got ${typeof p === 'number' ? p : describe(p)}`);
    this.p = p;
  }
  forward(x: Tensor): Tensor { return dropout(x, this.p, this.training); }
  override extraRepr(): string { return `p=${pyFloat(this.p)}, inplace=False`; }
}
