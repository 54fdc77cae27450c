/** conv2d / conv1d ops and Conv modules: PyTorch golden values, finite differences, errors, module contract. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { randn, tensor, zeros } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { conv1d, conv2d, conv2dActivation, type Conv1dOptions, type Conv2dOptions } from '../../src/tensor/ops/conv.js';
import * as F from '../../src/nn/functional.js';
import { Conv1d, Conv2d, LazyConv1d, LazyConv2d } from '../../src/nn/conv.js';
import { Sequential } from '../../src/nn/container.js';
import { ReLU, Sigmoid, Tanh } from '../../src/nn/activation.js';
import { AvgPool2d, MaxPool2d } from '../../src/nn/pooling.js';
import { UninitializedParameter } from '../../src/nn/parameter.js';
import { assertClose, fromJson, loadFixture, type TensorJson } from '../helpers/fixtures.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { forEachBackend } from '../helpers/backends.js';

interface ConvCase {
  name: string; opts: Record<string, unknown>;
  x: TensorJson; weight: TensorJson; bias?: TensorJson; y: TensorJson; gy: TensorJson;
  dx: TensorJson; dw: TensorJson; db?: TensorJson;
}

function replay(c: ConvCase, fn: (x: Tensor, w: Tensor, b: Tensor | null) => Tensor): void {
  const x = fromJson(c.x, true), w = fromJson(c.weight, true);
  const b = c.bias ? fromJson(c.bias, true) : null;
  const y = fn(x, w, b);
  assertClose(y, c.y, { what: `${c.name}: y` });
  y.backward(fromJson(c.gy));
  assertClose(x.grad!, c.dx, { what: `${c.name}: dx` });
  assertClose(w.grad!, c.dw, { what: `${c.name}: dw`, atol: 1e-4 });
  if (b !== null) assertClose(b.grad!, c.db!, { what: `${c.name}: db`, atol: 1e-4 });
}

forEachBackend('conv fixtures', () => {
  for (const c of loadFixture<ConvCase[]>('conv/conv2d.json')) {
    test(`conv2d matches PyTorch forward and input/weight/bias gradients: ${c.name}`, () => {
      replay(c, (x, w, b) => conv2d(x, w, b, c.opts as Conv2dOptions));
    });
  }
  for (const c of loadFixture<ConvCase[]>('conv/conv1d.json')) {
    test(`conv1d matches PyTorch forward and gradients: ${c.name}`, () => {
      replay(c, (x, w, b) => conv1d(x, w, b, c.opts as Conv1dOptions));
    });
  }
});

test('conv2d gradcheck: strided, padded, dilated, grouped, with bias', () => {
  manualSeed(1);
  const x = randn([2, 4, 5, 6]).requiresGrad_(), w = randn([2, 2, 2, 3]).requiresGrad_(), b = randn([2]).requiresGrad_();
  gradcheck((x, w, b) => conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }), [x, w, b]);
});

forEachBackend('conv2d bias gradient', () => {
  test('is the same whether or not the weight needs a gradient (it rides on the weight-gradient call)', () => {
    manualSeed(6);
    const x = randn([3, 2, 6, 7]), b1 = randn([4]).requiresGrad_(), b2 = b1.detach().requiresGrad_();
    const w1 = randn([4, 2, 3, 3]).requiresGrad_(), w2 = w1.detach();
    const gy = randn([3, 4, 4, 5]);
    conv2d(x, w1, b1).backward(gy);
    conv2d(x, w2, b2).backward(gy);
    assertClose(b1.grad!, b2.grad!, { what: 'db', atol: 1e-5 });
    assert.equal(w2.grad, null);
  });
});

test("conv2d gradcheck with padding='same' and an even kernel (asymmetric padding)", () => {
  manualSeed(2);
  const x = randn([1, 2, 4, 5]).requiresGrad_(), w = randn([1, 2, 2, 2]).requiresGrad_();
  gradcheck((x, w) => conv2d(x, w, null, { padding: 'same' }), [x, w]);
});

test('conv1d gradcheck', () => {
  manualSeed(3);
  const x = randn([2, 2, 7]).requiresGrad_(), w = randn([3, 2, 3]).requiresGrad_(), b = randn([3]).requiresGrad_();
  gradcheck((x, w, b) => conv1d(x, w, b, { stride: 2, padding: 1 }), [x, w, b]);
});

test('conv2d handles an empty batch: empty output, zero weight/bias gradients', () => {
  const x = zeros([0, 2, 5, 5]).requiresGrad_(), w = randn([3, 2, 3, 3]).requiresGrad_(), b = randn([3]).requiresGrad_();
  const y = conv2d(x, w, b);
  assert.deepEqual(y.shape, [0, 3, 3, 3]);
  y.sum().backward();
  assert.equal(w.grad!.abs().sum().item(), 0);
  assert.equal(b.grad!.abs().sum().item(), 0);
});

test('conv2d accepts unbatched [C, H, W] input like PyTorch', () => {
  manualSeed(4);
  const x = randn([2, 5, 5]), w = randn([3, 2, 3, 3]);
  const y = conv2d(x, w, null, { padding: 1 });
  assert.deepEqual(y.shape, [3, 5, 5]);
  assertClose(y, conv2d(x.unsqueeze(0), w, null, { padding: 1 }).squeeze(0));
  assert.deepEqual(conv1d(randn([2, 9]), randn([4, 2, 3])).shape, [4, 7]);
});

test('conv ops record the grad_fn PyTorch records, and only when something needs grad', () => {
  const w = randn([1, 1, 2, 2]).requiresGrad_();
  assert.equal(conv2d(randn([1, 1, 3, 3]), w).gradFn?.name, 'ConvolutionBackward0');
  assert.equal(conv2d(randn([1, 3, 3]), w).gradFn?.name, 'SqueezeBackward1');
  assert.equal(conv2d(randn([1, 1, 3, 3]), w, null, { padding: 'same' }).gradFn?.name, 'ConvolutionBackward0');
  const w1 = randn([2, 1, 3]).requiresGrad_();
  assert.equal(conv1d(randn([1, 1, 5]), w1).gradFn?.name, 'ConvolutionBackward0');
  assert.equal(conv1d(randn([1, 5]), w1).gradFn?.name, 'SqueezeBackward1');
  assert.equal(conv2d(randn([1, 1, 3, 3]), randn([1, 1, 2, 2])).gradFn, null);
});

test('conv2d errors name the op and the shapes', () => {
  const x = zeros([1, 3, 28, 28]);
  assert.throws(() => conv2d(x, zeros([6, 1, 5, 5])),
    /conv2d: input has 3 channels but weight expects 1 \(input \[1, 3, 28, 28\], weight \[6, 1, 5, 5\], groups 1\)/);
  assert.throws(() => conv2d(zeros([28, 28]), zeros([6, 1, 5, 5])), /conv2d: expected 3-D \(unbatched\) or 4-D.*\[28, 28\]/);
  assert.throws(() => conv2d(x, zeros([6, 3, 5])), /conv2d: expected a 4-D weight.*\[6, 3, 5\]/);
  assert.throws(() => conv2d(zeros([1, 4, 5, 5]), zeros([3, 2, 3, 3]), null, { groups: 2 }), /conv2d: groups 2 must divide the weight's 3 output channels/);
  assert.throws(() => conv2d(zeros([1, 3, 5, 5]), zeros([4, 1, 3, 3]), null, { groups: 2 }), /conv2d: groups 2 must divide the input's 3 channels/);
  assert.throws(() => conv2d(zeros([1, 1, 2, 2]), zeros([1, 1, 5, 5])), /conv2d: kernel 5x5 \(after dilation\) is larger than the padded input 2x2/);
  assert.throws(() => conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 3, 3]), null, { stride: 0 }), /conv2d: stride must be a positive integer/);
  assert.throws(() => conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 3, 3]), null, { padding: -1 }), /conv2d: padding must be a non-negative integer/);
  assert.throws(() => conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 3, 3]), zeros([2])), /conv2d: bias must have shape \[1\]/);
  assert.throws(() => conv2d(zeros([1, 1, 5, 5]), zeros([1, 1, 3, 3]), null, { padding: 'same', stride: 2 }), /padding='same' is not supported for strided/);
  assert.throws(() => conv1d(zeros([1, 2, 10]), zeros([1, 3, 3])), /conv1d: input has 2 channels but weight expects 3 \(input \[1, 2, 10\], weight \[1, 3, 3\], groups 1\)/);
  assert.throws(() => conv1d(zeros([1, 1, 4]), zeros([1, 1, 3]), null, { dilation: 2 }), /conv1d: kernel 5 \(after dilation\) is larger than the padded input 4 \(input \[1, 1, 4\]/);
  assert.throws(() => conv1d(zeros([1, 1, 4]), zeros([1, 1, 3]), null, { stride: 0 }), /conv1d: stride must be a positive integer, got 0/);
});

test('Conv2d: PyTorch parameter names, shapes, init bounds and repr', () => {
  manualSeed(5);
  const c = new Conv2d(1, 6, { kernelSize: 5, padding: 2 });
  assert.equal(c.toString(), 'Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))');
  assert.deepEqual(c.namedParameters().map(([n, p]) => [n, [...p.shape]]), [['weight', [6, 1, 5, 5]], ['bias', [6]]]);
  // kaiming_uniform(a=√5) and the bias both give U(±1/√fanIn), fanIn = 25.
  const bound = 1 / Math.sqrt(25);
  for (const p of c.parameters()) for (const v of p.data) assert.ok(Math.abs(v) <= bound + 1e-7);
  assert.ok(c.weight.std().item() > bound / 3, 'weights are spread over the init range, not constant');
  assert.deepEqual(c.call(randn([2, 1, 28, 28])).shape, [2, 6, 28, 28]);
  const d = new Conv2d(4, 8, { kernelSize: [3, 5], stride: [2, 1], padding: [1, 2], dilation: 2, groups: 4, bias: false });
  assert.equal(d.toString(), 'Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 1), padding=(1, 2), dilation=(2, 2), groups=4, bias=False)');
  assert.equal(d.bias, null);
  assert.deepEqual(d.namedParameters().map(([n]) => n), ['weight']);
  assert.equal(new Conv2d(1, 1, { kernelSize: 3, padding: 'same' }).toString(), 'Conv2d(1, 1, kernel_size=(3, 3), stride=(1, 1), padding=same)');
  assert.throws(() => new Conv2d(3, 4, { kernelSize: 3, groups: 2 }), /Conv2d: inChannels \(3\) must be divisible by groups \(2\)/);
  assert.throws(() => new Conv2d(1, 6, { kernelSize: 0 }), /Conv2d: kernelSize must be a positive integer or 2 of them, got 0/);
  assert.throws(() => new Conv2d(1, 6, { kernelSize: 3, stride: [1, 0] }), /Conv2d: stride must be a positive integer/);
  assert.throws(() => new Conv2d(1, 6, { kernelSize: 3, padding: -1 }), /Conv2d: padding must be a non-negative integer/);
  assert.throws(() => new LazyConv1d(6, { kernelSize: 2.5 }), /LazyConv1d: kernelSize must be a positive integer, got 2.5/);
});

test('Conv2d module output equals F.conv2d with its parameters, and trains both', () => {
  manualSeed(6);
  const c = new Conv2d(2, 3, { kernelSize: 3, stride: 2, padding: 1 });
  const x = randn([1, 2, 6, 6]);
  const y = c.call(x);
  assertClose(y, F.conv2d(x, c.weight, c.bias, { stride: 2, padding: 1 }));
  y.sum().backward();
  assert.deepEqual(c.weight.grad?.shape, [3, 2, 3, 3]);
  assertClose(c.bias!.grad!, tensor([9, 9, 9]));
});

test('LazyConv2d learns inChannels on first forward and then is a Conv2d (like PyTorch cls_to_become)', () => {
  manualSeed(7);
  const c = new LazyConv2d(6, { kernelSize: 5, padding: 2 });
  assert.ok((c.weight as Tensor) instanceof UninitializedParameter);
  assert.equal(c.toString(), 'LazyConv2d(0, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))');
  const y = c.call(randn([2, 3, 8, 8]));
  assert.deepEqual(y.shape, [2, 6, 8, 8]);
  assert.equal(c.inChannels, 3);
  assert.ok(!((c.weight as Tensor) instanceof UninitializedParameter));
  assert.deepEqual(c.namedParameters().map(([n, p]) => [n, [...p.shape]]), [['weight', [6, 3, 5, 5]], ['bias', [6]]]);
  assert.equal(c.constructor.name, 'Conv2d');
  assert.ok(c instanceof Conv2d);
  assert.equal(c.toString(), 'Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))');
  const bound = 1 / Math.sqrt(3 * 25);
  for (const v of c.weight.data) assert.ok(Math.abs(v) <= bound + 1e-7);
  // A second call with the same channels reuses the parameters.
  const w = c.weight;
  c.call(randn([1, 3, 8, 8]));
  assert.equal(c.weight, w);
  assert.throws(() => c.call(randn([1, 4, 8, 8])), /input has 4 channels but weight expects 3/);
});

test('LazyConv2d bias=false, inside Sequential, unbatched input, and stateDict names', () => {
  const c = new LazyConv2d(1, { kernelSize: [1, 2], bias: false });
  assert.equal(c.bias, null);
  assert.deepEqual(c.call(randn([1, 6, 8])).shape, [1, 6, 7]);
  assert.deepEqual([...c.stateDict().keys()], ['weight']);
  const net = new Sequential(new LazyConv2d(6, { kernelSize: 5, padding: 2 }), new LazyConv2d(16, { kernelSize: 5 }));
  assert.deepEqual(net.call(randn([1, 1, 28, 28])).shape, [1, 16, 24, 24]);
  assert.deepEqual([...net.stateDict().keys()], ['0.weight', '0.bias', '1.weight', '1.bias']);
  assert.deepEqual(net.stateDict().get('1.weight')?.shape, [16, 6, 5, 5]);
});

test('LazyConv2d loaded from a state dict infers inChannels without re-initialising', () => {
  const src = new Conv2d(2, 4, { kernelSize: 3 });
  const lazy = new LazyConv2d(4, { kernelSize: 3 });
  lazy.loadStateDict(src.stateDict());
  const x = randn([1, 2, 5, 5]);
  assertClose(lazy.call(x), src.call(x));
  assert.equal(lazy.inChannels, 2);
});

test('Conv1d and LazyConv1d: shapes, repr, and agreement with F.conv1d (7.1.6 audio exercise)', () => {
  manualSeed(8);
  const c = new Conv1d(1, 1, { kernelSize: 3, stride: 1, padding: 1 });
  assert.equal(c.toString(), 'Conv1d(1, 1, kernel_size=(3,), stride=(1,), padding=(1,))');
  const audio = randn([1, 1, 100]);
  const y = c.call(audio);
  assert.deepEqual(y.shape, [1, 1, 100]);
  assertClose(y, F.conv1d(audio, c.weight, c.bias, { padding: 1 }));
  const l = new LazyConv1d(4, { kernelSize: 3, stride: 2 });
  assert.deepEqual(l.call(randn([2, 3, 11])).shape, [2, 4, 5]);
  assert.equal(l.toString(), 'Conv1d(3, 4, kernel_size=(3,), stride=(2,))');
});

test('LazyConv2d.initializeParameters materialises without a forward (for optimizers built up front)', () => {
  const c = new LazyConv2d(8, { kernelSize: 3, groups: 2 });
  assert.throws(() => c.initializeParameters(3), /LazyConv2d: inChannels must be a positive multiple of groups \(2\), got 3/);
  c.initializeParameters(4);
  assert.deepEqual(c.weight.shape, [8, 2, 3, 3]);
  assert.equal(c.toString(), 'Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), groups=2)');
  assert.deepEqual(c.call(randn([1, 4, 5, 5])).shape, [1, 8, 3, 3]);
});

forEachBackend('fused conv2d + activation', () => {
  const acts = ['relu', 'sigmoid', 'tanh'] as const;
  const unfused = { relu: (t: Tensor) => t.relu(), sigmoid: (t: Tensor) => t.sigmoid(), tanh: (t: Tensor) => t.tanh() };
  test('conv2dActivation equals the activation of conv2d in values and in all three gradients', () => {
    manualSeed(11);
    for (const act of acts) {
      const opts: Conv2dOptions = { stride: [2, 1], padding: 1, groups: 2 };
      const x1 = randn([3, 4, 7, 6]).requiresGrad_(), w1 = randn([6, 2, 3, 3]).requiresGrad_(), b1 = randn([6]).requiresGrad_();
      const [x2, w2, b2] = [x1, w1, b1].map((t) => t.detach().requiresGrad_()) as [Tensor, Tensor, Tensor];
      const gy = randn([3, 6, 4, 6]);
      const fused = conv2dActivation(x1, w1, b1, opts, act);
      const ref = unfused[act](conv2d(x2, w2, b2, opts));
      assert.equal(fused.gradFn!.name, ref.gradFn!.name, `${act}: the node is named like PyTorch's last op`);
      assertClose(fused, ref, { what: `${act}: y`, atol: 1e-6 });
      fused.backward(gy);
      ref.backward(gy);
      for (const [a, b, what] of [[x1, x2, 'dx'], [w1, w2, 'dw'], [b1, b2, 'db']] as const) {
        assertClose(a.grad!, b.grad!, { what: `${act}: ${what}`, atol: 1e-5 });
      }
    }
  });

  test('Sequential runs Conv2d → activation fused: same output and gradients as the layers one by one', () => {
    manualSeed(12);
    for (const [Act, act] of [[ReLU, 'relu'], [Sigmoid, 'sigmoid'], [Tanh, 'tanh']] as const) {
      const net = new Sequential(new LazyConv2d(5, { kernelSize: 3, padding: 1 }), new Act(), new Conv2d(5, 4, { kernelSize: 2 }), new Act());
      const x = randn([2, 3, 6, 6]);
      const y = net.call(x);
      assert.equal(y.gradFn!.name, { relu: 'ReluBackward0', sigmoid: 'SigmoidBackward0', tanh: 'TanhBackward0' }[act]);
      // The fused node's inputs are the convolution's: the pre-activation is not a tensor of the graph.
      assert.equal(y.gradFn!.inputs[1], (net.at(2) as Conv2d).weight);
      let z = x;
      for (const m of net) z = m.forward(z);
      assertClose(y, z, { what: `${act}: output`, atol: 1e-6 });
      y.sum().backward();
      const fusedGrads = [...net.parameters()].map((p) => p.grad!.clone());
      net.zeroGrad();
      z.sum().backward();
      [...net.parameters()].forEach((p, i) => assertClose(p.grad!, fusedGrads[i]!, { what: `${act}: parameter ${i} grad`, atol: 1e-5 }));
    }
  });

  test('a subclass that overrides forward is not fused away', () => {
    class ScaledSigmoid extends Sigmoid {
      override forward(x: Tensor): Tensor { return super.forward(x).mul(3); }
    }
    class ShiftedConv extends Conv2d {
      override forward(x: Tensor): Tensor { return super.forward(x).add(1); }
    }
    manualSeed(13);
    const conv = new Conv2d(2, 3, { kernelSize: 3 }), x = randn([1, 2, 5, 5]);
    const y = new Sequential(conv, new ScaledSigmoid()).call(x);
    assertClose(y, conv.forward(x).sigmoid().mul(3), { what: 'ScaledSigmoid', atol: 1e-6 });
    const shifted = new ShiftedConv(2, 3, { kernelSize: 3 });
    shifted.loadStateDict(conv.stateDict());
    assertClose(new Sequential(shifted, new Sigmoid()).call(x), conv.forward(x).add(1).sigmoid(), { what: 'ShiftedConv', atol: 1e-6 });
  });
});

forEachBackend('fused conv2d + activation + pooling', () => {
  test('Sequential runs Conv2d → activation → MaxPool2d/AvgPool2d as one op with the pooling layer\'s node and values', () => {
    manualSeed(15);
    const nets = [
      new Sequential(new LazyConv2d(6, { kernelSize: 5, padding: 2 }), new Sigmoid(), new AvgPool2d(2, { stride: 2 }),
        new LazyConv2d(4, { kernelSize: 3 }), new ReLU(), new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true })),
      new Sequential(new Conv2d(3, 5, { kernelSize: 3, padding: 1 }), new Tanh(), new AvgPool2d(2, { padding: 1, countIncludePad: false })),
    ];
    const inputs = [randn([2, 1, 12, 12]), randn([3, 3, 7, 9])];
    nets.forEach((net, k) => {
      const x = inputs[k]!.requiresGrad_();
      const y = net.call(x);
      const last = net.at(-1);
      assert.equal(y.gradFn!.name, last instanceof MaxPool2d ? 'MaxPool2DWithIndicesBackward0' : 'AvgPool2DBackward0');
      // The fused node reads the convolution's input: x, or the first stage's pooled output.
      const input = y.gradFn!.inputs[0]!;
      if (k === 1) assert.equal(input, x);
      else assert.equal(input.gradFn!.name, 'AvgPool2DBackward0');
      let z = x;
      for (const m of net) z = m.forward(z);
      assertClose(y, z, { what: `net ${k}: output`, atol: 1e-6 });
      const gy = randn(y.shape.slice());
      y.backward(gy);
      const grads = [x.grad!.clone(), ...[...net.parameters()].map((p) => p.grad!.clone())];
      x.grad = null;
      net.zeroGrad();
      z.backward(gy);
      [x.grad!, ...[...net.parameters()].map((p) => p.grad!)].forEach((g, i) =>
        assertClose(grads[i]!, g, { what: `net ${k}: gradient ${i}`, atol: 1e-5 }));
    });
  });

  test('an unbatched input and a pooling subclass still give the layer-by-layer result', () => {
    class HalfMaxPool extends MaxPool2d {
      override forward(x: Tensor): Tensor { return super.forward(x).mul(0.5); }
    }
    manualSeed(16);
    const conv = new Conv2d(2, 3, { kernelSize: 3 }), x3 = randn([2, 8, 8]), x4 = randn([2, 2, 8, 8]);
    const plain = new Sequential(conv, new ReLU(), new MaxPool2d(2));
    assertClose(plain.call(x3), F.maxPool2d(conv.forward(x3).relu(), 2), { what: 'unbatched', atol: 1e-6 });
    const sub = new Sequential(conv, new ReLU(), new HalfMaxPool(2));
    assertClose(sub.call(x4), F.maxPool2d(conv.forward(x4).relu(), 2).mul(0.5), { what: 'subclass', atol: 1e-6 });
  });
});

test('fused conv2d + sigmoid / tanh gradcheck', () => {
  manualSeed(14);
  for (const act of ['sigmoid', 'tanh'] as const) {
    const x = randn([2, 4, 5, 6]).requiresGrad_(), w = randn([4, 2, 2, 3]).requiresGrad_(), b = randn([4]).requiresGrad_();
    gradcheck((x, w, b) => conv2dActivation(x, w, b, { stride: [2, 1], padding: [1, 2], groups: 2 }, act), [x, w, b]);
  }
});
