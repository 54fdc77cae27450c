import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataLoader, TensorDataset } from '../../src/data/dataloader.js';
import { tensor } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';

function dataset(n: number): TensorDataset {
  // Feature value = 10 * index + position, so every batch row can be traced to its example.
  const X = new Float32Array(n * 2), y = new Int32Array(n);
  for (let i = 0; i < n; i++) { X[2 * i] = 10 * i; X[2 * i + 1] = 10 * i + 1; y[i] = i % 3; }
  return new TensorDataset(X, y, [1, 2]);
}

const labelsOf = (dl: DataLoader): number[][] => [...dl].map(([X]) => Array.from({ length: X.shape[0]! }, (_, b) => X.data[b * 2]! / 10));

test('DataLoader: batches of [B, ...itemShape] float32 and [B] int32, last batch partial', () => {
  const dl = new DataLoader(dataset(10), { batchSize: 4 });
  assert.equal(dl.length, 3);
  const batches = [...dl];
  assert.deepEqual(batches.map(([X, y]) => [X.shape.slice(), y.shape.slice(), X.dtype, y.dtype]), [
    [[4, 1, 2], [4], 'float32', 'int32'], [[4, 1, 2], [4], 'float32', 'int32'], [[2, 1, 2], [2], 'float32', 'int32'],
  ]);
  assert.deepEqual(labelsOf(dl), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  assert.deepEqual(Array.from(batches[2]![1].data), [8 % 3, 9 % 3]);
  assert.deepEqual(Array.from(batches[0]![0].data.slice(0, 4)), [0, 1, 10, 11]);
});

test('DataLoader: dropLast drops the partial batch', () => {
  const dl = new DataLoader(dataset(10), { batchSize: 4, dropLast: true });
  assert.equal(dl.length, 2);
  assert.equal(dl.numExamples, 8);
  assert.equal([...dl].length, 2);
});

test('DataLoader: shuffle visits every example once per epoch, in a new order each epoch, repeatably after manualSeed', () => {
  const dl = new DataLoader(dataset(50), { batchSize: 8, shuffle: true });
  manualSeed(3);
  const e1 = labelsOf(dl).flat(), e2 = labelsOf(dl).flat();
  const sorted = (a: number[]): number[] => [...a].sort((p, q) => p - q);
  assert.deepEqual(sorted(e1), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(sorted(e2), sorted(e1));
  assert.notDeepEqual(e1, e2);
  assert.notDeepEqual(e1, Array.from({ length: 50 }, (_, i) => i));
  manualSeed(3);
  assert.deepEqual(labelsOf(dl).flat(), e1);
});

test('DataLoader and TensorDataset: bad arguments are clear errors', () => {
  assert.throws(() => new DataLoader(dataset(3), { batchSize: 0 }), /DataLoader: batchSize must be an integer >= 1, got a number \(0\)/);
  assert.throws(() => new DataLoader(dataset(3), { batch_size: 2 } as never), /DataLoader: unknown option 'batch_size' \(did you mean 'batchSize'\?\)/);
  assert.throws(() => new DataLoader(dataset(3), { batchSize: 2, shuffle: 'yes' } as never), /DataLoader: shuffle must be true or false/);
  assert.throws(() => new DataLoader(tensor([1, 2]) as never), /DataLoader: dataset is a Tensor; wrap features and labels in new TensorDataset\(X, y\)/);
  assert.throws(() => new TensorDataset(new Float32Array(5), new Int32Array(3), [2]), /5 feature values do not make 3 items of shape \[2\]/);
  assert.throws(() => dataset(3).batch([3]), /index 3 out of range for 3 examples/);
});

test('TensorDataset(X, y) takes tensors like PyTorch; DataLoader takes PyTorch\'s positional batch_size, shuffle', () => {
  const X = tensor([[1, 2], [3, 4], [5, 6]]), y = tensor([0, 1, 2], { dtype: 'int32' });
  const ds = new TensorDataset(X, y);
  assert.equal(ds.length, 3);
  const [xb, yb] = ds.batch([2, 0]);
  assert.deepEqual([xb.shape, [...xb.data], yb.dtype, [...yb.data]], [[2, 2], [5, 6, 1, 2], 'int32', [2, 0]]);
  // Float targets (regression) keep their dtype and shape.
  const reg = new TensorDataset(X, tensor([[0.5], [1.5], [2.5]]));
  assert.deepEqual(reg.batch([1])[1].shape, [1, 1]);
  const loader = new DataLoader(ds, 2, false);
  assert.deepEqual([loader.batchSize, loader.shuffle, loader.length], [2, false, 2]);
  assert.throws(() => new TensorDataset(X, tensor([0, 1], { dtype: 'int32' })), /TensorDataset: size mismatch between tensors: X \[3, 2\] has 3 examples but y \[2\] has 2/);
  assert.throws(() => new TensorDataset(X, [0, 1, 2] as never), /TensorDataset: give two tensors/);
});
