/**
 * Small instances of every zoo family load PyTorch's weights (fixtures/models/<name>.safetensors,
 * from scripts/fixtures/gen_models.py) and reproduce PyTorch's numbers for the same input: logits
 * and loss in eval mode (BatchNorm running statistics) and in train mode (batch statistics; Dropout
 * switched off so both sides are deterministic), gradients of chosen parameters, and the BatchNorm
 * running statistics after the train-mode step.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFixture, fromJson, assertClose, type TensorJson } from '../helpers/fixtures.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { zeros } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { Dropout } from '../../src/nn/dropout.js';
import type { Module } from '../../src/nn/module.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import type { Classifier } from '../../src/train/classifier.js';
import { AlexNet } from '../../src/models/alexnet.js';
import { VGG, type VGGArch } from '../../src/models/vgg.js';
import { NiN } from '../../src/models/nin.js';
import { GoogLeNet } from '../../src/models/googlenet.js';
import { ResNet, Residual, type ResNetArch } from '../../src/models/resnet.js';
import { DenseNet } from '../../src/models/densenet.js';
import { AnyNet, type AnyNetArch } from '../../src/models/regnet.js';
import { countParams, readStateDict, stateKeys, type SmallFixture } from './zoo-helpers.js';

const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/models');

const weightsFile = (name: string): string => path.join(fixturesDir, `${name}.safetensors`);
const weights = (name: string): Map<string, Tensor> => readStateDict(weightsFile(name));

/** Tolerance scaled to the tensor's magnitude: float32 sums in a different order differ by ~1e-6 relative. */
function closeTo(actual: Tensor, expected: TensorJson, what: string, rtol = 1e-4): void {
  const scale = Math.max(...expected.data.map(Math.abs), 1e-12);
  assertClose(actual, expected, { rtol, atol: rtol * 0.1 * scale, what });
}

/** Train mode with Dropout off: BatchNorm uses batch statistics, and the result is deterministic. */
function trainWithoutDropout(m: Module): void {
  m.train();
  for (const sub of m.modules()) if (sub instanceof Dropout) sub.eval();
}

const cases: [string, (c: Record<string, unknown>) => Classifier][] = [
  ['alexnet_small', (c) => new AlexNet({ channels: c['channels'] as [number, number, number, number, number], hidden: c['hidden'] as number })],
  ['vgg_small', (c) => new VGG({ arch: c['arch'] as VGGArch, hidden: c['hidden'] as number })],
  ['nin_small', (c) => new NiN({ channels: c['channels'] as [number, number, number] })],
  ['googlenet_small', (c) => new GoogLeNet({ widthDivisor: c['widthDivisor'] as number })],
  ['resnet_small', (c) => new ResNet({ arch: c['arch'] as ResNetArch })],
  ['densenet_small', (c) => new DenseNet({ numChannels: c['numChannels'] as number, growthRate: c['growthRate'] as number, arch: c['arch'] as number[] })],
  ['anynet_small', (c) => new AnyNet({ arch: c['arch'] as AnyNetArch, stemChannels: c['stemChannels'] as number })],
];

