import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../../src/tensor/tensor.js';
import { randn, manualSeed, cat, stack, arange } from '../../../src/index.js';
import { gradcheck } from '../../helpers/gradcheck.js';
import { runCases, num, type OpTable } from '../../helpers/cases.js';

const ops: OpTable = {
  reshape: (xs, p) => xs[0]!.reshape(p['shape'] as number[]),
  flatten: (xs, p) => xs[0]!.flatten(num(p, 'start'), num(p, 'end')),
  permute: (xs, p) => xs[0]!.permute(p['dims'] as number[]),
  transpose: (xs, p) => xs[0]!.transpose(num(p, 'dim0'), num(p, 'dim1')),
  t: (xs) => xs[0]!.t(),
  unsqueeze: (xs, p) => xs[0]!.unsqueeze(num(p, 'dim')),
  squeeze: (xs, p) => (p['dim'] === null ? xs[0]!.squeeze() : xs[0]!.squeeze(num(p, 'dim'))),
  expand: (xs, p) => xs[0]!.expand(p['shape'] as number[]),
  cat: (xs, p) => cat(xs, num(p, 'dim')),
  stack: (xs, p) => stack(xs, num(p, 'dim')),
};

runCases('shape', ops);

test('gradcheck: every shape op', () => {
  manualSeed(4);
  const fns: [string, (a: Tensor) => Tensor][] = [
    ['reshape', (a) => a.reshape(-1, 2)], ['view', (a) => a.view(4, 6)], ['flatten', (a) => a.flatten(1)],
    ['permute', (a) => a.permute(2, 0, 1)], ['transpose', (a) => a.transpose(0, 2)],
    ['T', (a) => a.T], ['unsqueeze', (a) => a.unsqueeze(1)], ['squeeze', (a) => a.unsqueeze(0).squeeze(0)],
    ['expand', (a) => a.get(':', ':', [0, 1]).expand(2, 2, 3, 5)],
    ['cat', (a) => cat([a, a.mul(2)], 1)], ['stack', (a) => stack([a, a.exp()], 3)],
  ];
  for (const [name, f] of fns) assert.doesNotThrow(() => gradcheck(f, [randn(2, 3, 4).requiresGrad_()]), name);
  assert.doesNotThrow(() => gradcheck((a) => a.t(), [randn(3, 5).requiresGrad_()]), 't');
  assert.doesNotThrow(() => gradcheck((a, b) => cat([a, b], 0), [randn(2, 3).requiresGrad_(), randn(1, 3).requiresGrad_()]), 'cat 2 inputs');
});

test('reshape shares storage like view; in-place writes are seen through it', () => {
  const x = arange(6);
  const y = x.reshape(2, 3);
  x.set([0], 100);
  assert.equal(y.get(0, 0).item(), 100);
});

test('every broadcasting op names itself and both shapes on a mismatch', () => {
  const a = randn(2, 3), b = randn(4);
  const ops: [string, (x: Tensor, y: Tensor) => Tensor][] = [
    ['add', (x, y) => x.add(y)], ['sub', (x, y) => x.sub(y)], ['mul', (x, y) => x.mul(y)], ['div', (x, y) => x.div(y)],
    ['pow', (x, y) => x.pow(y)], ['maximum', (x, y) => x.maximum(y)], ['minimum', (x, y) => x.minimum(y)],
    ['eq', (x, y) => x.eq(y)], ['ne', (x, y) => x.ne(y)], ['lt', (x, y) => x.lt(y)], ['le', (x, y) => x.le(y)],
    ['gt', (x, y) => x.gt(y)], ['ge', (x, y) => x.ge(y)],
  ];
  for (const [name, f] of ops) {
    assert.throws(() => f(a, b), new RegExp(`^Error: ${name}: shapes \\[2, 3\\] and \\[4\\] cannot be broadcast \\(size 3 vs 4 at dimension 1\\)`), name);
  }
});

test('shape op errors name the op and the shapes', () => {
  const x = randn(2, 3, 4);
  assert.throws(() => x.reshape(5, -1), /reshape: shape '\[5, -1\]' is invalid for input of size 24 \(shape \[2, 3, 4\]\)/);
  assert.throws(() => x.reshape(-1, -1), /reshape: only one dimension can be inferred/);
  assert.throws(() => x.reshape(7, 3), /reshape: shape '\[7, 3\]' is invalid/);
  assert.throws(() => x.view(2.5, 4), /reshape: invalid shape dimension 2.5/);
  assert.throws(() => x.permute(0, 1), /permute: number of dims \(2\).*\[2, 3, 4\]/);
  assert.throws(() => x.permute(0, 1, 1), /permute: repeated dim/);
  assert.throws(() => x.transpose(0, 3), /transpose: dimension out of range/);
  assert.throws(() => x.t(), /t: expects a tensor with <= 2 dimensions.*\[2, 3, 4\]/);
  assert.throws(() => x.unsqueeze(4), /unsqueeze: dimension out of range/);
  assert.throws(() => x.squeeze(3), /squeeze: dimension out of range/);
  assert.throws(() => x.expand(2, 5, 4), /expand:.*\(5\).*\(3\).*\[2, 5, 4\].*\[2, 3, 4\]/);
  assert.throws(() => x.expand(3, 4), /expand:.*\(2\).*\(3\)/);
  assert.throws(() => x.expand(-1, 2, 3, 4), /expand: the expanded size -1 isn't allowed in a leading, non-existing dimension 0/);
  assert.throws(() => randn(1, 4).expand(-3, 4), /expand: invalid size -3 in target \[-3, 4\]/);
  assert.throws(() => x.flatten(2, 1), /flatten: startDim 2 cannot come after endDim 1/);
  assert.throws(() => cat([x, randn(2, 4, 4)], 0), /cat: sizes of tensors must match except in dimension 0.*\[2, 3, 4\].*\[2, 4, 4\]/);
  assert.throws(() => cat([x, randn(3, 4)], 1), /cat: .*\[2, 3, 4\].*\[3, 4\]/);
  assert.throws(() => cat([], 0), /cat: expected a non-empty list/);
  assert.throws(() => stack([x, randn(2, 3)], 0), /stack: .*\[2, 3, 4\].*\[2, 3\]/);
  assert.throws(() => x.add(randn(3, 3)), /add: shapes \[2, 3, 4\] and \[3, 3\] cannot be broadcast/);
  assert.throws(() => x.mul(randn(2, 4)), /mul: shapes \[2, 3, 4\] and \[2, 4\]/);
  assert.throws(() => x.maximum(randn(5)), /maximum: shapes \[2, 3, 4\] and \[5\]/);
  assert.throws(() => x.sub(randn(4, 1, 1, 1, 5)), /sub: shapes \[2, 3, 4\] and \[4, 1, 1, 1, 5\]/);
  assert.throws(() => x.add_(randn(2, 2, 3, 4)), /add_: .*\[2, 3, 4\].*\[2, 2, 3, 4\]/);
});
