import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { fromJson, loadFixture, type TensorJson } from '../helpers/fixtures.js';

interface PrintCase {
  name: string;
  tensor: TensorJson;
  requiresGrad: boolean;
  op: { fn: string; inputs: TensorJson[] } | null;
  str: string;
}

const build: Record<string, (xs: Tensor[]) => Tensor> = {
  add1: (xs) => xs[0]!.add(1),
  sum: (xs) => xs[0]!.sum(),
  mm: (xs) => xs[0]!.mm(xs[1]!),
  mul2: (xs) => xs[0]!.mul(2),
  mean: (xs) => xs[0]!.mean(),
  subrelu: (xs) => xs[0]!.sub(0.6).relu(),
  sigmoid: (xs) => xs[0]!.sigmoid(),
};

for (const c of loadFixture<PrintCase[]>('core/printing.json')) {
  test(`str(t) like PyTorch: ${c.name}`, () => {
    const t = c.op !== null ? build[c.op.fn]!(c.op.inputs.map((j) => fromJson(j, true))) : fromJson(c.tensor, c.requiresGrad);
    assert.equal(t.toString(), c.str);
  });
}

test('printing is also what console.log / util.inspect shows', async () => {
  const { inspect } = await import('node:util');
  const t = fromJson({ shape: [2], data: [1, 2] });
  assert.equal(inspect(t), 'tensor([1., 2.])');
  assert.equal(`${t}`, 'tensor([1., 2.])');
});
