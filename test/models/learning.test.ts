/**
 * Learning check per model family: a reduced-width instance, trained the d2l way
 * (configureOptimizers → SGD, trainingStep → cross-entropy) on 16 real Fashion-MNIST images for a
 * few steps, fits them better than at initialisation. The loss is measured on the same 16 images
 * before and after, in train mode with Dropout off (BatchNorm on batch statistics), so both numbers
 * are deterministic. Small sizes keep each case around a second on the reference backend.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/tensor/tensor.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { Dropout } from '../../src/nn/dropout.js';
import { FashionMNIST } from '../../src/data/fashion-mnist.js';
import { initCnn } from '../../src/train/init-cnn.js';
import type { Classifier } from '../../src/train/classifier.js';
import { AlexNet } from '../../src/models/alexnet.js';
import { VGG } from '../../src/models/vgg.js';
import { NiN } from '../../src/models/nin.js';
import { GoogLeNet } from '../../src/models/googlenet.js';
import { ResNet } from '../../src/models/resnet.js';
import { DenseNet } from '../../src/models/densenet.js';
import { AnyNet } from '../../src/models/regnet.js';

const N = 16;
const batches = new Map<number, [Tensor, Tensor]>();

before(() => {
  // AlexNet and NiN need at least 67×67 for their stride-4 11×11 conv and three 3×3/2 pools.
  for (const r of [16, 67]) {
    const data = new FashionMNIST({ batchSize: N, resize: r, limitTrain: N, limitTest: 1 });
    batches.set(r, data.train.batch(Array.from({ length: N }, (_, i) => i)));
  }
});

function fitLoss(model: Classifier, X: Tensor, y: Tensor): number {
  model.train();
  for (const m of model.modules()) if (m instanceof Dropout) m.eval();
  return noGrad(() => model.loss(model.call(X), y).item());
}

interface Case { name: string; make: () => Classifier; resize: number; steps: number }

const cases: Case[] = [
  { name: 'AlexNet (channels 8…24, hidden 64)', make: () => new AlexNet({ lr: 0.1, channels: [8, 16, 24, 24, 16], hidden: 64 }), resize: 67, steps: 10 },
  { name: 'VGG (arch [[1, 8], [1, 16], [2, 16]], hidden 64)', make: () => new VGG({ arch: [[1, 8], [1, 16], [2, 16]], hidden: 64, lr: 0.1 }), resize: 16, steps: 10 },
  { name: 'NiN (channels 8, 16, 24)', make: () => new NiN({ lr: 0.3, channels: [8, 16, 24] }), resize: 67, steps: 10 },
  { name: 'GoogLeNet (widthDivisor 8)', make: () => new GoogLeNet({ lr: 0.1, widthDivisor: 8 }), resize: 16, steps: 10 },
  { name: 'ResNet (arch [[1, 64], [1, 32]])', make: () => new ResNet({ arch: [[1, 64], [1, 32]], lr: 0.05 }), resize: 16, steps: 5 },
  { name: 'DenseNet (growthRate 8, arch [2, 2])', make: () => new DenseNet({ growthRate: 8, arch: [2, 2], lr: 0.1 }), resize: 16, steps: 5 },
  { name: 'AnyNet / ResNeXt blocks (arch [[1, 16, 8, 1], [1, 32, 8, 0.5]])', make: () => new AnyNet({ arch: [[1, 16, 8, 1], [1, 32, 8, 0.5]], stemChannels: 8, lr: 0.1 }), resize: 16, steps: 5 },
];

describe('each model family learns: loss on 16 Fashion-MNIST images falls by ≥ 5% in a few SGD steps', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.steps} steps at ${c.resize}×${c.resize}`, (t) => {
      const [X, y] = batches.get(c.resize)!;
      manualSeed(0);
      const model = c.make();
      model.applyInit([X], initCnn);
      const opt = model.configureOptimizers();
      const before = fitLoss(model, X, y);
      for (let i = 0; i < c.steps; i++) {
        model.train();
        const l = model.trainingStep([X, y]);
        assert.ok(Number.isFinite(l.item()), `step ${i}: loss ${l.item()}`);
        opt.zeroGrad();
        l.backward();
        opt.step();
      }
      const after = fitLoss(model, X, y);
      t.diagnostic(`loss ${before.toFixed(4)} → ${after.toFixed(4)}`);
      assert.ok(after < 0.95 * before, `loss ${before.toFixed(4)} → ${after.toFixed(4)}`);
    });
  }
});
