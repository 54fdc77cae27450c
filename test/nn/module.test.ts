/** nn.Module bookkeeping against PyTorch (fixtures/nn/module.json from scripts/fixtures/gen_module.py). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Module } from '../../src/nn/module.js';
import { Parameter } from '../../src/nn/parameter.js';
import { Sequential, ModuleList } from '../../src/nn/container.js';
import { Conv2d } from '../../src/nn/conv.js';
import { BatchNorm2d, LazyBatchNorm1d } from '../../src/nn/batchnorm.js';
import { Linear, LazyLinear } from '../../src/nn/linear.js';
import { ReLU, Sigmoid, Tanh } from '../../src/nn/activation.js';
import { Flatten } from '../../src/nn/flatten.js';
import { Dropout } from '../../src/nn/dropout.js';
import { layerClassName } from '../../src/train/module.js';
import { ones, randn, zeros } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { loadFixture } from '../helpers/fixtures.js';

interface ModuleFixture {
  named_parameters: [string, number[]][];
  named_buffers: [string, number[]][];
  named_modules: [string, string][];
  named_children: string[];
  body_children: string[];
  state_dict: [string, number[], string][];
  apply_order: string[];
  training: { after_eval: boolean[]; after_head_train: boolean[] };
  non_strict: { missing: string[]; unexpected: string[] };
  num_parameters: number;
}
const fx = loadFixture<ModuleFixture>('nn/module.json');

class Block extends Module {
  conv: Conv2d; bn: BatchNorm2d; alpha: Parameter;
  declare scale: Tensor;
  constructor() {
    super();
    this.conv = new Conv2d(2, 3, { kernelSize: 3, padding: 1 });
    this.registerBuffer('scale', ones(3));
    this.bn = new BatchNorm2d(3);
    this.alpha = new Parameter(zeros(1));
    this.registerBuffer('cache', zeros(1), false);
    this.registerParameter('gamma', null);
  }
  forward(x: Tensor): Tensor { return this.bn.call(this.conv.call(x)).mul(this.scale.view(1, -1, 1, 1)).add(this.alpha); }
}

/** The fixture's Net: its own parameter assigned last, named Sequential, a Linear used twice. */
class Net extends Module {
  body: Sequential; head: Sequential; w: Parameter;
  constructor() {
    super();
    this.body = new Sequential(new Map<string, Module>([['stem', new Conv2d(1, 2, { kernelSize: 3, padding: 1 })], ['act', new ReLU()], ['block', new Block()]]));
    const shared = new Linear(4, 4);
    this.head = new Sequential(new Flatten(), new LazyLinear(4), new Tanh(), shared, new Dropout(0.5), shared,
      new LazyBatchNorm1d(), new Sigmoid(), new Linear(4, 2));
    this.w = new Parameter(zeros(2));
  }
  forward(x: Tensor): Tensor { return this.head.call(this.body.call(x)); }
}

function built(): Net {
  manualSeed(0);
  const net = new Net();
  net.call(randn(2, 1, 4, 4));
  return net;
}

test('namedParameters, namedBuffers, namedModules, namedChildren follow PyTorch order (own params first, shared once)', () => {
  const net = built();
  assert.deepEqual(net.namedParameters().map(([k, p]) => [k, [...p.shape]]), fx.named_parameters);
  assert.deepEqual(net.namedBuffers().map(([k, b]) => [k, [...b.shape]]), fx.named_buffers);
  assert.deepEqual([...net.namedModules()].map(([k, m]) => [k, layerClassName(m)]), fx.named_modules);
  assert.deepEqual([...net.namedChildren()].map(([k]) => k), fx.named_children);
  assert.deepEqual([...net.body.namedChildren()].map(([k]) => k), fx.body_children);
  assert.equal(net.parameters().reduce((s, p) => s + p.numel(), 0), fx.num_parameters);
});

test('stateDict: dotted names, params then persistent buffers per module, shared modules under every name, I64 counters as int', () => {
  const sd = built().stateDict();
  assert.deepEqual([...sd].map(([k, t]) => [k, [...t.shape], t.dtype === 'int32' ? 'torch.int64' : 'torch.float32']), fx.state_dict);
  assert.equal(sd.get('head.3.weight'), sd.get('head.5.weight'), 'the shared Linear is one tensor under two names');
});

test('apply visits children before parents, each module once (PyTorch post-order)', () => {
  const visited: string[] = [];
  built().apply((m) => visited.push(layerClassName(m)));
  assert.deepEqual(visited, fx.apply_order);
});

