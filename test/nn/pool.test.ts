/** Pooling ops and modules: PyTorch golden values, finite differences, errors, repr. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/tensor.js';
import { arange, randn, tensor, zeros } from '../../src/tensor/creation.js';
import { manualSeed, randperm } from '../../src/tensor/rng.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, poolOutSize, type AdaptiveSize, type AvgPool2dOptions } from '../../src/tensor/ops/pool.js';
import type { Pair } from '../../src/tensor/ops/conv.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from '../../src/nn/pooling.js';
import { Conv2d } from '../../src/nn/conv.js';
import { ReLU } from '../../src/nn/activation.js';
import { Sequential } from '../../src/nn/container.js';
import { assertClose, fromJson, loadFixture, type TensorJson } from '../helpers/fixtures.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { forEachBackend } from '../helpers/backends.js';

interface PoolCase {
  name: string; kind: 'max' | 'avg' | 'adaptive';
  opts: { kernel_size?: Pair; stride?: Pair; padding?: Pair; ceil_mode?: boolean; count_include_pad?: boolean; output_size?: AdaptiveSize;
          dilation?: Pair };
  x: TensorJson; y: TensorJson; gy: TensorJson; dx: TensorJson;
}

function run(c: PoolCase, x: Tensor): Tensor {
  const o = c.opts;
  const opts: AvgPool2dOptions = { stride: o.stride ?? null, padding: o.padding ?? 0, ceilMode: o.ceil_mode ?? false };
  if (c.kind === 'max') return maxPool2d(x, o.kernel_size!, { ...opts, dilation: o.dilation ?? 1 });
  if (c.kind === 'avg') return avgPool2d(x, o.kernel_size!, { ...opts, countIncludePad: o.count_include_pad ?? true });
  return adaptiveAvgPool2d(x, o.output_size!);
}

forEachBackend('pool fixtures', () => {
  for (const c of loadFixture<PoolCase[]>('conv/pool.json')) {
    test(`${c.kind} pooling matches PyTorch forward and gradient: ${c.name}`, () => {
      const x = fromJson(c.x, true);
      const y = run(c, x);
      assertClose(y, c.y, { what: `${c.name}: y` });
      y.backward(fromJson(c.gy));
      assertClose(x.grad!, c.dx, { what: `${c.name}: dx` });
    });
  }
  const dilated = loadFixture<{ cases: PoolCase[]; reprs: Record<string, string> }>('conv/pool_dilation.json');
  test('dilated max pooling matches PyTorch forward and gradient, as an op, a module and fused after conv + ReLU', () => {
    for (const c of dilated.cases) {
      const x = fromJson(c.x, true);
      const y = run(c, x);
      assertClose(y, c.y, { what: `${c.name}: y` });
      y.backward(fromJson(c.gy));
      assertClose(x.grad!, c.dx, { what: `${c.name}: dx` });
      const o = c.opts;
      const mo = { stride: o.stride ?? null, padding: o.padding ?? 0, dilation: o.dilation ?? 1, ceilMode: o.ceil_mode ?? false };
      const m = new MaxPool2d(o.kernel_size!, mo);
      assertClose(m.call(fromJson(c.x)), c.y, { what: `${c.name}: module` });
      // The same pooling fused behind a 1x1 identity convolution and a ReLU (Sequential's fused path).
      const ch = c.x.shape[1]!;
      const conv = new Conv2d(ch, ch, { kernelSize: 1, bias: false });
      conv.weight.data.fill(0);
      for (let i = 0; i < ch; i++) conv.weight.data[i * ch + i] = 1;
      const xr = fromJson(c.x).relu();
      assertClose(new Sequential(conv, new ReLU(), m).call(fromJson(c.x)), maxPool2d(xr, o.kernel_size!, mo),
        { what: `${c.name}: fused` });
    }
  });
});

test('dilated max pooling: repr like PyTorch, gradcheck, and the window size in errors', () => {
  const dilated = loadFixture<{ reprs: Record<string, string> }>('conv/pool_dilation.json');
  assert.equal(String(new MaxPool2d(3, { stride: 2, dilation: 2 })), dilated.reprs['MaxPool2d(3, stride=2, dilation=2)']);
  assert.equal(String(new MaxPool2d(3, { stride: 2, dilation: [2, 1] })), dilated.reprs['MaxPool2d(3, stride=2, dilation=(2, 1))']);
  manualSeed(13);
  gradcheck((x) => maxPool2d(x, 2, { stride: 1, padding: 1, dilation: 2 }), [distinct([1, 2, 5, 6])], { eps: 1e-3 });
  assert.throws(() => maxPool2d(zeros([1, 1, 4, 4]), 3, { dilation: 2 }),
    /maxPool2d: kernel \[5, 5\] \(after dilation \[2, 2\]\) is larger than the padded input 4x4/);
  assert.throws(() => maxPool2d(zeros([1, 1, 4, 4]), 2, { dilation: 0 }), /maxPool2d: dilation must be a positive integer/);
});

/** Values at least 0.1 apart so a finite-difference step never changes which element is the max. */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const p = randperm(n);
  return new Tensor(Float32Array.from(p, (v) => v * 0.1), shape, 'float32').requiresGrad_();
}

