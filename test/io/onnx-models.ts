/**
 * Models for the ONNX export tests and fixtures: every registered zoo model at a small input, plus
 * small networks covering the other layers and options (ConvTranspose2d, pooling modes, Softmax,
 * Linear on 3-D input, 'same' padding, Conv1d). Weights come from a fixed pattern, not the RNG, so
 * scripts/fixtures/export_onnx.mjs and the tests export byte-identical files; that script writes
 * them for scripts/fixtures/gen_onnx.py, which runs onnx.checker.check_model(full_check=True) on
 * each and records their SHA-256 (fixtures/onnx/checked.json).
 */
import type { Tensor } from '../../src/tensor/tensor.js';
import { zeros } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { manualSeed } from '../../src/tensor/rng.js';
import type { Module } from '../../src/nn/module.js';
import { Sequential } from '../../src/nn/container.js';
import { Conv1d, Conv2d, LazyConv2d } from '../../src/nn/conv.js';
import { ConvTranspose2d, LazyConvTranspose2d } from '../../src/nn/conv-transpose.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from '../../src/nn/pooling.js';
import { BatchNorm1d, BatchNorm2d, LazyBatchNorm2d } from '../../src/nn/batchnorm.js';
import { ReLU, Sigmoid, Softmax, Tanh } from '../../src/nn/activation.js';
import { Flatten } from '../../src/nn/flatten.js';
import { Linear } from '../../src/nn/linear.js';
import { Dropout } from '../../src/nn/dropout.js';
import { Identity } from '../../src/nn/identity.js';
import { createModel } from '../../src/models/registry.js';

/** The input each zoo model is exported at (as zoo-fullsize.test.ts runs them): batch 2, one channel. */
export const ZOO_INPUTS: Record<string, number[]> = {
  lenet: [2, 1, 28, 28], 'lenet-modern': [2, 1, 28, 28], alexnet: [2, 1, 99, 99], vgg: [2, 1, 64, 64],
  vgg11: [2, 1, 32, 32], vgg16: [2, 1, 32, 32], 'vgg16-narrow': [2, 1, 64, 64], vgg19: [2, 1, 32, 32],
  nin: [2, 1, 99, 99], googlenet: [2, 1, 32, 32], resnet18: [2, 1, 64, 64], resnet34: [2, 1, 64, 64],
  densenet: [2, 1, 64, 64], regnetx32: [2, 1, 96, 96],
};

/**
 * Overwrite every parameter and buffer with a fixed pattern (sin of the index, scaled per kind):
 * conv/linear weights ±1/√fanIn, biases ±0.1, BatchNorm scale 1 ± 0.2, running_mean ±0.2,
 * running_var in [0.5, 1.5] — so BatchNorm does real work in eval mode.
 */
export function fillPattern(m: Module): void {
  const sd = m.stateDict();
  // A 1021-long table of sines, indexed with a per-tensor phase: cheap for the 39 M weights of VGG-19, never aligned with a kernel.
  const table = Float32Array.from({ length: 1021 }, (_, i) => Math.sin(0.37 * i + 0.1));
  noGrad(() => {
    let p = 0;
    for (const [name, t] of sd) {
      p++;
      if (t.dtype !== 'float32') continue;
      const d = t.data as Float32Array;
      const bnScale = name.endsWith('weight') && sd.has(name.replace(/weight$/, 'running_mean'));
      const [scale, offset] = name.endsWith('running_var') ? [0.5, 1] : name.endsWith('running_mean') ? [0.2, 0]
        : t.ndim >= 2 ? [1 / Math.sqrt(t.numel() / t.shape[0]!), 0] : bnScale ? [0.2, 1] : [0.1, 0];
      for (let i = 0, k = (p * 131) % 1021; i < d.length; i++, k = k === 1020 ? 0 : k + 1) d[i] = offset + scale * table[k]!;
      t.bumpVersion();
    }
  });
}

/** Materialise `m`'s lazy layers on zeros of `shape`, fill the pattern and switch to eval mode. */
export function prepare(m: Module, shape: readonly number[]): Module {
  manualSeed(0);
  noGrad(() => m.eval().call(zeros(shape.slice())));
  fillPattern(m);
  return m.eval();
}

/** A zoo model ready to export. */
export function zooModel(name: string): Module {
  return prepare(createModel(name), ZOO_INPUTS[name]!);
}

/** Small networks for the layers and options the zoo does not use. */
export const EXTRA_MODELS: Record<string, { make: () => Module; shape: number[] }> = {
  // An FCN-style decoder: strided, output-padded, grouped, dilated transposed convolutions.
  convtranspose: {
    shape: [2, 3, 7, 6],
    make: () => new Sequential(
      new Conv2d(3, 8, { kernelSize: 3, padding: 1, stride: 2 }), new ReLU(),
      new ConvTranspose2d(8, 6, { kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, groups: 2 }), new BatchNorm2d(6), new Tanh(),
      new LazyConvTranspose2d(4, { kernelSize: [2, 3], stride: [1, 2], dilation: [2, 1], padding: [0, 1], bias: false }), new Sigmoid(),
      new ConvTranspose2d(4, 2, { kernelSize: 1, stride: 3, dilation: 2, outputPadding: 1 })),
  },
  // Every pooling mode PyTorch and ONNX must agree on, ceil mode and count_include_pad included.
  pooling: {
    shape: [2, 2, 13, 11],
    make: () => new Sequential(
      new AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true }),
      new AvgPool2d(2, { stride: 2, ceilMode: true, countIncludePad: false }),
      new Conv2d(2, 4, { kernelSize: 1 }),
      new MaxPool2d(2, { stride: 2, ceilMode: true }),
      new AvgPool2d([2, 1], { stride: [1, 1], padding: [1, 0], countIncludePad: false })),
  },
  'pooling-2': {
    shape: [1, 3, 11, 14],
    make: () => new Sequential(
      new MaxPool2d(3, { stride: 2, padding: 1, dilation: [2, 1] }),
      new AvgPool2d(3, { stride: 1, padding: 1 }),
      new MaxPool2d([3, 2], { stride: [2, 3], ceilMode: true }),
      new AdaptiveAvgPool2d([1, 3]), new Flatten(), new Linear(9, 5), new Softmax(1)),
  },
  // 'same' padding with an even kernel (the extra zero at the end), Linear on a 3-D input, BatchNorm1d, Dropout, Identity, Flatten(2).
  misc: {
    shape: [2, 2, 6, 8],
    make: () => new Sequential(
      new LazyConv2d(4, { kernelSize: [2, 4], padding: 'same', dilation: [1, 2] }), new LazyBatchNorm2d(), new ReLU(),
      new Dropout(0.3), new Identity(), new Flatten(2), new Linear(48, 5), new Tanh(), new Softmax(-1)),
  },
  conv1d: {
    shape: [2, 3, 20],
    make: () => new Sequential(
      new Conv1d(3, 6, { kernelSize: 5, stride: 2, padding: 2, groups: 3 }), new BatchNorm1d(6), new ReLU(),
      new Conv1d(6, 4, { kernelSize: 3, padding: 'same', dilation: 2 })),
  },
};

/** An extra model ready to export. */
export function extraModel(name: string): Module {
  const e = EXTRA_MODELS[name]!;
  return prepare(e.make(), e.shape);
}

/** The input fed to ONNX Runtime and to our model in the tests (deterministic, not the RNG). */
export function testInput(shape: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const t = zeros(shape.slice());
  for (let i = 0; i < n; i++) (t.data as Float32Array)[i] = Math.cos(0.11 * i) * 1.5;
  return t;
}
