/**
 * d2l 7.6 (LeNet), cell by cell, and the section's exercise (modernised LeNet: ReLU + max-pool):
 *   7.6.1  model = LeNet(); model.layer_summary((1, 1, 28, 28))
 *   7.6.2  trainer = d2l.Trainer(max_epochs=10); data = d2l.FashionMNIST(batch_size=128)
 *          model = LeNet(lr=0.1); model.apply_init([next(iter(data.get_dataloader(True)))[0]], init_cnn)
 *          trainer.fit(model, data)
 * Run: node dist/examples/ch07/lenet.js [epochs] [limitTrain] [limitTest] [classic|modern]
 * (defaults: 10, all, all, classic). Writes the curves d2l draws inline to lenet-curves.svg.
 */
import { writeFileAtomic } from '../../src/io/atomic.js';
import { LeNet } from '../../src/models/lenet.js';
import { FashionMNIST } from '../../src/data/fashion-mnist.js';
import { Trainer, initCnn, type EpochRecord } from '../../src/train/index.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { runIfMain } from './cells.js';

/** What to run: epochs, data limits (quick runs), which LeNet, where the SVG goes (null: nowhere). */
export interface LeNetExampleOptions {
  epochs?: number; limitTrain?: number; limitTest?: number;
  variant?: 'classic' | 'modern'; plot?: string | null; seed?: number;
}

/** Print the 7.6.1 summary, train as in 7.6.2, print a line per epoch; returns the summary lines and the epoch records. */
export function main(opts: LeNetExampleOptions = {}, log: (s: string) => void = console.log): { summary: string[]; history: EpochRecord[] } {
  const variant = opts.variant ?? 'classic';
  manualSeed(opts.seed ?? 0);

  // 7.6.1: model = LeNet(); model.layer_summary((1, 1, 28, 28))
  const summary = new LeNet({ variant }).layerSummary([1, 1, 28, 28], log);

  // 7.6.2: training
  const trainer = new Trainer({
    maxEpochs: opts.epochs ?? 10,
    verbose: false, // this example prints its own epoch lines
    callbacks: { onEpochEnd: (r) => log(`epoch ${r.epoch}: train loss ${r.trainLoss.toFixed(4)}, val loss ${r.val.loss!.toFixed(4)}, val acc ${r.val.acc!.toFixed(4)}, ${r.imagesPerSec.toFixed(0)} img/s`) },
  });
  const data = new FashionMNIST({
    batchSize: 128,
    ...(opts.limitTrain !== undefined ? { limitTrain: opts.limitTrain } : {}),
    ...(opts.limitTest !== undefined ? { limitTest: opts.limitTest } : {}),
  });
  const model = new LeNet({ lr: 0.1, variant });
  const first = data.getDataloader(true)[Symbol.iterator]().next();
  if (first.done === true) throw new Error('lenet example: the training loader yields no batches');
  model.applyInit([first.value[0]!], initCnn);
  const history = trainer.fit(model, data);
  const plot = opts.plot === undefined ? 'lenet-curves.svg' : opts.plot;
  if (plot !== null) {
    writeFileAtomic(plot, Buffer.from(model.board.toSvg(), 'utf8'));
    log(`curves written to ${plot}`);
  }
  return { summary, history };
}

function cli(): void {
  const [epochs = '10', limitTrain, limitTest, variant = 'classic'] = process.argv.slice(2);
  const num = (name: string, s: string | undefined): number | undefined => {
    if (s === undefined) return undefined;
    if (!/^\d+$/.test(s)) throw new Error(`lenet example: ${name} must be a non-negative integer (got '${s}')`);
    return Number(s);
  };
  if (variant !== 'classic' && variant !== 'modern') throw new Error(`lenet example: variant must be classic or modern (got '${variant}')`);
  main({ epochs: num('epochs', epochs)!, limitTrain: num('limitTrain', limitTrain), limitTest: num('limitTest', limitTest), variant });
}

runIfMain(import.meta.url, cli);