test('maxPool2d gradcheck (padded, strided, ceil mode)', () => {
  manualSeed(11);
  gradcheck((x) => maxPool2d(x, 3, { stride: 2, padding: 1 }), [distinct([2, 2, 5, 6])], { eps: 1e-3 });
  gradcheck((x) => maxPool2d(x, 2, { ceilMode: true }), [distinct([1, 2, 5, 5])], { eps: 1e-3 });
});

test('avgPool2d gradcheck (countIncludePad both ways, ceil mode)', () => {
  manualSeed(12);
  const x = randn([2, 2, 5, 6]).requiresGrad_();
  gradcheck((x) => avgPool2d(x, 3, { stride: 2, padding: 1 }), [x]);
  gradcheck((x) => avgPool2d(x, [2, 3], { stride: [1, 2], padding: [1, 1], countIncludePad: false, ceilMode: true }), [x]);
  // stride == kernel, no padding, ceil mode: the last window hangs past the input and divides by fewer
  const y = randn([1, 2, 5, 7]).requiresGrad_();
  gradcheck((x) => avgPool2d(x, 2, { ceilMode: true }), [y]);
  gradcheck((x) => avgPool2d(x, 2, { ceilMode: true, countIncludePad: false }), [y]);
});

test('adaptiveAvgPool2d gradcheck (non-divisible sizes and the global 1x1 path)', () => {
  manualSeed(13);
  const x = randn([1, 2, 5, 7]).requiresGrad_();
  gradcheck((x) => adaptiveAvgPool2d(x, [3, 4]), [x]);
  gradcheck((x) => adaptiveAvgPool2d(x, 1), [x]);
});

test('pooling accepts unbatched [C, H, W] input', () => {
  const x = arange(16).reshape(1, 4, 4);
  assert.equal(maxPool2d(x, 2).toString(), 'tensor([[[ 5.,  7.],\n         [13., 15.]]])');
  assert.deepEqual(avgPool2d(x, 2).shape, [1, 2, 2]);
  assert.deepEqual(adaptiveAvgPool2d(x, 1).shape, [1, 1, 1]);
});

test('d2l 7.5.2: MaxPool2d with padding and stride on arange(16)', () => {
  const X = arange(16).reshape(1, 1, 4, 4);
  assert.equal(new MaxPool2d(3).call(X).toString(), 'tensor([[[[10.]]]])');
  assert.equal(new MaxPool2d(3, { padding: 1, stride: 2 }).call(X).toString(), 'tensor([[[[ 5.,  7.],\n          [13., 15.]]]])');
  assert.equal(new MaxPool2d([2, 3], { stride: [2, 3], padding: [0, 1] }).call(X).toString(), 'tensor([[[[ 5.,  7.],\n          [13., 15.]]]])');
});

test('pool output size follows PyTorch, including the ceil-mode last-window rule', () => {
  assert.equal(poolOutSize(4, 2, 2, 0, false), 2);
  assert.equal(poolOutSize(5, 2, 2, 0, false), 2);
  assert.equal(poolOutSize(5, 2, 2, 0, true), 3);
  // The would-be 4th window starts at 6 >= 5 + 1 (inside the right padding only), so it is dropped.
  assert.equal(poolOutSize(5, 3, 2, 1, true), 3);
  assert.equal(poolOutSize(13, 3, 2, 0, true), 6);
  assert.equal(poolOutSize(14, 3, 2, 0, true), 7);
});

