/** Layers and losses against PyTorch 1.13 (fixtures/nn/*.json from scripts/fixtures/gen_nn.py). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Linear } from '../../src/nn/linear.js';
import { BatchNorm1d, BatchNorm2d } from '../../src/nn/batchnorm.js';
import { Dropout } from '../../src/nn/dropout.js';
import { crossEntropy, mseLoss, nllLoss, type Reduction } from '../../src/tensor/ops/nn-loss.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { assertClose, fromJson, loadFixture, type TensorJson } from '../helpers/fixtures.js';

interface Grads { x: TensorJson | null; weight: TensorJson | null; bias: TensorJson | null }

interface LinearCase { name: string; x: TensorJson; weight: TensorJson; bias: TensorJson | null; out: TensorJson; R: TensorJson; grads: Grads }

for (const c of loadFixture<LinearCase[]>('nn/linear.json')) {
  test(`Linear ${c.name} matches PyTorch (output and gradients)`, () => {
    const [outF, inF] = c.weight.shape as [number, number];
    const m = new Linear(inF, outF, { bias: c.bias !== null });
    noGrad(() => { m.weight.copy_(fromJson(c.weight)); if (c.bias) m.bias!.copy_(fromJson(c.bias)); });
    const x = fromJson(c.x, true);
    const y = m.call(x);
    assertClose(y, c.out, { what: 'out' });
    y.mul(fromJson(c.R)).sum().backward();
    assertClose(x.grad!, c.grads.x!, { what: 'dx' });
    assertClose(m.weight.grad!, c.grads.weight!, { what: 'dW' });
    if (c.bias) assertClose(m.bias!.grad!, c.grads.bias!, { what: 'db' });
  });
}

interface BnCase {
  name: string; kind: '1d' | '2d';
  options: { eps: number; momentum: number | null; affine: boolean };
  weight: TensorJson | null; bias: TensorJson | null;
  x1: TensorJson; x2: TensorJson; out1: TensorJson; out2: TensorJson; R: TensorJson; grads: Grads;
  running_mean: TensorJson; running_var: TensorJson; num_batches_tracked: number;
  eval: { x: TensorJson; out: TensorJson; R: TensorJson; grads: Grads };
}

for (const c of loadFixture<BnCase[]>('nn/batchnorm.json')) {
  test(`BatchNorm${c.kind} ${c.name} matches PyTorch: 2 training steps, running stats, eval`, () => {
    const C = c.x1.shape[1]!;
    const m = c.kind === '2d' ? new BatchNorm2d(C, c.options) : new BatchNorm1d(C, c.options);
    noGrad(() => { if (c.weight) m.weight!.copy_(fromJson(c.weight)); if (c.bias) m.bias!.copy_(fromJson(c.bias)); });
    assertClose(m.call(fromJson(c.x1)), c.out1, { what: 'out1' });
    const x2 = fromJson(c.x2, true);
    const y2 = m.call(x2);
    assertClose(y2, c.out2, { what: 'out2' });
    y2.mul(fromJson(c.R)).sum().backward();
    assertClose(x2.grad!, c.grads.x!, { what: 'dx', atol: 1e-4 });
    if (c.options.affine) {
      assertClose(m.weight!.grad!, c.grads.weight!, { what: 'dweight', atol: 1e-4 });
      assertClose(m.bias!.grad!, c.grads.bias!, { what: 'dbias', atol: 1e-4 });
    } else {
      assert.equal(m.weight, null);
    }
    assertClose(m.runningMean!, c.running_mean, { what: 'running_mean' });
    assertClose(m.runningVar!, c.running_var, { what: 'running_var' });
    assert.equal(m.numBatchesTracked!.item(), c.num_batches_tracked);
    m.eval();
    if (m.weight) { m.weight.grad = null; m.bias!.grad = null; }
    const x3 = fromJson(c.eval.x, true);
    const y3 = m.call(x3);
    assertClose(y3, c.eval.out, { what: 'eval out' });
    y3.mul(fromJson(c.eval.R)).sum().backward();
    assertClose(x3.grad!, c.eval.grads.x!, { what: 'eval dx' });
    if (c.options.affine) {
      assertClose(m.weight!.grad!, c.eval.grads.weight!, { what: 'eval dweight', atol: 1e-4 });
      assertClose(m.bias!.grad!, c.eval.grads.bias!, { what: 'eval dbias', atol: 1e-4 });
    }
    assert.equal(m.numBatchesTracked!.item(), c.num_batches_tracked, 'eval leaves num_batches_tracked alone');
  });
}

interface LossCase {
  name: string; loss: 'crossEntropy' | 'mseLoss' | 'nllLoss';
  options: { reduction: Reduction; labelSmoothing?: number };
  input: TensorJson; target: TensorJson; out: TensorJson; R: TensorJson; grad: TensorJson; targetGrad?: TensorJson;
}

for (const c of loadFixture<LossCase[]>('nn/loss.json')) {
  test(`${c.name} matches PyTorch (value and gradient)`, () => {
    const x = fromJson(c.input, true);
    const t = fromJson(c.target, c.targetGrad !== undefined);
    const out = c.loss === 'crossEntropy' ? crossEntropy(x, t, c.options)
      : c.loss === 'nllLoss' ? nllLoss(x, t, c.options) : mseLoss(x, t, c.options);
    assertClose(out, c.out, { what: 'loss' });
    out.mul(fromJson(c.R)).sum().backward();
    assertClose(x.grad!, c.grad, { what: 'grad' });
    if (c.targetGrad) assertClose(t.grad!, c.targetGrad, { what: 'target grad' });
  });
}

test('Dropout in eval mode matches PyTorch (identity)', () => {
  for (const c of loadFixture<{ p: number; x: TensorJson; out: TensorJson }[]>('nn/dropout.json')) {
    const d = new Dropout(c.p);
    d.eval();
    const x = fromJson(c.x);
    assertClose(d.call(x), c.out);
    assert.equal(d.call(x), x);
  }
});
