// The comparison helper must be able to fail, including on NaN and Infinity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/index.js';
import { assertClose } from '../helpers/fixtures.js';

test('assertClose: tolerances, shapes, NaN and Infinity', () => {
  assert.doesNotThrow(() => assertClose(tensor([1, 2]), { shape: [2], data: [1.000001, 2] }));
  assert.throws(() => assertClose(tensor([1, 2]), { shape: [2], data: [1.1, 2] }), /element 0 \[0\]: got 1, expected 1.1/);
  assert.throws(() => assertClose(tensor([1, 2]), { shape: [1, 2], data: [1, 2] }), /shape \[2\] vs expected \[1,2\]/);
  assert.doesNotThrow(() => assertClose(tensor([NaN, Infinity]), { shape: [2], data: ['NaN', 'Infinity'] as unknown as number[] }));
  assert.throws(() => assertClose(tensor([1e30]), { shape: [1], data: ['Infinity'] as unknown as number[] }), /got 1.00000001504746\d*e\+30, expected Infinity/);
  assert.throws(() => assertClose(tensor([0]), { shape: [1], data: ['NaN'] as unknown as number[] }), /expected NaN/);
  assert.throws(() => assertClose(tensor([[1, 2], [3, 4]]), { shape: [2, 2], data: [1, 2, 3, 5] }), /element 3 \[1, 1\]/);
});
