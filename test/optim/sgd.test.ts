import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SGD } from '../../src/optim/sgd.js';
import { Linear } from '../../src/nn/linear.js';
import { LazyLinear } from '../../src/nn/linear.js';
import { Parameter } from '../../src/nn/parameter.js';
import { tensor, randn } from '../../src/tensor/creation.js';
import { crossEntropy } from '../../src/tensor/ops/nn-loss.js';
import { manualSeed } from '../../src/tensor/rng.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/** Hand-rolled torch.optim.SGD on plain numbers, the rule written out from PyTorch's docs. */
function reference(x0: number[], grads: (x: number[]) => number[], steps: number,
                   o: { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean }): number[] {
  const x = x0.slice();
  let buf: number[] | null = null;
  const mom = o.momentum ?? 0, damp = o.dampening ?? 0, wd = o.weightDecay ?? 0;
  for (let s = 0; s < steps; s++) {
    const g = grads(x);
    const d = g.map((gi, i) => gi + wd * x[i]!);
    let upd = d;
    if (mom !== 0) {
      buf = buf === null ? d.slice() : buf.map((b, i) => mom * b + (1 - damp) * d[i]!);
      upd = o.nesterov ? d.map((di, i) => di + mom * buf![i]!) : buf;
    }
    for (let i = 0; i < x.length; i++) x[i] = x[i]! - o.lr * upd[i]!;
  }
  return x;
}

const quadGrad = (x: number[]): number[] => x.map((v, i) => (i + 1) * v); // f = Σ (i+1) x_i² / 2

function run(opts: ConstructorParameters<typeof SGD>[1], steps: number): Float32Array {
  const p = new Parameter(tensor([1.5, -2, 0.5]));
  const opt = new SGD([p], opts);
  const w = tensor([1, 2, 3]);
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    p.square().mul(w).sum().div(2).backward();
    opt.step();
  }
  return p.data as Float32Array;
}

test('SGD matches the torch.optim.SGD rule for plain, momentum, dampening, nesterov and weight decay', () => {
  const cases = [
    { lr: 0.1 },
    { lr: 0.1, momentum: 0.9 },
    { lr: 0.05, momentum: 0.9, dampening: 0.5 },
    { lr: 0.1, momentum: 0.8, nesterov: true },
    { lr: 0.1, weightDecay: 0.3 },
    { lr: 0.1, momentum: 0.9, weightDecay: 0.1, nesterov: true },
  ];
  for (const c of cases) {
    const got = run(c, 5);
    const want = reference([1.5, -2, 0.5], quadGrad, 5, c);
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-5, `${JSON.stringify(c)} [${i}]: ${v} vs ${want[i]}`));
  }
  // d2l idiom: a bare learning rate.
  const got = run(0.1, 3);
  const want = reference([1.5, -2, 0.5], quadGrad, 3, { lr: 0.1 });
  got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-6));
});

test('SGD maximize ascends', () => {
  const p = new Parameter(tensor([1]));
  const opt = new SGD([p], { lr: 0.5, maximize: true });
  p.square().sum().backward();
  opt.step();
  assert.equal(p.data[0], 2);
});

test('SGD skips parameters without gradients, zeroGrad clears, step bumps the version', () => {
  const a = new Parameter(tensor([1, 2])), b = new Parameter(tensor([3]));
  const opt = new SGD([a, b], 1);
  a.sum().backward();
  const v = a.version;
  opt.step();
  assert.deepEqual([...a.data], [0, 1]);
  assert.deepEqual([...b.data], [3]);
  assert.ok(a.version > v);
  opt.zeroGrad();
  assert.equal(a.grad, null);
  a.sum().backward();
  opt.zeroGrad(false);
  assert.deepEqual([...a.grad!.data], [0, 0]);
});

test('SGD parameter groups carry their own lr', () => {
  const a = new Parameter(tensor([1])), b = new Parameter(tensor([1]));
  const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
  a.add(b).sum().backward();
  opt.step();
  assert.ok(Math.abs(a.data[0]! - 0.9) < 1e-7 && Math.abs(b.data[0]! - 0.5) < 1e-7);
  assert.equal(opt.paramGroups[1]!.lr, 0.5);
  opt.paramGroups[0]!.lr = 0.01; // schedulers mutate the group
  opt.zeroGrad();
  a.sum().backward();
  opt.step();
  assert.ok(Math.abs(a.data[0]! - 0.89) < 1e-6);
});

test('SGD stateDict/loadStateDict resumes momentum exactly', () => {
  const make = (): [Parameter, SGD] => { const p = new Parameter(tensor([1.5, -2, 0.5])); return [p, new SGD([p], { lr: 0.1, momentum: 0.9 })]; };
  const stepOnce = (p: Tensor, o: SGD): void => { o.zeroGrad(); p.square().mul(tensor([1, 2, 3])).sum().div(2).backward(); o.step(); };
  const [p1, o1] = make();
  for (let i = 0; i < 4; i++) stepOnce(p1, o1);
  const [p2, o2] = make();
  for (let i = 0; i < 2; i++) stepOnce(p2, o2);
  const sd = o2.stateDict();
  assert.deepEqual(Object.keys(sd.state), ['0']);
  assert.equal(sd.paramGroups[0]!.momentum, 0.9);
  assert.deepEqual(sd.paramGroups[0]!.params, [0]);
  const [p3, o3] = make();
  p3.data.set(p2.data);
  o3.loadStateDict(sd);
  stepOnce(p2, o2); // the snapshot must be a copy: stepping o2 doesn't change sd
  for (let i = 0; i < 2; i++) stepOnce(p3, o3);
  assert.deepEqual([...p3.data], [...p1.data]);
  assert.throws(() => new SGD([new Parameter(tensor([1])), new Parameter(tensor([2]))], 0.1).loadStateDict(sd), /1 parameters in the state dict but 2/);
});

test('SGD validates hyperparameters and parameters', () => {
  const p = new Parameter(tensor([1]));
  assert.throws(() => new SGD([p], { lr: -1 }), /SGD: invalid learning rate value: -1/);
  assert.throws(() => new SGD([p], { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum/);
  assert.throws(() => new SGD([], 0.1), /empty parameter list/);
  assert.throws(() => new SGD(new LazyLinear(3).parameters(), 0.1), /uninitialised lazy parameter/);
  const x = randn(2).requiresGrad_();
  assert.throws(() => new SGD([x.mul(2)], 0.1), /non-leaf/);
});

test('SGD trains a linear softmax classifier on separable data', () => {
  manualSeed(9);
  const net = new Linear(2, 2);
  const opt = new SGD(net.parameters(), { lr: 0.5, momentum: 0.9 });
  const X = tensor([[1, 1], [2, 1.5], [-1, -1], [-2, -0.5]]);
  const y = tensor([0, 0, 1, 1], { dtype: 'int32' });
  const first = crossEntropy(net.call(X), y).item();
  let last = first;
  for (let i = 0; i < 30; i++) {
    opt.zeroGrad();
    const l = crossEntropy(net.call(X), y);
    l.backward();
    opt.step();
    last = l.item();
  }
  assert.ok(last < first * 0.1, `loss ${first} → ${last}`);
});
