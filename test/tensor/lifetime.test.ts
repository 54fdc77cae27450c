// Tensor storage lifetime: deterministic release (memoryStats is flat over training steps), the
// graph's own handles on what backward reads, and that nothing a user holds is ever released.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryStats } from '../../src/tensor/storage.js';
import { randn, tensor, zeros } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { crossEntropy } from '../../src/tensor/ops/nn-loss.js';
import { relu } from '../../src/nn/functional.js';
import { ReLU } from '../../src/nn/activation.js';
import { Sequential } from '../../src/nn/container.js';
import { Conv2d } from '../../src/nn/conv.js';
import { SGD } from '../../src/optim/sgd.js';
import { Adam } from '../../src/optim/adam.js';
import { LeNet } from '../../src/models/lenet.js';
import { Trainer } from '../../src/train/trainer.js';
import { DataModule } from '../../src/data/data-module.js';
import { DataLoader, TensorDataset } from '../../src/data/dataloader.js';

/** A DataModule of `n` random 28x28 images with labels, batches of `batch`, no validation split. */
function randomImages(n: number, batch: number): DataModule {
  const X = Float32Array.from({ length: n * 784 }, (_, i) => ((i * 7919) % 1000) / 1000);
  const y = Int32Array.from({ length: n }, (_, i) => (i * 31) % 10);
  return new (class extends DataModule {
    getDataloader(): DataLoader {
      return new DataLoader(new TensorDataset(X, y, [1, 28, 28]), { batchSize: batch, shuffle: true });
    }
    override valDataloader(): null { return null; }
  })();
}

test('live backend memory is flat over LeNet training steps through the Trainer (step 100 = step 10)', () => {
  manualSeed(3);
  const base = memoryStats();
  const model = new LeNet();
  const probe = zeros([1, 1, 28, 28]);
  model.applyInit([probe]);
  probe.dispose();
  const at = new Map<number, { bytes: number; tensors: number }>();
  const trainer = new Trainer({ maxEpochs: 1, callbacks: { onBatchEnd: (b) => at.set(b.batch, memoryStats()) } });
  trainer.fit(model, randomImages(8 * 110, 8));
  assert.equal(at.size, 110);
  const s10 = at.get(10)!, s100 = at.get(100)!;
  assert.deepEqual(s100, s10, `memory grew from step 10 (${JSON.stringify(s10)}) to step 100 (${JSON.stringify(s100)})`);
  // What stays between steps is the model's: 10 parameters and their 10 gradients (LeNet has 61,706 weights).
  assert.equal(s10.tensors - base.tensors, 20);
  assert.equal(s10.bytes - base.bytes, 2 * 61706 * 4);
});

test('an optimiser with state (SGD momentum, Adam) keeps memory flat too', () => {
  for (const make of [(p: Tensor[]) => new SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 }), (p: Tensor[]) => new Adam(p)]) {
    manualSeed(4);
    const net = new Sequential(new Conv2d(1, 2, { kernelSize: 3 }), new ReLU());
    const opt = make(net.parameters());
    // A manual loop owns its tensors: it disposes them (the Trainer does this for its own).
    const step = (): void => {
      const X = randn(2, 1, 5, 5);
      const y = net.call(X), sq = y.square(), loss = sq.mean();
      opt.zeroGrad();
      loss.backward();
      opt.step();
      for (const t of [X, y, sq, loss]) t.dispose();
    };
    step(); step();
    const before = memoryStats();
    for (let i = 0; i < 20; i++) step();
    assert.deepEqual(memoryStats(), before);
  }
});

test('what a user holds after backward stays readable: logits, loss.item(), accuracy, gradients (d2l manual loop)', () => {
  manualSeed(5);
  const model = new LeNet();
  const X = randn(4, 1, 28, 28), y = tensor([1, 2, 3, 4], { dtype: 'int32' });
  model.applyInit([X]);
  const yHat = model.call(X);
  const l = crossEntropy(yHat, y);
  l.backward();
  assert.ok(Number.isFinite(l.item()));
  assert.equal(yHat.data.length, 40);
  const acc = model.accuracy(yHat, y).item();
  assert.ok(acc >= 0 && acc <= 1);
  const w = model.parameters()[0]!;
  const g = w.grad!;
  assert.ok(g.data.some((v) => v !== 0));
  // The user read .grad: zeroGrad drops it from the parameter but never frees it under them.
  model.zeroGrad();
  assert.equal(w.grad, null);
  assert.ok(!g.isDisposed && Number.isFinite(g.data[0]!));
});

test('dispose(): a disposed tensor throws naming it; views and the graph keep their own handles', () => {
  const a = randn(2, 3);
  const v = a.reshape(6);
  a.dispose();
  assert.throws(() => a.data, /Tensor\.data: this float32 tensor of shape \[2, 3\] was released \(dispose\(\)\)/);
  assert.throws(() => a.add(1), /was released/);
  assert.throws(() => a.reshape(3, 2), /Tensor\.view: .* was released \(dispose\(\)\)/);
  assert.throws(() => a.detach(), /was released/);
  assert.equal(v.data.length, 6);
  assert.ok(a.isDisposed && !v.isDisposed);
  // The graph saved its own handles: backward works after the user disposed the values it reads.
  const x = randn(3).requiresGrad_();
  const h = x.mul(2);
  const out = h.exp().sum();
  h.dispose();
  out.backward();
  assert.equal(x.grad!.numel(), 3);
  a.dispose(); // twice is fine
});

test('memory of an intermediate is returned when its last handle goes (view, graph, then the tensor)', () => {
  const before = memoryStats();
  const x = randn(64).requiresGrad_();
  const y = x.exp();                    // exp saves its output
  const loss = y.sum();
  assert.ok(memoryStats().bytes > before.bytes);
  y.dispose();
  loss.backward();                      // frees the graph's handle on y
  loss.dispose();
  x.grad = null;
  x.dispose();
  assert.deepEqual(memoryStats(), before);
});

test('F.relu and nn.ReLU are one registry op: after x.add_(1) both backpropagate (relu reads only its output)', () => {
  for (const f of [(t: Tensor) => relu(t), (t: Tensor) => new ReLU().call(t)]) {
    const w = randn(4).requiresGrad_();
    const x = w.mul(2);
    const y = f(x);
    x.add_(1);
    y.sum().backward();
    assert.equal(y.gradFn?.name, 'ReluBackward0');
    assert.equal(w.grad!.numel(), 4);
  }
});

test('library intermediates released inside a block give a clear error if someone kept them', () => {
  let kept: Tensor | null = null;
  const spy = new (class extends ReLU {
    override forward(x: Tensor): Tensor { kept = x; return super.forward(x); }
  })();
  const net = new Sequential(new Conv2d(1, 1, { kernelSize: 1 }), spy, new ReLU());
  noGrad(() => net.call(randn(1, 1, 2, 2)));
  // The subclass overrides forward, so it is not fused: it saw the conv's output, which Sequential then released.
  assert.throws(() => kept!.data, /released \(an intermediate of Sequential\.forward/);
});
