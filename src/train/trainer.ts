/**
 * d2l's Trainer: `fit(model, data)` → `prepareData`, `prepareModel`, `configureOptimizers`, then
 * `fitEpoch()` per epoch (train batches, then validation under noGrad). Beyond d2l it stops with a
 * clear error when the loss stops being finite, times each epoch, and reports epochs to callbacks
 * (the CLI's progress bar, JSON records) and in `history`.
 */
import { noGrad } from '../autograd/grad-mode.js';
import type { Tensor } from '../tensor/tensor.js';
import { releaseTemporary, scoped } from '../tensor/lifetime.js';
import type { Module } from './module.js';
import type { DataModule } from './data-module.js';
import type { BatchSource, Optimizer, StepMetrics } from './types.js';

/** What one finished epoch measured. `epoch` counts from 1. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  /** Validation metrics averaged over examples, e.g. `{loss, acc}`; empty without a validation loader. */
  val: StepMetrics;
  trainExamples: number;
  /** Wall time of the training part, and of the whole epoch including validation. */
  trainSeconds: number;
  seconds: number;
  /** Training throughput, examples per second. */
  imagesPerSec: number;
}

/** Progress of the running epoch after each training batch. */
export interface BatchInfo {
  epoch: number; batch: number; numBatches: number;
  loss: number; runningLoss: number; examples: number; seconds: number;
}

/** Hooks the Trainer calls after each training batch and each finished epoch. */
export interface TrainerCallbacks {
  onBatchEnd?(info: BatchInfo): void;
  onEpochEnd?(rec: EpochRecord): void;
}

/** d2l's Trainer(max_epochs, gradient_clip_val) plus callbacks. */
export interface TrainerOptions {
  maxEpochs: number;
  /** Rescale gradients whose global L2 norm exceeds this (0 or absent: off), like d2l's clip_gradients. */
  gradientClipVal?: number;
  callbacks?: TrainerCallbacks;
}

/** Resume support for `fit`: a restored optimiser and the epochs already done. */
export interface FitOptions {
  /** Use this optimiser instead of `model.configureOptimizers()` (e.g. one restored from a checkpoint). */
  optimizer?: Optimizer;
  /** Epochs already done (resume): training runs epochs startEpoch+1 … maxEpochs. */
  startEpoch?: number;
}

/**
 * The loss became NaN or ±Inf; names where. `phase` 'validation': the epoch's training losses were
 * finite but its last optimiser steps left parameters that give a non-finite validation loss (in
 * the last epoch nothing else would notice).
 */
export class NonFiniteLossError extends Error {
  constructor(readonly epoch: number, readonly batch: number, readonly numBatches: number, readonly value: number,
              readonly phase: 'training' | 'validation' = 'training') {
    super(`Trainer: ${phase} loss became ${value} at epoch ${epoch}, ${phase === 'validation' ? 'validation ' : ''}batch ` +
      `${batch} of ${numBatches}; stopping (try a smaller learning rate, or gradient clipping: gradientClipVal, --grad-clip)`);
    this.name = 'NonFiniteLossError';
  }
}

/** Fits a d2l Module to a DataModule for `maxEpochs` epochs. */
export class Trainer {
  readonly maxEpochs: number;
  readonly gradientClipVal: number;
  callbacks: TrainerCallbacks;
  /** Current epoch, 0-based while running (d2l's convention; plots use epoch + 1). */
  epoch = 0;
  trainBatchIdx = 0;
  valBatchIdx = 0;
  numTrainBatches = 0;
  numValBatches = 0;
  trainDataloader: BatchSource | null = null;
  valDataloader: BatchSource | null = null;
  model: Module | null = null;
  optim: Optimizer | null = null;
  /** One record per finished epoch of the last fit. */
  readonly history: EpochRecord[] = [];

  constructor(opts: TrainerOptions) {
    if (!Number.isInteger(opts.maxEpochs) || opts.maxEpochs < 0) throw new Error(`Trainer: maxEpochs must be a non-negative integer (got ${opts.maxEpochs})`);
    const clip = opts.gradientClipVal ?? 0;
    if (!(clip >= 0)) throw new Error(`Trainer: gradientClipVal must be >= 0 (got ${clip})`);
    this.maxEpochs = opts.maxEpochs;
    this.gradientClipVal = clip;
    this.callbacks = opts.callbacks ?? {};
  }

  /** Take the data module's loaders and count their batches. */
  prepareData(data: DataModule): void {
    this.trainDataloader = data.trainDataloader();
    this.valDataloader = data.valDataloader();
    this.numTrainBatches = this.trainDataloader.length;
    this.numValBatches = this.valDataloader?.length ?? 0;
    if (this.numTrainBatches === 0) throw new Error('Trainer: the training loader yields no batches (dataset smaller than one batch with dropLast?)');
  }

