/** Flatten: merge dims startDim..endDim (default: all but the batch dim). */
import type { Tensor } from '../tensor/tensor.js';
import { flatten } from '../tensor/ops/shape.js';
import { Module } from './module.js';

/** [N, C, H, W] → [N, C·H·W] with the defaults (startDim = 1, endDim = -1); a view, no copy. */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) { super(); }
  forward(x: Tensor): Tensor {
    if (x.ndim < 2 && this.startDim === 1) {
      throw new Error(`Flatten: input of shape [${x.shape.join(', ')}] has no dim ${this.startDim} to start from (expected a batch [N, ...])`);
    }
    return flatten(x, this.startDim, this.endDim);
  }
  override extraRepr(): string { return `start_dim=${this.startDim}, end_dim=${this.endDim}`; }
}
