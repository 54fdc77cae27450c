/** End to end: an MLP with every nn layer trains with SGD and Adam, and eval mode is deterministic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sequential } from '../../src/nn/container.js';
import { Flatten } from '../../src/nn/flatten.js';
import { LazyLinear, Linear } from '../../src/nn/linear.js';
import { ReLU } from '../../src/nn/activation.js';
import { Dropout } from '../../src/nn/dropout.js';
import { BatchNorm1d, LazyBatchNorm1d } from '../../src/nn/batchnorm.js';
import { CrossEntropyLoss } from '../../src/nn/loss.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam } from '../../src/optim/adam.js';
import type { Optimizer } from '../../src/optim/optimizer.js';
import { randn, tensor } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { noGrad } from '../../src/autograd/grad-mode.js';

function data(): { X: ReturnType<typeof randn>; y: ReturnType<typeof tensor> } {
  // Three Gaussian blobs in 2×2 "images".
  const X = randn(60, 1, 2, 2);
  const labels: number[] = [];
  for (let i = 0; i < 60; i++) {
    const c = i % 3;
    labels.push(c);
    X.data[i * 4 + c] += 3;
  }
  return { X, y: tensor(labels, { dtype: 'int32' }) };
}

for (const which of ['SGD', 'Adam'] as const) {
  test(`MLP (Flatten, LazyLinear, BatchNorm1d, ReLU, Dropout, Linear) trains with ${which}`, () => {
    manualSeed(30);
    const { X, y } = data();
    const net = new Sequential(new Flatten(), new LazyLinear(16), new LazyBatchNorm1d(), new ReLU(), new Dropout(0.1), new Linear(16, 3));
    net.call(X); // materialise lazy layers before building the optimiser (d2l's apply_init)
    const opt: Optimizer<object> = which === 'SGD' ? new SGD(net.parameters(), { lr: 0.1, momentum: 0.9 }) : new Adam(net.parameters(), { lr: 0.01 });
    const lossFn = new CrossEntropyLoss();
    const first = lossFn.call(net.call(X), y).item();
    for (let i = 0; i < 40; i++) {
      opt.zeroGrad();
      lossFn.call(net.call(X), y).backward();
      opt.step();
    }
    net.eval();
    const logits = noGrad(() => net.call(X));
    const again = noGrad(() => net.call(X));
    assert.deepEqual([...logits.data], [...again.data], 'eval mode is deterministic');
    const acc = logits.argmax(1).eq(y).float().mean().item();
    const last = lossFn.call(logits, y).item();
    assert.ok(last < first * 0.5 && acc > 0.9, `loss ${first} → ${last}, accuracy ${acc}`);
    assert.equal((net.at(2) as BatchNorm1d).numBatchesTracked!.item(), 42, "1 materialising pass + 1 initial loss + 40 steps");
  });
}
