/** Loss modules wrapping the fused functional losses. */
import type { Tensor } from '../tensor/tensor.js';
import { crossEntropy, mseLoss, nllLoss, type CrossEntropyOptions, type Reduction } from '../tensor/ops/nn-loss.js';
import { Module } from './module.js';
import { pyFloat } from './repr.js';
import { probArg, reductionArg } from './args.js';
import { ArgumentError, checkOptions, expectInt, isTensorLike, noExtraArgs } from '../util/check.js';

/** The options object of a loss module; PyTorch's positional class `weight` (a Tensor) is not supported. */
function lossOptions<T extends object>(fn: string, args: readonly unknown[], keys: readonly string[]): Partial<T> {
  if (isTensorLike(args[0])) throw new ArgumentError(fn, 'weight', 'class weights (PyTorch\'s first argument, weight) are not supported');
  noExtraArgs(fn, args, 1, `one options object { ${keys.join(', ')} }`);
  return checkOptions<T>(fn, args[0], keys);
}

/** (logits [N, C], labels int32 [N] or probabilities [N, C]) → scalar loss (or [N] with reduction 'none'). */
export class CrossEntropyLoss extends Module {
  readonly reduction: Reduction;
  readonly labelSmoothing: number;
  readonly ignoreIndex: number;
  constructor(opts?: CrossEntropyOptions);
  constructor(...args: unknown[]) {
    super();
    const o = lossOptions<CrossEntropyOptions>('CrossEntropyLoss', args, ['reduction', 'labelSmoothing', 'ignoreIndex']);
    this.reduction = reductionArg('CrossEntropyLoss', o.reduction) ?? 'mean';
    this.labelSmoothing = o.labelSmoothing === undefined ? 0 : probArg('CrossEntropyLoss', 'labelSmoothing', o.labelSmoothing);
    this.ignoreIndex = o.ignoreIndex === undefined ? -100 : expectInt('CrossEntropyLoss', 'ignoreIndex', o.ignoreIndex);
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
  readonly opts: { reduction?: Reduction; ignoreIndex?: number };
  constructor(opts?: { reduction?: Reduction; ignoreIndex?: number });
  constructor(...args: unknown[]) {
    super();
    const o = lossOptions<{ reduction?: Reduction; ignoreIndex?: number }>('NLLLoss', args, ['reduction', 'ignoreIndex']);
    this.opts = {};
    const r = reductionArg('NLLLoss', o.reduction);
    if (r !== undefined) this.opts.reduction = r;
    if (o.ignoreIndex !== undefined) this.opts.ignoreIndex = expectInt('NLLLoss', 'ignoreIndex', o.ignoreIndex);
  }
  forward(input: Tensor, target: Tensor): Tensor { return nllLoss(input, target, this.opts); }
}

/** (input, target) of equal shape → mean squared error (or elementwise with reduction 'none'). */
export class MSELoss extends Module {
  readonly reduction: Reduction;
  constructor(opts?: { reduction?: Reduction });
  constructor(...args: unknown[]) {
    super();
    this.reduction = reductionArg('MSELoss', lossOptions<{ reduction?: Reduction }>('MSELoss', args, ['reduction']).reduction) ?? 'mean';
  }
  forward(input: Tensor, target: Tensor): Tensor { return mseLoss(input, target, { reduction: this.reduction }); }
}
