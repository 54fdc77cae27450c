/** Flatten: merge dims startDim..endDim (default: all but the batch dim). */
import type { Tensor } from '../tensor/tensor.js';
import { flatten } from '../tensor/ops/shape.js';
import { Module } from './module.js';
import { parseArgs } from './args.js';
import { expectInt } from '../util/check.js';

/** [N, C, H, W] → [N, C·H·W] with the defaults (startDim = 1, endDim = -1); a view, no copy. */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(startDim?: number | { startDim?: number; endDim?: number }, endDim?: number);
  constructor(...args: unknown[]) {
    super();
    const o = parseArgs('Flatten', args, { positional: ['startDim', 'endDim'], options: ['startDim', 'endDim'] });
    this.startDim = o.startDim === undefined ? 1 : expectInt('Flatten', 'startDim', o.startDim);
    this.endDim = o.endDim === undefined ? -1 : expectInt('Flatten', 'endDim', o.endDim);
  }
  forward(x: Tensor): Tensor {
    if (x.ndim < 2 && this.startDim === 1) {
      throw new Error(`Flatten: input of shape [${x.shape.join(', ')}] has no dim ${this.startDim} to start from (expected a batch [N, ...])`);
    }
    return flatten(x, this.startDim, this.endDim);
  }
  override extraRepr(): string { return `start_dim=${this.startDim}, end_dim=${this.endDim}`; }
}
