/** The DataLoader's image pipeline: same seed ⇒ same batches, whatever the number of workers and however they race. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import path from 'node:path';
import { ImageFolder } from '../../src/data/node/image-folder.js';
import { DataLoader, TensorDataset } from '../../src/data/dataloader.js';
import { PixelDataset } from '../../src/data/pixel-dataset.js';
import '../../src/data/node/worker-pool.js';
import { ColorJitter, Compose, Normalize, RandomCrop, RandomHorizontalFlip, RandomResizedCrop, Resize, ToTensor } from '../../src/data/transforms/transforms.js';
import { getRngState, manualSeed } from '../../src/tensor/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { pattern, tempDir, writeImage } from '../helpers/images.js';

const tmp = tempDir('convnet-pipeline-');
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let folder: string | null = null;
async function makeFolder(): Promise<string> {
  if (folder !== null) return folder;
  folder = path.join(tmp, 'f');
  for (let i = 0; i < 23; i++) {
    const w = 10 + (i % 4), h = 12 - (i % 3);   // mixed sizes: Resize makes them batchable
    await writeImage(path.join(folder, ['cat', 'dog', 'emu'][i % 3]!, `${String(i).padStart(3, '0')}.png`), pattern(w, h, 3, i), w, h, 3);
  }
  return folder;
}

const augment = (): Compose => new Compose([
  new Resize([12, 12]), new RandomCrop(10, { padding: 2, paddingMode: 'reflect' }), new RandomHorizontalFlip(),
  new ColorJitter({ brightness: 0.3, contrast: 0.3 }), new ToTensor(), new Normalize([0.5, 0.4, 0.3], [0.2, 0.25, 0.3]),
]);

const digest = (batches: [Tensor, Tensor][]): string[] => batches.map(([X, y]) => `${X.shape.join('x')}|${Array.from(y.data).join(',')}|${Buffer.from(new Float32Array(X.data).buffer).toString('base64')}`);

function epochs(ds: ConstructorParameters<typeof DataLoader>[0], numWorkers: number, n: number, seed = 5): string[][] {
  manualSeed(seed);
  const dl = new DataLoader(ds, { batchSize: 5, shuffle: true, numWorkers, prefetchFactor: 3 });
  try {
    return Array.from({ length: n }, () => digest([...dl]));
  } finally {
    dl.close();
  }
}

test('ImageFolder with random augmentation: 0, 1 and 2 workers give bit-identical batches, epoch after epoch', async () => {
  const ds = new ImageFolder(await makeFolder(), { transform: augment() });
  const w0 = epochs(ds, 0, 2), w1 = epochs(ds, 1, 2), w2 = epochs(ds, 2, 2);
  assert.equal(w0[0]!.length, 5);
  assert.deepEqual(w1, w0);
  assert.deepEqual(w2, w0);
  assert.notDeepEqual(w0[1], w0[0], 'each epoch draws a new order and new augmentation');
  assert.notDeepEqual(epochs(ds, 2, 1, 6), [w0[0]], 'another seed, other batches');
});

test('PixelDataset (in memory, shared with the workers): 0 and 2 workers identical; for await gives the same batches', async () => {
  const n = 17, H = 9, W = 8;
  const images = new Uint8Array(n * H * W * 3);
  for (let i = 0; i < n; i++) images.set(pattern(W, H, 3, i), i * H * W * 3);
  const ds = new PixelDataset(images, Int32Array.from({ length: n }, (_, i) => i % 4), { height: H, width: W, channels: 3 },
    { transform: new Compose([new RandomResizedCrop(6, { scale: [0.3, 1] }), new RandomHorizontalFlip(), new ToTensor()]) });
  const w0 = epochs(ds, 0, 2), w2 = epochs(ds, 2, 2);
  assert.deepEqual(w2, w0);
  manualSeed(5);
  const dl = new DataLoader(ds, { batchSize: 5, shuffle: true, numWorkers: 2 });
  const got: [Tensor, Tensor][] = [];
  for await (const b of dl) got.push(b);
  dl.close();
  assert.deepEqual(digest(got), w0[0]);
});

test('the order depends only on the seed: a deterministic pipeline draws exactly what an in-memory dataset draws', async () => {
  const ds = new ImageFolder(await makeFolder(), { transform: new Compose([new Resize([4, 4]), new ToTensor()]), channels: 1 });
  const n = ds.length;
  manualSeed(11);
  const dl = new DataLoader(ds, { batchSize: 4, shuffle: true, numWorkers: 2 });
  const labels = [...dl].flatMap(([, y]) => Array.from(y.data));
  const after1 = getRngState();
  dl.close();
  // The same permutation, traced through a TensorDataset whose labels are the indices.
  manualSeed(11);
  const idx = [...new DataLoader(new TensorDataset(new Float32Array(n), Int32Array.from({ length: n }, (_, i) => i), [1]), { batchSize: 4, shuffle: true })]
    .flatMap(([, y]) => Array.from(y.data));
  assert.deepEqual(labels, idx.map((i) => ds.targets[i]!));
  assert.deepEqual(getRngState(), after1, 'no extra draws from the global generator');
});

test('stopping an epoch early (break) and starting the next works; results of abandoned batches are dropped', async () => {
  const ds = new ImageFolder(await makeFolder(), { transform: augment() });
  manualSeed(5);
  const dl = new DataLoader(ds, { batchSize: 5, shuffle: true, numWorkers: 2 });
  for (const _ of dl) break;
  const full = digest([...dl]);
  dl.close();
  manualSeed(5);
  const ref = new DataLoader(ds, { batchSize: 5, shuffle: true, numWorkers: 0 });
  for (const _ of ref) break;
  assert.deepEqual(full, digest([...ref]));
  ref.close();
});

test('DataLoader option errors', () => {
  const td = new TensorDataset(new Float32Array(4), new Int32Array(4), [1]);
  assert.throws(() => new DataLoader(td, { numWorkers: 2 }), /numWorkers > 0 needs an image dataset/);
  assert.throws(() => new DataLoader(td, { numWorkers: -1 }), /DataLoader: numWorkers must be an integer >= 0, got a number \(-1\)/);
  assert.throws(() => new DataLoader(td, { prefetchFactor: 0 }), /DataLoader: prefetchFactor must be an integer >= 1/);
});
