/**
 * d2l's `Module`: an nn.Module that owns its network (`this.net`), its loss, its optimiser choice
 * and a ProgressBoard, so `Trainer.fit(model, data)` needs nothing else. Call order, as in d2l:
 * `Trainer.fit` → `configureOptimizers()`, then per batch `trainingStep(batch)` and, per epoch,
 * `validationStep(batch)` under noGrad.
 */
import { Module as NnModule } from '../nn/module.js';
import { Sequential } from '../nn/container.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../shape/index.js';
import { randn } from '../tensor/creation.js';
import { noGrad } from '../autograd/grad-mode.js';
import { releaseTemporary, scoped } from '../tensor/lifetime.js';
import { SGD } from '../optim/sgd.js';
import { ProgressBoard } from './progress-board.js';
import type { Optimizer, StepMetrics } from './types.js';
import type { Trainer } from './trainer.js';

/** d2l Module hyperparameters: learning rate and how often per epoch train/val points are plotted. */
export interface ModuleOptions { lr?: number; plotTrainPerEpoch?: number; plotValidPerEpoch?: number }

/** Base of d2l models: subclasses set `this.net` and implement `loss(yHat, y)`. */
export abstract class Module extends NnModule {
  /** The network; `forward(X)` is `net(X)`. Declared, not initialised, so the subclass's assignment registers it. */
  declare net: NnModule;
  /** Learning rate used by the default `configureOptimizers`. */
  lr: number;
  plotTrainPerEpoch: number;
  plotValidPerEpoch: number;
  /** Curves drawn during `fit` (train_loss, val_loss, val_acc for a Classifier). */
  board = new ProgressBoard({ xlabel: 'epoch' });
  /** Set by `Trainer.prepareModel`; plot() reads batch counters from it. */
  trainer: Trainer | null = null;

  constructor(opts: ModuleOptions = {}) {
    super();
    this.lr = opts.lr ?? 0.1;
    this.plotTrainPerEpoch = opts.plotTrainPerEpoch ?? 2;
    this.plotValidPerEpoch = opts.plotValidPerEpoch ?? 1;
  }

  /** Scalar loss of predictions `yHat` against targets `y`. */
  abstract loss(yHat: Tensor, y: Tensor): Tensor;

  /** X → net(X). */
  forward(...inputs: Tensor[]): Tensor {
    if (this.net === undefined) throw new Error(`${this.constructor.name}: set this.net in the constructor or override forward()`);
    return this.net.call(...inputs);
  }

  /** Record `value` under `train_<key>` / `val_<key>` at d2l's x positions (fractional epochs for train). */
  plot(key: string, value: number, train: boolean): void {
    const t = this.trainer;
    if (t === null) return;
    if (train) {
      this.board.draw(t.trainBatchIdx / t.numTrainBatches, value, `train_${key}`, t.numTrainBatches / this.plotTrainPerEpoch);
    } else {
      this.board.draw(t.epoch + 1, value, `val_${key}`, t.numValBatches / this.plotValidPerEpoch);
    }
  }

  /** batch = [X..., y] → scalar loss (with graph), plotted as train_loss. */
  trainingStep(batch: Tensor[]): Tensor {
    const yHat = this.call(...batch.slice(0, -1));
    const l = this.loss(yHat, lastOf(batch));
    // The predictions were only the loss's input: their memory goes back now (the graph keeps what backward needs).
    if (yHat !== l && !batch.includes(yHat)) releaseTemporary(yHat, 'the predictions inside Module.trainingStep');
    this.plot('loss', l.item(), true);
    return l;
  }

  /** batch = [X..., y] → metrics plotted as val_* (d2l returns nothing; returning them lets the Trainer report epochs). */
  validationStep(batch: Tensor[]): StepMetrics {
    const yHat = this.call(...batch.slice(0, -1));
    const lossT = this.loss(yHat, lastOf(batch));
    const l = lossT.item();
    // This step made them and only their values leave it: their memory goes back now.
    for (const t of new Set([lossT, yHat])) if (!batch.includes(t)) releaseTemporary(t, 'a tensor of a finished validation step');
    this.plot('loss', l, false);
    return { loss: l };
  }

  /** SGD over all parameters with `this.lr`. */
  configureOptimizers(): Optimizer {
    return new SGD(this.parameters(), { lr: this.lr });
  }

  /** Run one forward pass on `inputs` (materialising lazy layers), then `net.apply(init)` if given. */
  applyInit(inputs: Tensor[], init?: (m: NnModule) => void): void {
    const out = noGrad(() => this.forward(...inputs));
    if (!inputs.includes(out)) releaseTemporary(out, 'the output of the dummy forward pass of applyInit');
    if (init !== undefined) this.net.apply(init);
  }

  /**
   * Feed randn(xShape) through each layer of `net` and print d2l's table, one line per layer:
   * `Conv2d output shape:\t torch.Size([1, 6, 28, 28])`. Returns the lines.
   */
  layerSummary(xShape: readonly number[], print: (line: string) => void = console.log): string[] {
    const lines: string[] = [];
    // The probe tensors are released when the summary is done.
    noGrad(() => scoped('layerSummary', () => {
      let X = randn(xShape.slice());
      // d2l iterates `for layer in self.net` (every position of a Sequential, repeats included).
      const layers = this.net instanceof Sequential ? this.net.layers() : this.net.children();
      for (const layer of layers) {
        X = layer.call(X);
        const line = `${layerClassName(layer)} output shape:\t torch.Size(${formatShape(X.shape)})`;
        lines.push(line);
        print(line);
      }
    }));
    return lines;
  }
}

/** The class name PyTorch would print: a materialised `LazyConv2d` reports itself as `Conv2d`. */
export function layerClassName(m: NnModule): string {
  const n = m.constructor.name;
  return n.startsWith('Lazy') && n.length > 4 ? n.slice(4) : n;
}

function lastOf(batch: Tensor[]): Tensor {
  const y = batch[batch.length - 1];
  if (y === undefined || batch.length < 2) throw new Error(`step: a batch must be [X, ..., y] (got ${batch.length} tensor(s))`);
  return y;
}
