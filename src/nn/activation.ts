/**
 * Activation layers: ReLU, Sigmoid, Tanh, Softmax (shape-preserving). ReLU, Sigmoid and Tanh run
 * the same registry op as F.relu / F.sigmoid / F.tanh (there is no separate layer kernel), and
 * Sequential fuses them into a preceding Conv2d or BatchNorm (see fusion.ts).
 */
import type { ActivationOp } from '../backend/backend.js';
import type { Tensor } from '../tensor/tensor.js';
import * as ew from '../tensor/ops/elementwise.js';
import * as red from '../tensor/ops/reduce.js';
import { normalizeDim } from '../shape/index.js';
import { Module } from './module.js';

/** max(x, 0), any shape. */
export class ReLU extends Module {
  /** The activation this layer computes, for fusion. */
  readonly activation: ActivationOp = 'relu';
  forward(x: Tensor): Tensor { return ew.relu(x); }
}

/** 1 / (1 + e^−x), any shape. */
export class Sigmoid extends Module {
  readonly activation: ActivationOp = 'sigmoid';
  forward(x: Tensor): Tensor { return ew.sigmoid(x); }
}

/** tanh(x), any shape. */
export class Tanh extends Module {
  readonly activation: ActivationOp = 'tanh';
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