describe('model zoo with PyTorch weights reproduces PyTorch (logits within 1e-4 relative)', () => {
  for (const [name, make] of cases) {
    it(name, () => {
      const f = loadFixture<SmallFixture>(`models/${name}.json`);
      const model = make(f.config);
      const X = fromJson(f.input), y = fromJson(f.labels);
      model.applyInit([zeros(...X.shape)]); // sizes the lazy layers, as PyTorch needs before loading
      model.loadStateDict(weights(name));
      assert.deepEqual(stateKeys(model), f.state_keys, 'state_dict keys and shapes');
      assert.equal(countParams(model), f.num_params, 'parameter count');
      // d2l spells the class GoogleNet; ours is GoogLeNet (GoogleNet is an alias), so only that word may differ.
      assert.equal(model.toString(), f.repr.replace(/^GoogleNet\(/, 'GoogLeNet('), 'print(model)');

      model.eval();
      const logitsEval = noGrad(() => model.call(X));
      closeTo(logitsEval, f.logits_eval, 'eval logits');
      assert.ok(Math.abs(noGrad(() => model.loss(logitsEval, y)).item() - f.loss_eval) <= 1e-4 * f.loss_eval, 'eval loss');

      trainWithoutDropout(model);
      const logitsTrain = model.call(X);
      const loss = model.loss(logitsTrain, y);
      closeTo(logitsTrain, f.logits_train, 'train logits');
      assert.ok(Math.abs(loss.item() - f.loss_train) <= 1e-4 * f.loss_train, `train loss ${loss.item()} vs ${f.loss_train}`);
      loss.backward();
      const params = new Map(model.namedParameters());
      for (const [k, g] of Object.entries(f.grads)) {
        const p = params.get(k);
        assert.ok(p !== undefined && p.grad !== null, `${k} has a gradient`);
        closeTo(p.grad, g, `grad of ${k}`, 1e-3);
      }
      const sd = model.stateDict();
      for (const [k, v] of Object.entries(f.running_after)) closeTo(sd.get(k)!, v, `${k} after the train step`);

      model.eval();
      assert.deepEqual(model.layerSummary(f.input.shape, () => {}), f.summary, 'layerSummary');
    });
  }
});

describe("d2l's training loop from PyTorch's weights follows PyTorch's trajectory (5 SGD steps)", () => {
  for (const [name, make] of cases) {
    const f = loadFixture<SmallFixture>(`models/${name}.json`);
    const tr = f.trajectory;
    if (tr === undefined) continue;
    it(`${name}: per-step losses, then eval logits and BatchNorm running mean`, () => {
      const model = make(f.config);
      model.applyInit([zeros(...tr.input.shape)]);
      model.loadStateDict(weights(name));
      model.lr = tr.lr;
      const opt = model.configureOptimizers();
      const X = fromJson(tr.input), y = fromJson(tr.labels);
      tr.losses.forEach((expected, i) => {
        trainWithoutDropout(model);
        const loss = model.loss(model.call(X), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        assert.ok(Math.abs(loss.item() - expected) <= 1e-4 * expected, `step ${i + 1}: loss ${loss.item()} vs PyTorch ${expected}`);
      });
      model.eval();
      closeTo(noGrad(() => model.call(X)), tr.logits_eval_after, 'eval logits after training');
      const sd = model.stateDict();
      for (const [k, v] of Object.entries(tr.running_mean_after)) closeTo(sd.get(k)!, v, `${k} after training`, 1e-3);
    });
  }
});

describe('PyTorch state_dicts through loadCheckpoint (src/io/checkpoint.ts)', () => {
  it('resnet_small.safetensors loads with loadCheckpoint and gives the same eval logits', () => {
    const f = loadFixture<SmallFixture>('models/resnet_small.json');
    const model = new ResNet({ arch: f.config['arch'] as ResNetArch });
    model.applyInit([zeros(1, 1, 32, 32)]);
    const res = loadCheckpoint(weightsFile('resnet_small'), model);
    assert.deepEqual([res.missingKeys, res.unexpectedKeys], [[], []]);
    model.eval();
    closeTo(noGrad(() => model.call(fromJson(f.input))), f.logits_eval, 'eval logits');
  });
});

describe('PyTorch weights load into still-lazy layers (LazyConv2d, LazyBatchNorm2d, LazyLinear), as in PyTorch', () => {
  for (const name of ['resnet_small', 'densenet_small', 'anynet_small']) {
    it(`${name}: loadStateDict before any forward pass keeps the running statistics`, () => {
      const f = loadFixture<SmallFixture>(`models/${name}.json`);
      const model = cases.find(([n]) => n === name)![1](f.config);
      model.loadStateDict(weights(name));
      assert.deepEqual(stateKeys(model), f.state_keys);
      model.eval();
      closeTo(noGrad(() => model.call(fromJson(f.input))), f.logits_eval, 'eval logits');
      assert.equal(model.toString(), f.repr, 'materialised layers print as PyTorch');
    });
  }
});

describe('Residual block with PyTorch weights', () => {
  it('Residual({numChannels: 6, use1x1conv: true, strides: 2}) on [4, 3, 6, 6]: output, input gradient, eval output', () => {
    const f = loadFixture<Record<string, TensorJson>>('models/residual.json');
    const blk = new Residual({ numChannels: 6, use1x1conv: true, strides: 2 });
    noGrad(() => blk.call(zeros(4, 3, 6, 6)));
    blk.loadStateDict(weights('residual'));
    const X = fromJson(f['input']!, true);
    blk.train();
    const Y = blk.call(X);
    closeTo(Y, f['output_train']!, 'train output');
    Y.sum().backward();
    closeTo(X.grad!, f['input_grad']!, 'input gradient', 1e-3);
    closeTo(blk.conv1.weight.grad!, f['conv1_weight_grad']!, 'conv1.weight gradient', 1e-3);
    blk.eval();
    closeTo(noGrad(() => blk.call(X)), f['output_eval']!, 'eval output');
  });
});
