import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { randn, rand, cat, stack, maximum, minimum } from '../../src/index.js';
import { loadFixture } from '../helpers/fixtures.js';

// The grad_fn name is what `print(t)` shows (`grad_fn=<MeanBackward0>`), so it must match PyTorch's.
const a = randn(2, 3).requiresGrad_();
const p = rand(2, 3).add(0.1).detach().requiresGrad_();
const b = randn(3, 2).requiresGrad_();
const v = randn(3).requiresGrad_();
const make: Record<string, () => Tensor> = {
  add: () => a.add(a), add_scalar: () => a.add(1), sub: () => a.sub(a), mul: () => a.mul(a), div: () => a.div(2),
  neg: () => a.neg(), exp: () => a.exp(), log: () => p.log(), abs: () => a.abs(), sqrt: () => p.sqrt(),
  square: () => a.square(), pow: () => a.pow(2), relu: () => a.relu(), sigmoid: () => a.sigmoid(), tanh: () => a.tanh(),
  clamp: () => a.clamp(0, 1), maximum: () => maximum(a, a), minimum: () => minimum(a, a),
  sum: () => a.sum(), sum_dim: () => a.sum(1), mean: () => a.mean(), mean_dim: () => a.mean(1),
  max: () => a.max(), min: () => a.min(), amax_dim: () => a.max(1), var: () => a.var(), std: () => a.std(),
  softmax: () => a.softmax(1), logSoftmax: () => a.logSoftmax(1),
  mm: () => a.mm(b), matmul_mv: () => a.matmul(v), dot: () => v.matmul(v), matmul_vm: () => v.matmul(b),
  matmul_bmm: () => randn(2, 2, 3).matmul(b.expand(2, 3, 2)), matmul_2d_3d: () => a.matmul(b.expand(2, 3, 2)),
  matmul_1d_3d: () => v.matmul(b.expand(2, 3, 2)),
  reshape: () => a.reshape(6), view: () => a.view(3, 2), flatten: () => a.flatten(), permute: () => a.permute(1, 0),
  transpose: () => a.transpose(0, 1), t: () => a.t(), unsqueeze: () => a.unsqueeze(0),
  squeeze: () => a.unsqueeze(0).squeeze(0), expand: () => v.expand(2, 3), cat: () => cat([a, a]),
  stack: () => stack([a, a]), clone: () => a.clone(), slice: () => a.get(':', '1:'), select: () => a.get(1),
};


test('grad_fn names match PyTorch', () => {
  const names = loadFixture<Record<string, string>>('core/grad_fn_names.json');
  const wrong: string[] = [];
  for (const [k, expected] of Object.entries(names)) {
    assert.ok(make[k] !== undefined, `no builder for ${k}`);
    const got = make[k]!().gradFn?.name;
    if (got !== expected) wrong.push(`${k}: ${got} (PyTorch ${expected})`);
  }
  assert.deepEqual(wrong, []);
});