test('maxPool2d pads with -inf: an all-negative input never yields a padding zero', () => {
  const x = tensor([[[[-5, -4], [-3, -2]]]]);
  assert.equal(maxPool2d(x, 3, { stride: 1, padding: 1 }).toString(), 'tensor([[[[-2., -2.],\n          [-2., -2.]]]])');
  assert.equal(avgPool2d(x, 2, { stride: 1, padding: 1 }).get(0, 0, 0, 0).item(), -5 / 4);
  assert.equal(avgPool2d(x, 2, { stride: 1, padding: 1, countIncludePad: false }).get(0, 0, 0, 0).item(), -5);
});

test('pooling errors name the op and the shapes', () => {
  const x = zeros([1, 1, 4, 4]);
  assert.throws(() => maxPool2d(x, 3, { padding: 2 }), /maxPool2d: padding should be at most half of the kernel size, but got padding \[2, 2\] for kernel \[3, 3\] \(input \[1, 1, 4, 4\]\)/);
  assert.throws(() => avgPool2d(x, 5), /avgPool2d: kernel \[5, 5\] is larger than the padded input 4x4/);
  assert.throws(() => maxPool2d(x, 2, { stride: 0 }), /maxPool2d: stride must be a positive integer/);
  assert.throws(() => maxPool2d(zeros([4, 4]), 2), /maxPool2d: expected 3-D \(unbatched\) or 4-D \(batched\) input, got input of shape \[4, 4\]/);
  assert.throws(() => adaptiveAvgPool2d(x, 0), /adaptiveAvgPool2d: outputSize must be positive integers/);
  assert.throws(() => maxPool2d(zeros([1, 1, 4, 4], ).int(), 2), /maxPool2d: expected a float32 input, got int32/);
});

test('pooling modules: repr like PyTorch, stride defaults to the kernel', () => {
  assert.equal(new MaxPool2d(2).toString(), 'MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
  assert.equal(new MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }).toString(),
    'MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True)');
  assert.equal(new MaxPool2d([2, 3], { stride: [2, 3], padding: [0, 1] }).toString(),
    'MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=(0, 1), dilation=1, ceil_mode=False)');
  assert.equal(new AvgPool2d(2, { stride: 2 }).toString(), 'AvgPool2d(kernel_size=2, stride=2, padding=0)');
  assert.equal(new AdaptiveAvgPool2d([1, 1]).toString(), 'AdaptiveAvgPool2d(output_size=(1, 1))');
  assert.equal(new AdaptiveAvgPool2d([null, 3]).toString(), 'AdaptiveAvgPool2d(output_size=(None, 3))');
  const x = randn([2, 3, 6, 6]);
  assert.deepEqual(new AvgPool2d(2).call(x).shape, [2, 3, 3, 3]);
  assert.deepEqual(new AdaptiveAvgPool2d([1, 1]).call(x).shape, [2, 3, 1, 1]);
  assertClose(new AdaptiveAvgPool2d(1).call(x), x.mean([2, 3], true));
});

test('pooling ops record the grad_fn PyTorch records, batched or not', () => {
  const x = randn([1, 2, 4, 4]).requiresGrad_(), u = randn([2, 4, 4]).requiresGrad_();
  for (const t of [x, u]) {
    assert.equal(maxPool2d(t, 2).gradFn?.name, 'MaxPool2DWithIndicesBackward0');
    assert.equal(avgPool2d(t, 2).gradFn?.name, 'AvgPool2DBackward0');
    assert.equal(adaptiveAvgPool2d(t, 3).gradFn?.name, 'AdaptiveAvgPool2DBackward0');
    assert.equal(adaptiveAvgPool2d(t, 1).gradFn?.name, 'MeanBackward1');
  }
  const y = maxPool2d(u, 2);
  y.sum().backward();
  assert.deepEqual(u.grad?.shape, [2, 4, 4]);
  assert.equal(u.grad!.sum().item(), 8, 'one winner per 2x2 window of each channel');
});
