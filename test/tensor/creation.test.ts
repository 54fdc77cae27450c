import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, linspace, eye, full, tensor, zeros, ones, zerosLike, onesLike, fullLike } from '../../src/index.js';
import { runCases, num } from '../helpers/cases.js';

const args = (p: Record<string, unknown>): number[] => p['args'] as number[];
runCases('creation', {
  arange: (_, p) => { const a = args(p); return a.length === 1 ? arange(a[0]!) : arange(a[0]!, a[1], a[2]); },
  arange_int: (_, p) => { const a = args(p); return arange(a[0]!, a[1], a[2], { dtype: 'int32' }); },
  linspace: (_, p) => { const a = args(p); return linspace(a[0]!, a[1]!, a[2]!); },
  eye: (_, p) => { const a = args(p); return eye(a[0]!, a[1]); },
  full: (_, p) => full(p['shape'] as number[], num(p, 'value')),
  tensor: (_, p) => tensor(p['data'] as number[][]),
});

test('factories: shapes, dtypes and options', () => {
  assert.deepEqual(zeros(2, 3).shape, [2, 3]);
  assert.deepEqual(zeros([2, 3]).shape, [2, 3]);
  assert.deepEqual(ones().shape, []);
  const i = tensor([1, 2], { dtype: 'int32' });
  assert.equal(zerosLike(i).dtype, 'int32');
  assert.equal(onesLike(i).dtype, 'int32');
  assert.deepEqual(fullLike(i, 7).tolist(), [7, 7]);
  assert.equal(tensor([[true, false]]).dtype, 'bool');
  assert.equal(tensor([1.5], { requiresGrad: true }).requiresGrad, true);
  assert.deepEqual(tensor([]).shape, [0]);
  assert.deepEqual(tensor(3).shape, []);
  assert.throws(() => tensor([1, 'a' as unknown as number]), /tensor: expected a number at \[1\], got string/);
  assert.throws(() => arange(0, 5, 0), /arange: step must be nonzero/);
  assert.throws(() => arange(5, 0, 1), /arange: upper bound and larger bound inconsistent with step sign \(start 5, end 0, step 1\)/);
  assert.throws(() => arange(-3), /inconsistent with step sign/);
  assert.throws(() => arange(0, 5, -1), /inconsistent with step sign/);
  assert.deepEqual(arange(2, 2).shape, [0]);
});
