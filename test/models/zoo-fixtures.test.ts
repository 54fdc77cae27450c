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
import { loadFixture, fromJson, type TensorJson } from '../helpers/fixtures.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { zeros } from '../../src/tensor/creation.js';
import { noGrad } from '../../src/autograd/grad-mode.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import type { Classifier } from '../../src/train/classifier.js';
import { AlexNet } from '../../src/models/alexnet.js';
import { VGG, type VGGArch } from '../../src/models/vgg.js';
import { NiN } from '../../src/models/nin.js';
import { GoogLeNet } from '../../src/models/googlenet.js';
import { ResNet, Residual, type ResNetArch } from '../../src/models/resnet.js';
import { DenseNet } from '../../src/models/densenet.js';
import { AnyNet, RegNetX32, type AnyNetArch } from '../../src/models/regnet.js';
import { ResNeXtBlock } from '../../src/models/resnext.js';
import { closeTo, countParams, readStateDict, stateKeys, trainWithoutDropout, type SmallFixture } from './zoo-helpers.js';

const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/models');

const weightsFile = (name: string): string => path.join(fixturesDir, `${name}.safetensors`);
const weights = (name: string): Map<string, Tensor> => readStateDict(weightsFile(name));

const cases: [string, (c: Record<string, unknown>) => Classifier][] = [
  ['alexnet_small', (c) => new AlexNet({ channels: c['channels'] as [number, number, number, number, number], hidden: c['hidden'] as number })],
  ['vgg_small', (c) => new VGG({ arch: c['arch'] as VGGArch, hidden: c['hidden'] as number })],
  ['nin_small', (c) => new NiN({ channels: c['channels'] as [number, number, number] })],
  ['googlenet_small', (c) => new GoogLeNet({ widthDivisor: c['widthDivisor'] as number })],
  ['resnet_small', (c) => new ResNet({ arch: c['arch'] as ResNetArch })],
  ['densenet_small', (c) => new DenseNet({ numChannels: c['numChannels'] as number, growthRate: c['growthRate'] as number, arch: c['arch'] as number[] })],
  ['anynet_small', (c) => new AnyNet({ arch: c['arch'] as AnyNetArch, stemChannels: c['stemChannels'] as number })],
  // d2l's RegNetX32 itself (179,290 parameters) at 32×32, from gen_models_full.py.
  ['regnetx32', () => new RegNetX32()],
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

describe('ResNeXt blocks with PyTorch weights (grouped 3×3 conv, bottleneck, 1×1 shortcut + BatchNorm)', () => {
  const f = loadFixture<Record<string, Record<string, TensorJson>>>('models/resnext.json');
  const sd = weights('resnext');
  const cases: [string, string, () => ResNeXtBlock][] = [
    ['same', 'ResNeXtBlock(32, 16, 1) on [2, 32, 6, 6]: 2 groups of 16', () => new ResNeXtBlock({ numChannels: 32, groups: 16, botMul: 1 })],
    ['down', 'ResNeXtBlock(32, 8, 0.5, use1x1conv, strides 2) on [2, 16, 7, 7]: bottleneck 16, 2 groups', () => new ResNeXtBlock({ numChannels: 32, groups: 8, botMul: 0.5, use1x1conv: true, strides: 2 })],
  ];
  for (const [key, title, make] of cases) {
    it(`${title}: train/eval output, input and weight gradients`, () => {
      const fx = f[key]!;
      const blk = make();
      blk.loadStateDict(new Map([...sd].filter(([k]) => k.startsWith(`${key}.`)).map(([k, v]) => [k.slice(key.length + 1), v])));
      const X = fromJson(fx['input']!, true);
      blk.train();
      const Y = blk.call(X);
      closeTo(Y, fx['output_train']!, 'train output');
      // A weighted sum, so the gradient is not the same for every output element.
      const w = fromJson({ shape: [...Y.shape], data: Array.from({ length: Y.numel() }, (_, i) => -1 + 2 * i / (Y.numel() - 1)) });
      Y.mul(w).sum().backward();
      closeTo(X.grad!, fx['input_grad']!, 'input gradient');
      closeTo(blk.conv2.weight.grad!, fx['conv2_weight_grad']!, 'conv2 (grouped) weight gradient');
      closeTo(blk.bn3.weight!.grad!, fx['bn3_weight_grad']!, 'bn3 weight gradient');
      blk.eval();
      closeTo(noGrad(() => blk.call(X)), fx['output_eval']!, 'eval output');
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
