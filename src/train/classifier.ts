/** d2l's Classifier: cross-entropy loss, accuracy, and a validation step that records both. */
import type { Tensor } from '../tensor/tensor.js';
import { crossEntropy } from '../nn/functional.js';
import { Module } from './module.js';
import type { StepMetrics } from './types.js';

/** A d2l Module for classification: logits [N, C] (or [..., C]) against integer labels [N]. */
export abstract class Classifier extends Module {
  /** Mean (or per-example, averaged=false) cross-entropy; yHat: [..., C], y: [...] int. */
  loss(yHat: Tensor, y: Tensor, averaged = true): Tensor {
    const C = yHat.shape[yHat.ndim - 1]!;
    return crossEntropy(yHat.reshape(-1, C), y.reshape(-1), { reduction: averaged ? 'mean' : 'none' });
  }

  /** Fraction (or per-example 0/1, averaged=false) of rows whose argmax equals the label. */
  accuracy(yHat: Tensor, y: Tensor, averaged = true): Tensor {
    const C = yHat.shape[yHat.ndim - 1]!;
    const preds = yHat.reshape(-1, C).argmax(1).to(y.dtype);
    const compare = preds.eq(y.reshape(-1)).float();
    return averaged ? compare.mean() : compare;
  }

  /** Records val_loss and val_acc; returns `{loss, acc}` for this batch. */
  override validationStep(batch: Tensor[]): StepMetrics {
    const yHat = this.call(...batch.slice(0, -1));
    const y = batch[batch.length - 1]!;
    const loss = this.loss(yHat, y).item(), acc = this.accuracy(yHat, y).item();
    this.plot('loss', loss, false);
    this.plot('acc', acc, false);
    return { loss, acc };
  }
}
