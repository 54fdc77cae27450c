/**
 * Batch normalisation layers with PyTorch's semantics: batch statistics while training (biased
 * variance to normalise, unbiased for the running_var update), running statistics in eval mode,
 * buffers running_mean / running_var / num_batches_tracked, parameters weight / bias.
 */
import { Tensor } from '../tensor/tensor.js';
import { full as fullTensor } from '../tensor/creation.js';
import { fillInPlace } from '../tensor/ops/indexing.js';
import { batchNorm } from '../tensor/ops/nn-batchnorm.js';
import type { ActivationOp } from '../backend/backend.js';
import { formatShape } from '../shape/index.js';
import { Module } from './module.js';
import { Parameter, UninitializedBuffer, UninitializedParameter } from './parameter.js';
import { pyBool, pyFloat } from './repr.js';
import { parseArgs } from './args.js';
import { expectBool, expectInt, expectNumber } from '../util/check.js';

const BN_KEYS = ['eps', 'momentum', 'affine', 'trackRunningStats'] as const;

/** After num_features: an options object, or PyTorch's positional eps, momentum, affine, track_running_stats. */
export type BatchNormArgs = [options?: BatchNormOptions] | [eps?: number, momentum?: number | null, affine?: boolean, trackRunningStats?: boolean];

function bnOptions(fn: string, rest: readonly unknown[]): BatchNormOptions {
  const o = parseArgs(fn, rest, { positional: BN_KEYS, options: BN_KEYS });
  const out: BatchNormOptions = {};
  if (o.eps !== undefined) out.eps = expectNumber(fn, 'eps', o.eps, 0);
  if (o.momentum !== undefined) out.momentum = o.momentum === null ? null : expectNumber(fn, 'momentum', o.momentum, 0, 1);
  if (o.affine !== undefined) out.affine = expectBool(fn, 'affine', o.affine);
  if (o.trackRunningStats !== undefined) out.trackRunningStats = expectBool(fn, 'trackRunningStats', o.trackRunningStats);
  return out;
}

export interface BatchNormOptions {
  eps?: number;
  /** Running-average factor; null means a cumulative average over all batches seen. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

const full = (n: number, v: number): Tensor => fullTensor([n], v);

/** Shared by BatchNorm1d/2d; subclasses say which input ranks they take. */
export abstract class BatchNormBase extends Module {
  numFeatures: number;
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null = null;
  bias: Parameter | null = null;

  /** `new BatchNorm2d(6)`, `new BatchNorm2d(6, { momentum: 0.01 })` or PyTorch's positional `new BatchNorm2d(6, 1e-5, 0.01)`. */
  constructor(numFeatures: number, ...args: BatchNormArgs) {
    super();
    const name = new.target.name;
    expectInt(name, 'numFeatures', numFeatures, 0);
    const opts = bnOptions(name, args);
    this.numFeatures = numFeatures;
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    if (!(this.eps >= 0)) throw new Error(`${name}: eps must be non-negative, got ${this.eps}`);
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) throw new Error(`${name}: momentum must be in [0, 1] or null, got ${this.momentum}`);
    if (this.affine) {
      this.weight = Parameter.adopt(full(numFeatures, 1));
      this.bias = Parameter.adopt(full(numFeatures, 0));
    } else {
      this.registerParameter('weight', null);
      this.registerParameter('bias', null);
    }
    if (this.trackRunningStats) {
      this.registerBuffer('running_mean', full(numFeatures, 0));
      this.registerBuffer('running_var', full(numFeatures, 1));
      this.registerBuffer('num_batches_tracked', new Tensor(new Int32Array(1), [], 'int32'));
    } else {
      this.registerBuffer('running_mean', null);
      this.registerBuffer('running_var', null);
      this.registerBuffer('num_batches_tracked', null);
    }
  }

  /** running_mean buffer [C] (null without trackRunningStats). */
  get runningMean(): Tensor | null { return this._buffers.get('running_mean') ?? null; }
  /** running_var buffer [C]. */
  get runningVar(): Tensor | null { return this._buffers.get('running_var') ?? null; }
  /** Training batches seen (int32 scalar; PyTorch's is int64). */
  get numBatchesTracked(): Tensor | null { return this._buffers.get('num_batches_tracked') ?? null; }

  /** Throw unless the input rank suits this layer (e.g. 4-D for BatchNorm2d). */
  protected abstract checkInputDim(x: Tensor): void;

  /** Running stats back to mean 0, var 1, no batches seen. */
  resetRunningStats(): void {
    const rm = this.runningMean, rv = this.runningVar, nb = this.numBatchesTracked;
    if (rm) fillInPlace(rm, 0);
    if (rv) fillInPlace(rv, 1);
    if (nb) { nb.data.fill(0); nb.bumpVersion(); }
  }

