/** Fully connected layers: Linear and LazyLinear (which infers in_features on its first input). */
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { linear } from '../tensor/ops/nn-linear.js';
import { noGrad } from '../autograd/grad-mode.js';
import { Module } from './module.js';
import { Parameter, UninitializedParameter } from './parameter.js';
import { defaultLayerInit_ } from './init.js';
import { pyBool } from './repr.js';
import { parseArgs } from './args.js';
import { expectBool, expectInt } from '../util/check.js';

export interface LinearOptions { bias?: boolean }

function checkFeatures(op: string, name: string, v: unknown): void {
  expectInt(op, name, v, 0);
}

/** `bias` from PyTorch's positional `bias` (true/false) or `{ bias }`. */
function biasArg(fn: string, rest: readonly unknown[]): boolean {
  const o = parseArgs(fn, rest, { positional: ['bias'], options: ['bias'] });
  return o.bias === undefined ? true : expectBool(fn, 'bias', o.bias);
}

/**
 * y [..., out] = x [..., in] Wᵀ + b, weight [out, in], bias [out]; PyTorch's default init U(±1/√in).
 * `new Linear(4, 2, { bias: false })` or PyTorch's positional `new Linear(4, 2, false)`.
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, bias?: boolean | LinearOptions);
  constructor(inFeatures: number, outFeatures: number, ...rest: unknown[]) {
    super();
    const fn = 'Linear';
    checkFeatures(fn, 'inFeatures', inFeatures);
    checkFeatures(fn, 'outFeatures', outFeatures);
    const hasBias = biasArg(fn, rest);
    this.outFeatures = outFeatures;
    this.weight = Parameter.adopt(emptyTensor([outFeatures, inFeatures]));
    if (hasBias) this.bias = Parameter.adopt(emptyTensor([outFeatures]));
    else { this.bias = null; this.registerParameter('bias', null); }
    this.resetParameters();
  }

  /** Number of input features (0 while a LazyLinear is uninitialised). */
  get inFeatures(): number {
    return this.weight instanceof UninitializedParameter ? 0 : this.weight.shape[1]!;
  }

  /** Re-draw weight and bias from PyTorch's default distribution. */
  resetParameters(): void {
    if (this.weight instanceof UninitializedParameter) return;
    defaultLayerInit_(this.weight, this.bias);
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * Linear whose in_features comes from the last dim of the first input; it then becomes a plain
 * Linear (prototype switch, like PyTorch's cls_to_become), so summaries print `Linear`.
 */
export class LazyLinear extends Linear {
  /** `new LazyLinear(120)`, `new LazyLinear(10, false)` or `new LazyLinear(10, { bias: false })`. */
  constructor(outFeatures: number, bias?: boolean | LinearOptions, ...rest: never[]) {
    // Checked here so errors name LazyLinear (class names do not survive minifiers, so no new.target.name).
    checkFeatures('LazyLinear', 'outFeatures', outFeatures);
    const hasBias = biasArg('LazyLinear', bias === undefined ? rest : [bias, ...rest]);
    super(0, outFeatures, hasBias);
    // The base class drew (empty) placeholders: give their memory back.
    this.weight.dispose();
    this.bias?.dispose();
    this.weight = new UninitializedParameter('LazyLinear');
    if (this.bias !== null) this.bias = new UninitializedParameter('LazyLinear');
  }

  /** Materialise weight [out, in] and bias for `inFeatures` and initialise them. */
  initializeParameters(inFeatures: number): void {
    checkFeatures('LazyLinear', 'inFeatures', inFeatures);
    noGrad(() => {
      this.weight = Parameter.adopt(emptyTensor([this.outFeatures, inFeatures]));
      if (this.bias !== null) this.bias = Parameter.adopt(emptyTensor([this.outFeatures]));
      this.resetParameters();
    });
    Object.setPrototypeOf(this, Linear.prototype);
  }

  override forward(x: Tensor): Tensor {
    if (this.weight instanceof UninitializedParameter) {
      if (x.ndim === 0) throw new Error('LazyLinear: cannot infer in_features from a scalar input');
      this.initializeParameters(x.shape[x.ndim - 1]!);
    } else {
      // Loaded from a state dict before any forward: the weight has its shape already.
      Object.setPrototypeOf(this, Linear.prototype);
    }
    return linear(x, this.weight, this.bias);
  }
}
