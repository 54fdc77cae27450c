import { test } from 'node:test';
import assert from 'node:assert/strict';
import { broadcastShapes, formatShape, normalizeDim, resolveShape, sizeOf, stridesOf } from '../../src/tensor/shape.js';

test('formatShape prints like torch.Size contents', () => {
  assert.equal(formatShape([1, 6, 28, 28]), '[1, 6, 28, 28]');
  assert.equal(formatShape([]), '[]');
});

test('sizeOf and stridesOf', () => {
  assert.equal(sizeOf([]), 1);
  assert.equal(sizeOf([2, 0, 3]), 0);
  assert.deepEqual(stridesOf([2, 3, 4]), [12, 4, 1]);
});

test('broadcastShapes follows NumPy and names the op on failure', () => {
  assert.deepEqual(broadcastShapes([3, 1], [1, 4], 'add'), [3, 4]);
  assert.deepEqual(broadcastShapes([2, 3, 4], [4], 'add'), [2, 3, 4]);
  assert.deepEqual(broadcastShapes([5], [], 'add'), [5]);
  assert.deepEqual(broadcastShapes([2, 1, 3], [4, 1], 'add'), [2, 4, 3]);
  assert.deepEqual(broadcastShapes([0, 1], [1, 5], 'add'), [0, 5]);
  assert.throws(() => broadcastShapes([2, 3], [3, 2], 'mul'), /^Error: mul: shapes \[2, 3\] and \[3, 2\] cannot be broadcast \(size 2 vs 3 at dimension 0\)/);
  assert.deepEqual(broadcastShapes([4, 3], [2, 1, 1], 'sub'), [2, 4, 3]);
  assert.throws(() => broadcastShapes([4, 3], [2, 3, 1], 'sub'), /sub: shapes \[4, 3\] and \[2, 3, 1\] cannot be broadcast \(size 4 vs 3 at dimension 1\)/);
});

test('normalizeDim accepts [-rank, rank) and 0/-1 for scalars', () => {
  assert.equal(normalizeDim(-1, 3, 'sum'), 2);
  assert.equal(normalizeDim(0, 0, 'sum'), 0);
  assert.equal(normalizeDim(-1, 0, 'sum'), 0);
  assert.throws(() => normalizeDim(3, 3, 'softmax'), /softmax: dimension out of range \(expected to be in range of \[-3, 2\], but got 3\)/);
  assert.throws(() => normalizeDim(1.5, 3, 'sum'), /sum: dimension out of range/);
});

test('resolveShape infers one -1 and rejects everything else with the op and sizes', () => {
  assert.deepEqual(resolveShape([-1, 4], 24, 'reshape'), [6, 4]);
  // -1 next to a 0 is ambiguous (PyTorch refuses too).
  assert.throws(() => resolveShape([0, -1], 0, 'reshape'), /reshape: shape '\[0, -1\]' is invalid for 0 elements/);
  assert.throws(() => resolveShape([-1, -1], 24, 'view'), /view: only one dimension can be inferred/);
  assert.throws(() => resolveShape([5, -1], 24, 'reshape', [2, 3, 4]), /reshape: shape '\[5, -1\]' is invalid for input of size 24 \(shape \[2, 3, 4\]\)/);
  assert.throws(() => resolveShape([-2, 12], 24, 'reshape'), /reshape: invalid shape dimension -2/);
});
