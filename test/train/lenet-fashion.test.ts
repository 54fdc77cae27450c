import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FashionMNIST } from '../../src/data/fashion-mnist.js';
import { LeNet } from '../../src/models/lenet.js';
import { Trainer, initCnn } from '../../src/train/index.js';
import { manualSeed } from '../../src/tensor/rng.js';

// Proof of learning on real data, kept small: 640 images, 2 epochs. The classic sigmoid LeNet
// needs several full epochs to leave chance with SGD 0.1 (as in d2l), so this uses the ReLU +
// max-pool variant, which learns within a few dozen steps.
test('LeNet (modern) learns Fashion-MNIST: loss falls and validation accuracy beats chance', () => {
  manualSeed(0);
  const data = new FashionMNIST({ batchSize: 32, limitTrain: 640, limitTest: 320 });
  const model = new LeNet({ lr: 0.1, variant: 'modern' });
  model.applyInit([data.train.batch([0, 1, 2, 3])[0]], initCnn);
  const losses: number[] = [];
  const trainer = new Trainer({ maxEpochs: 2, callbacks: { onBatchEnd: (b) => losses.push(b.loss) } });
  const hist = trainer.fit(model, data);
  const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
  const early = mean(losses.slice(0, 5)), late = mean(losses.slice(-5));
  assert.ok(late < early - 0.3, `batch loss ${early.toFixed(3)} → ${late.toFixed(3)}`);
  assert.ok(hist[1]!.trainLoss < hist[0]!.trainLoss, `epoch loss ${hist.map((r) => r.trainLoss)}`);
  assert.ok(hist[1]!.val.acc! > 0.25, `val acc ${hist[1]!.val.acc} (chance is 0.1)`);
});
