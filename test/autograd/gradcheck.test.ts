// The gradient checker must be able to fail: an op with a deliberately wrong backward is caught.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { randn, manualSeed } from '../../src/index.js';
import { OPS } from '../../src/tensor/ops/registry.js';
import type { Rule } from '../../src/tensor/ops/rule.js';
import { gradcheck, kinkFree } from '../helpers/gradcheck.js';

const cube = (x: Tensor): Tensor => x.mul(x).mul(x);

test('gradcheck accepts a correct backward and rejects a wrong one', () => {
  manualSeed(7);
  assert.doesNotThrow(() => gradcheck(cube, [randn(3, 2).requiresGrad_()]));
  assert.doesNotThrow(() => gradcheck((x) => x.exp(), [randn(3, 2).requiresGrad_()]));
  // The registry's exp with a backward off by a factor 3/2, swapped in for this check only.
  const ops = OPS as unknown as Record<string, Rule<'exp'>>;
  const exp = ops['exp']!;
  ops['exp'] = { ...exp, backward: (g, s, p) => exp.backward(g, s, p).map((t) => t && t.mul(1.5)) };
  try {
    assert.throws(() => gradcheck((x) => x.exp(), [randn(3, 2).requiresGrad_()]), /gradcheck: input 0 \[3, 2\] element \d+: analytic .* vs numeric/);
  } finally {
    ops['exp'] = exp;
  }
});

test('gradcheck notices a missing gradient', () => {
  const detached = (x: Tensor): Tensor => x.detach().mul(2);
  assert.throws(() => gradcheck((x, y) => detached(x).add(y), [randn(2).requiresGrad_(), randn(2).requiresGrad_()]),
    /gradcheck: input 0 got no gradient/);
});

test('kinkFree keeps values away from 0, ±0.5 and from a second tensor of another phase', () => {
  manualSeed(8);
  const a = kinkFree([50]), b = kinkFree([50], 0.35);
  for (let i = 0; i < 50; i++) {
    const v = a.data[i]!;
    assert.ok(Math.abs(v - Math.round(v * 2) / 2) >= 0.09, `value ${v} too close to a multiple of 0.5`);
    for (let j = 0; j < 50; j++) assert.ok(Math.abs(v - b.data[j]!) >= 0.19, `${v} vs ${b.data[j]}`);
  }
});
