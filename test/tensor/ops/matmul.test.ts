import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randn, manualSeed, tensor } from '../../../src/index.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import { runCases } from '../../helpers/cases.js';

runCases('matmul', { matmul: (xs) => xs[0]!.matmul(xs[1]!) });

test('gradcheck: matmul in every rank combination', () => {
  manualSeed(2);
  const shapes: number[][][] = [[[4], [4]], [[3, 4], [4]], [[4], [4, 2]], [[3, 4], [4, 2]],
    [[2, 3, 4], [2, 4, 5]], [[2, 1, 3, 4], [5, 4, 2]], [[4], [2, 4, 3]], [[2, 3, 4], [4]]];
  for (const [sa, sb] of shapes) {
    assert.doesNotThrow(() => gradcheck((a, b) => a.matmul(b),
      [randn(sa!).requiresGrad_(), randn(sb!).requiresGrad_()]), `${sa}@${sb}`);
  }
});

test('matmul shape errors name the op and both shapes', () => {
  assert.throws(() => randn(3, 4).matmul(randn(5, 2)), /matmul.*3x4.*5x2/);
  assert.throws(() => randn(1, 400).matmul(randn(256, 120)), { message: 'matmul: mat1 and mat2 shapes cannot be multiplied (1x400 and 256x120)' });
  assert.throws(() => tensor([1, 2]).matmul(tensor([1, 2, 3])), /matmul: 1-D tensors .* same number of elements, got \[2\] and \[3\]/);
  assert.throws(() => randn(2, 3, 4).matmul(randn(5)), /matmul.*\[2, 3, 4\].*\[5\]/);
  assert.throws(() => randn(2, 3, 4).matmul(randn(3, 4, 2)), /matmul: batch dimensions \[2\] and \[3\] of \[2, 3, 4\] @ \[3, 4, 2\] cannot be broadcast/);
  assert.throws(() => tensor(2).matmul(randn(2)), /matmul.*\[\].*\[2\]/);
  assert.throws(() => tensor([1, 2], { dtype: 'int32' }).matmul(randn(2)), /matmul.*int32/);
});
