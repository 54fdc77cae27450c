// Fusion is explicit and planned: Sequential groups Conv2d → activation (→ pooling) and BatchNorm →
// activation once, re-plans when its children change, leaves subclasses that override forward
// alone; the zoo's blocks fuse directly; F.conv2d takes { activation }. Fused or not, values,
// gradients and node names are the same.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { GradNode } from '../../src/autograd/engine.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { randn } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import * as F from '../../src/nn/functional.js';
import { Sequential } from '../../src/nn/container.js';
import { Conv2d } from '../../src/nn/conv.js';
import { BatchNorm2d } from '../../src/nn/batchnorm.js';
import { MaxPool2d } from '../../src/nn/pooling.js';
import { ReLU, Tanh } from '../../src/nn/activation.js';
import { Residual } from '../../src/models/resnet.js';
import { Inception } from '../../src/models/googlenet.js';
import { DenseBlock } from '../../src/models/densenet.js';
import { assertClose } from '../helpers/fixtures.js';
import { forEachBackend } from '../helpers/backends.js';

/** Every node below t, as `op:name`. */
function nodes(t: Tensor): string[] {
  const seen = new Set<GradNode>(), out: string[] = [];
  const stack = t.gradFn ? [t.gradFn] : [];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    out.push(`${n.op}:${n.name}`);
    n.inputs.forEach((inp, k) => { const h = inp.historyAt(n.versions[k]!); if (h.gradFn) stack.push(h.gradFn); });
  }
  return out;
}

forEachBackend('fusion', () => {
  test('Sequential fuses conv → relu → max pool into one conv2d node named as PyTorch names the pooling', () => {
    manualSeed(1);
    const seq = new Sequential(new Conv2d(1, 2, { kernelSize: 3, padding: 1 }), new ReLU(), new MaxPool2d(2));
    const y = seq.call(randn(2, 1, 4, 4));
    assert.equal(y.gradFn!.op, 'conv2d');
    assert.equal(y.gradFn!.name, 'MaxPool2DWithIndicesBackward0');
  });

  test('the plan follows the children: append, replace, and a forward patched after planning', () => {
    manualSeed(2);
    const seq = new Sequential(new Conv2d(1, 2, { kernelSize: 3, padding: 1 }), new ReLU());
    const x = randn(1, 1, 4, 4);
    assert.equal(seq.call(x).gradFn!.op, 'conv2d');
    seq.append(new MaxPool2d(2));
    assert.deepEqual(seq.call(x).shape, [1, 2, 2, 2]);
    assert.equal(seq.call(x).gradFn!.name, 'MaxPool2DWithIndicesBackward0');
    seq.addModule('1', new Tanh());
    assert.equal(seq.call(x).gradFn!.op, 'conv2d');
    assert.ok(nodes(seq.call(x)).includes('conv2d:MaxPool2DWithIndicesBackward0'));
    const act = seq.at(1);
    act.forward = (t: Tensor) => t.mul(3);
    const out = seq.call(x);
    assert.equal(out.gradFn!.op, 'maxPool2d', 'a patched activation is run as written, unfused');
    assert.ok(nodes(out).includes('mul:MulBackward0'));
  });

  test('a subclass that overrides forward is not fused', () => {
    manualSeed(3);
    class Doubling extends ReLU { override forward(t: Tensor): Tensor { return t.mul(2); } }
    const conv = new Conv2d(1, 1, { kernelSize: 1 });
    const x = randn(1, 1, 2, 2);
    const y = new Sequential(conv, new Doubling()).call(x);
    assert.equal(y.gradFn!.op, 'mul');
    assertClose(y, conv.call(x).mul(2));
  });

  test('BatchNorm → ReLU runs as one batchNorm node (ReluBackward0), with the unfused values and gradients', () => {
    manualSeed(4);
    const bn = new BatchNorm2d(3);
    const x1 = randn(4, 3, 2, 2).requiresGrad_(), x2 = x1.detach().requiresGrad_();
    const fused = new Sequential(bn, new ReLU()).call(x1);
    assert.equal(fused.gradFn!.op, 'batchNorm');
    assert.equal(fused.gradFn!.name, 'ReluBackward0');
    const plain = F.relu(F.batchNorm(x2, null, null, bn.weight, bn.bias, true));
    assertClose(fused, plain);
    fused.sum().backward();
    const gw = bn.weight!.grad!;
    bn.weight!.grad = null;
    plain.sum().backward();
    assertClose(x1.grad!, x2.grad!);
    assertClose(bn.weight!.grad!, gw);
  });

  test('F.conv2d takes { activation }: one node, the values of relu(conv2d(·))', () => {
    manualSeed(5);
    const x = randn(1, 2, 5, 5), w = randn(3, 2, 3, 3).requiresGrad_(), b = randn(3).requiresGrad_();
    const y = F.conv2d(x, w, b, { padding: 1, activation: 'relu' });
    assert.equal(y.gradFn!.op, 'conv2d');
    assert.equal(y.gradFn!.name, 'ReluBackward0');
    assertClose(y, F.relu(F.conv2d(x, w, b, { padding: 1 })));
    assert.throws(() => F.conv2d(x, w, b, { activation: 'gelu' as 'relu' }), /F.conv2d: activation must be one of 'relu', 'sigmoid', 'tanh', got a string \("gelu"\)/);
  });
});

describe('the zoo blocks fuse', () => {
  test("Residual: bn1 → relu is one batchNorm node", () => {
    manualSeed(6);
    const y = new Residual({ numChannels: 4, use1x1conv: true }).call(randn(2, 3, 6, 6));
    assert.ok(nodes(y).includes('batchNorm:ReluBackward0'), nodes(y).join(' '));
  });
  test('Inception: every relu(conv(·)) is one conv2d node', () => {
    manualSeed(7);
    const y = new Inception(2, [2, 3], [1, 2], 2).call(randn(1, 3, 5, 5));
    const n = nodes(y);
    assert.equal(n.filter((s) => s === 'conv2d:ReluBackward0').length, 6, n.join(' '));
    assert.ok(!n.some((s) => s.startsWith('relu:')));
  });
  test('DenseBlock: each conv block runs BatchNorm → ReLU as one node', () => {
    manualSeed(8);
    const y = new DenseBlock(2, 3).call(randn(2, 2, 4, 4));
    assert.equal(nodes(y).filter((s) => s === 'batchNorm:ReluBackward0').length, 2);
  });
});