test('Sequential runs a module used twice twice; ModuleList and Sequential index and append', () => {
  const l = new Linear(3, 3);
  const seq = new Sequential(l, l);
  const x = randn(2, 3);
  const twice = l.call(l.call(x));
  assert.deepEqual(Array.from(seq.call(x).data), Array.from(twice.data));
  assert.equal(seq.length, 2);
  assert.equal(seq.at(-1), l);
  seq.append(new ReLU());
  assert.deepEqual(seq.layers().length, 3);
  assert.deepEqual([...seq.namedChildren()].map(([k]) => k), ['0', '2'], 'a module registered twice is one child');
  assert.throws(() => seq.at(3), /index 3 is out of range for 3 modules/);
  const ml = new ModuleList([new ReLU(), new Tanh()]);
  assert.deepEqual([...ml].map((m) => m.constructor.name), ['ReLU', 'Tanh']);
  assert.throws(() => ml.forward(), /ModuleList has no forward/);
});

test('train()/eval() set every descendant and return the module; a subtree can be switched alone', () => {
  const net = built();
  assert.equal(net.eval(), net);
  assert.deepEqual(net.modules().map((m) => m.training), fx.training.after_eval);
  net.head.train();
  assert.deepEqual([...net.namedModules()].map(([, m]) => m.training), fx.training.after_head_train);
});

test('loadStateDict copies values (not aliases), restores counters, and reports like PyTorch', () => {
  const a = built(), b = built();
  for (const p of b.parameters()) p.data.fill(0.5);
  a.call(randn(3, 1, 4, 4)); // a second training batch: running stats move, counters reach 2
  const res = b.loadStateDict(a.stateDict());
  assert.deepEqual(res, { missingKeys: [], unexpectedKeys: [] });
  for (const [k, t] of a.stateDict()) {
    const u = b.stateDict().get(k)!;
    assert.notEqual(u, t, k);
    assert.deepEqual(Array.from(u.data), Array.from(t.data), k);
    assert.equal(u.dtype, t.dtype, k);
  }
  assert.equal(b.stateDict().get('head.6.num_batches_tracked')!.item(), 2);

  // strict: every problem at once, nothing half-loaded.
  const sd = new Map(a.stateDict());
  sd.delete('w'); sd.delete('body.block.bn.running_var');
  sd.set('head.8.weight', zeros(3, 4)); sd.set('extra.weight', zeros(1));
  const before = Array.from(b.stateDict().get('body.stem.weight')!.data);
  for (const p of b.parameters()) p.data.fill(0.25);
  assert.throws(() => b.loadStateDict(sd), (e: Error) => {
    assert.match(e.message, /Missing key\(s\): "w", "body\.block\.bn\.running_var"\./);
    assert.match(e.message, /Unexpected key\(s\): "extra\.weight"\./);
    assert.match(e.message, /head\.8\.weight: checkpoint has \[3, 4\], model has \[2, 4\]/);
    return true;
  });
  assert.ok(before.length > 0 && Array.from(b.stateDict().get('body.stem.weight')!.data).every((v) => v === 0.25), 'a failed load changes nothing');

  // non-strict: missing and unexpected keys are returned, as PyTorch's load_state_dict(strict=False).
  const loose = new Map(a.stateDict());
  loose.delete('w');
  loose.set('junk', zeros(1));
  const r = b.loadStateDict(loose, false);
  assert.deepEqual({ missing: r.missingKeys, unexpected: r.unexpectedKeys }, fx.non_strict);
});

test('registration: reassigning replaces in place, null leaves a hole, wrong kinds are errors', () => {
  const blk = new Block();
  assert.deepEqual(blk.namedParameters().map(([k]) => k), ['alpha', 'conv.weight', 'conv.bias', 'bn.weight', 'bn.bias']);
  blk.alpha = new Parameter(ones(1));
  assert.equal(blk.namedParameters()[0]![1].data[0], 1, 'reassignment keeps the slot and order');
  assert.throws(() => { (blk as unknown as Record<string, unknown>).alpha = zeros(1); }, /cannot assign a plain Tensor as parameter 'alpha' \(wrap it in new Parameter/);
  assert.throws(() => { (blk as unknown as Record<string, unknown>).scale = 3; }, /cannot assign a number as buffer 'scale'/);
  (blk as unknown as Record<string, unknown>).bn = null;
  assert.deepEqual([...blk.namedChildren()].map(([k]) => k), ['conv']);
  assert.ok(!blk.stateDict().has('cache'), 'non-persistent buffers stay out of the state dict');
  assert.ok(blk.namedBuffers().some(([k]) => k === 'cache'));
  assert.throws(() => blk.addModule('a.b', new ReLU()), /can't contain "\."/);
});
