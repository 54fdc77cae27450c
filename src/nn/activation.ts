/** Activation layers: ReLU, Sigmoid, Tanh, Softmax (shape-preserving). */
import type { Tensor } from '../tensor/tensor.js';
import { reluFused } from '../tensor/ops/nn-activation.js';
import * as ew from '../tensor/ops/elementwise.js';
import * as red from '../tensor/ops/reduce.js';
import { normalizeDim } from '../tensor/shape.js';
import { Module } from './module.js';

/** max(x, 0), any shape. */
export class ReLU extends Module {
  forward(x: Tensor): Tensor { return reluFused(x); }
}

/** 1 / (1 + e^−x), any shape. */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return ew.sigmoid(x); }
}

/** tanh(x), any shape. */
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return ew.tanh(x); }
}

/** softmax over `dim` (required: PyTorch's implicit-dim guess is deprecated), any shape. */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
    if (!Number.isInteger(dim)) throw new Error(`Softmax: dim must be an integer, got ${dim}`);
  }
  forward(x: Tensor): Tensor {
    normalizeDim(this.dim, x.ndim, 'Softmax');
    return red.softmax(x, this.dim);
  }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
