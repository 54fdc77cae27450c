/** d2l's Classifier: cross-entropy loss, accuracy, and a validation step that records both. */
import type { Tensor } from '../tensor/tensor.js';
import { crossEntropy } from '../nn/functional.js';
import { releaseTemporary, scoped } from '../tensor/lifetime.js';
import { Module } from './module.js';
import type { StepMetrics } from './types.js';

/** A d2l Module for classification: logits [N, C] (or [..., C]) against integer labels [N]. */
export abstract class Classifier extends Module {
  /** Mean (or per-example, averaged=false) cross-entropy; yHat: [..., C], y: [...] int. */
  loss(yHat: Tensor, y: Tensor, averaged = true): Tensor {
    const C = yHat.shape[yHat.ndim - 1]!;
    return scoped('Classifier.loss', () => crossEntropy(yHat.reshape(-1, C), y.reshape(-1), { reduction: averaged ? 'mean' : 'none' }));
  }

  /** Fraction (or per-example 0/1, averaged=false) of rows whose argmax equals the label. */
  accuracy(yHat: Tensor, y: Tensor, averaged = true): Tensor {
    const C = yHat.shape[yHat.ndim - 1]!;
    return scoped('Classifier.accuracy', () => {
      const preds = yHat.reshape(-1, C).argmax(1).to(y.dtype);
      const compare = preds.eq(y.reshape(-1)).float();
      return averaged ? compare.mean() : compare;
    });
  }

  /** Records val_loss and val_acc; returns `{loss, acc}` for this batch. */
  override validationStep(batch: Tensor[]): StepMetrics {
    const y = batch[batch.length - 1]!;
    const yHat = this.call(...batch.slice(0, -1));
    const lossT = this.loss(yHat, y), accT = this.accuracy(yHat, y);
    const loss = lossT.item(), acc = accT.item();
    // This step made them and only their values leave it: their memory goes back now.
    for (const t of new Set([lossT, accT, yHat])) if (!batch.includes(t)) releaseTemporary(t, 'a tensor of a finished validation step');
    this.plot('loss', loss, false);
    this.plot('acc', acc, false);
    return { loss, acc };
  }
}