  forward(x: Tensor): Tensor {
    return this.forwardActivated(x);
  }

  /**
   * `activation(this.forward(x))` as one fused op (Sequential runs a BatchNorm followed by ReLU,
   * Sigmoid or Tanh this way, and ResNet's Residual its bn1 → relu): same values and gradients.
   */
  forwardActivated(x: Tensor, activation?: ActivationOp): Tensor {
    this.checkInputDim(x);
    const name = this.constructor.name;
    const c = x.shape[1]!;
    if (c !== this.numFeatures) {
      throw new Error(`${name}: input has ${c} channels (shape ${formatShape(x.shape)}) but the layer was built for num_features=${this.numFeatures}`);
    }
    if (this.training && x.numel() / c <= 1) {
      throw new Error(`${name}: expected more than 1 value per channel when training, got input size ${formatShape(x.shape)}`);
    }
    let factor = this.momentum ?? 0;
    const nb = this.numBatchesTracked;
    if (this.training && this.trackRunningStats && nb !== null) {
      nb.data[0] = nb.data[0]! + 1;
      nb.bumpVersion();
      if (this.momentum === null) factor = 1 / nb.data[0]!;
    }
    const useBatch = this.training || (this.runningMean === null && this.runningVar === null);
    const useRunning = !this.training || this.trackRunningStats;
    return batchNorm(x, useRunning ? this.runningMean : null, useRunning ? this.runningVar : null,
      this.weight, this.bias, useBatch, factor, this.eps, activation);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, ` +
      `affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

function rankError(name: string, want: string, x: Tensor): Error {
  return new Error(`${name}: expected ${want} input (got ${x.ndim}D input of shape ${formatShape(x.shape)})`);
}

/** Normalises [N, C] or [N, C, L] per channel C. */
export class BatchNorm1d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3) throw rankError(this.constructor.name, '2D or 3D', x);
  }
}

/** Normalises [N, C, H, W] per channel C. */
export class BatchNorm2d extends BatchNormBase {
  protected checkInputDim(x: Tensor): void {
    if (x.ndim !== 4) throw rankError(this.constructor.name, '4D', x);
  }
}

/** Create the per-channel parameters and buffers of a lazy layer once C is known. */
function materialise(m: BatchNormBase, c: number): void {
  m.numFeatures = c;
  if (m.affine) {
    if (m.weight instanceof UninitializedParameter) m.weight = Parameter.adopt(full(c, 1));
    if (m.bias instanceof UninitializedParameter) m.bias = Parameter.adopt(full(c, 0));
  }
  // Statistics loaded by loadStateDict before the first forward pass are kept.
  if (m.trackRunningStats) {
    if (m._buffers.get('running_mean') instanceof UninitializedBuffer) m.registerBuffer('running_mean', full(c, 0));
    if (m._buffers.get('running_var') instanceof UninitializedBuffer) m.registerBuffer('running_var', full(c, 1));
  }
}

function makeLazy(m: BatchNormBase, owner: string): void {
  if (m.affine) {
    m.weight = new UninitializedParameter(owner);
    m.bias = new UninitializedParameter(owner);
  }
  if (m.trackRunningStats) {
    m.registerBuffer('running_mean', new UninitializedBuffer(owner));
    m.registerBuffer('running_var', new UninitializedBuffer(owner));
  }
}

/** BatchNorm1d whose num_features comes from dim 1 of the first input; it then becomes a BatchNorm1d. */
export class LazyBatchNorm1d extends BatchNorm1d {
  constructor(...args: BatchNormArgs) { super(0, ...args); makeLazy(this, 'LazyBatchNorm1d'); }
  override forward(x: Tensor): Tensor { return this.forwardActivated(x); }
  override forwardActivated(x: Tensor, activation?: ActivationOp): Tensor {
    this.checkInputDim(x);
    materialise(this, x.shape[1]!);
    Object.setPrototypeOf(this, BatchNorm1d.prototype);
    return super.forwardActivated(x, activation);
  }
}

/** BatchNorm2d whose num_features comes from dim 1 of the first input; it then becomes a BatchNorm2d. */
export class LazyBatchNorm2d extends BatchNorm2d {
  constructor(...args: BatchNormArgs) { super(0, ...args); makeLazy(this, 'LazyBatchNorm2d'); }
  override forward(x: Tensor): Tensor { return this.forwardActivated(x); }
  override forwardActivated(x: Tensor, activation?: ActivationOp): Tensor {
    this.checkInputDim(x);
    materialise(this, x.shape[1]!);
    Object.setPrototypeOf(this, BatchNorm2d.prototype);
    return super.forwardActivated(x, activation);
  }
}
