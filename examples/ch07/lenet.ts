/**
 * d2l 7.6 (LeNet), cell by cell: the layer summary, then
 *   trainer = d2l.Trainer(max_epochs=10); data = d2l.FashionMNIST(batch_size=128)
 *   model = LeNet(lr=0.1); model.apply_init([next(iter(data.get_dataloader(True)))[0]], init_cnn)
 *   trainer.fit(model, data)
 * Run: node dist/examples/ch07/lenet.js [epochs] [limitTrain] [limitTest]   (defaults: 10, all, all)
 * Pass `modern` as a fourth argument for the exercise's ReLU + max-pool variant.
 */
import { writeFileAtomic } from '../../src/io/atomic.js';
import { LeNet } from '../../src/models/lenet.js';
import { FashionMNIST } from '../../src/data/fashion-mnist.js';
import { Trainer, initCnn } from '../../src/train/index.js';
import { manualSeed } from '../../src/tensor/rng.js';

const [epochs = '10', limitTrain, limitTest, variant = 'classic'] = process.argv.slice(2);
manualSeed(0);

// 7.6.1: model.layer_summary((1, 1, 28, 28))
new LeNet({ variant: variant === 'modern' ? 'modern' : 'classic' }).layerSummary([1, 1, 28, 28]);

// 7.6.2: training
const data = new FashionMNIST({
  batchSize: 128,
  ...(limitTrain ? { limitTrain: Number(limitTrain) } : {}),
  ...(limitTest ? { limitTest: Number(limitTest) } : {}),
});
const model = new LeNet({ lr: 0.1, variant: variant === 'modern' ? 'modern' : 'classic' });
const first = data.getDataloader(true)[Symbol.iterator]().next();
if (first.done === true) throw new Error('no training data');
model.applyInit([first.value[0]], initCnn);
const trainer = new Trainer({
  maxEpochs: Number(epochs),
  callbacks: { onEpochEnd: (r) => console.log(`epoch ${r.epoch}: train loss ${r.trainLoss.toFixed(4)}, val loss ${r.val.loss!.toFixed(4)}, val acc ${r.val.acc!.toFixed(4)}, ${r.imagesPerSec.toFixed(0)} img/s`) },
});
trainer.fit(model, data);
writeFileAtomic('lenet-curves.svg', Buffer.from(model.board.toSvg(), 'utf8'));
console.log('curves written to lenet-curves.svg');
