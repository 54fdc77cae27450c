/** The small contracts the d2l toolkit needs from optimisers and data (structural, so any optimiser fits). */
import type { Tensor } from '../tensor/tensor.js';

/** What the Trainer calls on an optimiser (torch.optim's step/zero_grad). */
export interface Optimizer {
  step(): void;
  zeroGrad(): void;
}

export type { BatchSource } from '../data/data-module.js';

/** Per-batch metrics a validation step reports (e.g. `{loss, acc}`), averaged by the Trainer. */
export type StepMetrics = Record<string, number>;
