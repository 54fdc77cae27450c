import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, AdamW } from '../../src/optim/adam.js';
import { Parameter } from '../../src/nn/parameter.js';
import { Linear } from '../../src/nn/linear.js';
import { crossEntropy } from '../../src/tensor/ops/nn-loss.js';
import { tensor, randn, randint } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';

const lossOf = (p: Tensor): Tensor => p.square().mul(tensor([1, 10, 100])).sum();

test('Adam first step moves every coordinate by ≈ lr regardless of gradient scale', () => {
  const p = new Parameter(tensor([1, 1, 1]));
  const opt = new Adam([p], { lr: 0.01 });
  lossOf(p).backward();
  opt.step();
  for (const v of p.data) assert.ok(Math.abs(v - 0.99) < 1e-6, `${v}`);
  const st = opt.state.get(p)!;
  assert.equal(st.step, 1);
  assert.deepEqual(Object.keys(st).sort(), ['expAvg', 'expAvgSq', 'step']);
});

test('AdamW decays the weight by lr·wd even with a zero gradient; Adam with wd adds it to the gradient', () => {
  const p = new Parameter(tensor([2]));
  const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.5 });
  p.mul(0).sum().backward();
  opt.step();
  assert.ok(Math.abs(p.data[0]! - 2 * (1 - 0.05)) < 1e-6);
  const q = new Parameter(tensor([2]));
  const o2 = new Adam([q], { lr: 0.1, weightDecay: 0.5 });
  q.mul(0).sum().backward();
  o2.step();
  assert.ok(Math.abs(q.data[0]! - 1.9) < 1e-5, 'the L2 term alone gives a full Adam step of lr');
  assert.equal(new AdamW([new Parameter(tensor([1]))]).paramGroups[0]!.weightDecay, 0.01);
});

test('Adam stateDict round trip continues identically (amsgrad included)', () => {
  const make = (): [Parameter, Adam] => { const p = new Parameter(tensor([1, -1, 0.5])); return [p, new Adam([p], { lr: 0.05, amsgrad: true })]; };
  const step = (p: Parameter, o: Adam): void => { o.zeroGrad(); lossOf(p).backward(); o.step(); };
  const [p1, o1] = make();
  for (let i = 0; i < 6; i++) step(p1, o1);
  const [p2, o2] = make();
  for (let i = 0; i < 3; i++) step(p2, o2);
  const sd = o2.stateDict();
  assert.equal(sd.state[0]!.step, 3);
  assert.deepEqual(sd.paramGroups[0]!.betas, [0.9, 0.999]);
  const [p3, o3] = make();
  p3.data.set(p2.data);
  o3.loadStateDict(sd);
  for (let i = 0; i < 3; i++) step(p3, o3);
  assert.deepEqual([...p3.data], [...p1.data]);
  const bad = { ...sd, state: { 0: { ...sd.state[0]!, expAvg: tensor([1, 2]) } } };
  assert.throws(() => make()[1].loadStateDict(bad), /state 'expAvg' of parameter 0 has shape \[2\] but the parameter is \[3\]/);
});

test('Adam validates hyperparameters', () => {
  const p = new Parameter(tensor([1]));
  assert.throws(() => new Adam([p], { betas: [1, 0.999] }), /Adam: invalid beta parameter at index 0 value: 1/);
  assert.throws(() => new AdamW([p], { eps: -1 }), /AdamW: invalid epsilon value: -1/);
  assert.throws(() => new Adam([p], { lr: Number.NaN }), /invalid learning rate/);
});

test('Adam fits a small classifier', () => {
  manualSeed(24);
  const net = new Linear(5, 3);
  const X = randn(30, 5), y = randint(0, 3, [30]);
  const opt = new Adam(net.parameters(), { lr: 0.05 });
  const first = crossEntropy(net.call(X), y).item();
  for (let i = 0; i < 100; i++) { opt.zeroGrad(); crossEntropy(net.call(X), y).backward(); opt.step(); }
  const last = crossEntropy(net.call(X), y).item();
  assert.ok(last < first * 0.8, `loss ${first} → ${last}`);
});
