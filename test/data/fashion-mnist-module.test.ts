import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FashionMNIST, ImageDataset } from '../../src/data/fashion-mnist.js';
import { FASHION_MNIST_LABELS, loadFashionMnistSplit } from '../../src/data/fashion-mnist-files.js';
import { resizeBilinear } from '../../src/data/resize.js';
import { manualSeed } from '../../src/tensor/rng.js';

test('FashionMNIST: limited splits, [B, 1, 28, 28] float32 in [0, 1] with int32 labels, d2l batch counts', () => {
  const data = new FashionMNIST({ batchSize: 64, limitTrain: 300, limitTest: 100 });
  assert.equal(data.train.length, 300);
  assert.equal(data.val.length, 100);
  const tr = data.trainDataloader(), va = data.valDataloader()!;
  assert.equal(tr.length, 5);
  assert.equal(va.length, 2);
  const [X, y] = [...va][0]!;
  assert.deepEqual([X!.shape.slice(), X!.dtype, y!.shape.slice(), y!.dtype], [[64, 1, 28, 28], 'float32', [64], 'int32']);
  let lo = Infinity, hi = -Infinity;
  for (const v of X!.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  assert.ok(lo >= 0 && hi <= 1 && hi > 0.5, `pixel range ${lo}..${hi}`);
  // The validation loader is in file order: its labels are the test split's first labels.
  const raw = loadFashionMnistSplit('test');
  assert.deepEqual(Array.from(y!.data), Array.from(raw.labels.subarray(0, 64)));
  assert.equal(X!.data[300], Math.fround(raw.images[300]! / 255));
});

test('FashionMNIST: training batches are reshuffled each epoch and cover the split', () => {
  manualSeed(1);
  const data = new FashionMNIST({ batchSize: 50, limitTrain: 200, limitTest: 10 });
  const epoch = (): number[] => [...data.trainDataloader()].flatMap(([, y]) => Array.from(y!.data));
  const a = epoch(), b = epoch();
  assert.equal(a.length, 200);
  assert.notDeepEqual(a, b);
  assert.deepEqual([...a].sort(), [...b].sort());
  assert.deepEqual([...a].sort(), Array.from(data.train.labels).sort());
});

test('FashionMNIST resize: bilinear up to 32x32 once up front; per-batch resizing (large splits) gives the same pixels', () => {
  const data = new FashionMNIST({ batchSize: 8, resize: 32, limitTrain: 16, limitTest: 8 });
  const [X] = data.val.batch([0, 5]);
  assert.deepEqual(X.shape, [2, 1, 32, 32]);
  const raw = loadFashionMnistSplit('test');
  const ref = resizeBilinear(raw.images.subarray(5 * 784, 6 * 784), 1, 28, 28, 32, 32);
  for (let i = 0; i < 1024; i++) assert.ok(Math.abs(X.data[1024 + i]! - ref[i]! / 255) < 1e-6, `pixel ${i}`);
  const lazy = new ImageDataset(data.val.images, data.val.labels, 28, 28, 32, 32, 0);
  assert.deepEqual(Array.from(lazy.batch([0, 5])[0].data), Array.from(X.data));
  assert.deepEqual(new FashionMNIST({ resize: [40, 36], limitTrain: 1, limitTest: 1 }).val.batch([0])[0].shape, [1, 1, 40, 36]);
});

test('FashionMNIST.textLabels and bad options', () => {
  const data = new FashionMNIST({ limitTrain: 1, limitTest: 1 });
  assert.deepEqual(data.textLabels([0, 9]), [FASHION_MNIST_LABELS[0], FASHION_MNIST_LABELS[9]]);
  assert.equal(data.textLabels(data.val.batch([0])[1])[0], FASHION_MNIST_LABELS[data.val.labels[0]!]);
  assert.throws(() => data.textLabels([10]), /10 is not a Fashion-MNIST class index/);
  assert.throws(() => new FashionMNIST({ batchSize: 0 }), /batchSize must be a positive integer/);
  assert.throws(() => new FashionMNIST({ resize: 0 }), /resize must be positive integers/);
  assert.throws(() => new FashionMNIST({ limitTrain: 2.5 }), /limitTrain must be a positive integer/);
});