  /** Attach the model (it plots through `model.trainer`). */
  prepareModel(model: Module): void {
    model.trainer = this;
    model.board.xlim = [0, this.maxEpochs];
    this.model = model;
  }

  /** Train `model` on `data`; returns the per-epoch records. */
  fit(model: Module, data: DataModule, opts: FitOptions = {}): EpochRecord[] {
    this.prepareData(data);
    this.prepareModel(model);
    this.optim = opts.optimizer ?? model.configureOptimizers();
    const start = opts.startEpoch ?? 0;
    if (!Number.isInteger(start) || start < 0) throw new Error(`Trainer: startEpoch must be a non-negative integer (got ${start})`);
    this.history.length = 0;
    this.trainBatchIdx = start * this.numTrainBatches;
    this.valBatchIdx = start * this.numValBatches;
    for (this.epoch = start; this.epoch < this.maxEpochs; this.epoch++) {
      const rec = this.fitEpoch();
      this.history.push(rec);
      this.callbacks.onEpochEnd?.(rec);
    }
    return this.history;
  }

  /** One pass over the training loader, then one over the validation loader. */
  fitEpoch(): EpochRecord {
    const model = this.model, optim = this.optim, loader = this.trainDataloader;
    if (model === null || optim === null || loader === null) throw new Error('Trainer.fitEpoch: call fit() (or prepareData/prepareModel and set optim) first');
    const t0 = performance.now();
    model.train();
    let lossSum = 0, examples = 0, batch = 0;
    for (const b of loader) {
      batch++;
      const loss = model.trainingStep(b);
      const l = loss.item();
      if (!Number.isFinite(l)) throw new NonFiniteLossError(this.epoch + 1, batch, this.numTrainBatches, l);
      optim.zeroGrad();
      loss.backward();
      // The step's loss is the Trainer's (trainingStep returned it): its memory goes back now.
      releaseTemporary(loss, 'the loss of a finished Trainer step');
      if (this.gradientClipVal > 0) this.clipGradients(this.gradientClipVal, model);
      optim.step();
      this.trainBatchIdx++;
      const n = batchSize(b);
      lossSum += l * n; examples += n;
      this.callbacks.onBatchEnd?.({
        epoch: this.epoch + 1, batch, numBatches: this.numTrainBatches, loss: l,
        runningLoss: lossSum / examples, examples, seconds: (performance.now() - t0) / 1000,
      });
    }
    const t1 = performance.now();
    const val: StepMetrics = {};
    if (this.valDataloader !== null) {
      model.eval();
      const sums: Record<string, number> = {};
      let vn = 0, vb = 0;
      noGrad(() => {
        for (const b of this.valDataloader!) {
          const m = model.validationStep(b), n = batchSize(b);
          vb++;
          if (m['loss'] !== undefined && !Number.isFinite(m['loss'])) {
            throw new NonFiniteLossError(this.epoch + 1, vb, this.numValBatches, m['loss'], 'validation');
          }
          for (const [k, v] of Object.entries(m)) sums[k] = (sums[k] ?? 0) + v * n;
          vn += n;
          this.valBatchIdx++;
        }
      });
      for (const [k, s] of Object.entries(sums)) val[k] = s / vn;
      model.train();
    }
    const t2 = performance.now();
    const trainSeconds = (t1 - t0) / 1000;
    return {
      epoch: this.epoch + 1, trainLoss: lossSum / examples, val, trainExamples: examples,
      trainSeconds, seconds: (t2 - t0) / 1000, imagesPerSec: examples / Math.max(trainSeconds, 1e-9),
    };
  }

  /** Scale all gradients by gradClipVal / ‖g‖ when the global norm ‖g‖ exceeds gradClipVal (backend kernels). */
  clipGradients(gradClipVal: number, model: Module): number {
    const grads = model.parameters().map((p) => p.gradInternal).filter((g): g is Tensor => g !== null);
    const norm = noGrad(() => scoped('Trainer.clipGradients', () => {
      let sq = 0;
      for (const g of grads) sq += g.square().sum().item();
      const n = Math.sqrt(sq);
      if (n > gradClipVal) for (const g of grads) g.mul_(gradClipVal / n);
      return n;
    }));
    return norm;
  }
}

function batchSize(b: Tensor[]): number {
  const X = b[0];
  return X === undefined || X.ndim === 0 ? 1 : X.shape[0]!;
}
