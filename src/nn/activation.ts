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
import { dimArg, parseArgs, unsupported } from './args.js';
import { noExtraArgs } from '../util/check.js';

const INPLACE = 'convnet-ts layers return new tensors (drop the argument; the values are the same)';

/** max(x, 0), any shape. PyTorch's `inplace` is accepted only as false. */
export class ReLU extends Module {
  /** The activation this layer computes, for fusion. */
  readonly activation: ActivationOp = 'relu';
  constructor(inplace?: false | { inplace?: false });
  constructor(...args: unknown[]) {
    super();
    unsupported('ReLU', 'inplace', parseArgs('ReLU', args, { positional: ['inplace'], options: ['inplace'] }).inplace, false, INPLACE);
  }
  forward(x: Tensor): Tensor { return ew.relu(x); }
}

/** 1 / (1 + e^−x), any shape. */
export class Sigmoid extends Module {
  readonly activation: ActivationOp = 'sigmoid';
  constructor(...args: never[]) { super(); noExtraArgs('Sigmoid', args, 0, 'no arguments'); }
  forward(x: Tensor): Tensor { return ew.sigmoid(x); }
}

/** tanh(x), any shape. */
export class Tanh extends Module {
  readonly activation: ActivationOp = 'tanh';
  constructor(...args: never[]) { super(); noExtraArgs('Tanh', args, 0, 'no arguments'); }
  forward(x: Tensor): Tensor { return ew.tanh(x); }
}

/** softmax over `dim` (required: PyTorch's implicit-dim guess is deprecated), any shape. */
export class Softmax extends Module {
  readonly dim: number;
  constructor(dim: number | { dim: number }) {
    super();
    const o = parseArgs('Softmax', [dim], { positional: ['dim'], options: ['dim'] });
    this.dim = dimArg('Softmax', o.dim);
  }
  forward(x: Tensor): Tensor {
    normalizeDim(this.dim, x.ndim, 'Softmax');
    return red.softmax(x, this.dim);
  }
  override extraRepr(): string { return `dim=${this.dim}`; }
}
