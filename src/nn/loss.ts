/** Loss modules wrapping the fused functional losses. */
import type { Tensor } from '../tensor/tensor.js';
import { crossEntropy, mseLoss, nllLoss, type CrossEntropyOptions, type Reduction } from '../tensor/ops/nn-loss.js';
import { Module } from './module.js';
import { pyFloat } from './repr.js';

/** (logits [N, C], labels int32 [N] or probabilities [N, C]) → scalar loss (or [N] with reduction 'none'). */
export class CrossEntropyLoss extends Module {
  readonly reduction: Reduction;
  readonly labelSmoothing: number;
  readonly ignoreIndex: number;
  constructor(opts: CrossEntropyOptions = {}) {
    super();
    this.reduction = opts.reduction ?? 'mean';
    this.labelSmoothing = opts.labelSmoothing ?? 0;
    this.ignoreIndex = opts.ignoreIndex ?? -100;
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, { reduction: this.reduction, labelSmoothing: this.labelSmoothing, ignoreIndex: this.ignoreIndex });
  }
  override extraRepr(): string {
    return this.labelSmoothing !== 0 ? `label_smoothing=${pyFloat(this.labelSmoothing)}` : '';
  }
}

/** (logProbs [N, C], labels int32 [N]) → scalar loss. */
export class NLLLoss extends Module {
  constructor(readonly opts: { reduction?: Reduction; ignoreIndex?: number } = {}) { super(); }
  forward(input: Tensor, target: Tensor): Tensor { return nllLoss(input, target, this.opts); }
}

/** (input, target) of equal shape → mean squared error (or elementwise with reduction 'none'). */
export class MSELoss extends Module {
  readonly reduction: Reduction;
  constructor(opts: { reduction?: Reduction } = {}) { super(); this.reduction = opts.reduction ?? 'mean'; }
  forward(input: Tensor, target: Tensor): Tensor { return mseLoss(input, target, { reduction: this.reduction }); }
}
