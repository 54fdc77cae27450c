/**
 * The proof that ImageFolder reads what the IDX files hold: Fashion-MNIST written as PNG folders
 * (bench/fashion-mnist-png.ts: 6,000 training and 1,000 test images), then LeNet trained on the
 * folder by `convnet train --data` and on the IDX pixels by the library, same seed: the same
 * pixels, the same order, and bit-identical losses and accuracies.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { writeFashionPngs } from '../../bench/fashion-mnist-png.js';
import { loadFashionMnistSplit } from '../../src/data/fashion-mnist-files.js';
import { ImageDataset } from '../../src/data/fashion-mnist.js';
import { DataLoader } from '../../src/data/dataloader.js';
import { ImageFolder } from '../../src/data/node/image-folder.js';
import { ToTensor } from '../../src/data/transforms/transforms.js';
import { DataModule } from '../../src/train/data-module.js';
import { Trainer } from '../../src/train/trainer.js';
import { initCnn } from '../../src/train/init-cnn.js';
import { SGD } from '../../src/optim/sgd.js';
import { getModelSpec } from '../../src/models/index.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { tempDir } from '../helpers/images.js';

// One wasm thread in both runs: with two, the backend splits some kernels by measured timing, which can
// change the last bits of a validation loss from run to run (a backend property, not a data one).
process.env.CONVNET_WASM_THREADS = '1';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tmp = tempDir('convnet-fashion-png-');
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** An IDX split reordered into the folder's sample order. */
function idxDataset(split: 'train' | 'test', order: Int32Array): ImageDataset {
  const s = loadFashionMnistSplit(split);
  const images = new Uint8Array(order.length * 784), labels = new Int32Array(order.length);
  order.forEach((i, k) => { images.set(s.images.subarray(i * 784, (i + 1) * 784), k * 784); labels[k] = s.labels[i]!; });
  return new ImageDataset(images, labels, 28, 28, 28, 28);
}

class Loaders extends DataModule {
  constructor(private readonly tr: DataLoader, private readonly va: DataLoader) { super(); }
  getDataloader(train: boolean): DataLoader { return train ? this.tr : this.va; }
}

test('LeNet on the PNG folder (convnet train --data) repeats the IDX run bit for bit: pixels, order, losses, accuracy', async () => {
  const trainDir = path.join(tmp, 'train'), testDir = path.join(tmp, 'test');
  const trainOrder = await writeFashionPngs(trainDir, 'train', 6000);
  const testOrder = await writeFashionPngs(testDir, 'test', 1000);

  // Same pixels: the folder's samples are the IDX images in class order, as float32 x/255.
  const folder = new ImageFolder(trainDir, { channels: 1, transform: new ToTensor() });
  assert.equal(folder.length, 6000);
  assert.deepEqual(Array.from(folder.targets), Array.from(idxDataset('train', trainOrder).labels));
  const idxTrain = idxDataset('train', trainOrder), idxTest = idxDataset('test', testOrder);
  const probe = [0, 1, 2999, 5999];
  const [fromPng] = [...new DataLoader(new ImageFolder(trainDir, { channels: 1, transform: new ToTensor() }), { batchSize: 6000 })][0]!;
  const [fromIdx] = idxTrain.batch(Int32Array.from({ length: 6000 }, (_, i) => i));
  for (const k of probe) assert.deepEqual(Array.from(fromPng.data.slice(k * 784, (k + 1) * 784)), Array.from(fromIdx.data.slice(k * 784, (k + 1) * 784)), `image ${k}`);
  assert.deepEqual(Array.from(fromPng.data), Array.from(fromIdx.data), 'all 6,000 images');

  // The IDX run, as `convnet train lenet --seed 0 --epochs 1` would do it on these images in this order.
  manualSeed(0);
  const spec = getModelSpec('lenet');
  const model = spec.create({ lr: 0.1 });
  model.applyInit([idxTrain.batch(Int32Array.from({ length: 128 }, (_, i) => i))[0]], initCnn);
  const trainer = new Trainer({ maxEpochs: 2 });
  trainer.fit(model, new Loaders(new DataLoader(idxTrain, { batchSize: 128, shuffle: true }), new DataLoader(idxTest, { batchSize: 128 })),
    { optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0, weightDecay: 0 }) });
  const want = trainer.history.map((r) => ({ epoch: r.epoch, train_loss: r.trainLoss, val_loss: r.val.loss, val_acc: r.val.acc }));

  // The folder run through the CLI.
  const r = spawnSync(process.execPath, [path.join(root, 'bin/convnet.js'), 'train', 'lenet', '--data', trainDir, '--val-data', testDir,
    '--epochs', '2', '--json', '--quiet', '--workers', '2'], { encoding: 'utf8', cwd: root, timeout: 300_000, env: { ...process.env, CONVNET_WASM_THREADS: '1' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /training lenet \(61,706 parameters\) on 6000 images in .*train \(10 classes, grayscale\) 28x28, validating on 1000 images/);
  const got = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>)
    .map((j) => ({ epoch: j.epoch, train_loss: j.train_loss, val_loss: j.val_loss, val_acc: j.val_acc }));
  assert.deepEqual(got, want, JSON.stringify({ got, want }));
  assert.ok(want[1]!.val_acc! > 0.1 || want[1]!.train_loss! < 2.31, 'the run trains');
});
