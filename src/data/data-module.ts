/** d2l's DataModule: a dataset that hands the Trainer its train and validation loaders (re-exported from train/). */
import type { Tensor } from '../tensor/tensor.js';

/** A re-iterable source of batches [X, ..., y] with a batch count, like a torch DataLoader. */
export interface BatchSource extends Iterable<Tensor[]> {
  readonly length: number;
}

/** Subclasses implement `getDataloader(train)`; the Trainer calls `trainDataloader()`/`valDataloader()`. */
export abstract class DataModule {
  /** The loader for the training (true) or validation (false) split. */
  abstract getDataloader(train: boolean): BatchSource;
  /** Training batches, reshuffled each epoch. */
  trainDataloader(): BatchSource { return this.getDataloader(true); }
  /** Validation batches, or null when there is no validation split. */
  valDataloader(): BatchSource | null { return this.getDataloader(false); }
}
