/**
 * convTranspose2d and ConvTranspose2d / LazyConvTranspose2d: PyTorch golden values over a grid of
 * strides, paddings, output paddings, groups and dilations (fixtures/conv/conv_transpose2d.json,
 * scripts/fixtures/gen_conv_transpose.py) on every backend, finite differences, PyTorch's error
 * cases, and the module contract (repr, state_dict, init, lazy materialisation).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/tensor/tensor.js';
import { randn, zeros } from '../../src/tensor/creation.js';
import { manualSeed } from '../../src/tensor/rng.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { formatShape } from '../../src/tensor/shape.js';
import * as F from '../../src/nn/functional.js';
import { conv2d } from '../../src/tensor/ops/conv.js';
import { ConvTranspose2d, LazyConvTranspose2d, type ConvTranspose2dModuleOptions } from '../../src/nn/conv-transpose.js';
import { Conv2d } from '../../src/nn/conv.js';
import { Sequential } from '../../src/nn/container.js';
import { ReLU } from '../../src/nn/activation.js';
import { assertClose, fromJson, loadFixture, type TensorJson } from '../helpers/fixtures.js';
import { gradcheck } from '../helpers/gradcheck.js';
import { forEachBackend } from '../helpers/backends.js';

interface Opts { stride?: number[]; padding?: number[]; output_padding?: number[]; groups?: number; dilation?: number[]; bias?: number }
interface Case {
  name: string; opts: Opts; x: TensorJson; weight: TensorJson; bias?: TensorJson; y: TensorJson; gy: TensorJson;
  dx: TensorJson; dw: TensorJson; db?: TensorJson;
}
interface ErrorCase { name: string; x: number[]; weight: number[]; opts: Opts; torch_message: string }
interface ModuleCase {
  name: string; lazy?: boolean; opts: Record<string, unknown>; input?: number[]; repr: string;
  state_dict: Record<string, number[]>; weight_bound?: number;
}
const fx = loadFixture<{ cases: Case[]; errors: ErrorCase[]; modules: ModuleCase[] }>('conv/conv_transpose2d.json');

const toOptions = (o: Opts): F.ConvTranspose2dOptions => ({
  ...(o.stride ? { stride: o.stride as [number, number] } : {}),
  ...(o.padding ? { padding: o.padding as [number, number] } : {}),
  ...(o.output_padding ? { outputPadding: o.output_padding as [number, number] } : {}),
  ...(o.dilation ? { dilation: o.dilation as [number, number] } : {}),
  ...(o.groups !== undefined ? { groups: o.groups } : {}),
});

forEachBackend('convTranspose2d fixtures', () => {
  for (const c of fx.cases) {
    test(`convTranspose2d matches PyTorch forward and input/weight/bias gradients: ${c.name}`, () => {
      const x = fromJson(c.x, true), w = fromJson(c.weight, true);
      const b = c.bias ? fromJson(c.bias, true) : null;
      const y = F.convTranspose2d(x, w, b, toOptions(c.opts));
      assertClose(y, c.y, { what: `${c.name}: y`, atol: 1e-4 });
      assert.equal(y.gradFn?.name ?? 'SqueezeBackward1', x.ndim === 3 ? 'SqueezeBackward1' : 'ConvolutionBackward0');
      y.backward(fromJson(c.gy));
      assertClose(x.grad!, c.dx, { what: `${c.name}: dx`, atol: 1e-4 });
      assertClose(w.grad!, c.dw, { what: `${c.name}: dw`, atol: 1e-4 });
      if (b !== null) assertClose(b.grad!, c.db!, { what: `${c.name}: db`, atol: 1e-4 });
    });
  }

  test('gradcheck: strided, padded, dilated, grouped, output-padded, with bias', () => {
    manualSeed(11);
    const x = randn([2, 4, 3, 4]).requiresGrad_(), w = randn([4, 1, 2, 3]).requiresGrad_(), b = randn([2]).requiresGrad_();
    gradcheck((x, w, b) => F.convTranspose2d(x, w, b, { stride: [2, 3], padding: [1, 0], outputPadding: [1, 2], dilation: [1, 2], groups: 2 }),
      [x, w, b]);
  });

  test('gradcheck: outputPadding allowed by dilation alone (stride 1, dilation 3, outputPadding 2)', () => {
    manualSeed(12);
    const x = randn([1, 2, 3, 3]).requiresGrad_(), w = randn([2, 3, 2, 2]).requiresGrad_();
    gradcheck((x, w) => F.convTranspose2d(x, w, null, { dilation: 3, outputPadding: 2 }), [x, w]);
  });

  test('gradcheck: unbatched input [C, H, W]', () => {
    manualSeed(13);
    const x = randn([2, 3, 2]).requiresGrad_(), w = randn([2, 2, 3, 3]).requiresGrad_(), b = randn([2]).requiresGrad_();
    gradcheck((x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1 }), [x, w, b]);
  });

  test('is the adjoint of conv2d: <convT(y), x> = <y, conv2d(x)> for the same weight', () => {
    manualSeed(14);
    const w = randn([3, 2, 3, 3]);
    const x = randn([2, 2, 7, 6]);
    const opts = { stride: 2, padding: 1, dilation: 1, groups: 1 } as const;
    const y = conv2d(x, w, null, opts);
    const u = randn(y.shape.slice());
    // The output padding that makes convT land back on x's size.
    const op: [number, number] = [7 - F.convTransposeOutSize(y.shape[2]!, 3, 2, 1, 1, 0), 6 - F.convTransposeOutSize(y.shape[3]!, 3, 2, 1, 1, 0)];
    const xt = F.convTranspose2d(u, w, null, { stride: 2, padding: 1, outputPadding: op });
    assert.deepEqual(xt.shape, x.shape);
    const lhs = noGrad(() => xt.mul(x).sum().item()), rhs = noGrad(() => u.mul(y).sum().item());
    assert.ok(Math.abs(lhs - rhs) <= 1e-3 * Math.max(1, Math.abs(rhs)), `${lhs} vs ${rhs}`);
  });
});

test('convTranspose2d rejects what PyTorch rejects, naming the shapes', () => {
  for (const e of fx.errors) {
    const o = { ...e.opts };
    const bias = o.bias !== undefined ? zeros([o.bias]) : null;
    delete o.bias;
    assert.throws(() => F.convTranspose2d(zeros(e.x), zeros(e.weight), bias, toOptions(o)), (err: Error) => {
      assert.match(err.message, /^convTranspose2d: /, e.name);
      assert.ok(err.message.includes(formatShape(e.weight)), `${e.name}: '${err.message}' names the weight shape (PyTorch: ${e.torch_message})`);
      if (e.name !== 'bias of the wrong length') assert.ok(err.message.includes(formatShape(e.x)), `${e.name}: '${err.message}' names the input shape`);
      return true;
    }, e.name);
  }
  assert.throws(() => F.convTranspose2d(zeros([2, 2]), zeros([2, 2, 3, 3])), /convTranspose2d: expected 3-D \(unbatched\) or 4-D \(batched\) input, got input of shape \[2, 2\]/);
  assert.throws(() => F.convTranspose2d(zeros([1, 2, 3, 3]), zeros([2, 2, 3])), /expected a 4-D weight \[in, out\/groups, kh, kw\], got \[2, 2, 3\]/);
  assert.throws(() => F.convTranspose2d(zeros([1, 2, 3, 3]), zeros([2, 2, 3, 3]), null, { stride: 0 }), /stride must be a positive integer/);
  assert.throws(() => F.convTranspose2d(zeros([1, 2, 3, 3]), zeros([2, 2, 3, 3]), null, { outputPadding: -1 }), /outputPadding must be a non-negative integer/);
});

test('ConvTranspose2d: PyTorch repr, state_dict names and layout [in, out/groups, kh, kw], default init bounds', () => {
  manualSeed(2);
  for (const m of fx.modules) {
    const o = m.opts as unknown as { in?: number; out: number } & ConvTranspose2dModuleOptions;
    const mod = m.lazy ? new LazyConvTranspose2d(o.out, o) : new ConvTranspose2d(o.in!, o.out, o);
    if (m.lazy) {
      assert.deepEqual([...mod.stateDict().keys()], Object.keys(m.state_dict));
      mod.call(zeros(m.input!));
      assert.equal(mod.constructor.name, 'ConvTranspose2d', 'a lazy module becomes a ConvTranspose2d');
    }
    assert.equal(String(mod), m.repr, m.name);
    const sd = mod.stateDict();
    assert.deepEqual(Object.fromEntries([...sd].map(([k, v]) => [k, [...v.shape]])), m.state_dict, m.name);
    if (m.weight_bound !== undefined) {
      const bound = m.weight_bound;
      for (const [k, v] of sd) {
        const d = [...v.data];
        assert.ok(d.every((e) => Math.abs(e) <= bound + 1e-7), `${k} within ±${bound}`);
        assert.ok(Math.max(...d.map(Math.abs)) > bound / 4, `${k} is initialised, not zeros`);
      }
    }
  }
  assert.throws(() => new ConvTranspose2d(3, 4, { kernelSize: 3, groups: 2 }), /ConvTranspose2d: inChannels \(3\) must be divisible by groups \(2\)/);
  assert.throws(() => new ConvTranspose2d(4, 3, { kernelSize: 3, groups: 2 }), /ConvTranspose2d: outChannels \(3\) must be divisible by groups \(2\)/);
  assert.throws(() => new LazyConvTranspose2d(4, { kernelSize: 3, groups: 2 }).call(zeros([1, 3, 4, 4])), /LazyConvTranspose2d: input \[1, 3, 4, 4\] has 3 channels, not divisible by groups \(2\)/);
  assert.throws(() => new ConvTranspose2d(2, 2, { kernelSize: 3, padding: 'same' as unknown as number }), /ConvTranspose2d: padding must be integers/);
});

test('ConvTranspose2d trains in a Sequential and a lazy one takes a state dict before its first call', () => {
  manualSeed(5);
  // d2l 14.10's round trip: a stride-3 convolution then its transposed shape partner restores [1, 10, 16, 16].
  const net = new Sequential(new Conv2d(10, 20, { kernelSize: 5, padding: 2, stride: 3 }), new ReLU(),
    new ConvTranspose2d(20, 10, { kernelSize: 5, padding: 2, stride: 3 }));
  const X = randn([1, 10, 16, 16]);
  const Y = net.call(X);
  assert.deepEqual(Y.shape, [1, 10, 16, 16]);
  Y.sum().backward();
  const t = net.at(2) as ConvTranspose2d;
  assert.deepEqual(t.weight.grad!.shape, [20, 10, 5, 5]);
  assert.deepEqual(t.bias!.grad!.shape, [10]);

  const lazy = new LazyConvTranspose2d(10, { kernelSize: 5, padding: 2, stride: 3 });
  lazy.loadStateDict(t.stateDict());
  const Z = randn([1, 20, 6, 6]);
  const a: Tensor = noGrad(() => lazy.call(Z)), b: Tensor = noGrad(() => t.call(Z));
  assertClose(a, b, { atol: 0, rtol: 0 });
  assert.equal(lazy.inChannels, 20);
});
